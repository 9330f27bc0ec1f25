#!/usr/bin/env bash
# Image bombs from a hostile device, through scanimage and SANE's dll loader
# on loopback. wsd-sim answers RetrieveImage with a bomb (the image-file
# knob): a few hundred bytes of header that claim up to 65298x63739 pixels,
# for a scan of 50x50 pixels. For each, from the platen and from the feeder:
#   scanimage fails (non-zero), and the backend's log names the size the
#   image claims and the size the scan allows;
#   scanimage's peak RSS stays far below what the claim would take;
#   the device is left with no active job, and the feeder's job (which has
#   more sheets to give) got a CancelJob.
# Then a frontend that neither cancels nor closes after the error (sane-probe
# holding the handle): the backend cancels the feeder's job itself, and the
# handle scans a good page afterwards.
. "$(dirname "$0")/lib.sh"

require_commands python3 scanimage
build_program probe testsuite/tools/sane-probe
[ -x /usr/bin/time ] || skip "GNU time (/usr/bin/time) is needed to measure scanimage's peak RSS"
export SANE_WSD_DISCOVERY=off

bombs=$WORK_DIR/bombs
python3 "$WSD_SOURCE_DIR/testsuite/fuzz/make-image-bombs.py" "$bombs" --full ||
    hard_error "make-image-bombs.py failed"

sim_start --listen 127.0.0.1 --profile office-mfp --adf-pages 3
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device hostile $SIM_DEVICE_URL"

# The pixel rule (doc/reliability.md) for office-mfp at 300 dpi: twice the
# device's largest area (platen 8.5 x 11.69 in, feeder 8.5 x 14 in) plus 128.
RESOLUTION=300
allowed() { echo "$(($1 * RESOLUTION / 1000 * 2 + 128))x$(($2 * RESOLUTION / 1000 * 2 + 128))"; }
declare -A ALLOWED=([Flatbed]=$(allowed 8500 11690) [ADF]=$(allowed 8500 14000))
# Generous: a refused bomb costs a few MB; the smallest claim here, once
# decoded or buffered, would take about 1 GB.
MAX_RSS_KB=$((300 * 1024))

jobs_of() {  # jobs_of OPERATION: the JobIds of that operation in the device's log
    sim_control GET /log | python3 -c '
import json, sys
print(" ".join(str(e["jobId"]) for e in json.load(sys.stdin)["log"] if e["operation"] == sys.argv[1]))' "$1"
}

bomb_case() {  # bomb_case FILE CLAIMED SOURCE
    local file=$1 claimed=$2 source=$3 name="$1-$3" status rss
    it_log "$file from $source"
    sim_control POST /reset-log >/dev/null
    sim_control POST /knobs "{\"image-file\": \"$bombs/$file\"}" >/dev/null
    # 4.24 mm at 300 dpi: 50 pixels.
    SANE_DEBUG_WSD=1 guard 120 /usr/bin/time -v -o "$WORK_DIR/$name.time" \
        scanimage -d wsd:hostile --source "$source" --resolution "$RESOLUTION" -x 4.24 -y 4.24 --format=pnm \
        >/dev/null 2>"$WORK_DIR/$name.err"
    status=$?
    show_on_failure "$WORK_DIR/$name.err"
    [ "$status" -ne 0 ] || fail "$name: scanimage succeeded"
    assert_contains "$(cat "$WORK_DIR/$name.err")" "$claimed" "$name: the backend's log (the claimed size)"
    assert_contains "$(cat "$WORK_DIR/$name.err")" "${ALLOWED[$source]}" "$name: the backend's log (the allowed size)"
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK_DIR/$name.time")
    [ -n "$rss" ] || hard_error "$name: no peak RSS in $(cat "$WORK_DIR/$name.time")"
    it_log "  refused; scanimage peak RSS $((rss / 1024)) MB, CPU $(sed -n 's/.*User time (seconds): //p' "$WORK_DIR/$name.time") s user"
    [ "$rss" -lt "$MAX_RSS_KB" ] || fail "$name: scanimage's peak RSS was $rss kB"
    assert_eq "$(sim_control GET /active)" '{"active":[]}' "$name: active jobs on the device"
    local created
    created=$(jobs_of CreateScanJob)
    [ -n "$created" ] || fail "$name: no job was created"
    if [ "$source" = ADF ]; then
        assert_eq "$(jobs_of CancelJob)" "$created" "$name: the jobs cancelled"
    fi
}

for source in Flatbed ADF; do
    bomb_case bomb-progressive-40000.jpg 40000x40000 "$source"
    bomb_case bomb-baseline-40000.jpg 40000x40000 "$source"
    bomb_case bomb-interlaced-18000.png 18000x18000 "$source"
    bomb_case bomb-g4-65298x63739.tif 65298x63739 "$source"
    bomb_case bomb-bottom-up-18000.bmp 18000x18000 "$source"
done

it_log "a frontend that holds the handle after the error: the backend cancels the job itself"
sim_control POST /reset-log >/dev/null
sim_control POST /knobs "{\"image-file\": \"$bombs/bomb-progressive-40000.jpg\"}" >/dev/null
out=$WORK_DIR/probe.out
show_on_failure "$out"
SANE_DEBUG_WSD=1 "$probe" -d wsd:hostile --option source=ADF --option resolution=$RESOLUTION \
    --scan-again --again-after-usr1 >"$out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
probe_awaiting() { grep -q ' awaiting-usr1 ' "$out"; }
lab_wait_until 60 "the probe's first scan to end" probe_awaiting || fail "the probe's first scan did not end"
assert_contains "$(cat "$out")" "start page=1 status=Error during device I/O" "the refused page"
no_active_job() { [ "$(sim_control GET /active)" = '{"active":[]}' ]; }
lab_wait_until 30 "the refused job to be cancelled" no_active_job ||
    fail "the job is still active while the frontend holds the handle: $(sim_control GET /active)"
assert_eq "$(jobs_of CancelJob)" "$(jobs_of CreateScanJob)" "the jobs cancelled"
sim_control POST /knobs '{"image-file": ""}' >/dev/null
kill -USR1 "$probe_pid"
wait_child "$probe_pid" 60 sane-probe
assert_contains "$(cat "$out")" "read-end page=1 status=End of file reached" "the scan after the refusal"
assert_eq "$(sim_control GET /active)" '{"active":[]}' "active jobs after the good scan"
it_log "every bomb refused with both sizes named, scanimage's RSS bounded, no job left on the device"
