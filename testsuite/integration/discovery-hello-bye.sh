#!/bin/bash
# Issue 5, "Done when" (4): a client whose discovery is already running sees
# a wsd-sim started later appear through its Hello, can scan a page from it,
# and sees it go through its Bye when it stops. The client is
# `wsd-discover --watch`, which follows the same Discovery object the backend
# keeps from sane_init on. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage
. "$(dirname "$0")/discovery-watch-lib.sh"
lab_up
export SANE_WSD_DISCOVERY=on
watch_start
uuid=5ca00000-0000-4000-8000-000000000404
# The simulator ignores multicast probes (the watcher may still be sending
# its last ones), so only its Hello can make it appear.
sim_start --side dev --interface "$LAB_IF" --ignore-multicast-probe --uuid "$uuid" --name "Late scanner" -v

line=$(expect_line "appeared urn:uuid:$uuid *" 30)
assert_contains "$line" "\"Late scanner\" http://$LAB_ADDR4_DEV:$SIM_PORT/wsd (multicast)" "appearance"
assert_logged "the Hello" operation=Hello outcome=sent
assert_not_logged "Probes answered" operation='Probe*' outcome=ok

sane_env_wsd "$WORK_DIR/sane" "discovery = off"
scan_flatbed_and_check host "wsd:http://$LAB_ADDR4_DEV:$SIM_PORT/wsd"

# A discovered device stays listed until a Bye (nothing expires it), so
# its going proves the Bye wsd-sim sends when it stops.
sim_stop
expect_line "gone urn:uuid:$uuid *" 30 >/dev/null
