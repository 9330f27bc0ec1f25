#!/usr/bin/env bash
# A feeder that scans both sides in one pass and says ADFSupportsDuplex false
# while describing its ADFBack (personality single-pass-duplex: Brother
# MFC-9340CDW / MFC-9370CDW).  Through scanimage and the dll loader over
# loopback: the backend must offer ADF Duplex, and a duplex batch of N sheets
# must give 2N pages, fronts and backs in order, each checked against the
# test pattern; the simulator must have taken the ADFDuplex ticket and ended
# the job.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir
build_program check testsuite/tools/pattern-check

sheets=3
sim_start --profile single-pass-duplex --adf-pages "$sheets" -v
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device brother $SIM_DEVICE_URL"
out=$WORK_DIR/out
mkdir -p "$out"

it_log "-A: ADF Duplex offered"
all=$(guard 60 scanimage -d wsd:brother -A 2>&1) || fail "scanimage -A: $all"
assert_contains "$all" "    --source Flatbed|ADF|ADF Duplex [Flatbed]" "sources"

it_log "a duplex batch of $sheets sheets"
guard 180 scanimage -d wsd:brother --source "ADF Duplex" --mode Color --resolution 100 --format=pnm \
    --batch="$out/page%d.ppm" --batch-start=1 || fail "duplex batch"
assert_eq "$(find "$out" -name 'page*.ppm' | wc -l)" $((2 * sheets)) "pages of a $sheets-sheet duplex batch"
n=0
for sheet in $(seq 1 "$sheets"); do
    for side in front back; do
        n=$((n + 1))
        guard 60 "$check" -r 100 -m color -s "$sheet" --side "$side" "$out/page$n.ppm" ||
            fail "page $n (sheet $sheet $side)"
    done
done

no_job_active() { [ -z "$(sim_active)" ]; }
lab_wait_until 20 "no active job" no_job_active || fail "jobs left active: $(sim_active)"
jobs=$(sim_jobs source state imagesRetrieved | tr '\n' ';')
assert_eq "$jobs" "ADFDuplex Completed $((2 * sheets));" "simulator jobs"
assert_logged "the duplex job was created" operation=CreateScanJob outcome=ok
# The feeder's end is a fault on RetrieveImage (ClientErrorNoImagesAvailable);
# nothing else may have been refused.
assert_not_logged "no refused request" "operation=GetScannerElements|ValidateScanTicket|CreateScanJob" \
    "outcome=fault:*"
