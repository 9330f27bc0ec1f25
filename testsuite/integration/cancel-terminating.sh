#!/usr/bin/env bash
# Cancel as the WS-Scan CancelJobRequest element has it and real devices do
# it: the cancelled job is Terminating for a while before it is Canceled,
# and the device refuses new jobs meanwhile (ServerErrorNotAcceptingJobs).
# The backend takes Terminating for "cancel accepted" (one CancelJob), and a
# scan right after a cancel waits for the device, bounded by busy-wait, then
# fails with SANE_STATUS_DEVICE_BUSY; sane_cancel ends that wait. CancelJob
# for a finished, unknown or another client's job is a fault. wsd-sim,
# scanimage and sane-probe on loopback; no root, no namespace.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

sim_start --listen 127.0.0.1 --profile office-mfp --adf-pages 3 --terminating-ms 5000

# use_busy_wait MS: the backend's wsd.conf, waiting up to MS for the device.
use_busy_wait() { sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device lab $SIM_DEVICE_URL" "busy-wait = $1"; }

knobs() { sim_control POST /knobs "$1" >/dev/null; }
last_job() { sim_jobs id state | tail -n 1; }
state_of() { sim_jobs id state | sed -n "s/^$1 //p"; }
count() { sim_log --count "$@"; }

# soap_cancel JOBID [SOURCE]: a CancelJobRequest of our own making, sent
# from the loopback address SOURCE (default 127.0.0.1) as another client
# would.
soap_cancel() {
    curl -sS --max-time 20 --interface "${2:-127.0.0.1}" -o /dev/null \
        -H 'Content-Type: application/soap+xml; charset=utf-8' --data-binary @- "$SIM_SERVICE_URL" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"
    xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"
    xmlns:wscn="http://schemas.microsoft.com/windows/2006/08/wdp/scan">
<soap:Header>
<wsa:To>$SIM_SERVICE_URL</wsa:To>
<wsa:Action>http://schemas.microsoft.com/windows/2006/08/wdp/scan/CancelJob</wsa:Action>
<wsa:MessageID>urn:uuid:$(python3 -c 'import uuid; print(uuid.uuid4())')</wsa:MessageID>
<wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>
</soap:Header>
<soap:Body><wscn:CancelJobRequest><wscn:JobId>$1</wscn:JobId></wscn:CancelJobRequest></soap:Body>
</soap:Envelope>
EOF
}

retrieving() { [ "$(count operation=RetrieveImage)" -gt 0 ]; }

# cancel_scan NAME: scanimage, interrupted (SIGINT) while its image arrives.
# Sets JOB to the cancelled job and JOB_STATE_AFTER to its state the moment
# scanimage has returned.
cancel_scan() {
    knobs '{"pace":400000,"texture":true}'
    sim_control POST /reset-log >/dev/null
    show_on_failure "$WORK_DIR/$1.err"
    scanimage -d wsd:lab --resolution 300 --format=pnm -o "$WORK_DIR/$1.pnm" 2>"$WORK_DIR/$1.err" &
    local pid=$!
    lab_wait_until 30 "RetrieveImage on the simulator" retrieving || fail "$1: no RetrieveImage"
    kill -INT "$pid"
    wait_child "$pid" 30
    # 2 is SANE_STATUS_CANCELLED.
    assert_eq "$?" 2 "$1: scanimage's exit status"
    read -r JOB JOB_STATE_AFTER <<<"$(last_job)"
    knobs '{"pace":0,"texture":false}'
}

it_log "(1) cancel: Terminating, then Canceled, one CancelJob; a scan right after waits and succeeds"
use_busy_wait 60000
cancel_scan 1
assert_eq "$JOB_STATE_AFTER" Terminating "(1) job $JOB when scanimage returned"
show_on_failure "$WORK_DIR/1b.err"
guard 90 scanimage -d wsd:lab --resolution 75 --format=pnm -o "$WORK_DIR/1b.pnm" 2>"$WORK_DIR/1b.err" ||
    fail "(1) the scan right after the cancel failed"
assert_file "$WORK_DIR/1b.pnm"
assert_eq "$(state_of "$JOB")" Canceled "(1) the cancelled job $JOB"
assert_eq "$(count operation=CancelJob)" 1 "(1) CancelJob requests"
assert_eq "$(count operation=CancelJob jobId="$JOB" outcome=ok)" 1 "(1) CancelJob for job $JOB"
# The device refused the second scan's job while the first was Terminating;
# the backend asked again until it was taken.
assert_logged "(1) a refused CreateScanJob" operation=CreateScanJob outcome=fault:ServerErrorNotAcceptingJobs
assert_logged "(1) the accepted CreateScanJob" operation=CreateScanJob outcome=ok
read -r done state <<<"$(last_job)"
assert_eq "$state" Completed "(1) the second scan's job $done"

it_log "(2) CancelJob for a Completed, a Canceled or an unknown job: ClientErrorJobIdNotFound"
sim_control POST /reset-log >/dev/null
soap_cancel "$done"
soap_cancel "$JOB"
soap_cancel 2147483000
assert_eq "$(count operation=CancelJob outcome=fault:ClientErrorJobIdNotFound)" 3 "(2) refused CancelJob requests"
assert_eq "$(count operation=CancelJob outcome=ok)" 0 "(2) accepted CancelJob requests"
assert_eq "$(state_of "$done")" Completed "(2) job $done"

it_log "(3) the device stays Terminating longer than busy-wait: DEVICE_BUSY"
knobs '{"terminating-ms":600000}'
cancel_scan 3
use_busy_wait 1500
show_on_failure "$WORK_DIR/3b.err"
guard 60 scanimage -d wsd:lab --resolution 75 --format=pnm -o "$WORK_DIR/3b.pnm" 2>"$WORK_DIR/3b.err"
# 3 is SANE_STATUS_DEVICE_BUSY.
assert_eq "$?" 3 "(3) scanimage's exit status"
assert_eq "$(count operation=CreateScanJob outcome=ok)" 1 "(3) jobs created (the cancelled one)"
assert_logged "(3) the refused CreateScanJob" operation=CreateScanJob outcome=fault:ServerErrorNotAcceptingJobs
assert_eq "$(state_of "$JOB")" Terminating "(3) the cancelled job $JOB"
assert_eq "$(count operation=CancelJob)" 1 "(3) CancelJob requests"

it_log "(4) sane_cancel ends the wait for the device"
# busy-wait and start-deadline far beyond the hang guard: only the cancel
# can end this sane_start in time.
use_busy_wait 600000
out=$(guard 60 "$probe" -d wsd:lab --cancel-during-start 1000)
start=$(grep -m1 "^event [0-9.]* start " <<<"$out" | cut -d' ' -f4-)
assert_contains "$start" "status=Operation was canceled" "(4) sane_start"
assert_eq "$(count operation=CreateScanJob outcome=ok)" 1 "(4) jobs created"
sim_control POST /reboot >/dev/null

it_log "(5) another client's job: its CancelJob is refused, the owner's is taken"
knobs '{"terminating-ms":0}'
use_busy_wait 10000
sim_control POST /reset-log >/dev/null
sim_control POST /create-foreign-job >/dev/null
read -r foreign _ <<<"$(last_job)"
show_on_failure "$WORK_DIR/5.out" "$WORK_DIR/5.err"
"$probe" -d wsd:lab --option source=ADF --option resolution=75 --hold-until-usr1 \
    >"$WORK_DIR/5.out" 2>"$WORK_DIR/5.err" &
probe_pid=$!
lab_wait_until 30 "the probe to hold its job" grep -q ' holding' "$WORK_DIR/5.out" || fail "(5) no job held"
read -r held _ <<<"$(last_job)"
soap_cancel "$held" 127.0.0.2
assert_logged "(5) the other client's CancelJob refused" operation=CancelJob jobId="$held" \
    outcome=fault:ClientErrorJobIdNotFound client=127.0.0.2
assert_eq "$(sim_active)" "$foreign $held" "(5) active jobs"
soap_cancel "$foreign"
assert_logged "(5) CancelJob for a job made at the device refused" operation=CancelJob jobId="$foreign" \
    outcome=fault:ClientErrorJobIdNotFound client=127.0.0.1
assert_eq "$(sim_active)" "$foreign $held" "(5) active jobs"
kill -USR1 "$probe_pid"
wait_child "$probe_pid" 30
assert_eq "$(count operation=CancelJob jobId="$held" outcome=ok)" 1 "(5) the owner's CancelJob"
assert_eq "$(state_of "$held")" Canceled "(5) job $held"
assert_eq "$(sim_active)" "$foreign" "(5) active jobs"
sim_control POST /reboot >/dev/null
it_log "Terminating is waited for, bounded, and only the owner cancels"
