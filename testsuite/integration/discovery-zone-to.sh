#!/bin/bash
# A device reached over IPv6 link-local that refuses a wsa:To carrying the
# client's %zone (wsd-sim personality zone-in-to-refused, after the HP
# LaserJet M125 of issue 15).  wsd-sim serves only on its link-local address
# in the lab's dev namespace; our backend finds it by multicast in the host
# namespace, connects with the zone (the link-local address means nothing
# without it) and addresses the scan service by its URL without the zone
# (RFC 6874).  scanimage lists the device and scans a page, pattern checked;
# the simulator's log shows every scan request taken, with a zone-less To.
# Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
lab_up
[ -n "$LAB_ADDR6LL_DEV" ] || hard_error "the dev side has no link-local address"
# Inside the lab, multicast is allowed: discovery on for this test only.
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

uuid=5ca00000-0000-4000-8000-00000000e125
sim_start --side dev --name m125 --interface "$LAB_IF" --listen "$LAB_ADDR6LL_DEV%$LAB_IF" \
    --uuid "$uuid" --profile zone-in-to-refused -v
case $SIM_SERVICE_URL in
    "http://[$LAB_ADDR6LL_DEV]:"*) ;;
    *) fail "wsd-sim advertises $SIM_SERVICE_URL, not its link-local address without a zone" ;;
esac

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
scan_flatbed_and_check host "wsd:$uuid"

# (fnmatch would read the brackets of the address as a class: compared here.)
creates=$(sim_control --name m125 GET /log | python3 -c '
import json, sys
print(" ".join(e["outcome"] + "@" + e["to"] for e in json.load(sys.stdin)["log"] if e["operation"] == "CreateScanJob"))')
assert_eq "$creates" "ok@$SIM_SERVICE_URL" "CreateScanJob outcome and wsa:To"
assert_logged --name m125 "the image was retrieved" operation=RetrieveImage outcome=ok
assert_not_logged --name m125 "a scan request with a zone in wsa:To" "to=*%*"
assert_not_logged --name m125 "a refused request" "outcome=fault:*"
[ -z "$(sim_active --name m125)" ] || fail "a job stayed active"
