#!/usr/bin/env bash
# A scan started at the scanner's panel, through SANE, on loopback: a
# scripted panel device (panel-peer.py: the WS-Eventing event source in front
# of wsd-sim) takes our Subscribe, then the test presses Scan there. A tiny
# frontend (sane-probe --wait-for-button) polls the `scan` option as scanbd
# does, sees it go true with the panel's source, and scans; the CreateScanJob
# carries the event's ScanIdentifier and our DestinationToken, the page shows
# the test pattern, and closing the handle Unsubscribes. Events not meant for
# us (forged identifier, another destination, another address, another
# host) are refused and press nothing. No discovery, no root.
. "$(dirname "$0")/lib.sh"

require_commands python3 curl
build_program probe testsuite/tools/sane-probe
build_program check testsuite/tools/pattern-check
export SANE_WSD_DISCOVERY=off

sim_start --listen 127.0.0.1 --profile office-mfp
show_on_failure "$WORK_DIR/peer.log" "$WORK_DIR/probe.err"

# The scripted peer, ready when it prints its port (read from a FIFO, bounded).
mkfifo "$WORK_DIR/peer.fifo"
python3 "$IT_LIB_DIR/panel-peer.py" "http://127.0.0.1:$SIM_PORT" >"$WORK_DIR/peer.fifo" 2>"$WORK_DIR/peer.log" &
peer_pid=$!
lab_at_exit "kill $peer_pid 2>/dev/null || true"
exec 3<"$WORK_DIR/peer.fifo"
read -r -t 30 ready <&3 || hard_error "panel-peer.py did not start"
peer_port=${ready##* }
peer=http://127.0.0.1:$peer_port

sane_env_wsd "$WORK_DIR/sane" "discovery = off" "push-destination = Panel Test" \
    "device panel ${SIM_DEVICE_URL/:$SIM_PORT/:$peer_port}"

# peer_state KEY: one value of the peer's state, as JSON.
peer_state() {
    curl -sf "$peer/_state" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[sys.argv[1]]))' "$1"
}
press() { curl -sf -X POST "$peer/_press?$1"; }
subscribed() { [ "$(peer_state subscribe)" -ge 1 ]; }

"$probe" -d wsd:panel --option resolution=100 --option mode=Color --wait-for-button 90 -o "$WORK_DIR/page.raw" \
    >"$WORK_DIR/probe.out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
lab_at_exit "kill $probe_pid 2>/dev/null || true"
lab_wait_until 60 "the backend's Subscribe" subscribed || fail "no Subscribe came"
assert_eq "$(peer_state display_name)" '"Panel Test"' "ClientDisplayName (push-destination)"
assert_eq "$(peer_state filter_ok)" true "Filter: the DPWS Action dialect with ScanAvailableEvent"
# The status events asked for in a second subscription; this device offers
# none: the panel alone (the worker polls).
assert_contains "$(peer_state refused_filters)" "/ScannerStatusSummaryEvent" "the status Subscribe's filter"

it_log "events not meant for us are refused"
assert_eq "$(press kind=forged-identifier)" 400 "event with another wse:Identifier"
assert_eq "$(press kind=wrong-context)" 400 "event for another ClientContext"
assert_eq "$(press kind=wrong-to)" 400 "event addressed elsewhere"
assert_eq "$(press kind=other-host)" 0 "event from another host (connection refused)"

it_log "a press at the panel, polled by a frontend, scans"
assert_eq "$(press 'kind=good&source=Platen')" 202 "ScanAvailableEvent"
wait_child "$probe_pid" 120 sane-probe || fail "sane-probe: $(cat "$WORK_DIR/probe.out")"
out=$(cat "$WORK_DIR/probe.out")
assert_no_sanitizer_report "$WORK_DIR/probe.err" sane-probe
assert_contains "$out" " button panel-source=Flatbed" "sane-probe"
assert_contains "$out" " read-end page=1 status=End of file" "sane-probe"

jobs=$(peer_state create_scan_jobs)
expected=$(python3 -c 'import json, sys; print(json.dumps([{"scan_identifier": json.loads(sys.argv[1]),
    "destination_token": json.loads(sys.argv[2])}]))' "$(peer_state issued_scan_identifier)" \
    "$(peer_state destination_token)")
assert_eq "$jobs" "$expected" "CreateScanJob's ScanIdentifier and DestinationToken"
assert_eq "$(sim_jobs state | tail -n 1)" Completed "the job on the simulator"

params=$(grep ' parameters ' <<<"$out" | tail -n 1)
ppl=$(sed -n 's/.* ppl=\([0-9]*\).*/\1/p' <<<"$params")
lines=$(sed -n 's/.* lines=\([0-9]*\).*/\1/p' <<<"$params")
{ printf 'P6\n%s %s\n255\n' "$ppl" "$lines"; cat "$WORK_DIR/page.raw"; } >"$WORK_DIR/page.ppm"
guard 60 "$check" -r 100 -m color -s 1 "$WORK_DIR/page.ppm" || fail "the pattern in the panel scan"

it_log "closing the handle unsubscribes"
assert_eq "$(peer_state unsubscribe)" 1 "Unsubscribe at sane_close"
assert_eq "$(peer_state renew)" 0 "Renew within a granted hour"
it_log "PASS"
