#!/usr/bin/env bash
# Scans started at the panel through the real scanbd (Debian package
# scanbd), on loopback. scanbd polls the backend's `scan` sensor option; on a
# press it closes its handle and runs its action script, whose scanimage
# opens the scanner in another process and calls sane_start. The device is
# wsd-sim's panel-only personality: it refuses every host-initiated job, so
# the page comes only if the press crossed from scanbd's process to
# scanimage's (the press's ScanIdentifier and the DestinationToken of
# scanbd's subscription, which must still exist: the strict simulator
# refuses the token of an ended subscription). Two presses: the platen, then
# the feeder with two sheets (the script scans a batch when scanbd passes it
# a feeder as the panel's source) through the subscription scanbd made after
# the first. Checked for each: every page's pixels, the one job Completed
# and made through scanbd's subscription, scanimage adding no destination of
# its own (the panel never lists this computer twice) and Unsubscribing the
# handed-over subscription (no event of the job failed to reach it: it asks
# for ScanAvailableEvent alone), scanbd subscribing anew after its script, no
# press left in the hand-over file; and scanbd stopped by SIGTERM
# Unsubscribing: no job and no destination left behind.
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
# Each press writes into the folder named in $WORK_DIR/next (set before it).
cat >"$WORK_DIR/scan.script" <<EOF
#!/bin/sh
out=\$(cat "$WORK_DIR/next")
printf '%s\n' "device=\$SCANBD_DEVICE" "action=\$SCANBD_ACTION" "source=\$SCANBD_PANEL_SOURCE" >"\$out/script.env"
export SANE_CONFIG_DIR="$SANE_CONFIG_DIR" LD_LIBRARY_PATH="$LD_LIBRARY_PATH" SANE_WSD_DISCOVERY=off SANE_DEBUG_WSD=3
case \$SCANBD_PANEL_SOURCE in
    ADF*) scanimage -d "\$SCANBD_DEVICE" --resolution 100 --mode Color --format=png --batch="\$out/page-%d.png" ;;
    *) scanimage -d "\$SCANBD_DEVICE" --resolution 100 --mode Color --format=png -o "\$out/page-1.png" ;;
esac 2>"\$out/scanimage.err"
echo \$? >"\$out/status.new" && mv "\$out/status.new" "\$out/status"
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

show_on_failure "$WORK_DIR/scanbd.log"
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
subscription=$(panel_subscriptions | cut -f2)

# press ROUND SOURCE PAGES SANE-SOURCE: a press at the panel, scanned by
# scanbd's script; asserted on the files and the simulator's log. Sets
# `subscription` to the one scanbd makes afterwards.
press() {
    local round=$1 source=$2 pages=$3 sane_source=$4 out="$WORK_DIR/round-$1" n
    it_log "press $round: $source, $pages page(s)"
    mkdir -p "$out"
    echo "$out" >"$WORK_DIR/next"
    show_on_failure "$out/scanimage.err"
    sim_control POST /panel/press "{\"destination\": \"$DESTINATION\", \"source\": \"$source\", \"pages\": $pages}" \
        >/dev/null
    lab_wait_until 120 "scanbd's action script" test -e "$out/status" ||
        fail "the action script did not run or did not end"
    # scanimage ends a feeder batch with status 0, or 7 (no documents) in
    # some versions: the pages are checked instead.
    case $(cat "$out/status") in 0 | 7) ;; *) fail "scanimage's exit status: $(cat "$out/status")" ;; esac
    assert_contains "$(cat "$out/script.env")" "device=wsd:panel" "the script's environment"
    assert_contains "$(cat "$out/script.env")" "source=$sane_source" "the panel's source passed by scanbd"
    assert_contains "$(cat "$out/scanimage.err")" "that another process handed over" "scanimage's log"
    assert_eq "$(find "$out" -name 'page-*.png' | wc -l)" "$pages" "pages written"
    for ((n = 1; n <= pages; n++)); do
        pattern_check "$out/page-$n.png" --resolution 100 --mode color --sheet "$n" --side front
    done

    # The job: device-initiated through scanbd's subscription.
    assert_eq "$(sim_log --count operation=CreateScanJob)" "$round" "CreateScanJob requests"
    assert_logged "the job of the press" operation=CreateScanJob outcome=ok subscription="$subscription"
    assert_eq "$(sim_jobs state | tail -n 1)" Completed "the job's end state"
    # The handed-over subscription asks for ScanAvailableEvent alone: the
    # job's events go to scanimage's own status/job subscription, none to
    # the closed handle's listener, so the device never ends it, and
    # scanimage Unsubscribes it.
    assert_not_logged "an event to the handed-over subscription" outcome=failed subscription="$subscription"
    assert_not_logged "the device ending the handed-over subscription" operation=SubscriptionEnd \
        subscription="$subscription"
    assert_logged "the handed-over subscription ended by scanimage" operation=Unsubscribe outcome=ok \
        subscription="$subscription"

    # scanbd reopens the scanner after its script: a subscription of its own again.
    lab_wait_until 60 "scanbd's new destination" on_panel_besides "$subscription" ||
        fail "after the script, the panel lists: $(panel_subscriptions)"
    assert_eq "$(sim_log --count operation=Subscribe outcome=ok destinations=1)" "$((round + 1))" \
        "Subscribes to the panel (scanbd's; scanimage's handle waits for the handed-over press instead of adding one)"
    [ ! -s "$WORK_DIR/home/.cache/sane-wsd/panel-presses" ] ||
        fail "a press left in the hand-over file: $(cat "$WORK_DIR/home/.cache/sane-wsd/panel-presses")"
    subscription=$(panel_subscriptions | cut -f2)
}

press 1 Platen 1 Flatbed
press 2 ADF 2 ADF

it_log "stop scanbd"
kill -TERM "$scanbd_pid"
lab_wait_until 60 "scanbd to exit on SIGTERM" sim__exited "$scanbd_pid" || fail "scanbd still runs after SIGTERM"
wait "$scanbd_pid" 2>/dev/null
lab_wait_until 30 "scanbd's Unsubscribe" logged operation=Unsubscribe outcome=ok subscription="$subscription" ||
    fail "scanbd's subscription was not ended: $(sim_log operation=Unsubscribe)"
assert_eq "$(panel_subscriptions)" "" "destinations left on the panel"
assert_eq "$(sim_active)" "" "active jobs"
assert_no_refused_request
it_log "PASS"
