#!/usr/bin/env bash
# wsd-scand against wsd-sim's panel (issue 17, part 3), on loopback with
# discovery off and the device from wsd.conf, with the panel-only
# personality (which takes no host-initiated job at all): the daemon shows
# two destinations for this computer; a flatbed press of one writes a PNG
# (pixel-checked), an ADF press of 5 pages of the other one 5-page PDF (each
# page rendered with pdftoppm and checked); each job Completed on the
# simulator; at exit the daemon Unsubscribes and the panel is empty; after
# a crash (SIGKILL) the next start leaves the stale destinations first; after
# a device reboot the daemon subscribes again and the press works. While
# the daemon serves the device, a SANE handle adds no destination.
. "$(dirname "$0")/lib.sh"

require_commands python3 curl pdfinfo pdftoppm
build_program scand tools/wsd-scand
build_program check testsuite/tools/pattern-check
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

# Short subscriptions: the daemon renews every 15 s, so it notices a reboot
# soon; long enough that a killed daemon's stay until the restart.
sim_start --listen 127.0.0.1 --profile panel-only --max-expiry-s 30
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device panel $SIM_DEVICE_URL"
out="$WORK_DIR/Scans"
mkdir -p "$XDG_RUNTIME_DIR"
# The ledger of subscriptions a killed daemon leaves behind.
export XDG_STATE_HOME="$WORK_DIR/state"
cat >"$WORK_DIR/scand.conf" <<'CONF'
# Two destinations for one computer.
[destination Alice — PDF]
mode = Gray
resolution = 100
source = ADF
format = pdf

[destination Alice — Photo]
mode = Color
resolution = 100
format = png
CONF

# panel_names: the names the panel shows, sorted, one a line.
panel_names() {
    sim_control GET /panel | python3 -c '
import json, sys
print("\n".join(sorted(d["name"] for d in json.load(sys.stdin)["destinations"])))'
}
panel_count() { sim_control GET /panel | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["destinations"]))'; }
shows_two() { [ "$(panel_count)" = 2 ]; }

# start_scand [READY...]: wsd-scand --once in the background, ready when
# READY succeeds (default: the panel shows its two destinations).
start_scand() {
    "$scand" -c "$WORK_DIR/scand.conf" -f "$out" --once >>"$WORK_DIR/scand.out" 2>>"$WORK_DIR/scand.err" &
    scand_pid=$!
    lab_at_exit "kill $scand_pid 2>/dev/null || true"
    lab_wait_until 60 "wsd-scand's destinations on the panel" "${@:-shows_two}" || fail "the panel does not show wsd-scand"
}
show_on_failure "$WORK_DIR/scand.err"

it_log "a bad configuration is refused"
printf '[destination Bob]\nformat = gif\n' >"$WORK_DIR/bad.conf"
status=0
guard 30 "$scand" -c "$WORK_DIR/bad.conf" --once 2>"$WORK_DIR/bad.err" || status=$?
assert_eq "$status" 2 "exit status for a bad configuration"
assert_eq "$(panel_count)" 0 "destinations after a refused configuration"

it_log "two destinations for this computer"
start_scand
assert_eq "$(panel_names)" "$(printf 'Alice — PDF\nAlice — Photo')" "the panel's destinations"

it_log "one wsd-scand at a time"
status=0
guard 60 "$scand" -c "$WORK_DIR/scand.conf" -f "$out" --once 2>"$WORK_DIR/second.err" || status=$?
assert_eq "$status" 1 "exit status of a second wsd-scand"
assert_eq "$(panel_count)" 2 "destinations with a second wsd-scand refused"

it_log "a SANE handle on a device wsd-scand serves adds no destination"
subscribes=$(sim_log --count operation=Subscribe)
# panel-only refuses the pull scan itself: what counts is that the handle was open.
guard 120 "$probe" -d wsd:panel --option resolution=100 -o "$WORK_DIR/pull.raw" >"$WORK_DIR/probe.out" 2>&1 || true
assert_contains "$(cat "$WORK_DIR/probe.out")" " open Success" "sane-probe"
assert_eq "$(sim_log --count operation=Subscribe)" "$subscribes" "Subscribes while wsd-scand serves the device"

it_log "a flatbed press: one PNG"
sim_control POST /panel/press '{"destination": "Alice — Photo", "source": "Platen"}' >/dev/null
wait_child "$scand_pid" 180 wsd-scand || fail "wsd-scand --once failed"
png=$(find "$out" -name '*.png')
assert_eq "$(wc -l <<<"$png")" 1 "PNG files written"
pattern_check "$png" --resolution 100 --mode color --sheet 1
assert_eq "$(sim_jobs state | tail -n 1)" Completed "the flatbed job on the simulator"
assert_logged "Unsubscribe at exit" operation=Unsubscribe outcome=ok
assert_eq "$(panel_count)" 0 "destinations after wsd-scand exited"

it_log "an ADF press of 5 pages: one 5-page PDF"
start_scand
sim_control POST /panel/press '{"destination": "Alice — PDF", "source": "ADF", "pages": 5}' >/dev/null
wait_child "$scand_pid" 300 wsd-scand || fail "wsd-scand --once failed"
pdf=$(find "$out" -name '*.pdf')
assert_eq "$(wc -l <<<"$pdf")" 1 "PDF files written"
pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
assert_eq "$pages" 5 "pages in the PDF"
guard 120 pdftoppm -r 100 -gray "$pdf" "$WORK_DIR/pdf-page" || fail "pdftoppm"
for i in 1 2 3 4 5; do
    pattern_check "$(ls "$WORK_DIR"/pdf-page-*"$i".pgm)" --resolution 100 --mode gray --sheet "$i"
done
assert_eq "$(sim_jobs state | tail -n 1)" Completed "the feeder job on the simulator"
assert_eq "$(panel_count)" 0 "destinations after wsd-scand exited"

it_log "a killed wsd-scand's destinations are left at the next start"
"$scand" -c "$WORK_DIR/scand.conf" -f "$out" >>"$WORK_DIR/scand.out" 2>>"$WORK_DIR/scand.err" &
crashed_pid=$!
lab_at_exit "kill -KILL $crashed_pid 2>/dev/null || true"
lab_wait_until 60 "wsd-scand's destinations on the panel" shows_two || fail "the panel does not show wsd-scand"
kill -KILL "$crashed_pid"
wait "$crashed_pid" 2>/dev/null || true
assert_eq "$(panel_count)" 2 "destinations a killed wsd-scand left"
subscribes=$(sim_log --count operation=Subscribe)
unsubscribes=$(sim_log --count operation=Unsubscribe outcome=ok)
subscribed_again() { [ "$(sim_log --count operation=Subscribe)" -ge $((subscribes + 2)) ]; }
start_scand subscribed_again
assert_eq "$(sim_log --count operation=Unsubscribe outcome=ok)" $((unsubscribes + 2)) \
    "the killed daemon's subscriptions Unsubscribed at the restart"
assert_eq "$(panel_count)" 2 "destinations after the restart (none twice)"

it_log "a device reboot: the daemon subscribes again"
subscribes=$(sim_log --count operation=Subscribe)
sim_control POST /reboot >/dev/null
assert_eq "$(panel_count)" 0 "destinations right after the reboot"
lab_wait_until 60 "wsd-scand's destinations after the reboot" subscribed_again || fail "no new Subscribe after the reboot"
lab_wait_until 60 "wsd-scand's destinations after the reboot" shows_two || fail "the panel does not show wsd-scand"
sim_control POST /panel/press '{"destination": "Alice — Photo", "source": "Platen"}' >/dev/null
wait_child "$scand_pid" 180 wsd-scand || fail "wsd-scand --once failed"
assert_eq "$(panel_count)" 0 "destinations after wsd-scand exited"
it_log "PASS"
