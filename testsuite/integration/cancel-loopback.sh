#!/usr/bin/env bash
# sane_cancel → CancelJob, at every moment, checked on the simulator's log:
# wsd-sim and scanimage or sane-probe (a frontend through SANE's dll loader)
# on loopback. No case discovers, so none needs the network lab, root or a
# namespace: any user who can read the build directory runs them all.
# After every case the simulator has no active job.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

sim_start --listen 127.0.0.1 --profile office-mfp --adf-pages 3
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device lab $SIM_DEVICE_URL"

log_json() { sim_control GET /log; }
# The last job's "id state".
last_job() { sim_jobs id state | tail -n 1; }

# count_ops OP [JOBID]: how many log entries of OP (for JOBID).
count_ops() {
    log_json | python3 -c '
import json, sys
op, job = sys.argv[1], (int(sys.argv[2]) if len(sys.argv) > 2 else None)
print(sum(1 for e in json.load(sys.stdin)["log"] if e["operation"] == op and (job is None or e["jobId"] == job)))' "$@"
}

# cancel_outcome JOBID: outcome of the CancelJob for JOBID ("none" without one).
cancel_outcome() {
    log_json | python3 -c '
import json, sys
out = [e["outcome"] for e in json.load(sys.stdin)["log"] if e["operation"] == "CancelJob" and e["jobId"] == int(sys.argv[1])]
print(out[-1] if out else "none")' "$1"
}

retrieving() { [ "$(count_ops RetrieveImage)" -gt "$1" ]; }

assert_no_active() {
    local active
    active=$(sim_active)
    [ -z "$active" ] || fail "jobs left active: $active"
}

# probe_event OUTPUT NAME: the detail of the probe's last event NAME.
probe_event() { grep "^event [0-9.]* $2 " <<<"$1" | tail -n 1 | cut -d' ' -f4-; }

knobs() { sim_control POST /knobs "$1" >/dev/null; }

# in_background CMD...: starts CMD in the background (redirections given to
# this function apply to it), its pid in $bg_pid. A case that fails before
# waiting for it leaves it running: it is killed when the test exits, if that
# pid is still a child of this script (not a recycled one).
in_background() {
    "$@" &
    bg_pid=$!
    lab_at_exit "stop_child $bg_pid"
}
stop_child() {
    [ "$(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ')" = "$$" ] || return 0
    kill -KILL "$1"
}

reset() {
    knobs '{"pace":0,"delay-ms":0,"create-delay-ms":0,"stall-after":-1,"texture":false,"adf-pages":3}'
    sim_control POST /reset-log >/dev/null
}

it_log "(1) scanimage killed with SIGINT mid-page"
reset
knobs '{"pace":400000,"texture":true}'
before=$(count_ops RetrieveImage)
show_on_failure "$WORK_DIR/1.err"
in_background scanimage -d wsd:lab --resolution 300 --format=pnm -o "$WORK_DIR/1.pnm" 2>"$WORK_DIR/1.err"
scan_pid=$bg_pid
lab_wait_until 30 "RetrieveImage on the simulator" retrieving "$before" || fail "(1) no RetrieveImage"
kill -INT "$scan_pid"
wait_child "$scan_pid" 20
# scanimage exits with the SANE status of the call that failed:
# 2 is SANE_STATUS_CANCELLED.
assert_eq "$?" 2 "(1) scanimage's exit status"
read -r job state <<<"$(last_job)"
assert_eq "$(cancel_outcome "$job")" ok "(1) CancelJob for job $job"
assert_eq "$state" Canceled "(1) job $job state"
assert_no_active

it_log "(2) cancel while CreateScanJob is in flight"
reset
# The CreateScanJob answer takes 3 s: the cancel, 1 s into sane_start,
# finds it in flight (the status check and ValidateScanTicket before it take
# milliseconds).
knobs '{"create-delay-ms":3000}'
out=$(guard 60 "$probe" -d wsd:lab --cancel-during-start 1000 --restart-after-cancel)
first_start=$(grep -m1 "^event [0-9.]* start " <<<"$out" | cut -d' ' -f4-)
assert_contains "$first_start" "status=Operation was canceled" "(2) first sane_start"
knobs '{"create-delay-ms":0}'
# The first job this case created is the one whose creation was cancelled.
first=$(log_json | python3 -c '
import json, sys
print([e["jobId"] for e in json.load(sys.stdin)["log"] if e["operation"] == "CreateScanJob"][0])')
state=$(sim_jobs id state | sed -n "s/^$first //p")
assert_eq "$state" Canceled "(2) the job created during the cancel"
assert_eq "$(cancel_outcome "$first")" ok "(2) CancelJob once its JobId was known"
assert_contains "$(probe_event "$out" read-end)" "status=End of file reached" "(2) the next scan"
assert_no_active

it_log "(3) cancel between ADF pages"
reset
out=$(guard 60 "$probe" -d wsd:lab --option source=ADF --pages 3 --cancel-between-pages)
assert_contains "$(probe_event "$out" read-end)" "page=1 status=End of file reached" "(3) page 1"
read -r job state <<<"$(last_job)"
assert_eq "$state" Canceled "(3) job state"
assert_eq "$(cancel_outcome "$job")" ok "(3) CancelJob"
# Page 2 may have been asked for ahead, as page 1 ended (before the cancel
# came): never a third.
retrieved=$(count_ops RetrieveImage "$job")
[ "$retrieved" = 1 ] || [ "$retrieved" = 2 ] || fail "(3) RetrieveImage requests: $retrieved, expected 1 or 2"
assert_no_active

it_log "(4) cancel after a completed scan sends no CancelJob"
reset
out=$(guard 60 "$probe" -d wsd:lab --cancel-after-complete)
assert_contains "$(probe_event "$out" read-end)" "status=End of file reached" "(4) scan"
read -r job state <<<"$(last_job)"
assert_eq "$state" Completed "(4) job state"
assert_eq "$(cancel_outcome "$job")" none "(4) CancelJob"
assert_no_active

it_log "(5) CancelJob answered with ClientErrorJobIdNotFound"
# The device sends the whole image (it fits in the sockets' buffers) and
# completes the job, while the frontend, holding, has read nothing: the
# backend's cancel then reaches a job the device no longer knows.
reset
in_background "$probe" -d wsd:lab --option resolution=300 --hold-until-usr1 --restart-after-cancel >"$WORK_DIR/5.out" 2>"$WORK_DIR/5.err"
probe_pid=$bg_pid
delivered() { [ "$(count_ops ImageTransfer)" -gt 0 ] && [ "$(last_job | cut -d' ' -f2)" = Completed ]; }
lab_wait_until 30 "the device to complete the job" delivered || fail "(5) the job did not complete"
read -r job state <<<"$(last_job)"
kill -USR1 "$probe_pid"
wait_child "$probe_pid" 60
out=$(cat "$WORK_DIR/5.out")
first_end=$(grep -m1 "^event [0-9.]* read-end " <<<"$out" | cut -d' ' -f4-)
assert_contains "$first_end" "status=Operation was canceled" "(5) sane_read after cancel"
assert_eq "$(cancel_outcome "$job")" fault:ClientErrorJobIdNotFound "(5) CancelJob answer"
assert_contains "$(probe_event "$out" read-end)" "status=End of file reached" "(5) the next scan"
assert_no_active

it_log "(6) the device stalls mid-transfer: cancel still returns at once"
reset
knobs '{"stall-after":20000}'
in_background "$probe" -d wsd:lab --cancel-on-usr1 >"$WORK_DIR/6.out" 2>"$WORK_DIR/6.err"
probe_pid=$bg_pid
lab_wait_until 30 "the first image data" grep -q first-data "$WORK_DIR/6.out" || fail "(6) no image data"
read -r job state <<<"$(last_job)"
kill -USR1 "$probe_pid"
wait_child "$probe_pid" 20
out=$(cat "$WORK_DIR/6.out")
assert_contains "$(probe_event "$out" read-end)" "status=Operation was canceled" "(6) sane_read"
assert_eq "$(cancel_outcome "$job")" ok "(6) CancelJob"
knobs '{"stall-after":-1}'
assert_no_active

it_log "(7) a SIGKILLed scan's job is cancelled by the next session; another client's job is left alone"
# A feeder job between pages holds no connection: when its process dies,
# nothing tells the device, and the job stays active until it times out.
reset
sim_control POST /create-foreign-job >/dev/null
foreign=$(last_job | cut -d' ' -f1)
in_background "$probe" -d wsd:lab --option source=ADF --option resolution=75 --hold-until-usr1 >"$WORK_DIR/7.out" 2>"$WORK_DIR/7.err"
scan_pid=$bg_pid
delivered() { [ "$(count_ops ImageTransfer)" -gt 0 ]; }
lab_wait_until 30 "the first page delivered" delivered || fail "(7) no page delivered"
read -r orphan state <<<"$(last_job)"
kill -KILL "$scan_pid"
wait_child "$scan_pid" 10
assert_eq "$(sim_active)" "$foreign $orphan" "(7) active jobs after the kill"
# Opening the scanner again (scanimage -A opens it) cleans up the orphan.
guard 60 scanimage -d wsd:lab -A >/dev/null
assert_eq "$(cancel_outcome "$orphan")" ok "(7) CancelJob for the orphan $orphan"
assert_eq "$(cancel_outcome "$foreign")" none "(7) the foreign job $foreign"
assert_eq "$(sim_active)" "$foreign" "(7) active jobs"
sim_control POST /reboot >/dev/null
it_log "every cancel reached the device; no job left behind"
