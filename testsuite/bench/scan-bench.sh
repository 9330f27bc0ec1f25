#!/bin/bash
# Scan benchmark (issues 8 and 7): our backend against sane-airscan, in the
# same lab and run, alternating, each figure repeated. wsd-sim runs in the
# lab's dev namespace (office-mfp, textured A4 600 dpi colour JPEG of about
# 6.5 MB), sane-probe (a frontend through SANE's dll loader) in the host
# namespace. Figures: time to first byte, page wall and CPU time (paced at
# 4 MB/s and unpaced), peak RSS and RSS growth, pages per minute of a 20-page
# ADF job, cancel latencies (plain and with the device stalled), and the
# limits (djpeg alone on the same JPEG, the paced transfer time).
# Prints a table (median, min, max, ratio ours/airscan); bench-stats.py
# computes it from the raw samples in $BENCH_RAW (kept when set).
# Run: WSD_BUILD_DIR=<build dir> testsuite/bench/scan-bench.sh [RUNS] [CANCEL_RUNS] [ADF_RUNS]
# Needs root and network namespaces (else exits 77).
. "$(dirname "$0")/../integration/lib.sh"

runs=${1:-5}
cancel_runs=${2:-50}
adf_runs=${3:-3}
pace=4000000
require_commands python3 djpeg
build_program probe testsuite/tools/sane-probe
airscan_installed || skip "sane-airscan is not installed"
lab_up

# office-mfp offering JPEG only: sane-airscan asks for PNG whenever it may
# (a ~58 MB textured PNG: 9x the bytes), and both clients must get the same
# ~6.5 MB JPEG.
profile="$WORK_DIR/office-mfp-jpeg.xml"
grep -v -e '>exif<' -e '>png<' -e '>tiff-single' -e '>dib<' \
    "$WSD_SOURCE_DIR/testsuite/sim/profiles/office-mfp.xml" >"$profile"
grep -q '>jfif<' "$profile" || hard_error "no jfif in $profile"
port=$(free_tcp_port dev)
sim_start --side dev --listen "$LAB_ADDR4_DEV" --port "$port" --profile "$profile" --adf-pages 20 --texture
mkdir -p "$WORK_DIR/ours" "$WORK_DIR/airscan"
(sane_env_wsd "$WORK_DIR/ours" "discovery = off" "device lab http://$LAB_ADDR4_DEV:$port/wsd"
 declare -p SANE_CONFIG_DIR LD_LIBRARY_PATH) >"$WORK_DIR/ours.env"
(sane_env_airscan "$WORK_DIR/airscan" '[devices]' "\"Sim\" = $SIM_SERVICE_URL, WSD" \
    '[options]' 'discovery = disable' 'ws-discovery = off'
 declare -p SANE_CONFIG_DIR) >"$WORK_DIR/airscan.env"
declare -A DEVICE=([ours]=wsd:lab [airscan]=airscan:w0:Sim)
raw=${BENCH_RAW:-$WORK_DIR/raw.txt}
: >"$raw"

knobs() { sim_control POST /knobs "$1" >/dev/null; }
# A4 (the platen is 296.9 mm long: 296), colour.
page_options() {
    echo --option mode=Color --option resolution="$1" --option tl-x=0 --option tl-y=0 \
        --option br-x=210 --option br-y=296
}

# probe CLIENT ARGS...: runs sane-probe for CLIENT in the host namespace;
# prints its events.
probe() {
    local client=$1
    shift
    (
        . "$WORK_DIR/$client.env"
        export SANE_CONFIG_DIR ${LD_LIBRARY_PATH:+LD_LIBRARY_PATH}
        guard --side host 300 "$probe" -d "${DEVICE[$client]}" "$@" 2>>"$WORK_DIR/$client.stderr"
    )
}

# record FIGURE CLIENT VALUE
record() { echo "$1 $2 $3" >>"$raw"; }

ev() { grep "^event [0-9.]* $2 " <<<"$1" | head -n 1; }
ev_time() { ev "$1" "$2" | cut -d' ' -f2; }
field() { grep -o " $2=[^ ]*" <<<"$1" | head -n 1 | cut -d= -f2; }
sub() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.3f}')" "$1" "$2"; }

# One page (600 dpi unless given): TTFB, wall, CPU, peak RSS, growth.
page_run() {
    local client=$1 tag=$2 dpi=${3:-600} out start first end
    out=$(probe "$client" $(page_options "$dpi"))
    end=$(ev "$out" read-end)
    [[ $end == *"status=End of file"* ]] || { it_log "$client $tag: $end"; return; }
    start=$(ev_time "$out" start-call)
    first=$(ev_time "$out" first-data)
    record "ttfb-$tag" "$client" "$(sub "$first" "$start")"
    record "wall-$tag" "$client" "$(sub "$(cut -d' ' -f2 <<<"$end")" "$start")"
    record "cpu-$tag" "$client" "$(field "$end" cpu-ms)"
    local peak open
    peak=$(ev "$out" peak-rss-kb | cut -d' ' -f4)
    open=$(ev "$out" rss-after-open | cut -d' ' -f4)
    record "peak-rss-kb-$tag" "$client" "$peak"
    record "rss-growth-kb-$tag" "$client" "$((peak - open))"
    echo "$(field "$end" bytes)" >"$WORK_DIR/bytes"
}

clients=(ours airscan)
it_log "warm-up (the simulator encodes each page once)"
knobs '{"pace":0}'
for c in "${clients[@]}"; do
    probe "$c" $(page_options 600) >/dev/null
    probe "$c" $(page_options 300) >/dev/null
    probe "$c" --option source=ADF --option mode=Color --option resolution=300 --pages 0 >/dev/null
done

for ((i = 0; i < runs; i++)); do
    it_log "page runs $((i + 1))/$runs"
    for c in "${clients[@]}"; do
        knobs "{\"pace\":$pace}"
        page_run "$c" paced
        knobs '{"pace":0}'
        page_run "$c" unpaced
        page_run "$c" unpaced-300dpi 300
    done
done

it_log "20-page ADF job, paced"
knobs "{\"pace\":$pace}"
for ((i = 0; i < adf_runs; i++)); do
    for c in "${clients[@]}"; do
        out=$(probe "$c" --option source=ADF --option mode=Color --option resolution=300 --pages 0)
        pages=$(grep -c " read-end .*status=End of file" <<<"$out")
        first=$(ev_time "$out" start-call)
        last=$(grep " read-end " <<<"$out" | grep "status=End of file" | tail -n 1 | cut -d' ' -f2)
        [ "$pages" -gt 0 ] || { it_log "$c ADF: no page"; continue; }
        record adf-pages "$c" "$pages"
        record adf-ppm "$c" "$(python3 -c "import sys; print(f'{float(sys.argv[1]) * 60000 / (float(sys.argv[2]) - float(sys.argv[3])):.2f}')" "$pages" "$last" "$first")"
    done
done

# Cancel: SIGALRM mid-transfer; the sim's log has CancelJob's wall-clock time.
log_cancel_epoch() {
    sim_control GET /log | python3 -c '
import json, sys, datetime
t = [e["time"] for e in json.load(sys.stdin)["log"] if e["operation"] == "CancelJob"]
if t:
    d = datetime.datetime.strptime(t[-1].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    print(f"{d.timestamp() * 1000:.3f}")'
}
cancel_run() {
    local client=$1 tag=$2 after=$3 out end at device
    sim_control POST /reset-log >/dev/null
    out=$(probe "$client" $(page_options 600) --cancel-after-ms "$after")
    end=$(ev "$out" read-end)
    [[ $end == *"status=Operation was canceled"* ]] || { it_log "$client cancel $tag: $(tail -n 3 <<<"$out" | tr '\n' ' ')"; return; }
    record "cancel-return-$tag" "$client" "$(field "$end" cancel-to-return-ms)"
    at=$(field "$end" cancel-epoch-ms)
    device=$(log_cancel_epoch)
    [ -n "$device" ] && record "cancel-at-device-$tag" "$client" "$(sub "$device" "$at")"
}
# sane-airscan, cancelled on a stalled device, returns CANCELLED at once but
# then hangs in sane_close/sane_exit for minutes on the stalled connection:
# it gets a few stalled runs only (the table's n says how many).
airscan_stalled_runs=3
it_log "cancel, $cancel_runs runs each ($airscan_stalled_runs for airscan stalled)"
for ((i = 0; i < cancel_runs; i++)); do
    for c in "${clients[@]}"; do
        knobs "{\"pace\":$pace,\"stall-after\":-1}"
        cancel_run "$c" paced 400
        [ "$c" = airscan ] && [ "$i" -ge "$airscan_stalled_runs" ] && continue
        knobs "{\"pace\":$pace,\"stall-after\":500000}"
        cancel_run "$c" stalled 600
    done
done
knobs '{"pace":0,"stall-after":-1}'

it_log "limits: djpeg alone on the same page"
build_program page_jpeg testsuite/bench/page-jpeg
jpeg="$WORK_DIR/page.jpg"
"$page_jpeg" 600 >"$jpeg" || hard_error "page-jpeg failed"
record jpeg-bytes limit "$(stat -c %s "$jpeg")"
for ((i = 0; i < runs; i++)); do
    s=$(lab_now_ms)
    djpeg -outfile /dev/null "$jpeg"
    record djpeg limit "$(($(lab_now_ms) - s))"
done

echo
echo "Scan benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $runs runs ($cancel_runs for cancel), pace $pace B/s, wsd-sim office-mfp (JPEG only) --texture"
python3 "$(dirname "$0")/bench-stats.py" "$raw" "$pace"
