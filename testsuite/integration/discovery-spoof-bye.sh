#!/bin/bash
# Issue 14 (5), a hostile LAN host: another host on the link multicasts a
# Bye for a real scanner (with an AppSequence newer than any real one). A
# running discovery (wsd-discover --watch, the backend's Discovery object)
# does not take it at its word: it checks the device with a metadata Get to
# its known XAddrs, the device answers, and the scanner stays listed; the
# device's own Bye still removes it. Needs root, network namespaces and
# python3 (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands python3
. "$(dirname "$0")/discovery-watch-lib.sh"
lab_up
export SANE_WSD_DISCOVERY=on

uuid=5ca00000-0000-4000-8000-000000000c02
watch_real_scanner_and_attacker "$uuid"
gets=$(sim_log --count operation=Get outcome=ok)
lab_exec dev python3 "$SPOOF" send "$ATTACKER" bye "$uuid" || hard_error "wsd-spoof.py send failed"
expect_device_checked sim "$uuid" $((gets + 1)) 30

sim_stop
expect_line "gone urn:uuid:$uuid *" 30 >/dev/null
