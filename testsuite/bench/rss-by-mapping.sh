#!/bin/bash
# Resident memory by mapping (issue 18): where the baseline of a frontend
# process goes, ours beside sane-airscan's. sane-probe is stopped at two
# points, through SANE's dll loader with one configured device on loopback
# (wsd-sim, office-mfp offering JPEG only, as scan-bench.sh) and discovery
# off: after sane_init + sane_get_devices ("list", what `scanimage -L` and a
# frontend's start pay) and after sane_open ("open"). /proc/PID/smaps is
# summed by file (anonymous mappings as [anon]); the clients alternate,
# RUNS times each (default 3), and the median of each mapping is printed.
# Run: WSD_BUILD_DIR=<build dir> testsuite/bench/rss-by-mapping.sh [RUNS]
# No root, no namespaces: nothing leaves loopback.
. "$(dirname "$0")/../integration/lib.sh"

runs=${1:-3}
require_commands python3
build_program probe testsuite/tools/sane-probe
airscan_installed || skip "sane-airscan is not installed"

profile="$WORK_DIR/office-mfp-jpeg.xml"
grep -v -e '>exif<' -e '>png<' -e '>tiff-single' -e '>dib<' \
    "$WSD_SOURCE_DIR/testsuite/sim/profiles/office-mfp.xml" >"$profile"
sim_start --profile "$profile"
mkdir -p "$WORK_DIR/ours" "$WORK_DIR/airscan"
(sane_env_wsd "$WORK_DIR/ours" "discovery = off" "device lab http://127.0.0.1:$SIM_PORT/wsd")
(sane_env_airscan "$WORK_DIR/airscan" '[devices]' "\"Sim\" = $SIM_SERVICE_URL, WSD" \
    '[options]' 'discovery = disable' 'ws-discovery = off')
declare -A DEVICE=([ours]=wsd:lab [airscan]=airscan:w0:Sim)

# snapshot CLIENT POINT N: runs sane-probe until it waits for SIGUSR1 at POINT,
# writes its smaps summed by mapping to $WORK_DIR/CLIENT-POINT-N, ends it.
snapshot() {
    local client=$1 point=$2 n=$3 out="$WORK_DIR/$1-$2-$3.events" pid line
    local -a cmd=(env SANE_CONFIG_DIR="$WORK_DIR/$client" SANE_WSD_DISCOVERY=off)
    [ "$client" = ours ] && cmd+=(LD_LIBRARY_PATH="$WORK_DIR/ours/lib")
    cmd+=("$probe")
    if [ "$point" = list ]; then
        cmd+=(--list --again-after-usr1)
    else
        cmd+=(-d "${DEVICE[$client]}" --start-after-usr1)
    fi
    mkfifo "$out.fifo"
    "${cmd[@]}" >"$out.fifo" 2>>"$WORK_DIR/$client.stderr" &
    pid=$!
    exec {fd}<"$out.fifo"
    while IFS= read -r -t 30 -u "$fd" line; do
        echo "$line" >>"$out"
        case $line in *awaiting-usr1*) break ;; esac
    done
    grep -q awaiting-usr1 "$out" || fail "$client $point: sane-probe did not stop (see $out)"
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anon]"; if (name ~ /^\[stack/) name = "[stack]" }
         /^Rss:/ { rss[name] += $2; total += $2 }
         END { for (n in rss) if (rss[n]) print rss[n], n; print total, "TOTAL" }' \
        "/proc/$pid/smaps" >"$WORK_DIR/$client-$point-$n"
    kill "$pid"
    wait "$pid" 2>/dev/null
    exec {fd}<&-
    rm -f "$out.fifo"
}

for point in list open; do
    for ((i = 0; i < runs; i++)); do
        for client in ours airscan; do
            snapshot "$client" "$point" "$i"
        done
    done
done

python3 - "$WORK_DIR" "$runs" <<'EOF'
import os, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])

def medians(client, point):
    samples = {}
    for i in range(runs):
        with open(os.path.join(work, f"{client}-{point}-{i}")) as f:
            for line in f:
                kb, name = line.split(maxsplit=1)
                samples.setdefault(os.path.basename(name.strip()), []).append(int(kb))
    return {n: statistics.median(v + [0] * (runs - len(v))) for n, v in samples.items()}

for point, what in (("list", "after sane_init + sane_get_devices"), ("open", "after sane_open")):
    ours, theirs = medians("ours", point), medians("airscan", point)
    print(f"RSS by mapping {what}, kB, median of {runs} (ours, sane-airscan):")
    names = sorted(set(ours) | set(theirs), key=lambda n: -max(ours.get(n, 0), theirs.get(n, 0)))
    for n in ["TOTAL"] + [n for n in names if n != "TOTAL"]:
        print(f"  {ours.get(n, 0):8.0f} {theirs.get(n, 0):8.0f}  {n}")
    print()
EOF
