#!/usr/bin/env bash
# The delivered image decides the page (sane-wsd issue 15), through scanimage
# and SANE's dll loader over loopback (discovery off), against three wsd-sim
# personalities:
#  - ignore-region: the device sends its whole area whatever ScanRegion was
#    asked for; the backend cuts the region out, offsets included.
#  - lower-final-resolution: the device scans at 150 dpi when 300 is asked,
#    and says so in DocumentFinalParameters; the backend scales the page to
#    300 dpi, so the file has the size and resolution asked for.
#  - one-page-feeder-jobs: every feeder job ends after one sheet
#    (RetrieveImage then faults ClientErrorJobIdNotFound); the backend scans
#    on with new jobs and ends the batch cleanly when the feeder is empty.
# Every page is checked pixel by pixel; the simulator's log shows the
# requests, and no job stays active.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir

sim_start --name kyocera --profile ignore-region -v
kyocera_url=$SIM_DEVICE_URL
sim_start --name lowres --profile lower-final-resolution -v
lowres_url=$SIM_DEVICE_URL
sim_start --name ricoh --profile one-page-feeder-jobs -v
ricoh_url=$SIM_DEVICE_URL
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device kyocera $kyocera_url" "device lowres $lowres_url" \
    "device ricoh $ricoh_url"
out=$WORK_DIR/out
mkdir -p "$out"

# operations NAME: "operation outcome" of every scan-job request, in order.
operations() {
    sim_log --name "$1" operation='CreateScanJob|RetrieveImage' | cut -f1,2 | tr '\t' ' ' | paste -sd';'
}

it_log "(1) a device that ignores the region: the region is cut out of the whole area"
guard 120 scanimage -d wsd:kyocera --format=png --resolution 150 --mode Color -l 10 -t 15 -x 180 -y 250 \
    -o "$out/region.png" || fail "(1) scan from the ignore-region device"
pattern_check "$out/region.png" --resolution 150 --mode color --sheet 1 --side front \
    --left 10 --top 15 --width 180 --height 250
assert_eq "$(operations kyocera)" "CreateScanJob ok;RetrieveImage ok" "(1) requests"
[ -z "$(sim_active --name kyocera)" ] || fail "(1) a job stayed active"

it_log "(2) a device that scans at 150 dpi when 300 is asked: scaled to 300"
guard 120 scanimage -d wsd:lowres --format=png --resolution 300 --mode Gray -l 10 -t 15 -x 180 -y 250 \
    -o "$out/lowres.png" || fail "(2) scan from the lower-final-resolution device"
# Each 150-dpi pixel is doubled: edges of the pattern move by up to one 300-dpi pixel.
pattern_check "$out/lowres.png" --resolution 300 --mode gray --sheet 1 --side front \
    --left 10 --top 15 --width 180 --height 250 --min-match 0.97
assert_eq "$(operations lowres)" "CreateScanJob ok;RetrieveImage ok" "(2) requests"
[ -z "$(sim_active --name lowres)" ] || fail "(2) a job stayed active"

it_log "(3) a feeder that ends each job after one page: three pages, then a clean end"
scan_adf_batch_and_check "" wsd:ricoh ADF 3
assert_eq "$(operations ricoh)" "$(printf '%s;' 'CreateScanJob ok' 'RetrieveImage ok' \
    'RetrieveImage fault:ClientErrorJobIdNotFound' 'CreateScanJob ok' 'RetrieveImage ok' \
    'RetrieveImage fault:ClientErrorJobIdNotFound' 'CreateScanJob ok' 'RetrieveImage ok' \
    'RetrieveImage fault:ClientErrorJobIdNotFound' | sed 's/;$//');CreateScanJob fault:ClientErrorNoImagesAvailable" \
    "(3) requests"
assert_not_logged --name ricoh "(3) no CancelJob" operation=CancelJob
[ -z "$(sim_active --name ricoh)" ] || fail "(3) a job stayed active"
it_log "pass"
