#!/bin/bash
# Issue 5, "Done when" (5) and (6): with the wsdd daemon (Debian package
# wsdd) running in the client's namespace and bound to UDP 3702, discovery
# still works; wsdd's computer announcement (from another wsdd on the device
# side) and a printer-only wsd-sim are not listed, only the scanner is, and
# a page is scanned from it; a running discovery (wsd-discover --watch)
# sharing port 3702 with wsdd sees a scanner's Hello. Needs root and network
# namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage wsdd ss
. "$(dirname "$0")/discovery-watch-lib.sh"
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
# Both non-scanners were probed (wsdd notes each message it receives in its
# access log: "ADDR:PORT(IFACE) - - "Probe MESSAGE-ID UDP" - -"), the printer
# answered, and both were left out.
host_addr="$LAB_ADDR4_HOST|$LAB_ADDR6_HOST|$LAB_ADDR6LL_HOST"
grep -qE "($host_addr):[0-9]+\($LAB_IF\) - - \"Probe " "$WORK_DIR/wsdd-dev.log" ||
    fail "wsdd on the device side got no Probe from the host side"
assert_logged --name printer "the printer's answer" operation='Probe (UDP multicast)' outcome=ok client="$host_addr"
assert_contains "$listing" "UUID:         urn:uuid:$scanner_uuid" "wsd-discover"
assert_not_contains "$listing" "$computer_uuid" "wsd-discover"
assert_not_contains "$listing" "$printer_uuid" "wsd-discover"
assert_eq "$(grep -c '^  UUID:' <<<"$listing")" 1 "devices listed by wsd-discover"

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$scanner_uuid" "devices listed by scanimage -L"
scan_flatbed_and_check host "$SANE_DEVICES"

# wsdd holds 3702 and so does a running discovery (shared), so Hello still
# reaches it: a scanner that ignores multicast probes appears all the same.
watch_start
late_uuid=5ca00000-0000-4000-8000-000000000503
sim_start --side dev --name late --interface "$LAB_IF" --ignore-multicast-probe --uuid "$late_uuid" \
    --name "Late scanner"
expect_line "appeared urn:uuid:$late_uuid *" 30 >/dev/null
assert_not_logged --name late "Probes answered by the late scanner" operation='Probe*' outcome=ok
