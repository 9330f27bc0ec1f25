#!/usr/bin/env bash
# The job worker follows the device's job and status events instead of
# polling, backend against wsd-sim on loopback (scanimage through SANE's dll
# loader, and sane-probe). The handle's panel subscription asks for the job
# and status events too; then:
#  - a scan cancelled mid-page ends by the job's JobEndStateEvent: no
#    GetJobElements;
#  - a CreateScanJob refused while the scanner warms up is asked again when
#    the status event says the warm-up is over: no GetScannerElements after
#    the refusal.
# With drop-status-events (the device takes the subscription but never
# sends those events) the same scans end by asking, as without events: the
# cancelled job by GetJobElements, the warm-up by CreateScanJob asked again
# once no status event came for a while. No job is left active.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

sim_start --listen 127.0.0.1 --profile office-mfp
# SANE_DEBUG_WSD: the backend's log says which way each wait ended.
export SANE_DEBUG_WSD=3
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "push-destination = Job Events" "device ev $SIM_DEVICE_URL"

knobs() { sim_control POST /knobs "$1" >/dev/null; }

# after_first OP OUTCOME COUNTED: how many log entries of COUNTED came after
# the first entry of OP with OUTCOME (shell patterns); -1 when none is.
after_first() {
    sim_control GET /log | python3 -c '
import fnmatch, json, sys
log = json.load(sys.stdin)["log"]
first = next((i for i, e in enumerate(log)
              if e["operation"] == sys.argv[1] and fnmatch.fnmatchcase(e["outcome"], sys.argv[2])), None)
print(-1 if first is None else sum(1 for e in log[first + 1:] if e["operation"] == sys.argv[3]))' "$@"
}

assert_no_active() {
    local active
    active=$(sim_active)
    [ -z "$active" ] || fail "jobs left active: $active"
}

# cancelled_scan NAME: sane-probe cancels its page while it is being sent
# (sane_cancel after 1 MB), keeps the handle open until the worker has
# seen the job end, then scans one more page on it. Checks that the job was
# cancelled on the device and ended Canceled, and the next page. Sets JOB
# to the cancelled job's JobId.
cancelled_scan() {
    local name=$1 pid state
    sim_control POST /reset-log >/dev/null
    knobs '{"pace": 400000, "texture": true}'
    show_on_failure "$WORK_DIR/$name.err"
    "$probe" -d wsd:ev --option resolution=300 --cancel-after-bytes 1000000 --scan-again --again-after-usr1 \
        >"$WORK_DIR/$name.out" 2>"$WORK_DIR/$name.err" &
    pid=$!
    lab_at_exit "kill $pid 2>/dev/null || true"
    ended() { grep -q "job [0-9]* ended" "$WORK_DIR/$name.err"; }
    lab_wait_until 60 "the worker to see the cancelled job end" ended || fail "$name: the job's end was not seen"
    knobs '{"pace": 0, "texture": false}'
    kill -USR1 "$pid"
    wait_child "$pid" 30 "sane-probe ($name)" || fail "$name: sane-probe: $(cat "$WORK_DIR/$name.out")"
    assert_no_sanitizer_report "$WORK_DIR/$name.err" sane-probe
    assert_contains "$(grep ' read-end ' "$WORK_DIR/$name.out" | head -n 1)" "status=Operation was canceled" \
        "$name: the cancelled page"
    assert_contains "$(grep ' read-end ' "$WORK_DIR/$name.out" | tail -n 1)" "status=End of file reached" \
        "$name: the next page"
    JOB=$(sim_log operation=CreateScanJob outcome=ok | head -n 1 | cut -f4)
    state=$(sim_jobs id state | sed -n "s/^$JOB //p")
    assert_eq "$state" Canceled "$name: job $JOB's state"
    assert_logged "$name: CancelJob" operation=CancelJob outcome=ok jobId="$JOB"
    assert_no_active
}

# warm_up_scan NAME: the scanner reboots and calibrates for 1.5 s; a scan
# right after waits for it and succeeds (pixels checked). The refusal is
# checked on the log: CreateScanJob refused, then taken. Status 1 when the
# warm-up was over before the scan began (a slow machine): no wait to check.
warm_up_scan() {
    local name=$1 outcomes
    knobs '{"warm-up-ms": 1500}'
    sim_control POST /reboot >/dev/null
    sim_control POST /reset-log >/dev/null
    scan_flatbed_and_check "" wsd:ev 2>"$WORK_DIR/$name.err"
    show_on_failure "$WORK_DIR/$name.err"
    outcomes=$(sim_log operation=CreateScanJob | cut -f2 | paste -sd';')
    case $outcomes in
        "fault:ServerErrorNotAcceptingJobs;"*ok) ;;
        ok)
            it_log "$name: the warm-up was over before the scan began (a slow machine); the wait is not exercised"
            assert_no_active
            return 1
            ;;
        *) fail "$name: CreateScanJob outcomes $outcomes" ;;
    esac
    assert_no_active
}

it_log "with events: a cancelled scan ends by its JobEndStateEvent"
cancelled_scan cancel-events
assert_logged "the job's end event" operation=JobEndStateEvent outcome=delivered jobId="$JOB"
assert_not_logged "no poll of the job" operation=GetJobElements jobId="$JOB"
assert_contains "$(cat "$WORK_DIR/cancel-events.err")" "job $JOB ended Canceled (its event)" "the backend's log"

it_log "with events: a warm-up refusal ends by the status event"
if warm_up_scan warm-events; then
    assert_logged "the status event at the warm-up's end" operation=ScannerStatusSummaryEvent outcome=delivered
    assert_eq "$(after_first CreateScanJob 'fault:*' GetScannerElements)" 0 "GetScannerElements after the refusal"
    assert_contains "$(cat "$WORK_DIR/warm-events.err")" "CreateScanJob again when its status changes" "the backend's log"
fi

it_log "without events (drop-status-events): the cancelled scan ends by GetJobElements"
knobs '{"warm-up-ms": 0, "drop-status-events": true}'
cancelled_scan cancel-polled
assert_logged "the job's end event held back" operation=JobEndStateEvent outcome=dropped jobId="$JOB"
assert_logged "the job's end asked for" operation=GetJobElements outcome=ok jobId="$JOB"
assert_contains "$(cat "$WORK_DIR/cancel-polled.err")" "job $JOB: no event of it came from the device" "the backend's log"

it_log "without events (drop-status-events): the warm-up refusal ends by asking again"
if warm_up_scan warm-polled; then
    assert_not_logged "no status event delivered" operation='ScannerStatus*' outcome=delivered
    assert_logged "the status events held back" operation='ScannerStatus*' outcome=dropped
    assert_contains "$(cat "$WORK_DIR/warm-polled.err")" "no status event from the scanner within" "the backend's log"
fi
it_log "PASS"
