#!/bin/bash
# Discovery benchmark (issue 5): wall time of `scanimage -L` with 1 and with
# 50 simulated scanners in the lab, for our backend (sane-wsd) and for
# sane-airscan, in the same lab and run; each measurement is repeated and
# the median printed, with how many of the devices were listed, and the
# median peak RSS of scanimage (GNU time's %M).
# Target: <= 1 s for both counts, all devices listed, faster than airscan.
# Run: WSD_BUILD_DIR=<build dir> testsuite/bench/discovery-bench.sh [RUNS]
# Needs root and network namespaces (else exits 77).
. "$(dirname "$0")/../integration/lib.sh"

runs=${1:-5}
require_commands scanimage /usr/bin/time
have_airscan=1
airscan_installed || have_airscan=0
lab_up --avahi
export SANE_WSD_DISCOVERY=on

mkdir -p "$WORK_DIR/wsd" "$WORK_DIR/airscan"
# Our backend as shipped (default discovery timeout, device cache on), on the
# lab interface; its cache in the bench's directory.
(sane_env_wsd "$WORK_DIR/wsd" "interface = $LAB_IF"; declare -p SANE_CONFIG_DIR LD_LIBRARY_PATH XDG_CACHE_HOME) \
    >"$WORK_DIR/wsd.env"
if [ "$have_airscan" = 1 ]; then
    # sane-airscan as shipped: discovery on (WS-Discovery and DNS-SD).
    (sane_env_airscan "$WORK_DIR/airscan" '[options]' 'discovery = enable'; declare -p SANE_CONFIG_DIR) \
        >"$WORK_DIR/airscan.env"
fi

# measure ENVFILE PREFIX: runs scanimage -L $runs times in the host
# namespace, the first with no device cache (cold), the others with what the
# one before left in it; prints "median_ms listed_min listed_max
# median_peak_rss_kb cold_ms".
measure() {
    local envfile=$1 prefix=$2 i start elapsed listed times=() counts=() rss=()
    rm -rf "$WORK_DIR/wsd/cache"
    for ((i = 0; i < runs; i++)); do
        start=$(lab_now_ms)
        listed=$(
            . "$envfile"
            export SANE_CONFIG_DIR ${LD_LIBRARY_PATH:+LD_LIBRARY_PATH} ${XDG_CACHE_HOME:+XDG_CACHE_HOME}
            guard --side host 120 /usr/bin/time -f %M -o "$WORK_DIR/rss" scanimage -L 2>/dev/null |
                grep -c "^device \`$prefix"
        )
        elapsed=$(($(lab_now_ms) - start))
        times+=("$elapsed")
        counts+=("${listed:-0}")
        rss+=("$(tail -n 1 "$WORK_DIR/rss")")
    done
    echo "$(median "${times[@]}") $(printf '%s\n' "${counts[@]}" | sort -n | head -1)" \
        "$(printf '%s\n' "${counts[@]}" | sort -n | tail -1) $(median "${rss[@]}") ${times[0]}"
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

started=0
report=()
for count in 1 50; do
    for ((i = started + 1; i <= count; i++)); do
        sim_start --side dev --name "sim$i" --interface "$LAB_IF" \
            --uuid "$(printf '5ca00000-0000-4000-8000-%012d' "$((900 + i))")" --name "Bench $i" \
            --dnssd _uscan._tcp --dnssd-name "Bench $i" >/dev/null
    done
    started=$count
    read -r ms lo hi kb cold < <(measure "$WORK_DIR/wsd.env" "wsd:")
    report+=("$(printf '%-12s %3d devices: %6d ms  listed %d..%d of %d  peak RSS %6d kB  (first, no cache: %d ms)' \
        sane-wsd "$count" "$ms" "$lo" "$hi" "$count" "$kb" "$cold")")
    if [ "$have_airscan" = 1 ]; then
        read -r ms lo hi kb _ < <(measure "$WORK_DIR/airscan.env" "airscan:")
        report+=("$(printf '%-12s %3d devices: %6d ms  listed %d..%d of %d  peak RSS %6d kB' sane-airscan "$count" "$ms" "$lo" "$hi" "$count" "$kb")")
    else
        report+=("sane-airscan not installed: not measured")
    fi
done

echo "scanimage -L wall time and peak RSS, median of $runs runs (lab namespaces, $(date -u +%Y-%m-%dT%H:%MZ)):"
printf '  %s\n' "${report[@]}"
