#!/usr/bin/env bash
# Lineart on a device without a bilevel format: wsd-sim plays a flatbed whose
# only formats are JPEG and PDF/A and whose ColorEntries lack BlackAndWhite1
# (profile jpeg-pdf-only).  scanimage asks Lineart through our backend over
# loopback (no discovery, no root); the backend must send a ticket with
# Grayscale8 and a Format the device lists, threshold the gray page itself
# and deliver a 1-bit image that matches the test pattern.  A device whose
# only format is PDF/A (profile pdf-only) cannot be opened: UNSUPPORTED,
# naming its formats.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir
build_program check testsuite/tools/pattern-check

sim_start --name jpeg --profile jpeg-pdf-only -v
jpeg_url=$SIM_DEVICE_URL
sim_start --name pdf --profile pdf-only -v
pdf_url=$SIM_DEVICE_URL
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device jpeg $jpeg_url" "device pdf $pdf_url"
out=$WORK_DIR/out
mkdir -p "$out"

it_log "-A: Lineart offered, threshold active only in Lineart"
all=$(guard 60 scanimage -d wsd:jpeg -A 2>&1) || fail "scanimage -A: $all"
assert_contains "$all" "    --mode Color|Gray|Lineart [Color]" "modes of the JPEG+PDF device"
assert_contains "$all" "    --threshold 0..100% (in steps of 1) [inactive]" "threshold in Color mode"
all=$(guard 60 scanimage -d wsd:jpeg --mode Lineart -A 2>&1) || fail "scanimage --mode Lineart -A: $all"
assert_contains "$all" "    --threshold 0..100% (in steps of 1) [50]" "threshold in Lineart mode"

it_log "Lineart scan, thresholded by the backend"
guard 120 scanimage -d wsd:jpeg --mode Lineart --resolution 150 --format=pnm -o "$out/lineart.pbm" ||
    fail "Lineart scan from the JPEG+PDF device"
# A PBM: 1 bit per pixel.
assert_eq "$(head -c 2 "$out/lineart.pbm")" P4 "PNM kind of the Lineart scan"
# JPEG noise moves pixels near the edges of the bars: a looser share.
guard 60 "$check" -r 150 -m lineart -s 1 --min-match 0.97 "$out/lineart.pbm" || fail "pattern in the lineart scan"

# The ticket asked gray, in a format the device listed; the device refused nothing.
tickets=$(sim_control --name jpeg GET /log | python3 -c '
import json, sys
for e in json.load(sys.stdin)["log"]:
    if e["operation"] == "CreateScanJob":
        print(e["outcome"], e["ticket"]["colorProcessing"], e["ticket"]["format"], end=";")')
assert_eq "$tickets" "ok Grayscale8 jfif;" "CreateScanJob of the Lineart scan"
assert_not_logged --name jpeg "no refused request" "outcome=fault:*"
[ -z "$(sim_active --name jpeg)" ] || fail "a job stayed active"

it_log "A higher threshold makes more black"
guard 120 scanimage -d wsd:jpeg --mode Lineart --resolution 150 --threshold 90 --format=pnm \
    -o "$out/dark.pbm" || fail "Lineart scan at 90 %"
black_share() {
    python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
# P4 header: magic, width, height, then the packed rows.
fields, at = [], 0
while len(fields) < 3:
    while data[at:at + 1].isspace():
        at += 1
    end = at
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[at:end])
    at = end
pixels = data[at + 1:]
print(sum(bin(b).count("1") for b in pixels))
PY
}
normal=$(black_share "$out/lineart.pbm")
dark=$(black_share "$out/dark.pbm")
[ "$dark" -gt "$normal" ] || fail "threshold 90 gave $dark black pixels, 50 gave $normal"

it_log "a device with no format we decode: UNSUPPORTED at open, naming its formats"
if refused=$(SANE_DEBUG_WSD=1 guard 60 scanimage -d wsd:pdf -n 2>&1); then
    fail "opening the PDF-only device succeeded: $refused"
fi
assert_contains "$refused" "$(printf 'open of device wsd:pdf failed: Operation not supported')" "scanimage's error"
assert_contains "$refused" "pdf-a" "the device's formats named"
assert_not_logged --name pdf "no job on the PDF-only device" "operation=CreateScanJob"

