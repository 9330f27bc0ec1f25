#!/usr/bin/env bash
# The SANE status options follow the scanner's status events, backend
# against wsd-sim on loopback: the handle's second subscription (beside the
# panel's, which asks for ScanAvailableEvent alone) asks for
# ScannerStatusSummaryEvent and the condition events, so an open cover shows
# in the cover-open option while the handle is idle, without a
# GetScannerElements; closing it shows too; a press then scans. (A device
# that offers no status events keeps the panel: panel-loopback.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3 curl
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

DESTINATION="Status Test"
sim_start --listen 127.0.0.1 --profile office-mfp
show_on_failure "$WORK_DIR/probe.err"
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "push-destination = $DESTINATION" "device panel $SIM_DEVICE_URL"

subscription() { panel_subscription "$DESTINATION"; }
on_panel() { [ -n "$(subscription)" ]; }
probe_says() { grep -q " $1\$" "$WORK_DIR/probe.out"; }

# The frontend watches cover-open (as a status applet polls it), then waits
# for the panel's button.
"$probe" -d wsd:panel --option resolution=100 --option mode=Gray --watch-option cover-open=1 60 \
    --wait-for-button 90 >"$WORK_DIR/probe.out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
lab_at_exit "kill $probe_pid 2>/dev/null || true"
lab_wait_until 60 "our destination on the panel" on_panel || fail "the panel lists nothing"
sub=$(subscription)
asked=$(sim_log --count operation=GetScannerElements)

it_log "the cover opens: the option follows the event"
sim_control POST /knobs '{"cover-open": true}' >/dev/null
lab_wait_until 60 "cover-open true in the frontend" probe_says "option-watch cover-open=1" ||
    fail "sane-probe: $(cat "$WORK_DIR/probe.out")"
assert_logged "the condition event" operation=ScannerStatusConditionEvent outcome=delivered
assert_not_logged "a status event to the panel's subscription" operation='ScannerStatus*' subscription="$sub"
assert_eq "$(sim_log --count operation=GetScannerElements)" "$asked" "GetScannerElements while idle"

it_log "the cover closes, a press scans"
sim_control POST /knobs '{"cover-open": false}' >/dev/null
cleared() { [ "$(sim_log --count operation=ScannerStatusConditionClearedEvent outcome=delivered)" -gt 0 ]; }
lab_wait_until 60 "the cleared event delivered" cleared || fail "no ScannerStatusConditionClearedEvent delivered"
press_and_scan "$DESTINATION" "$probe_pid" "$sub"
it_log "PASS"
