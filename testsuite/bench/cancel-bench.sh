#!/bin/bash
# Cancel benchmark (issue 7): our backend against sane-airscan, same lab as
# scan-bench.sh, alternating, RUNS runs of each case per client. sane-probe
# calls sane_cancel from a SIGALRM handler (as scanimage does on Ctrl-C)
# during a 600 dpi colour page:
#   paced    400 ms into a transfer paced at 4 MB/s (mid-transfer);
#   stalled  600 ms in, the device having stopped sending after 500 kB.
# Figures, from sane_cancel (CLOCK_REALTIME, taken in the handler just before
# the call): sane_read returns CANCELLED; CancelJob arrives at the device
# (wsd-sim's log: arrival time, microseconds); the job is Canceled on the
# device (wsd-sim's /jobs: when it set the state).
# Every run has a hang guard (HANG_SECONDS, default 15 s): a client still
# running then is killed and counted as a hang, with where it hung (from the
# last SANE call it returned from). Before each run the simulator must have no
# active job: leftovers are cancelled through its control endpoint (and
# counted); a simulator that cannot be reached is restarted.
# Prints a table (bench-stats.py): median, min, max, ratio ours/airscan;
# counts (hangs, leftover jobs, jobs that ended otherwise than Canceled) as
# "of n" lines. BENCH_RAW=FILE keeps the samples.
# Run: WSD_BUILD_DIR=<build dir> testsuite/bench/cancel-bench.sh [RUNS]
# Needs root and network namespaces (else exits 77).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/bench-lib.sh"

runs=${1:-50}
hang_seconds=${HANG_SECONDS:-15}
pace=4000000
bench_lab_up 1
it_log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# control METHOD PATH [JSON]: the control endpoint without failing the
# benchmark (a wedged simulator is restarted instead).
control() {
    lab_exec dev curl -sS --fail --max-time 5 -X "$1" ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
        "http://127.0.0.1:$SIM_CONTROL_PORT$2"
}

# After a run (CLIENT TAG: counted as that run's leftovers; none: not
# counted): the next run starts on a device with no active job and an empty
# log.
clean_device() {
    local client=${1:-} tag=${2:-} canceled active leftover=0
    if canceled=$(control POST /cancel-active | json_list canceled) &&
        active=$(control GET /active | json_list active) && [ -z "$active" ]; then
        if [ -n "$canceled" ]; then
            it_log "$client $tag: left active jobs behind: $canceled"
            leftover=1
        fi
    else
        it_log "$client $tag: the simulator does not answer: restarting it"
        leftover=1
        sim_stop
        sim_start "${BENCH_SIM_ARGS[@]}"
    fi
    [ -n "$client" ] && record "leftover-jobs-$tag" "$client" "$leftover"
    control POST /reset-log >/dev/null || hard_error "wsd-sim control endpoint unreachable"
}

# Prints "CANCELJOB_ARRIVAL_MS JOB_STATE JOB_ENDED_MS" (epoch ms, "-" when
# absent) for the last CancelJob in the log.
device_times() {
    python3 -c '
import json, sys, datetime
def ms(stamp):
    if not stamp:
        return "-"
    d = datetime.datetime.strptime(stamp.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    return f"{d.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000:.3f}"
log, jobs = json.loads(sys.argv[1])["log"], json.loads(sys.argv[2])["jobs"]
cancels = [e for e in log if e["operation"] == "CancelJob"]
ids = [e["jobId"] for e in log if e["operation"] == "RetrieveImage"]
job = next((j for j in jobs if ids and j["id"] == ids[-1]), None)
print(ms(cancels[-1]["time"]) if cancels else "-", job["state"] if job else "-", ms(job["ended"]) if job else "-")
' "$(control GET /log)" "$(control GET /jobs)"
}

# cancel_run CLIENT TAG AFTER_MS: one measured cancel, then the cleanup.
cancel_run() {
    measure_cancel "$@"
    clean_device "$1" "$2"
}

measure_cancel() {
    local client=$1 tag=$2 after=$3 out status end at arrival state ended where
    bench_probe_command "$client" $(page_options 600) --cancel-after-ms "$after"
    out=$(run_in host timeout --kill-after=2 "$hang_seconds" "${PROBE_CMD[@]}" 2>>"$WORK_DIR/$client.stderr")
    status=$?
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        case $(grep -o '^event [0-9.]* [a-z-]*' <<<"$out" | tail -n 1 | cut -d' ' -f3) in
            parameters | first-data) where="in sane_read, cancelled but no CANCELLED" ;;
            read-end) where="in sane_close, after CANCELLED" ;;
            close | peak-rss-kb) where="in sane_exit" ;;
            *) where="before sane_start returned" ;;
        esac
        it_log "$client $tag: HUNG (killed after ${hang_seconds}s) $where"
        record "hangs-$tag" "$client" 1
        echo "$client $tag: $where" >>"$WORK_DIR/hangs"
    else
        record "hangs-$tag" "$client" 0
    fi
    end=$(ev "$out" read-end)
    if [[ $end != *"status=Operation was canceled"* ]]; then
        it_log "$client $tag: no CANCELLED: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
        return
    fi
    record "cancel-return-$tag" "$client" "$(field "$end" cancel-to-return-ms)"
    record "peak-rss-kb-cancel-$tag" "$client" "$(ev "$out" peak-rss-kb | cut -d' ' -f4)"
    at=$(field "$end" cancel-epoch-ms)
    read -r arrival state ended <<<"$(device_times)"
    [ "$arrival" != - ] && record "cancel-at-device-$tag" "$client" "$(sub "$arrival" "$at")"
    record "job-not-canceled-$tag" "$client" "$([ "$state" = Canceled ] && echo 0 || echo 1)"
    if [ "$state" = Canceled ]; then
        record "job-canceled-$tag" "$client" "$(sub "$ended" "$at")"
    else
        it_log "$client $tag: job ended $state"
    fi
}

it_log "warm-up (the simulator encodes the page once)"
knobs '{"pace":0,"stall-after":-1}'
for c in "${BENCH_CLIENTS[@]}"; do
    probe "$c" $(page_options 600) >/dev/null
done

: >"$WORK_DIR/hangs"
clean_device
for ((i = 0; i < runs; i++)); do
    [ $((i % 10)) -eq 0 ] && it_log "runs $((i + 1))..$((i + 10 < runs ? i + 10 : runs)) of $runs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for c in "${BENCH_CLIENTS[@]}"; do
        knobs "{\"pace\":$pace,\"stall-after\":-1}"
        cancel_run "$c" paced 400
        knobs "{\"pace\":$pace,\"stall-after\":500000}"
        cancel_run "$c" stalled 600
    done
done
knobs '{"pace":0,"stall-after":-1}'

echo
echo "Cancel benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $runs runs each, pace $pace B/s, wsd-sim office-mfp (JPEG only) --texture, 600 dpi colour A4; hang guard ${hang_seconds}s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$(dirname "$0")/bench-stats.py" "$raw" "$pace"
if [ -s "$WORK_DIR/hangs" ]; then
    echo "hangs (killed by the guard), where:"
    sort "$WORK_DIR/hangs" | uniq -c
fi
