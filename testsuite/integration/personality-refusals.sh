#!/usr/bin/env bash
# Devices that refuse a job, each played by a wsd-sim personality, through
# scanimage and SANE's dll loader on loopback. For each: the SANE status and
# the message scanimage prints (the user's view), and wsd-sim's /log (which
# requests were made, no CreateScanJob after a refused validation, no job
# left active).
#   panel-only                  DEVICE_BUSY, "accepts only scans started at its panel"
#   empty-feeder-not-accepting  NO_DOCS from the feeder; the platen still scans
#   warming-up                  the scan succeeds after the warm-up; a cancel
#                               during the warm-up returns at once; a warm-up
#                               longer than warm-up-wait is DEVICE_BUSY
#   refuses-brightness          brightness dropped before the job (validation),
#                               or after the refusal (skip-validation quirk)
#   wrong-validation            INVAL, no job; the skip-validation quirk scans
#   needs-job-information       scans (the ticket carries JobInformation)
#   refuses-high-resolution     INVAL naming Resolution: no job after the
#                               refused validation; one refused job without it
#   storage-full                a status reason's own SANE status and message
#                               (InternalStorageFull, then LampError and
#                               AttentionRequired through the knob), from the
#                               status read before the scan: no job asked
#   clips-region                a full-area scan whose region ValidateScanTicket
#                               clips by 5/1000 inch: scanned with the device's
#                               region, page pixel-checked; without validation
#                               the unclipped region is refused; clipped by two
#                               inches (knob): INVAL naming ScanRegion
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir

sim_start --name panel --listen 127.0.0.1 --profile panel-only
panel_url=$SIM_DEVICE_URL
sim_start --name feeder --listen 127.0.0.1 --profile empty-feeder-not-accepting
feeder_url=$SIM_DEVICE_URL
sim_start --name bright --listen 127.0.0.1 --profile refuses-brightness
bright_url=$SIM_DEVICE_URL
sim_start --name wrong --listen 127.0.0.1 --profile wrong-validation
wrong_url=$SIM_DEVICE_URL
sim_start --name jobinfo --listen 127.0.0.1 --profile needs-job-information
jobinfo_url=$SIM_DEVICE_URL
sim_start --name stopped --listen 127.0.0.1 --profile storage-full
stopped_url=$SIM_DEVICE_URL
sim_start --name highres --listen 127.0.0.1 --profile refuses-high-resolution
highres_url=$SIM_DEVICE_URL
sim_start --name clips --listen 127.0.0.1 --profile clips-region
clips_url=$SIM_DEVICE_URL
sane_env_wsd "$WORK_DIR/sane" "discovery = off" \
    "device panel $panel_url" "device feeder $feeder_url" \
    "device bright $bright_url" "device bright-unvalidated $bright_url" "quirk bright-unvalidated skip-validation=on" \
    "device wrong $wrong_url" "device wrong-unvalidated $wrong_url" "quirk wrong-unvalidated skip-validation=on" \
    "device jobinfo $jobinfo_url" "device stopped $stopped_url" \
    "device highres $highres_url" "device highres-unvalidated $highres_url" "quirk highres-unvalidated skip-validation=on" \
    "device clips $clips_url" "device clips-unvalidated $clips_url" "quirk clips-unvalidated skip-validation=on"

# scan_refused DEVICE [SCANIMAGE OPTION...]: a scan that must fail; prints
# what scanimage and the backend's errors said.
scan_refused() {
    local device=$1 said
    shift
    if said=$(SANE_DEBUG_WSD=1 guard 120 scanimage -d "wsd:$device" --resolution 75 "$@" -o "$WORK_DIR/refused.pnm" 2>&1); then
        fail "the scan from $device succeeded: $said"
    fi
    echo "$said"
}

# CreateScanJob outcomes on a simulator's /log, in order, ";"-separated.
create_outcomes() {
    sim_control --name "$1" GET /log | python3 -c '
import json, sys
print(";".join(e["outcome"] for e in json.load(sys.stdin)["log"] if e["operation"] == "CreateScanJob"))'
}

assert_nothing_active() {
    [ -z "$(sim_active --name "$1")" ] || fail "$1: a job stayed active: $(sim_active --name "$1")"
}

it_log "panel-only: DEVICE_BUSY, saying the scanner takes only jobs started at its panel"
said=$(scan_refused panel)
assert_contains "$said" "scanimage: sane_start: Device busy" "panel-only: status"
assert_contains "$said" "it accepts only scans started at its panel" "panel-only: message"
# Refused once, then asked why (GetScannerElements after the fault); no job made.
assert_eq "$(create_outcomes panel)" "fault:ServerErrorNotAcceptingJobs" "panel-only: CreateScanJob"
sim_control --name panel GET /log | python3 -c '
import json, sys
ops = [e["operation"] for e in json.load(sys.stdin)["log"]]
create = ops.index("CreateScanJob")
sys.exit(0 if "GetScannerElements" in ops[create + 1:] else "no GetScannerElements after the refused CreateScanJob: %s" % ops)' ||
    fail "panel-only: the status was not asked after the fault"
[ -z "$(sim_jobs --name panel id)" ] || fail "panel-only: a job was created"

it_log "empty-feeder-not-accepting: NO_DOCS from the feeder, the platen scans"
said=$(scan_refused feeder --source ADF)
assert_contains "$said" "scanimage: sane_start: Document feeder out of documents" "empty feeder: status"
assert_contains "$said" "the feeder is probably empty" "empty feeder: message"
assert_eq "$(create_outcomes feeder)" "fault:ServerErrorNotAcceptingJobs" "empty feeder: CreateScanJob"
scan_flatbed_and_check "" wsd:feeder
assert_eq "$(create_outcomes feeder)" "fault:ServerErrorNotAcceptingJobs;ok" "empty feeder, then the platen"
assert_nothing_active feeder

it_log "warming-up: the first scan after the start waits for the warm-up and succeeds"
sim_start --name warm --listen 127.0.0.1 --profile warming-up
warm_url=$SIM_DEVICE_URL
printf '%s\n' "device warm $warm_url" >>"$WORK_DIR/sane/wsd.conf"
scan_flatbed_and_check "" wsd:warm
outcomes=$(create_outcomes warm)
case $outcomes in
    fault:ServerErrorNotAcceptingJobs*\;ok) ;;
    ok) it_log "warming-up: the warm-up was over before the scan (a slow machine); the refusals are not exercised" ;;
    *) fail "warming-up: CreateScanJob outcomes $outcomes" ;;
esac
assert_nothing_active warm

it_log "warming-up: a cancel during the warm-up ends sane_start at once"
sim_control --name warm POST /knobs '{"warm-up-ms": 600000}' >/dev/null
sim_control --name warm POST /reboot >/dev/null
sim_control --name warm POST /reset-log >/dev/null
refusals_before=$(sim_log --name warm --count operation=CreateScanJob)
scanimage -d wsd:warm --resolution 75 -o "$WORK_DIR/cancelled.pnm" >"$WORK_DIR/cancel.out" 2>&1 &
scan_pid=$!
refused_again() { [ "$(sim_log --name warm --count operation=CreateScanJob)" -gt "$refusals_before" ]; }
lab_wait_until 60 "a CreateScanJob refused during the warm-up" refused_again || fail "no CreateScanJob during the warm-up"
kill -INT "$scan_pid"
# The warm-up lasts ten minutes: a return within the guard is the cancel's.
wait_child "$scan_pid" 30 "scanimage cancelled during the warm-up"
assert_contains "$(cat "$WORK_DIR/cancel.out")" "sane_start: Operation was canceled" "warming-up: cancel"
assert_nothing_active warm

it_log "warming-up longer than warm-up-wait: DEVICE_BUSY, saying so"
sim_control --name warm POST /reboot >/dev/null
sim_control --name warm POST /reset-log >/dev/null
cp "$WORK_DIR/sane/wsd.conf" "$WORK_DIR/wsd.conf.saved"
echo "warm-up-wait = 1500" >>"$WORK_DIR/sane/wsd.conf"
said=$(scan_refused warm)
assert_contains "$said" "scanimage: sane_start: Device busy" "warm-up too long: status"
assert_contains "$said" "the scanner is calibrating, and still refuses jobs" "warm-up too long: message"
[ "$(sim_log --name warm --count operation=CreateScanJob outcome=ok)" = 0 ] || fail "warm-up too long: a job was made"
cp "$WORK_DIR/wsd.conf.saved" "$WORK_DIR/sane/wsd.conf"
sim_control --name warm POST /knobs '{"warm-up-ms": 0}' >/dev/null

it_log "refuses-brightness: validation drops brightness before the job"
guard 120 scanimage -d wsd:bright --resolution 75 --brightness 30 -o "$WORK_DIR/bright.pnm" ||
    fail "the scan with a refused brightness failed"
assert_logged --name bright "refuses-brightness: the ticket validated" operation=ValidateScanTicket
assert_eq "$(create_outcomes bright)" "ok" "refuses-brightness: CreateScanJob (no refused job)"
assert_nothing_active bright
it_log "refuses-brightness without validation: refused job, then again without brightness"
sim_control --name bright POST /reset-log >/dev/null
guard 120 scanimage -d wsd:bright-unvalidated --resolution 75 --brightness 30 -o "$WORK_DIR/bright2.pnm" ||
    fail "the unvalidated scan with a refused brightness failed"
assert_eq "$(create_outcomes bright)" "fault:ClientErrorInvalidScanTicket;ok" \
    "refuses-brightness, skip-validation: CreateScanJob"
assert_nothing_active bright

it_log "wrong-validation: INVAL and no job; the skip-validation quirk scans"
said=$(scan_refused wrong)
assert_contains "$said" "scanimage: sane_start: Invalid argument" "wrong-validation: status"
assert_contains "$said" "refused the scan settings (ValidateScanTicket) without saying which" "wrong-validation: message"
assert_logged --name wrong "wrong-validation: validated" operation=ValidateScanTicket
assert_not_logged --name wrong "wrong-validation: no job after a refused validation" operation=CreateScanJob
validations=$(sim_log --name wrong --count operation=ValidateScanTicket)
scan_flatbed_and_check "" wsd:wrong-unvalidated
assert_eq "$(sim_log --name wrong --count operation=ValidateScanTicket)" "$validations" \
    "wrong-validation: skip-validation sends no ValidateScanTicket"
assert_eq "$(create_outcomes wrong)" "ok" "wrong-validation, skip-validation: CreateScanJob"
assert_nothing_active wrong

it_log "needs-job-information: the ticket carries JobInformation"
scan_flatbed_and_check "" wsd:jobinfo
assert_eq "$(create_outcomes jobinfo)" "ok" "needs-job-information: CreateScanJob"
assert_nothing_active jobinfo

it_log "storage-full and other stopping reasons: each its own status and message"
check_stopped() {
    local reason=$1 status=$2 message=$3 said
    sim_control --name stopped POST /knobs "{\"stopped-reason\": \"$reason\"}" >/dev/null
    said=$(scan_refused stopped)
    assert_contains "$said" "scanimage: sane_start: $status" "$reason: status"
    assert_contains "$said" "$message" "$reason: message"
}
check_stopped InternalStorageFull "Out of memory" "internal storage is full"
check_stopped LampError "Error during device I/O" "lamp failure"
check_stopped AttentionRequired "Device busy" "needs attention"
# The status read before the scan says it all (the same table of reasons
# as after a refused job): no CreateScanJob is sent.
assert_logged --name stopped "stopped: the status read before the scan" operation=GetScannerElements
assert_not_logged --name stopped "stopped: refused before a job, from the status" operation=CreateScanJob
[ -z "$(sim_jobs --name stopped id)" ] || fail "stopped: a job was created"

it_log "refuses-high-resolution: INVAL naming Resolution, no job after the refused validation"
said=$(scan_refused highres --resolution 600)
assert_contains "$said" "scanimage: sane_start: Invalid argument" "refused resolution: status"
assert_contains "$said" "the scanner refused the scan settings: it objects to Resolution" "refused resolution: message"
assert_logged --name highres "refused resolution: validated" operation=ValidateScanTicket
assert_not_logged --name highres "refused resolution: no job after a refused validation" operation=CreateScanJob
it_log "refuses-high-resolution without validation: one refused job, no format or exposure retries"
said=$(scan_refused highres-unvalidated --resolution 600)
assert_contains "$said" "scanimage: sane_start: Invalid argument" "refused resolution, unvalidated: status"
assert_contains "$said" "it objects to Resolution (ClientErrorInvalidScanTicket)" "refused resolution, unvalidated: message"
assert_eq "$(create_outcomes highres)" "fault:ClientErrorInvalidScanTicket" "refused resolution, unvalidated: CreateScanJob"
scan_flatbed_and_check "" wsd:highres
assert_nothing_active highres

it_log "clips-region: the device's clipped region is used; the full-area page checked pixel by pixel"
# office-mfp's platen is 8.5 x 11.69 inches; the device's own area is 5/1000
# inch less each way, within rounding of what is asked.
guard 180 scanimage -d wsd:clips --format=png --resolution 150 --mode Color \
    -l 0 -t 0 -x 215.9 -y 296.926 -o "$WORK_DIR/clips.png" || fail "clips-region: the full-area scan failed"
pattern_check "$WORK_DIR/clips.png" --resolution 150 --mode color --sheet 1 --side front \
    --left 0 --top 0 --width 215.9 --height 296.926
assert_logged --name clips "clips-region: validated" operation=ValidateScanTicket
assert_eq "$(create_outcomes clips)" "ok" "clips-region: CreateScanJob with the device's region"
assert_nothing_active clips
it_log "clips-region without validation: the unclipped region is refused (the device is strict)"
sim_control --name clips POST /reset-log >/dev/null
scan_refused clips-unvalidated -l 0 -t 0 -x 215.9 -y 296.926 >/dev/null
case $(create_outcomes clips) in
    fault:InvalidArgs*) ;;
    *) fail "clips-region, unvalidated: CreateScanJob outcomes $(create_outcomes clips)" ;;
esac
[ "$(sim_log --name clips --count operation=CreateScanJob outcome=ok)" = 0 ] || fail "clips-region, unvalidated: a job was made"
it_log "clips-region by two inches: INVAL naming ScanRegion, no job"
sim_control --name clips POST /knobs '{"clip-region-by": 2000}' >/dev/null
sim_control --name clips POST /reset-log >/dev/null
said=$(scan_refused clips -l 0 -t 0 -x 215.9 -y 296.926)
assert_contains "$said" "scanimage: sane_start: Invalid argument" "region clipped far: status"
assert_contains "$said" "the scanner refused the scan settings: it objects to ScanRegion" "region clipped far: message"
assert_not_logged --name clips "region clipped far: no job after a refused validation" operation=CreateScanJob
assert_nothing_active clips

it_log "all personalities handled"
