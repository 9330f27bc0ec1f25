#!/bin/bash
# Acceptance test of wsd-sim against sane-airscan, an independent WSD client
# (issue 3): wsd-sim runs in the lab's dev namespace, multicasting on the lab
# veth only; scanimage with ONLY airscan in dll.conf and NO configured device
# runs in the host namespace.  `scanimage -L` must list the simulator, found
# by WS-Discovery; then a flatbed region in colour and a 3-page ADF batch are
# scanned and every page is checked pixel by pixel against the test pattern.
# Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage curl python3
airscan_installed || skip "sane-airscan is not installed (Debian package sane-airscan)"

# avahi in both namespaces: airscan browses DNS-SD alongside WS-Discovery, as
# on a real LAN.
lab_up --avahi
sim_start --side dev --interface "$LAB_IF" --profile office-mfp --adf-pages 3 -v
[ "$(ip netns identify "$SIM_PID")" = "$LAB_NS_DEV" ] || fail "wsd-sim is not in $LAB_NS_DEV"
case $SIM_DEVICE_URL in
    http://"$LAB_ADDR4_DEV":* | http://\["$LAB_ADDR6_DEV"\]:*) ;;
    *) fail "wsd-sim serves on $SIM_DEVICE_URL, not on the lab address $LAB_ADDR4_DEV" ;;
esac

# No [devices]: the only way airscan can know the simulator is discovery.
sane_env_airscan "$WORK_DIR/sane" '[options]' 'discovery = enable' 'ws-discovery = full'

sane_list_devices host
[ -n "$SANE_DEVICES" ] || fail "scanimage -L in the host namespace listed no device"
assert_eq "$(wc -l <<<"$SANE_DEVICES")" 1 "number of devices listed"
device=$SANE_DEVICES
case $device in
    airscan:w*) ;;
    *) fail "device '$device' is not an airscan WSD device (airscan:w...)" ;;
esac
assert_contains "$device" "WSD Sim Office MFP" "the listed device name"
# airscan reached the device from the host namespace at the address the
# device announces, which only WS-Discovery told it (no device configured,
# no DNS-SD record published): its metadata Get is on the device's /log.
gets=$(sim_control GET /log | python3 -c '
import json, sys
host = set(sys.argv[1:])
print(sum(1 for e in json.load(sys.stdin)["log"]
          if e["operation"] == "Get" and e["outcome"] == "ok" and e["client"] in host))' \
    "$LAB_ADDR4_HOST" "$LAB_ADDR6_HOST" "$LAB_ADDR6LL_HOST")
[ "$gets" -gt 0 ] || fail "no metadata Get from the host namespace on wsd-sim's /log: $(sim_control GET /log)"

scan_flatbed_and_check host "$device"
scan_adf_batch_and_check host "$device" ADF 3
# wsd-sim checks wsa:To (its default, as real devices do): airscan addresses
# the Get to the endpoint address and the scan service to its address.
assert_logged "airscan's metadata Get to the endpoint address" operation=Get outcome=ok to="$SIM_UUID"
assert_logged "airscan's CreateScanJob to the service address" operation=CreateScanJob outcome=ok to="http://*/wsd/scan"
assert_not_logged "a request with a wrong wsa:To" outcome=fault:DestinationUnreachable
assert_no_refused_request

jobs=$(sim_control GET /jobs)
it_log "wsd-sim jobs: $jobs"
assert_eq "$(sim_jobs id state reasons imagesRetrieved source)" \
    "1 Completed JobCompletedSuccessfully 1 Platen
2 Completed JobCompletedSuccessfully 3 ADF" "jobs on wsd-sim"
