#!/bin/bash
# Builds every libFuzzer target with clang (ASan + UBSan, the backend's parser
# sources compiled in directly) and runs each for SECONDS (default 60) from
# its seed corpus in testsuite/fuzz/corpus/<target>/ (which it replays
# first).  Prints each target's executions, coverage and "0 crashes" or the
# crash; exits 1 when any target crashed.
#
# Every input runs under fixed bounds, which the image decoders' limits
# (wsd/image_limits.h) must keep: RSS_LIMIT_MB of resident memory (and no
# single allocation larger) and INPUT_TIMEOUT seconds; an input past either
# is a crash.
#
#   testsuite/fuzz/run-fuzzers.sh [SECONDS]
#
# Environment: WSD_SOURCE_DIR (source tree, default: this script's),
# WSD_FUZZ_DIR (build and work directory, default: a new temporary one, or
# $WSD_BUILD_DIR/testsuite/fuzz-run when WSD_BUILD_DIR is set),
# WSD_FUZZ_JOBS (targets run at once, default: the number of CPUs),
# WSD_FUZZ_TARGETS (space-separated subset, default: all), CXX (default clang++),
# WSD_FUZZ_RUNS (stop a target after this many executions too, default: no
# limit), WSD_FUZZ_KEEP=1 (merge what the run found into the corpus in the
# source tree: -merge=1 into a copy of it, then the inputs that add coverage
# are copied back; make fuzz-long sets it).
# Needs clang and libclang-rt-14-dev (Debian), and the -dev packages
# ./configure asks for.  A crash's reproducer is left in
# $WSD_FUZZ_DIR/crashes/: add it to the target's corpus once fixed.
set -euo pipefail

seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

WSD_SOURCE_DIR=${WSD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fuzz_src=$WSD_SOURCE_DIR/testsuite/fuzz
if [ -n "${WSD_FUZZ_DIR:-}" ]; then
    work=$WSD_FUZZ_DIR
elif [ -n "${WSD_BUILD_DIR:-}" ]; then
    work=$WSD_BUILD_DIR/testsuite/fuzz-run
else
    work=$(mktemp -d /tmp/wsd-fuzz.XXXXXX)
fi
mkdir -p "$work/obj" "$work/bin" "$work/crashes" "$work/logs"
jobs=${WSD_FUZZ_JOBS:-$(nproc)}
runs=${WSD_FUZZ_RUNS:--1}
keep=${WSD_FUZZ_KEEP:-0}
# A decoder within the limits fuzzLimits() sets holds about 100 MB for an
# image; ASan's quarantine and shadow come on top.
RSS_LIMIT_MB=512
# A G4 TIFF of 65298x63739 pixels took 12 s to decode before the limits;
# within them every input takes well under a second, also with ASan.
INPUT_TIMEOUT=5
# ASan keeps freed memory in quarantine (256 MB by default) and that counts
# as RSS: a smaller one leaves the bound to what the decoders hold.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
CXX=${CXX:-clang++}
# CXX from ./configure may be g++: libFuzzer needs clang.
case $CXX in *clang++*) ;; *) CXX=clang++ ;; esac

command -v "$CXX" >/dev/null || { echo "error: $CXX not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 99; }

# The backend's parsers of untrusted input and what they depend on.
backend_sources=(util/log util/strings net/xml net/soap net/url discovery/discovery_message discovery/discovery_links
    discovery/endpoint_table wsscan/metadata wsscan/scan_xml wsscan/capabilities wsscan/job_refusal image/page_geometry wsscan/scan_job_messages
    wsscan/scan_modes sane/option_constraints sane/options sane/option_settings wsscan/quirks net/multipart net/mtom
    image/image_limits image/image_decoder image/decoder_jpeg image/decoder_png image/decoder_tiff image/decoder_dib
    config/config job/job_registry util/small_file util/state_file util/capture_mask util/shared_library
    discovery/print_queues discovery/device_cache events/event_parser events/subscription_messages
    events/device_restarts events/press_handover)
all_targets=()
for f in "$fuzz_src"/fuzz_*.cpp; do
    t=$(basename "$f" .cpp)
    all_targets+=("${t#fuzz_}")
done
read -r -a targets <<<"${WSD_FUZZ_TARGETS:-${all_targets[*]}}"

pkgs="libxml-2.0 libcurl libjpeg libpng libtiff-4 sane-backends"
read -r -a pkg_cflags <<<"$(pkg-config --cflags $pkgs)"
read -r -a pkg_libs <<<"$(pkg-config --libs $pkgs)"
sanitize=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
objects=()
for s in "${backend_sources[@]}"; do objects+=("$work/obj/${s//\//_}.o"); done
cxxflags=(-std=c++17 -g -O1 "${sanitize[@]}" -I"$WSD_SOURCE_DIR/include" "${pkg_cflags[@]}")
# decoder_tiff and decoder_png open libtiff and libpng by SONAME (dlopen) when
# an image of theirs comes, print_queues libcups, as configure finds them
# (Debian's libcups2-dev has no pkg-config file).
soname_of() { objdump -p "$1" | sed -n 's/^ *SONAME *//p'; }
soname() { soname_of "$(pkg-config --variable=libdir "$1")/lib$2.so"; }
cxxflags+=(-DWSD_TIFF_SONAME="\"$(soname libtiff-4 tiff)\"" -DWSD_PNG_SONAME="\"$(soname libpng png)\""
    -DWSD_CUPS_SONAME="\"$(soname_of "$("$CXX" -print-file-name=libcups.so)")\"")

# --- build ---------------------------------------------------------------------
# Objects are rebuilt when their source or any header is newer (cheap make).
newest_header=$(find "$WSD_SOURCE_DIR/include" "$fuzz_src" -name '*.h' -newer "$work/obj/.stamp" 2>/dev/null | head -1 || true)
[ -e "$work/obj/.stamp" ] || newest_header=force
compile() {  # compile SOURCE OBJECT EXTRA-FLAGS...
    local src=$1 obj=$2
    shift 2
    if [ -n "$newest_header" ] || [ ! -e "$obj" ] || [ "$src" -nt "$obj" ]; then
        "$CXX" "${cxxflags[@]}" "$@" -c "$src" -o "$obj"
    fi
}
echo "building ${#targets[@]} fuzz targets with $CXX in $work"
build_start=$(date +%s)
pids=()
for s in "${backend_sources[@]}"; do
    compile "$WSD_SOURCE_DIR/backend/$s.cpp" "$work/obj/${s//\//_}.o" -fsanitize=fuzzer-no-link &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
pids=()
for t in "${targets[@]}"; do
    (compile "$fuzz_src/fuzz_$t.cpp" "$work/obj/fuzz_$t.o" -fsanitize=fuzzer-no-link &&
        "$CXX" "${sanitize[@]}" -fsanitize=fuzzer "$work/obj/fuzz_$t.o" \
            "${objects[@]}" -o "$work/bin/fuzz_$t" "${pkg_libs[@]}") &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
touch "$work/obj/.stamp"
echo "built in $(($(date +%s) - build_start)) s"

# --- run -----------------------------------------------------------------------
# Each target starts from a private copy of its seeds, so that what it finds
# stays out of the source tree; new seeds worth keeping are copied by hand.
run_target() {  # run_target NAME: writes logs/NAME.log and logs/NAME.result
    local t=$1 corpus=$work/corpus/$1 log=$work/logs/$1.log
    rm -f "$work/logs/$t.kept"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    if [ -d "$fuzz_src/corpus/$t" ]; then cp "$fuzz_src/corpus/$t"/* "$corpus"/; fi
    local rc=0
    "$work/bin/fuzz_$t" -max_total_time="$seconds" -runs="$runs" -timeout="$INPUT_TIMEOUT" \
        -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 -artifact_prefix="$work/crashes/$t-" "$corpus" \
        >"$log" 2>&1 || rc=$?
    local execs cov peak
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -1)
    echo "$rc ${execs:-0} ${cov:-0} ${peak:-0}" >"$work/logs/$t.result"
    if [ "$rc" -eq 0 ] && [ "$keep" = 1 ]; then keep_new_inputs "$t"; fi
}

# Minimises what a run found into a copy of the kept corpus, then copies
# the inputs it added back. -merge=1 adds only inputs with new features;
# without hit counts (-use_counters=0) a feature is an edge reached, so the
# corpus grows by the inputs that reach new code, not by every input that
# runs a loop a different number of times (a quarter as many).
keep_new_inputs() {  # keep_new_inputs NAME
    local t=$1 merged=$work/merged/$1 kept=$fuzz_src/corpus/$1 f added=0
    rm -rf "$merged"
    mkdir -p "$merged" "$kept"
    cp "$kept"/* "$merged"/ 2>/dev/null || true
    "$work/bin/fuzz_$t" -merge=1 -use_counters=0 -timeout="$INPUT_TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
        "$merged" "$work/corpus/$t" >"$work/logs/$t.merge.log" 2>&1 || return 0
    for f in "$merged"/*; do
        [ -e "$kept/$(basename "$f")" ] && continue
        cp "$f" "$kept/"
        added=$((added + 1))
    done
    echo "$added" >"$work/logs/$t.kept"
}

echo "running each target for $seconds s, $jobs at a time"
run_start=$(date +%s)
pids=()
for t in "${targets[@]}"; do
    run_target "$t" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done

# One line per target; summary.tsv feeds doc/reliability.md's table.
crashed=0
printf 'target\tseeds\texecutions\tcoverage\tpeak_rss_mb\tkept\tcrashes\n' >"$work/summary.tsv"
for t in "${targets[@]}"; do
    read -r rc execs cov peak <"$work/logs/$t.result"
    kept=$(cat "$work/logs/$t.kept" 2>/dev/null || echo 0)
    seeds=0
    for f in "$fuzz_src/corpus/$t"/*; do [ -f "$f" ] && seeds=$((seeds + 1)); done
    kept_note=''
    [ "$keep" = 1 ] && kept_note="  $kept new kept"
    if [ "$rc" -eq 0 ]; then
        printf '%-22s %8s seeds %12s executions %6s cov %5s MB  0 crashes%s\n' "$t" "$seeds" "$execs" "$cov" "$peak" \
            "$kept_note"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t0\n' "$t" "$seeds" "$execs" "$cov" "$peak" "$kept" >>"$work/summary.tsv"
    else
        crashed=1
        printf '%-22s %8s seeds %12s executions %6s cov %5s MB  CRASH (exit %s):\n' "$t" "$seeds" "$execs" "$cov" \
            "$peak" "$rc"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t1\n' "$t" "$seeds" "$execs" "$cov" "$peak" "$kept" >>"$work/summary.tsv"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|invariant failed|.*runtime error)|Test unit written to' \
            "$work/logs/$t.log" | head -8 | sed 's/^/    /'
    fi
done
echo "fuzzing took $(($(date +%s) - run_start)) s; logs in $work/logs, summary in $work/summary.tsv"
if [ "$crashed" -ne 0 ]; then
    echo "FAIL: a fuzz target crashed; reproducers in $work/crashes" >&2
    exit 1
fi
