#!/usr/bin/env bash
# A scan started at the panel through the real scanbd (Debian package
# scanbd), on loopback. scanbd polls the backend's `scan` sensor option; on a
# press it closes its handle and runs its action script, whose scanimage
# opens the scanner in another process and calls sane_start. The device is
# wsd-sim's panel-only personality: it refuses every host-initiated job, so
# the page comes only if the press crossed from scanbd's process to
# scanimage's (the press's ScanIdentifier and the DestinationToken of
# scanbd's subscription, which must still exist: the strict simulator
# refuses the token of an ended subscription). Checked: the page's pixels,
# the one job Completed and made through scanbd's subscription, scanimage
# subscribing to nothing itself (the panel never lists this computer twice)
# and Unsubscribing the handed-over subscription, scanbd subscribing anew
# after its script, no press left in the hand-over file, and scanbd stopped
# by SIGTERM Unsubscribing: no job and no destination left behind.
#
# scanbd runs in the foreground (-f) as the user running the test (root in
# CI), with a private configuration: only the wsd backend (a private
# SANE_CONFIG_DIR), an action for the `scan` option, a function passing
# `panel-source` to the script. It needs no D-Bus: without a system bus it
# logs that it cannot connect and polls all the same. No discovery.
. "$(dirname "$0")/lib.sh"

require_commands python3 curl scanimage
SCANBD=$(command -v scanbd || echo /usr/sbin/scanbd)
[ -x "$SCANBD" ] || skip "scanbd is not installed (Debian package scanbd)"
build_program check testsuite/tools/pattern-check
export SANE_WSD_DISCOVERY=off

DESTINATION="scanbd test"

panel_subscriptions() {
    sim_control GET /panel | python3 -c '
import json, sys
for d in json.load(sys.stdin)["destinations"]:
    print(d["name"], d["subscription"], sep="\t")'
}
# on_panel_besides [SUBSCRIPTION]: our destination listed once, through
# another subscription than SUBSCRIPTION.
on_panel_besides() {
    local listed
    listed=$(panel_subscriptions)
    [ "$(wc -l <<<"$listed")" = 1 ] && [ "${listed%%$'\t'*}" = "$DESTINATION" ] &&
        [ "${listed#*$'\t'}" != "${1:-}" ]
}
logged() { [ "$(sim_log --count "$@")" -gt 0 ]; }

sim_start --listen 127.0.0.1 --profile panel-only
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "push-destination = $DESTINATION" "device panel $SIM_DEVICE_URL"
module="$WSD_BUILD_DIR/backend/.libs/libsane-wsd.so.1"
# scanbd is no instrumented program, and loads the module itself.
! nm -D --undefined-only "$module" 2>/dev/null | grep -q ' __asan_init' ||
    skip "a sanitizer build: scanbd would load the instrumented module without its runtime"

# The action script: scanbd passes it PATH, PWD, USER, HOME and its own
# variables alone, so the SANE environment is written into it.
mkdir -p "$WORK_DIR/home"
cat >"$WORK_DIR/scan.script" <<EOF
#!/bin/sh
printf '%s\n' "device=\$SCANBD_DEVICE" "action=\$SCANBD_ACTION" "source=\$SCANBD_PANEL_SOURCE" >"$WORK_DIR/script.env"
SANE_CONFIG_DIR="$SANE_CONFIG_DIR" LD_LIBRARY_PATH="$LD_LIBRARY_PATH" SANE_WSD_DISCOVERY=off SANE_DEBUG_WSD=3 \\
    scanimage -d "\$SCANBD_DEVICE" --resolution 100 --mode Color --format=png -o "$WORK_DIR/page.png" \\
    2>"$WORK_DIR/scanimage.err"
echo \$? >"$WORK_DIR/script.status.new" && mv "$WORK_DIR/script.status.new" "$WORK_DIR/script.status"
EOF
chmod 755 "$WORK_DIR/scan.script"

cat >"$WORK_DIR/scanbd.conf" <<EOF
global {
    debug = true
    debug-level = 3
    user = "$(id -un)"
    group = "$(id -gn)"
    saned = "/usr/sbin/saned"
    scriptdir = "$WORK_DIR"
    timeout = 100
    pidfile = "$WORK_DIR/scanbd.pid"
    environment {
        device = "SCANBD_DEVICE"
        action = "SCANBD_ACTION"
    }
    function panel_source {
        filter = "^panel-source\$"
        desc = "The source chosen at the panel"
        env = "SCANBD_PANEL_SOURCE"
    }
    action scan {
        filter = "^scan\$"
        numerical-trigger {
            from-value = 0
            to-value = 1
        }
        desc = "Scan from the panel to a file"
        script = "$WORK_DIR/scan.script"
    }
}
EOF

show_on_failure "$WORK_DIR/scanbd.log" "$WORK_DIR/scanimage.err"
env -i PATH="$PATH" HOME="$WORK_DIR/home" SANE_CONFIG_DIR="$SANE_CONFIG_DIR" LD_LIBRARY_PATH="$LD_LIBRARY_PATH" \
    SANE_WSD_DISCOVERY=off SANE_DEBUG_WSD=3 "$SCANBD" -f -c "$WORK_DIR/scanbd.conf" \
    </dev/null >"$WORK_DIR/scanbd.log" 2>&1 &
scanbd_pid=$!
lab_at_exit "kill -TERM $scanbd_pid 2>/dev/null || true"
it_log "scanbd pid $scanbd_pid"

lab_wait_until 60 "scanbd's destination on the panel" on_panel_besides ||
    fail "the panel lists: $(panel_subscriptions)"
lab_wait_until 30 "scanbd's Subscribe on the log" logged operation=Subscribe outcome=ok ||
    fail "no Subscribe: $(sim_log operation=Subscribe)"
first=$(panel_subscriptions | cut -f2)

it_log "press Scan at the panel"
sim_control POST /panel/press "{\"destination\": \"$DESTINATION\", \"source\": \"Platen\", \"pages\": 1}" >/dev/null
lab_wait_until 120 "scanbd's action script" test -e "$WORK_DIR/script.status" ||
    fail "the action script did not run or did not end"
assert_eq "$(cat "$WORK_DIR/script.status")" 0 "scanimage's exit status in the action script"
assert_contains "$(cat "$WORK_DIR/script.env")" "device=wsd:panel" "the script's environment"
assert_contains "$(cat "$WORK_DIR/script.env")" "source=Flatbed" "the panel's source passed by scanbd"
assert_contains "$(cat "$WORK_DIR/scanimage.err")" "that another process handed over" "scanimage's log"
pattern_check "$WORK_DIR/page.png" --resolution 100 --mode color --sheet 1 --side front

# The one job: device-initiated through scanbd's subscription.
assert_eq "$(sim_log --count operation=CreateScanJob)" 1 "CreateScanJob requests"
assert_logged "the job of the press" operation=CreateScanJob outcome=ok subscription="$first"
assert_eq "$(sim_jobs state)" Completed "the job's end state"
assert_logged "the handed-over subscription ended by scanimage" operation=Unsubscribe outcome=ok \
    subscription="$first"

# scanbd reopens the scanner after its script: a subscription of its own again.
lab_wait_until 60 "scanbd's new destination" on_panel_besides "$first" ||
    fail "after the script, the panel lists: $(panel_subscriptions)"
assert_eq "$(sim_log --count operation=Subscribe outcome=ok)" 2 \
    "Subscribes (scanbd's two; scanimage's handle waits for the handed-over press instead of adding one)"
[ ! -s "$WORK_DIR/home/.cache/sane-wsd/panel-presses" ] ||
    fail "a press left in the hand-over file: $(cat "$WORK_DIR/home/.cache/sane-wsd/panel-presses")"
second=$(panel_subscriptions | cut -f2)

it_log "stop scanbd"
kill -TERM "$scanbd_pid"
lab_wait_until 60 "scanbd to exit on SIGTERM" sim__exited "$scanbd_pid" || fail "scanbd still runs after SIGTERM"
wait "$scanbd_pid" 2>/dev/null
lab_wait_until 30 "scanbd's Unsubscribe" logged operation=Unsubscribe outcome=ok subscription="$second" ||
    fail "scanbd's subscription was not ended: $(sim_log operation=Unsubscribe)"
assert_eq "$(panel_subscriptions)" "" "destinations left on the panel"
assert_eq "$(sim_active)" "" "active jobs"
assert_no_refused_request
it_log "PASS"
