#!/bin/bash
# Issue 14 (5), a hostile LAN host: another host on the link runs its own
# WSD service and multicasts Bye + Hello for a real scanner's endpoint
# (wsd:<uuid>) with XAddrs at its service, to re-point the scanner there. A
# running discovery (wsd-discover --watch, the backend's Discovery object)
# checks the device at its known XAddrs, which answer: the scanner stays
# where it is and the attacker's service gets no request. Needs root,
# network namespaces and python3 (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands python3
. "$(dirname "$0")/discovery-watch-lib.sh"
lab_up
export SANE_WSD_DISCOVERY=on

uuid=5ca00000-0000-4000-8000-000000000c03
watch_real_scanner_and_attacker "$uuid"
# The attacker serves a wsd-sim of its own under the same endpoint UUID,
# silent on multicast.
sim_start --side dev --name attacker --listen "$ATTACKER" --uuid "$uuid" --name "Attacker"
attacker_url=$SIM_DEVICE_URL

gets=$(sim_log --count operation=Get outcome=ok)
lab_exec dev python3 "$SPOOF" send "$ATTACKER" repoint "$uuid" "$attacker_url" ||
    hard_error "wsd-spoof.py send failed"
expect_device_checked sim "$uuid" $((gets + 1)) 30
assert_not_logged --name attacker "metadata requests to the attacker's service" operation=Get
