#!/usr/bin/env bash
# Only our own jobs are cancelled at sane_open. Frontends in three places
# share one wsd-sim on loopback, all under the same host name:
#   here     - this PID namespace, job registry in $WORK_DIR/here
#   sandbox  - its own PID namespace (as Flatpak and Snap run a frontend),
#              the same registry directory
#   elsewhere - "another machine": its own UTS and PID namespaces, its own
#              registry directory
# A live job is never cancelled by anyone else's sane_open; a job whose
# frontend was killed (SIGKILL) is cancelled by the next sane_open here, and
# not by the sandbox, which cannot tell whether its creator is gone.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for PID and UTS namespaces"
require_commands unshare scanimage python3
build_program probe testsuite/tools/sane-probe
unshare --pid --uts --fork --mount-proc true 2>/dev/null || skip "unshare cannot make PID and UTS namespaces here"
export SANE_WSD_DISCOVERY=off

sim_start --listen 127.0.0.1 --profile office-mfp --adf-pages 3
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device sim $SIM_DEVICE_URL"
mkdir -p "$WORK_DIR/here" "$WORK_DIR/elsewhere"
NAME=raspberrypi

# place PLACE: PLACE_CMD, the command prefix that runs a frontend in PLACE
# (see the top).
place() {
    local registry=$WORK_DIR/here
    local -a namespaces=(--uts)
    case $1 in
        here) ;;
        sandbox) namespaces+=(--pid --fork --mount-proc --kill-child) ;;
        elsewhere) registry=$WORK_DIR/elsewhere namespaces+=(--pid --fork --mount-proc --kill-child) ;;
    esac
    PLACE_CMD=(env XDG_RUNTIME_DIR="$registry" unshare "${namespaces[@]}" sh -c 'hostname "$0" && exec "$@"' "$NAME")
}

# The frontend process itself: unshare --fork runs it as a child.
frontend_pid() { cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}' | grep . || echo "$1"; }

last_job() { sim_control GET /jobs | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][-1]["id"])'; }
active() { sim_control GET /active | python3 -c 'import json,sys; print(*sorted(json.load(sys.stdin)["active"]))'; }

# cancels JOBID: how many CancelJob requests the simulator logged for JOBID.
cancels() {
    sim_control GET /log | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["log"] if e["operation"] == "CancelJob" and e["jobId"] == int(sys.argv[1])))' "$1"
}

# A failing assertion leaves held frontends running: stop those that are
# still this shell's children (a PID reused by another process is not).
HELD_PIDS=()
stop_held() {
    local pid stat
    for pid in "${HELD_PIDS[@]}"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        read -r _ ppid _ <<<"${stat##*) }"
        [ "$ppid" = "$$" ] && kill -KILL "$pid" 2>/dev/null
    done
    return 0
}
lab_at_exit stop_held

# start_holding PLACE NAME: a feeder scan in PLACE that holds its job after
# page 1 until SIGUSR1 (then cancels it). Sets HOLD_PID and HOLD_JOB.
start_holding() {
    local out="$WORK_DIR/$2.out"
    show_on_failure "$out" "$WORK_DIR/$2.err"
    place "$1"
    "${PLACE_CMD[@]}" "$probe" -d wsd:sim --option source=ADF --option resolution=75 --hold-until-usr1 \
        >"$out" 2>"$WORK_DIR/$2.err" &
    HOLD_PID=$!
    HELD_PIDS+=("$HOLD_PID")
    lab_wait_until 30 "$2 to hold its job" grep -q ' holding' "$out" || fail "$2: no job held"
    HOLD_JOB=$(last_job)
}

# open_in PLACE: sane_open and sane_close in PLACE (scanimage -A opens the scanner).
open_in() {
    place "$1"
    guard 60 "${PLACE_CMD[@]}" scanimage -d wsd:sim -A >/dev/null || fail "sane_open in $1 failed"
}

no_active() { [ -z "$(active)" ]; }

# The simulated scanner, like most, runs one job at a time: one live job per phase.
it_log "a live job here; the sandbox and the other machine open the scanner"
start_holding here live-here
here_pid=$HOLD_PID here_job=$HOLD_JOB
open_in sandbox
open_in elsewhere
assert_eq "$(cancels "$here_job")" 0 "CancelJob for the live job $here_job"
assert_eq "$(active)" "$here_job" "active jobs"

it_log "the frontend here is killed: the sandbox and the other machine leave its job, the next sane_open here cancels it"
kill -KILL "$here_pid"
wait_child "$here_pid" 10
open_in sandbox
open_in elsewhere
assert_eq "$(cancels "$here_job")" 0 "CancelJob for the orphan $here_job from the sandbox or the other machine"
open_in here
assert_eq "$(cancels "$here_job")" 1 "CancelJob for the orphan $here_job"
assert_eq "$(active)" "" "active jobs"

it_log "a live job on the other machine; here and the sandbox open the scanner"
start_holding elsewhere live-elsewhere
elsewhere_pid=$HOLD_PID elsewhere_job=$HOLD_JOB
open_in here
open_in sandbox
assert_eq "$(cancels "$elsewhere_job")" 0 "CancelJob for the other machine's live job $elsewhere_job"
assert_eq "$(active)" "$elsewhere_job" "active jobs"

it_log "the other machine's frontend ends its own job"
kill -USR1 "$(frontend_pid "$elsewhere_pid")"
wait_child "$elsewhere_pid" 30
lab_wait_until 20 "no active job" no_active || fail "jobs left active: $(active)"
it_log "only the job whose creator is provably gone was cancelled"
