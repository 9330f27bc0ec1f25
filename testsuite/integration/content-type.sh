#!/usr/bin/env bash
# ContentType (WS-Scan ContentTypesSupported) as the option --content-type,
# through scanimage and the dll loader over loopback: offered with the
# device's own words and Auto as default where the device lists them
# (office-mfp), absent where it lists none (single-pass-duplex); the value
# chosen reaches the ticket of CreateScanJob, and a device listing none gets
# no ContentType at all (wsd-sim refuses one it did not advertise).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir
build_program check testsuite/tools/pattern-check

sim_start --name mfp --profile office-mfp -v
mfp_url=$SIM_DEVICE_URL
sim_start --name plain --profile single-pass-duplex -v
plain_url=$SIM_DEVICE_URL
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device mfp $mfp_url" "device plain $plain_url"
out=$WORK_DIR/out
mkdir -p "$out"

it_log "-A: offered where listed, absent where not"
all=$(guard 60 scanimage -d wsd:mfp -A 2>&1) || fail "scanimage -A: $all"
assert_contains "$all" "    --content-type Auto|Text|Photo|Mixed [Auto]" "content types of office-mfp"
all=$(guard 60 scanimage -d wsd:plain -A 2>&1) || fail "scanimage -A: $all"
assert_not_contains "$all" "--content-type" "options of a device without content types"

# ContentType of each CreateScanJob ticket, in order.
content_types() {
    sim_control --name "$1" GET /log | python3 -c '
import json, sys
for e in json.load(sys.stdin)["log"]:
    if e["operation"] == "CreateScanJob":
        print(e["outcome"], e["ticket"]["contentType"], end=";")'
}

it_log "--content-type Text reaches the ticket; the default is Auto"
guard 120 scanimage -d wsd:mfp --content-type Text --mode Gray --resolution 100 --format=pnm -o "$out/text.pgm" ||
    fail "scan with --content-type Text"
guard 60 "$check" -r 100 -m gray -s 1 "$out/text.pgm" || fail "pattern in the Text scan"
guard 120 scanimage -d wsd:mfp --mode Gray --resolution 100 --format=pnm -o "$out/auto.pgm" ||
    fail "scan with the default content type"
assert_eq "$(content_types mfp)" "ok Text;ok Auto;" "ContentType of the office-mfp tickets"
if refused=$(guard 60 scanimage -d wsd:mfp --content-type Halftone -n 2>&1); then
    fail "--content-type Halftone accepted on a device without it: $refused"
fi

it_log "no ContentType sent to a device that lists none"
guard 120 scanimage -d wsd:plain --mode Gray --resolution 100 --format=pnm -o "$out/plain.pgm" ||
    fail "scan from the device without content types"
guard 60 "$check" -r 100 -m gray -s 1 "$out/plain.pgm" || fail "pattern in the scan without content type"
assert_eq "$(content_types plain)" "ok None;" "ContentType of the single-pass-duplex ticket"

for name in mfp plain; do
    assert_not_logged --name "$name" "no refused request on $name" "outcome=fault:*"
    no_job_active() { [ -z "$(sim_active --name "$name")" ]; }
    lab_wait_until 20 "no active job on $name" no_job_active || fail "jobs left active on $name"
done
