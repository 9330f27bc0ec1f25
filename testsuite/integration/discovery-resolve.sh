#!/bin/bash
# Issue 5, "Done when" (3): a wsd-sim that answers Probe with a ProbeMatch
# without XAddrs (and says Hello without them) is found through Resolve; a
# page is then scanned from it. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage
build_program discover tools/wsd-discover
lab_up
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

uuid=5ca00000-0000-4000-8000-000000000301
sim_start --side dev --interface "$LAB_IF" --no-xaddrs --uuid "$uuid" --name "Resolve me" -v

listing=$(guard --side host 60 "$discover" -v -i "$LAB_IF" -t 3000 2>"$WORK_DIR/trace") ||
    fail "wsd-discover found nothing: $listing"
show_on_failure "$WORK_DIR/trace"
it_log "wsd-discover: $listing"
# The simulator answered the Probe with a match without transport addresses
# (its Hello had none either), so the client had to Resolve, and that answer
# gave it the addresses it lists.
assert_logged "the Probe answered" operation='Probe (UDP multicast)' outcome=ok client="$LAB_ADDR4_HOST"
assert_logged "the client's Resolve answered" operation='Resolve (*' outcome=ok client="$LAB_ADDR4_HOST"
assert_contains "$listing" "UUID:         urn:uuid:$uuid" "wsd-discover"
assert_contains "$listing" "scan service: http://$LAB_ADDR4_DEV:$SIM_PORT/wsd/scan" "wsd-discover"

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
scan_flatbed_and_check host "$SANE_DEVICES"
