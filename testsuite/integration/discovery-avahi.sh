#!/bin/bash
# Issue 5, "Done when" (2): a wsd-sim that ignores multicast Probes but is
# published in DNS-SD (_uscan._tcp, through the dev namespace's Avahi daemon)
# is found by the directed Probe sent to the address Avahi resolves; a page
# is then scanned from it. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage avahi-daemon
build_program discover tools/wsd-discover
lab_up --avahi
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

uuid=5ca00000-0000-4000-8000-000000000201
sim_start --side dev --interface "$LAB_IF" --ignore-multicast-probe --dnssd _uscan._tcp \
    --dnssd-name "Avahi scanner" --uuid "$uuid" --name "Avahi scanner" -vv

# The host's Avahi daemon must know the record before the client asks it
# (that is what a LAN with a running MFP looks like).
browse() { lab_exec host timeout 5 avahi-browse -rtp _uscan._tcp 2>/dev/null | grep -q "^=;.*;_uscan._tcp;.*;$LAB_ADDR4_DEV;$SIM_PORT;"; }
lab_wait_until 20 "the DNS-SD record of the simulator in the host namespace" browse ||
    fail "the host namespace's Avahi never saw the simulator's record"

listing=$(guard --side host 60 "$discover" -v -i "$LAB_IF" -t 3000 2>"$WORK_DIR/trace") ||
    fail "wsd-discover found nothing: $listing"
show_on_failure "$WORK_DIR/trace"
it_log "wsd-discover: $listing"
trace=$(cat "$WORK_DIR/trace")
assert_contains "$trace" "avahi: _uscan._tcp \"Avahi scanner\"" "wsd-discover's trace"
# Avahi resolves the record to its IPv4 or its IPv6 address, whichever
# answers first: the directed probes go to that one.
device_addr="($LAB_ADDR4_DEV|\\[$LAB_ADDR6_DEV\\])"
grep -qE -- "-> directed Probe to $device_addr:3702 \\(UDP\\)" <<<"$trace" ||
    fail "no directed UDP Probe to the simulator in wsd-discover's trace"
grep -qE -- "-> directed Probe to http://$device_addr:$SIM_PORT/StableWSDiscoveryEndpoint/" <<<"$trace" ||
    fail "no directed HTTP Probe to the simulator in wsd-discover's trace"
assert_contains "$listing" "UUID:         urn:uuid:$uuid" "wsd-discover"
assert_contains "$listing" "found by:     avahi" "wsd-discover"
# The simulator ignored every multicast probe, as told.
assert_contains "$(cat "$SIM_LOG")" "ignoring multicast Probe" "wsd-sim's log"

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
scan_flatbed_and_check host "$SANE_DEVICES"
