#!/bin/bash
# A device that answers a Probe with several ProbeMatch records in one
# ProbeMatches, a print endpoint's record first and the scanner's after it
# (wsd-sim personality several-probe-matches, after the Lexmark MX310dn of
# issue 15).  A client that took only the first record would list nothing.
# In the lab, our backend's `scanimage -L` must list the scanner (and not the
# print endpoint), and a page is scanned from it.  Needs root and network
# namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
lab_up
# Inside the lab, multicast is allowed: discovery on for this test only.
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

uuid=5ca00000-0000-4000-8000-00000000a310
sim_start --side dev --name mx310 --interface "$LAB_IF" --uuid "$uuid" --profile several-probe-matches -v

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
assert_logged --name mx310 "a multicast Probe answered with the two records" operation='Probe (UDP multicast)' \
    outcome=ok
# The backend asked the scanner's endpoint only: one metadata Get, to it.
assert_logged --name mx310 "the scanner's metadata Get" operation=Get outcome=ok to="urn:uuid:$uuid"
assert_not_logged --name mx310 "a Get to the print endpoint" operation=Get "to=urn:uuid:00000000-*"
scan_flatbed_and_check host "wsd:$uuid"
assert_not_logged --name mx310 "a refused request" "outcome=fault:*"
[ -z "$(sim_active --name mx310)" ] || fail "a job stayed active"
