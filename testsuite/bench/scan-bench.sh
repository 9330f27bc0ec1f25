#!/bin/bash
# Scan benchmark (issue 8): our backend against sane-airscan, in the same lab
# and run (bench-lib.sh), alternating, each figure repeated. Figures: time to
# first byte, page wall and CPU time (paced at 4 MB/s and unpaced, 600 and
# 300 dpi), peak RSS and RSS growth, pages per minute of a 20-page ADF job, and the limits
# (djpeg alone on the same JPEG, the paced transfer time). The cancel figures
# are cancel-bench.sh's.
# Prints a table (median, min, max, ratio ours/airscan); bench-stats.py
# computes it from the raw samples in $BENCH_RAW (kept when set).
# Run: WSD_BUILD_DIR=<build dir> testsuite/bench/scan-bench.sh [RUNS] [ADF_RUNS]
# Needs root and network namespaces (else exits 77).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/bench-lib.sh"

runs=${1:-5}
adf_runs=${2:-3}
pace=4000000
require_commands djpeg
bench_lab_up 20

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

it_log "warm-up (the simulator encodes each page once)"
knobs '{"pace":0}'
for c in "${BENCH_CLIENTS[@]}"; do
    probe "$c" $(page_options 600) >/dev/null
    probe "$c" $(page_options 300) >/dev/null
    probe "$c" --option source=ADF --option mode=Color --option resolution=300 --pages 0 >/dev/null
done

for ((i = 0; i < runs; i++)); do
    it_log "page runs $((i + 1))/$runs"
    for c in "${BENCH_CLIENTS[@]}"; do
        knobs "{\"pace\":$pace}"
        page_run "$c" paced
        page_run "$c" paced-300dpi 300
        knobs '{"pace":0}'
        page_run "$c" unpaced
        page_run "$c" unpaced-300dpi 300
    done
done

it_log "20-page ADF job, paced"
knobs "{\"pace\":$pace}"
for ((i = 0; i < adf_runs; i++)); do
    for c in "${BENCH_CLIENTS[@]}"; do
        out=$(probe "$c" --option source=ADF --option mode=Color --option resolution=300 --pages 0)
        pages=$(grep -c " read-end .*status=End of file" <<<"$out")
        first=$(ev_time "$out" start-call)
        last=$(grep " read-end " <<<"$out" | grep "status=End of file" | tail -n 1 | cut -d' ' -f2)
        [ "$pages" -gt 0 ] || { it_log "$c ADF: no page"; continue; }
        record adf-pages "$c" "$pages"
        record adf-ppm "$c" "$(python3 -c "import sys; print(f'{float(sys.argv[1]) * 60000 / (float(sys.argv[2]) - float(sys.argv[3])):.2f}')" "$pages" "$last" "$first")"
    done
done

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
echo "Scan benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $runs runs, load average $(cut -d' ' -f1-3 /proc/loadavg), pace $pace B/s, wsd-sim office-mfp (JPEG only) --texture"
python3 "$(dirname "$0")/bench-stats.py" "$raw" "$pace"
