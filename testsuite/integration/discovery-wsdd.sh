#!/bin/bash
# Issue 5, "Done when" (5) and (6): with the wsdd daemon (Debian package
# wsdd) running in the client's namespace and bound to UDP 3702, discovery
# still works; wsdd's computer announcement (from another wsdd on the device
# side) and a printer-only wsd-sim are not listed, only the scanner is, and
# a page is scanned from it. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage wsdd ss
build_program discover tools/wsd-discover
lab_up
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

# wsdd_start SIDE UUID NAME: a wsdd daemon announcing this namespace as a
# Windows-style computer, stopped at exit.
wsdd_start() {
    local side=$1 uuid=$2 name=$3 log="$WORK_DIR/wsdd-$1.log"
    lab_command "$side" wsdd -i "$LAB_IF" -U "$uuid" -n "$name" -v
    "${LAB_CMD[@]}" </dev/null >"$log" 2>&1 &
    local pid=$!
    lab_at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null; true"
    show_on_failure "$log"
    # wsdd logs each group it joined on its 3702 socket.
    joined() { grep -q "joined multicast group ('239.255.255.250', 3702)" "$log"; }
    lab_wait_until 30 "wsdd to bind UDP 3702 in $side" joined || fail "wsdd did not bind 3702 in $side"
}

computer_uuid=5ca00000-0000-4000-8000-00000000c0c0
wsdd_start host 5ca00000-0000-4000-8000-00000000c0c1 labhost
wsdd_start dev "$computer_uuid" labdev
assert_contains "$(lab_exec host ss -uln)" "239.255.255.250:3702" "UDP sockets in the host namespace"
printer_uuid=5ca00000-0000-4000-8000-000000000501
scanner_uuid=5ca00000-0000-4000-8000-000000000502
sim_start --side dev --name printer --interface "$LAB_IF" --printer-only --uuid "$printer_uuid" --name "Lab printer" -v
sim_start --side dev --name scanner --interface "$LAB_IF" --uuid "$scanner_uuid" --name "Lab scanner" -v

listing=$(guard --side host 60 "$discover" -v -i "$LAB_IF" -t 3000 2>"$WORK_DIR/trace") ||
    fail "wsd-discover found nothing: $listing"
show_on_failure "$WORK_DIR/trace"
it_log "wsd-discover: $listing"
trace=$(cat "$WORK_DIR/trace")
# wsdd holds 3702 and so do we (shared), so Hello/Bye still reach us.
assert_not_contains "$trace" "cannot listen for Hello/Bye" "wsd-discover's trace"
# Both non-scanners answered and were looked at, then left out.
assert_contains "$trace" "urn:uuid:$computer_uuid [Device Computer]" "wsd-discover's trace"
assert_contains "$trace" "urn:uuid:$printer_uuid [Device PrintDeviceType]" "wsd-discover's trace"
assert_contains "$listing" "UUID:         urn:uuid:$scanner_uuid" "wsd-discover"
assert_not_contains "$listing" "$computer_uuid" "wsd-discover"
assert_not_contains "$listing" "$printer_uuid" "wsd-discover"
assert_eq "$(grep -c '^  UUID:' <<<"$listing")" 1 "devices listed by wsd-discover"

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$scanner_uuid" "devices listed by scanimage -L"
scan_flatbed_and_check host "$SANE_DEVICES"
