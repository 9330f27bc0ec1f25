#!/usr/bin/env bash
# The fault-injection matrix: one case per way a device fails, each made with
# a wsd-sim knob, on loopback. Every case asserts
#   (a) the SANE status the frontend (sane-probe, through SANE's dll loader) sees,
#   (b) that the failing call returns within a generous bound (a hang guard),
#   (c) that the simulator is left with no active job,
#   (d) that the same handle then scans a whole page once the device is well.
# The rows are listed in doc/reliability.md.
. "$(dirname "$0")/lib.sh"

require_commands python3
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

# Another origin, for the redirect cases: nothing may arrive there.
sim_start --name elsewhere --listen 127.0.0.1 --profile office-mfp
ELSEWHERE_URL=$SIM_SERVICE_URL
sim_start --listen 127.0.0.1 --profile office-mfp --adf-pages 3
# A small stall timeout: the stall case must not wait the default minute; a
# short start deadline: the late CreateScanJob answer comes after it.
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "stall-timeout = 2000" "connect-timeout = 3000" \
    "start-deadline = 5000" "device sim $SIM_DEVICE_URL" "device nowhere http://scanner.invalid:5357/wsd"

HEALTHY='{"pace":0,"delay-ms":0,"busy":false,"jam-after":0,"cover-open":false,"empty-adf":false,"adf-pages":3,
"reset-after":-1,"stall-after":-1,"truncate-image":-1,"content-length-excess":0,"malformed-xml":false,
"internal-error":false,"fault-http-200":false,"no-leading-crlf":false,"create-answer-delay-ms":0,
"create-reset":false,"create-garbage":false,"redirect-soap":"","redirect-image":""}'

knobs() { sim_control POST /knobs "$1" >/dev/null; }

# A failing case leaves its probe running: stop it if it is still this
# shell's child (a PID reused by another process is not).
CASE_PID=
stop_case_probe() {
    local stat ppid
    [ -n "$CASE_PID" ] || return 0
    stat=$(cat "/proc/$CASE_PID/stat" 2>/dev/null) || return 0
    read -r _ ppid _ <<<"${stat##*) }"
    [ "$ppid" = "$$" ] && kill -KILL "$CASE_PID" 2>/dev/null
    return 0
}
lab_at_exit stop_case_probe

no_active() { [ "$(sim_control GET /active)" = '{"active":[]}' ]; }

assert_no_active() {
    no_active || fail "$CASE: jobs left active: $(sim_control GET /active)"
}

# The state of the simulator's last job.
last_job_state() { sim_control GET /jobs | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][-1]["state"])'; }

# Entries in a simulator's /log.
log_entries() { sim_control "$@" GET /log | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["log"]))'; }

awaiting() { [ "$(grep -c ' awaiting-usr1 ' "$CASE_OUT")" -ge "$1" ]; }

# case_begin NAME PROBE-OPTION...: the probe opens the scanner (healthy)
# and waits for SIGUSR1 before its first scan.
case_begin() {
    CASE=$1
    shift
    it_log "$CASE"
    knobs "$HEALTHY"
    sim_control POST /reboot >/dev/null
    CASE_OUT="$WORK_DIR/$CASE.out"
    show_on_failure "$CASE_OUT"
    "$probe" -d wsd:sim --option resolution=75 "$@" --start-after-usr1 --scan-again >"$CASE_OUT" 2>"$WORK_DIR/$CASE.err" &
    CASE_PID=$!
    lab_wait_until 30 "$CASE: the scanner open" awaiting 1 || fail "$CASE: sane_open did not return"
    grep -q " open Success" "$CASE_OUT" || fail "$CASE: sane_open failed"
}

# case_fault KNOBS: breaks the device and lets the probe scan.
case_fault() {
    knobs "$1"
    kill -USR1 "$CASE_PID"
}

# case_expect STATUS SECONDS [--answer-lost | --unconfirmed]: the first scan
# ends with STATUS (sane_strstatus text) within SECONDS, and the device holds
# no job of ours.
# --answer-lost: the device created a job but its answer was unreadable, and
# still is; the handle must cancel that job once the device answers again.
# --unconfirmed: the device created a job whose answer we lost; the handle
# finds it by name and cancels it behind sane_start's back (waited for).
case_expect() {
    local expected=$1 seconds=$2 first
    lab_wait_until "$seconds" "$CASE: the first scan to end" awaiting 2 || fail "$CASE: no answer within ${seconds}s"
    # The status that ended the first scan: the first start or read-end that
    # is neither Success nor (for a page read whole) End of file.
    first=$(sed -n 's/^event [0-9.]* \(start\|read-end\) .*status=\(.*\)$/\2/p' "$CASE_OUT" |
        sed 's/ bytes=.*//' | grep -v -x -e Success -e 'End of file reached' | head -n 1)
    [ -n "$first" ] || first='End of file reached'
    assert_eq "$first" "$expected" "$CASE: status"
    CASE_LOST_JOB=
    if [ "${3:-}" = --unconfirmed ]; then
        lab_wait_until 20 "$CASE: the unconfirmed job to be cancelled" no_active || assert_no_active
        assert_eq "$(last_job_state)" Canceled "$CASE: the job whose answer was lost"
    elif [ "${3:-}" = --answer-lost ]; then
        CASE_LOST_JOB=$(sim_control GET /active | python3 -c 'import json,sys; print(*json.load(sys.stdin)["active"])')
        [ -n "$CASE_LOST_JOB" ] || fail "$CASE: expected the device to hold the job whose answer was lost"
    else
        assert_no_active
    fi
}

# case_recover [--clear-jam]: the device is well again; the same handle scans
# one whole page.
case_recover() {
    knobs "$HEALTHY"
    [ "${1:-}" = --clear-jam ] && sim_control POST /reboot >/dev/null
    kill -USR1 "$CASE_PID"
    wait_child "$CASE_PID" 60 "$CASE: process"
    local again params end bpl lines state
    again=$(sed -n '/ again /,$p' "$CASE_OUT")
    params=$(grep -m1 ' parameters ' <<<"$again") || fail "$CASE: the next scan did not start: $again"
    bpl=$(sed 's/.* bpl=\([0-9]*\).*/\1/' <<<"$params")
    lines=$(sed 's/.* lines=\([0-9]*\).*/\1/' <<<"$params")
    end=$(grep ' read-end ' <<<"$again" | tail -n 1)
    assert_contains "$end" "status=End of file reached bytes=$((bpl * lines)) " "$CASE: the next scan"
    assert_no_active
    if [ -n "$CASE_LOST_JOB" ]; then
        state=$(sim_control GET /jobs | python3 -c '
import json, sys
print([j["state"] for j in json.load(sys.stdin)["jobs"] if j["id"] == int(sys.argv[1])][0])' "$CASE_LOST_JOB")
        assert_eq "$state" Canceled "$CASE: the job whose answer was lost"
    fi
}

case_begin busy
case_fault '{"busy":true}'
case_expect "Device busy" 20
case_recover

case_begin jam-mid-adf --option source=ADF --pages 0
case_fault '{"jam-after":1}'
case_expect "Document feeder jammed" 30
grep -q ' read-end page=1 status=End of file reached' "$CASE_OUT" || fail "$CASE: page 1 before the jam"
case_recover --clear-jam

case_begin cover-open
case_fault '{"cover-open":true}'
case_expect "Scanner cover is open" 20
case_recover

case_begin empty-adf --option source=ADF
case_fault '{"empty-adf":true}'
case_expect "Document feeder out of documents" 20
case_recover

case_begin connection-reset
case_fault '{"reset-after":5000}'
case_expect "Error during device I/O" 20
case_recover

case_begin stall
case_fault '{"stall-after":5000}'
# stall-timeout is 2 s: well within the guard.
case_expect "Error during device I/O" 30
case_recover

case_begin reboot-mid-job --option source=ADF --pages 0
# A slow first page: the device reboots while it is on its way, and forgets
# the job (ClientErrorJobIdNotFound for what follows).
case_fault '{"pace":100000}'
lab_wait_until 30 "$CASE: the first image data" grep -q first-data "$CASE_OUT" || fail "$CASE: no image data"
sim_control POST /reboot >/dev/null
case_expect "Error during device I/O" 30
case_recover

case_begin malformed-xml
case_fault '{"malformed-xml":true}'
case_expect "Error during device I/O" 20 --answer-lost
case_recover

# The device made the job, then its answer came after our deadline, or the
# connection closed without one, or the answer was garbage.
case_begin create-answer-late
case_fault '{"create-answer-delay-ms":8000}'
case_expect "Error during device I/O" 30 --unconfirmed
case_recover

case_begin create-reset
case_fault '{"create-reset":true}'
case_expect "Error during device I/O" 20 --unconfirmed
case_recover

case_begin create-garbage
case_fault '{"create-garbage":true}'
case_expect "Error during device I/O" 20 --unconfirmed
case_recover

# Redirects to another origin are not followed: every scan service request,
# then RetrieveImage alone (whose request carries the JobToken).
case_begin redirect-soap
case_fault "{\"redirect-soap\":\"$ELSEWHERE_URL\"}"
case_expect "Error during device I/O" 20
case_recover
assert_eq "$(log_entries --name elsewhere)" 0 "$CASE: requests that reached the other origin"

case_begin redirect-image
case_fault "{\"redirect-image\":\"$ELSEWHERE_URL\"}"
case_expect "Error during device I/O" 20
case_recover
assert_eq "$(log_entries --name elsewhere)" 0 "$CASE: requests that reached the other origin"

case_begin fault-http-200
case_fault '{"fault-http-200":true,"busy":true}'
case_expect "Device busy" 20
case_recover

case_begin http-500
case_fault '{"internal-error":true}'
case_expect "Error during device I/O" 20
case_recover

case_begin no-leading-crlf
case_fault '{"no-leading-crlf":true}'
case_expect "End of file reached" 20
case_recover

case_begin truncated-image
case_fault '{"truncate-image":3000}'
case_expect "Error during device I/O" 20
case_recover

case_begin wrong-content-length
# The device announces more than it sends, then closes: the multipart's
# closing boundary came after a whole image, so the page is complete.
case_fault '{"content-length-excess":100}'
case_expect "End of file reached" 20
case_recover

case_begin slow-trickle --option mode=Lineart --option br-x=20 --option br-y=10
# 100 bytes/s: one byte every 10 ms, for the whole response.
case_fault '{"pace":100}'
case_expect "End of file reached" 150
case_recover

CASE=dns-unresolvable
it_log "$CASE"
out=$(guard 30 "$probe" -d wsd:nowhere)
assert_contains "$out" " open Error during device I/O" "$CASE: sane_open"

CASE=switched-off
it_log "$CASE"
# The device was there when listed; it is switched off before sane_open.
sim_start --name off --listen 127.0.0.1
sane_env_wsd "$WORK_DIR/sane-off" "discovery = off" "connect-timeout = 3000" "device off $SIM_DEVICE_URL"
listing=$(guard 30 scanimage -L 2>&1)
assert_contains "$listing" "wsd:off" "$CASE: scanimage -L"
sim_stop --name off
out=$(guard 30 "$probe" -d wsd:off)
assert_contains "$out" " open Error during device I/O" "$CASE: sane_open"

CASE=silent-device
it_log "$CASE"
# A device that takes connections and never answers: sane_open ends at its
# deadline, not after a request timeout (30 s) for each request.
python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])' >"$WORK_DIR/silent.port" &
silent_pid=$!
lab_at_exit "kill $silent_pid 2>/dev/null"
lab_wait_until 10 "the silent device to listen" test -s "$WORK_DIR/silent.port" || fail "$CASE: no listener"
sane_env_wsd "$WORK_DIR/sane-silent" "discovery = off" "open-deadline = 3000" \
    "device silent http://127.0.0.1:$(cat "$WORK_DIR/silent.port")/wsd"
out=$(guard 25 "$probe" -d wsd:silent)
assert_contains "$out" " open Error during device I/O" "$CASE: sane_open"

it_log "every fault gave its status, in time, with no job left and the handle usable"
