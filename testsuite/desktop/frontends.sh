#!/usr/bin/env bash
# The desktop frontends people scan with, driven for real on a virtual X
# display: Simple Scan and XSane scan a page from wsd-sim (on loopback, no
# discovery) through SANE's dll loader and the freshly built backend.  A
# screenshot of each is saved and must show the test pattern's colour bars
# (find-colour-bars.py), and the simulator must have completed one job per
# scan.  In a --enable-sanitizers build both run with the ASan and UBSan
# runtimes preloaded (lib.sh) and their logs must hold no sanitizer report
# (leaks included: both exit normally, Simple Scan on Ctrl+Q, XSane on SIGTERM).
#
# Screenshots go to $WSD_SCREENSHOT_DIR (default: BUILD/testsuite/screenshots);
# doc/screenshots/ in the source tree holds copies for the README.
. "$(dirname "$0")/../integration/lib.sh"

DESKTOP_DIR=$(cd "$(dirname "$0")" && pwd)
for cmd in Xvfb:xvfb simple-scan:simple-scan xsane:xsane xdotool:xdotool import:imagemagick \
    convert:imagemagick dbus-daemon:dbus python3:python3 scanimage:sane-utils curl:curl; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 || skip "'${cmd%%:*}' not found (Debian package ${cmd#*:})"
done
it_require_build_dir
SHOT_DIR=${WSD_SCREENSHOT_DIR:-$WSD_BUILD_DIR/testsuite/screenshots}
mkdir -p "$SHOT_DIR" || hard_error "cannot create $SHOT_DIR"

# stop_process PID: TERM, then KILL if it is still there after 10 s.
stop_process() {
    kill -TERM "$1" 2>/dev/null || return 0
    lab_wait_until 10 "process $1 to exit" sim__exited "$1" || kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# --- the virtual display and a session bus ---------------------------------
# Xvfb picks a free display number itself and writes it to -displayfd.
Xvfb -displayfd 3 -screen 0 1600x1024x24 -nolisten tcp 3>"$WORK_DIR/display" 2>"$WORK_DIR/xvfb.log" &
xvfb_pid=$!
lab_at_exit "stop_process $xvfb_pid"
show_on_failure "$WORK_DIR/xvfb.log"
display_known() { [ -s "$WORK_DIR/display" ] && [ "$(tail -c1 "$WORK_DIR/display" | od -An -c | tr -d ' ')" = '\n' ]; }
lab_wait_until 30 "Xvfb to start" display_known || fail "Xvfb did not start"
export DISPLAY=":$(head -n1 "$WORK_DIR/display")"
it_log "Xvfb on $DISPLAY"

export HOME="$WORK_DIR/home" XDG_RUNTIME_DIR="$WORK_DIR/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-daemon --session --nofork --address="unix:path=$WORK_DIR/bus" 2>"$WORK_DIR/dbus.log" &
lab_at_exit "stop_process $!"
lab_wait_until 30 "the session bus" test -S "$WORK_DIR/bus" || fail "dbus-daemon did not start"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK_DIR/bus"
export NO_AT_BRIDGE=1  # no accessibility bus: nothing listens to it here

# --- the scanner ------------------------------------------------------------
sim_start --profile office-mfp -v
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device Desk $SIM_DEVICE_URL"
device=wsd:Desk

# jobs_completed N: the simulator has completed at least N jobs, each with a page.
jobs_completed() {
    local count
    count=$(sim_control GET /jobs | python3 -c '
import json, sys
print(sum(1 for j in json.load(sys.stdin)["jobs"] if j["state"] == "Completed" and j["imagesRetrieved"] == 1))')
    [ "$count" -ge "$1" ]
}

# window NAME-REGEX: the id of the first visible window with that name,
# waited for (bounded).
window() {
    local id
    id=$(guard 60 xdotool search --sync --onlyvisible --limit 1 --name "$1") || fail "no window '$1'"
    echo "$id"
}

# bars_in_window ID: the window's screenshot shows the colour bars.
bars_in_window() {
    import -window "$1" -depth 8 "$WORK_DIR/window.ppm" 2>/dev/null &&
        python3 "$DESKTOP_DIR/find-colour-bars.py" "$WORK_DIR/window.ppm" >"$WORK_DIR/bars.txt"
}

no_bars_in_window() { ! bars_in_window "$1"; }

# expect_bars ID WHAT: waits (bounded) until the window shows the bars: the
# frontend draws the page while and after it arrives.
expect_bars() {
    if ! lab_wait_until 60 "colour bars in $2" bars_in_window "$1"; then
        convert "$WORK_DIR/window.ppm" "$SHOT_DIR/failed-${2// /-}.png"
        fail "$2 does not show the colour bars (its window: $SHOT_DIR/failed-${2// /-}.png)"
    fi
    it_log "$2: $(tr '\n' ';' <"$WORK_DIR/bars.txt")"
}

# wait_for_jobs N WHAT: waits (bounded) until the simulator has completed N
# jobs; on a timeout the screen is kept for the test log.
wait_for_jobs() {
    if ! lab_wait_until 120 "$2" jobs_completed "$1"; then
        import -window root "$SHOT_DIR/failed-screen.png"
        fail "$2 did not complete (the screen: $SHOT_DIR/failed-screen.png)"
    fi
}

# --- Simple Scan --------------------------------------------------------------
it_log "Simple Scan"
simple-scan --debug "$device" >"$WORK_DIR/simple-scan.log" 2>&1 &
simple_scan_pid=$!
lab_at_exit "stop_process $simple_scan_pid"
show_on_failure "$WORK_DIR/simple-scan.log"
win=$(window '^Document Scanner$')
# Simple Scan lists devices through sane_get_devices before it can scan.
lab_wait_until 60 "Simple Scan to list $device" grep -qF "name=\"$device\"" "$WORK_DIR/simple-scan.log" ||
    fail "Simple Scan did not list $device"
xdotool windowmove "$win" 0 0 windowsize "$win" 800 1000
xdotool windowfocus --sync "$win"
xdotool key --window "$win" ctrl+1  # Scan > Single Page
wait_for_jobs 1 "Simple Scan's scan"
expect_bars "$win" "Simple Scan"
import -window "$win" "$SHOT_DIR/simple-scan.png" || fail "screenshot of Simple Scan"
# Quit as a user does, the page deleted first (else Simple Scan asks whether
# to save it): the process exits normally, checking for leaks in a sanitizer
# build.
xdotool key --window "$win" Delete
lab_wait_until 60 "Simple Scan to delete the page" no_bars_in_window "$win" || fail "Simple Scan kept the page"
xdotool key --window "$win" ctrl+q
lab_wait_until 60 "Simple Scan to quit" sim__exited "$simple_scan_pid" || fail "Simple Scan did not quit"
wait "$simple_scan_pid"
status=$?
assert_no_sanitizer_report "$WORK_DIR/simple-scan.log" "Simple Scan"
assert_eq "$status" 0 "Simple Scan's exit status"

# --- XSane ------------------------------------------------------------------------
it_log "XSane"
xsane --viewer "$device" >"$WORK_DIR/xsane.log" 2>&1 &
xsane_pid=$!
lab_at_exit "stop_process $xsane_pid"
show_on_failure "$WORK_DIR/xsane.log"
if [ "$(id -u)" = 0 ]; then
    # As root XSane first asks whether to go on; its default button does.
    warning=$(window '^Warning$')
    xdotool windowfocus --sync "$warning" key --window "$warning" Return
fi
main=$(window '^xsane [0-9.]+ .*:Desk$')
preview=$(window '^Preview .*:Desk$')
# No window manager: lay the windows out side by side, on top of XSane's
# other windows.
xdotool windowmove "$main" 0 0 windowraise "$main"
xdotool windowmove "$preview" 310 0 windowraise "$preview"
xdotool windowfocus --sync "$preview" key --window "$preview" alt+p  # "Acquire preview"
wait_for_jobs 2 "XSane's preview"
expect_bars "$preview" "XSane preview"
xdotool windowfocus --sync "$main" key --window "$main" ctrl+Return  # "Scan"
wait_for_jobs 3 "XSane's scan"
viewer=$(window '^Viewer .*:Desk$')
xdotool windowmove "$viewer" 840 0 windowraise "$viewer"
expect_bars "$viewer" "XSane viewer"
import -window root -crop 1510x1024+0+0 "$SHOT_DIR/xsane.png" || fail "screenshot of XSane"
stop_process "$xsane_pid"
assert_no_sanitizer_report "$WORK_DIR/xsane.log" "XSane"

jobs=$(sim_control GET /jobs)
it_log "wsd-sim jobs: $jobs"
[ -z "$(sim_active)" ] || fail "jobs left active: $(sim_active)"
it_log "screenshots: $SHOT_DIR/simple-scan.png $SHOT_DIR/xsane.png"
