#!/usr/bin/env bash
# A feeder's next image is asked for as soon as the last one has arrived,
# before the frontend's next sane_start (issue 18: ADF throughput), and no
# further: while the frontend stands still after page 1 (sane-probe
# --hold-between-pages), the device has had exactly one RetrieveImage more,
# whose bytes wait for the frontend. Then:
# (1) the frontend goes on: every page is its own sheet's pattern, and after
#     the last one only the empty feeder's answer comes, nothing beyond;
# (2) the frontend cancels instead: CancelJob, the job Canceled, none left
#     active; a scan after it is a new job.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

sim_start --listen 127.0.0.1 --profile office-mfp --adf-pages 3
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device sim $SIM_DEVICE_URL"

# Letter at 100 dpi gray: the region the pattern check is given.
options=(--option source=ADF --option mode=Gray --option resolution=100 --option tl-x=0 --option tl-y=0
    --option br-x=215.9 --option br-y=279.4)
images() { sim_log --count operation=RetrieveImage "$@"; }
ahead() { [ "$(images)" -ge 2 ]; }
held() { grep -q " awaiting-usr1" "$WORK_DIR/$1.out"; }

# hold CASE PROBE-ARGS...: starts sane-probe, waits until it stands still
# after page 1 and the device has had the next RetrieveImage; sets $pid.
hold() {
    local name=$1
    shift
    sim_control POST /reset-log >/dev/null
    show_on_failure "$WORK_DIR/$name.out" "$WORK_DIR/$name.err"
    "$probe" -d wsd:sim "${options[@]}" --hold-between-pages "$@" -o "$WORK_DIR/$name-%d.raw" \
        >"$WORK_DIR/$name.out" 2>"$WORK_DIR/$name.err" &
    pid=$!
    lab_at_exit "kill $pid 2>/dev/null || true"
    lab_wait_until 60 "sane-probe after page 1" held "$name" || fail "($name) sane-probe did not read page 1"
    lab_wait_until 30 "the next RetrieveImage" ahead || fail "($name) page 2 was not asked for ahead"
    assert_eq "$(images)" 2 "($name) RetrieveImage requests while the frontend stands still after page 1"
}

check_page() {  # CASE N SHEET
    probe_page_to_pnm "$WORK_DIR/$1.out" "$2" "$WORK_DIR/$1-$2.raw" "$WORK_DIR/$1-$2.pnm" gray
    pattern_check "$WORK_DIR/$1-$2.pnm" --resolution 100 --mode gray --sheet "$3" --side front \
        --left 0 --top 0 --width 215.9 --height 279.4
}

it_log "(1) the frontend goes on after page 1"
hold go --pages 0
kill -USR1 "$pid"
wait_child "$pid" 120 sane-probe || fail "(1) sane-probe: $(cat "$WORK_DIR/go.out")"
assert_no_sanitizer_report "$WORK_DIR/go.err" sane-probe
assert_eq "$(grep -c ' read-end page=[0-9]* status=End of file' "$WORK_DIR/go.out")" 3 "(1) pages read"
assert_contains "$(cat "$WORK_DIR/go.out")" " start page=4 status=Document feeder out of documents" "(1) the 4th sane_start"
for page in 1 2 3; do
    check_page go "$page" "$page"
done
assert_eq "$(images)" 4 "(1) RetrieveImage requests (3 images, then the feeder is empty)"
assert_eq "$(images outcome=fault:ClientErrorNoImagesAvailable)" 1 "(1) the empty feeder's answer, last"
assert_eq "$(sim_jobs state | tail -n 1)" Completed "(1) the job's end state"
[ -z "$(sim_active)" ] || fail "(1) jobs left active: $(sim_active)"

it_log "(2) the frontend cancels after page 1"
sim_control POST /knobs '{"adf-pages":3}' >/dev/null
hold cancel --cancel-between-pages
job=$(sim_jobs id | tail -n 1)
kill -USR1 "$pid"
wait_child "$pid" 120 sane-probe || fail "(2) sane-probe: $(cat "$WORK_DIR/cancel.out")"
assert_no_sanitizer_report "$WORK_DIR/cancel.err" sane-probe
assert_logged "(2) CancelJob for job $job" operation=CancelJob outcome=ok jobId="$job"
assert_eq "$(sim_jobs id state | sed -n "s/^$job //p")" Canceled "(2) job $job's end state"
assert_eq "$(images jobId="$job")" 2 "(2) RetrieveImage requests of the cancelled job"
[ -z "$(sim_active)" ] || fail "(2) jobs left active: $(sim_active)"
out=$(guard 60 "$probe" -d wsd:sim "${options[@]}" --pages 1) || fail "(2) the scan after the cancel: $out"
assert_contains "$out" " read-end page=1 status=End of file" "(2) the scan after the cancel"
[ "$(sim_jobs id | tail -n 1)" != "$job" ] || fail "(2) the scan after the cancel made no new job"
[ -z "$(sim_active)" ] || fail "(2) jobs left active after the last scan: $(sim_active)"
it_log "ok"
