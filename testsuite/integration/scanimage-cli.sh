#!/usr/bin/env bash
# scanimage, the command-line frontend, against wsd-sim over loopback through
# our backend (no discovery, no namespaces, no root): -L, -A with help text
# for every option, each output format, -p progress, --batch with
# --batch-count from the feeder, and a duplex batch.  Every image is checked
# against the test pattern, and no job may stay active on the simulator.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir
build_program check testsuite/tools/pattern-check

sim_start --profile office-mfp --adf-pages 5 -v
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device cli $SIM_DEVICE_URL"
device=wsd:cli
out=$WORK_DIR/out
mkdir -p "$out"

no_job_active() { [ -z "$(sim_active)" ]; }
expect_no_active_job() {
    # The backend ends a job when scanimage closes the device: a bounded wait.
    lab_wait_until 20 "no active job" no_job_active || fail "$1: jobs left active: $(sim_active)"
}

it_log "-L"
list=$(guard 60 scanimage -L 2>&1) || fail "scanimage -L: $list"
assert_eq "$list" "device \`$device' is a sane-wsd project WSD Sim Office MFP 4200 multi-function peripheral" \
    "scanimage -L"

it_log "-A: every option with its help text"
all=$(guard 60 scanimage -d "$device" -A 2>&1) || fail "scanimage -A: $all"
for option in "--source Flatbed|ADF|ADF Duplex [Flatbed]" "--mode Color|Gray|Lineart [Color]" \
    "--resolution 75|100|150|200|300|600dpi" "--threshold 0..100% (in steps of 1) [inactive]" "-l 0..215.9mm [0]" "-t 0..296.926mm [0]" \
    "-x 0..215.9mm [215.9]" "-y 0..296.926mm [296.926]" "--compression " "--scanner-state " "--cover-open"; do
    assert_contains "$all" "    $option" "scanimage -A"
done
for group in "Scan Mode:" "Geometry:" "Status:"; do
    assert_contains "$all" "  $group" "scanimage -A"
done
# An option line (4 spaces, a dash) must be followed by its help (8 spaces).
python3 - "$all" <<'EOF' || fail "an option without help text in scanimage -A"
import sys
lines = sys.argv[1].splitlines()
for i, line in enumerate(lines):
    if line.startswith("    -"):
        help_line = lines[i + 1] if i + 1 < len(lines) else ""
        if not help_line.startswith("        ") or not help_line.strip():
            print("no help text for:", line.strip())
            sys.exit(1)
EOF

it_log "--format png, jpeg, tiff, pnm (with -p)"
# The first bytes of each format (TIFF: either byte order).
declare -A magic=([png]=89504e47 [jpeg]=ffd8ff [tiff]='(49492a00|4d4d002a)' [pnm]=5036)
for format in png jpeg tiff pnm; do
    file=$out/page.$format
    progress=$(guard 120 scanimage -d "$device" --mode Color --resolution 100 --format="$format" -p \
        -o "$file" 2>&1) || fail "scan to $format: $progress"
    head=$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')
    [[ $head =~ ^${magic[$format]} ]] || fail "--format=$format wrote a file starting with $head"
    # JPEG is lossy: the bars and steps are still checked, with a looser bound per pixel.
    extra=()
    [ "$format" = jpeg ] && extra=(--pixel-tolerance 96 --min-match 0.97)
    guard 60 "$check" -r 100 -m color -s 1 "${extra[@]}" "$file" || fail "pattern in the $format file"
    assert_contains "$progress" "Progress: 100.0%" "scanimage -p output for $format"
done
expect_no_active_job "formats"

it_log "--batch --batch-count=2 from a feeder holding 5 sheets"
guard 180 scanimage -d "$device" --source ADF --mode Gray --resolution 100 --format=pnm \
    --batch="$out/count%d.pgm" --batch-count=2 || fail "--batch-count=2"
assert_eq "$(find "$out" -name 'count*.pgm' | wc -l)" 2 "pages of --batch-count=2"
for n in 1 2; do
    guard 60 "$check" -r 100 -m gray -s "$n" "$out/count$n.pgm" || fail "--batch-count page $n"
done
expect_no_active_job "--batch-count"

it_log "--source \"ADF Duplex\": a 2-sheet batch"
sim_control POST /knobs '{"adf-pages":2}' >/dev/null
guard 180 scanimage -d "$device" --source "ADF Duplex" --mode Lineart --resolution 150 --format=pnm \
    --batch="$out/duplex%d.pbm" --batch-start=1
assert_eq "$(find "$out" -name 'duplex*.pbm' | wc -l)" 4 "images of a 2-sheet duplex batch"
n=0
for sheet in 1 2; do
    for side in front back; do
        n=$((n + 1))
        guard 60 "$check" -r 150 -m lineart -s "$sheet" --side "$side" "$out/duplex$n.pbm" ||
            fail "duplex image $n (sheet $sheet $side)"
    done
done
expect_no_active_job "duplex"

# One job per scan or batch: the --batch-count job is cancelled after its two
# pages (three sheets stay in the feeder), the duplex job ends with the feeder.
jobs=$(sim_control GET /jobs | python3 -c '
import json, sys
for j in json.load(sys.stdin)["jobs"]:
    print(j["id"], j["source"], j["state"], j["imagesRetrieved"], end=";")')
assert_eq "$jobs" "1 Platen Completed 1;2 Platen Completed 1;3 Platen Completed 1;4 Platen Completed 1;5 ADF Canceled 2;6 ADFDuplex Completed 4;" \
    "simulator jobs"
