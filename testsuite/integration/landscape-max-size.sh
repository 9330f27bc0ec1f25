#!/usr/bin/env bash
# A device that sends its maximum sizes landscape (personality
# landscape-max-size: Kyocera ECOSYS M2040dn, Width and Height swapped) while
# its document area is portrait and its ticket checks use that portrait area.
# Through scanimage and the dll loader, over loopback (no discovery, no root):
# the backend must offer the portrait area, scan an A4 page at its full
# height from the platen (page checked against the test pattern), offer the
# Legal-long feeder area, and end every job.  With the quirk
# landscape-max-size=on in wsd.conf the sizes are taken as sent.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir
build_program check testsuite/tools/pattern-check

sim_start --profile landscape-max-size -v
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device kyo $SIM_DEVICE_URL" "device trusted $SIM_DEVICE_URL" \
    "quirk trusted landscape-max-size=on"
out=$WORK_DIR/out
mkdir -p "$out"

it_log "-A: the portrait area on the platen and on the feeder"
all=$(guard 60 scanimage -d wsd:kyo -A 2>&1) || fail "scanimage -A: $all"
assert_contains "$all" "    -x 0..215.9mm [215.9]" "platen width"
assert_contains "$all" "    -y 0..296.926mm [296.926]" "platen height"
all=$(guard 60 scanimage -d wsd:kyo --source ADF -A 2>&1) || fail "scanimage --source ADF -A: $all"
assert_contains "$all" "    -x 0..215.9mm [215.9]" "feeder width"
assert_contains "$all" "    -y 0..355.6mm [355.6]" "feeder height"

it_log "an A4 page at full height from the platen"
guard 120 scanimage -d wsd:kyo --source Flatbed --mode Gray --resolution 100 -x 210 -y 296.926 --format=pnm \
    -o "$out/a4.pgm" || fail "full-height platen scan"
guard 60 "$check" -r 100 -m gray -s 1 -x 210 -y 296.926 "$out/a4.pgm" || fail "pattern in the full-height scan"

it_log "a Legal-long sheet at full height from the feeder"
sim_control POST /knobs '{"adf-pages":1}' >/dev/null
guard 120 scanimage -d wsd:kyo --source ADF --mode Gray --resolution 100 -y 355.6 --format=pnm \
    --batch="$out/legal%d.pgm" || fail "full-height feeder scan"
assert_eq "$(find "$out" -name 'legal*.pgm' | wc -l)" 1 "pages from the feeder"
guard 60 "$check" -r 100 -m gray -s 1 -x 215.9 -y 355.6 "$out/legal1.pgm" || fail "pattern in the feeder scan"

no_job_active() { [ -z "$(sim_active)" ]; }
lab_wait_until 20 "no active job" no_job_active || fail "jobs left active: $(sim_active)"
jobs=$(sim_jobs source state imagesRetrieved | tr '\n' ';')
assert_eq "$jobs" "Platen Completed 1;ADF Completed 1;" "simulator jobs"
# The feeder's end is a fault on RetrieveImage (ClientErrorNoImagesAvailable);
# nothing else may have been refused.
assert_not_logged "no refused request" "operation=GetScannerElements|ValidateScanTicket|CreateScanJob" \
    "outcome=fault:*"

it_log "quirk landscape-max-size=on: the sizes as sent"
all=$(guard 60 scanimage -d wsd:trusted -A 2>&1) || fail "scanimage -A with the quirk: $all"
# (The default region stays the DefaultScanTicket's, clamped to this area.)
assert_contains "$all" "    -x 0..296.926mm [" "platen width with the quirk"
assert_contains "$all" "    -y 0..215.9mm [" "platen height with the quirk"
