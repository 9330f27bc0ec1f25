#!/usr/bin/env bash
# wsd-scand on a desktop, for real on a virtual X display (Xvfb) with a
# session bus, a notification server (dunst) and a file manager (PCManFM):
# two presses on wsd-sim's panel (loopback, no discovery; the panel-only
# personality), a 3-page feeder press to "Alice — PDF" and a flatbed press to
# "Alice — Photo", land in the folder as a 3-page PDF and a PNG (both
# pixel-checked), each announced by a desktop notification that the
# notification server received (its history). Screenshots of the
# notification and of the folder in the file manager go to
# $WSD_SCREENSHOT_DIR (default: BUILD/testsuite/screenshots); doc/screenshots/
# in the source tree holds copies for the README. Skipped without Xvfb,
# dunst, pcmanfm, xdotool, imagemagick, poppler-utils.
. "$(dirname "$0")/../integration/lib.sh"

for cmd in Xvfb:xvfb dunst:dunst dunstctl:dunst pcmanfm:pcmanfm xdotool:xdotool import:imagemagick \
    convert:imagemagick dbus-daemon:dbus python3:python3 curl:curl pdfinfo:poppler-utils pdftoppm:poppler-utils; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 || skip "'${cmd%%:*}' not found (Debian package ${cmd#*:})"
done
build_program scand tools/wsd-scand
SHOT_DIR=${WSD_SCREENSHOT_DIR:-$WSD_BUILD_DIR/testsuite/screenshots}
mkdir -p "$SHOT_DIR" || hard_error "cannot create $SHOT_DIR"
export SANE_WSD_DISCOVERY=off

# stop_process PID: TERM, then KILL if it is still there after 10 s.
stop_process() {
    kill -TERM "$1" 2>/dev/null || return 0
    lab_wait_until 10 "process $1 to exit" sim__exited "$1" || kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# --- the virtual display, a session bus, the notification server ------------
Xvfb -displayfd 3 -screen 0 1024x640x24 -nolisten tcp 3>"$WORK_DIR/display" 2>"$WORK_DIR/xvfb.log" &
lab_at_exit "stop_process $!"
show_on_failure "$WORK_DIR/xvfb.log"
display_known() { [ -s "$WORK_DIR/display" ] && [ "$(tail -c1 "$WORK_DIR/display" | od -An -c | tr -d ' ')" = '\n' ]; }
lab_wait_until 30 "Xvfb to start" display_known || fail "Xvfb did not start"
export DISPLAY=":$(head -n1 "$WORK_DIR/display")"

export HOME="$WORK_DIR/home" XDG_RUNTIME_DIR="$WORK_DIR/run" XDG_CONFIG_HOME="$WORK_DIR/home/.config"
export XDG_STATE_HOME="$WORK_DIR/home/.local/state" XDG_CACHE_HOME="$WORK_DIR/home/.cache"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/dunst"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-daemon --session --nofork --address="unix:path=$WORK_DIR/bus" 2>"$WORK_DIR/dbus.log" &
lab_at_exit "stop_process $!"
lab_wait_until 30 "the session bus" test -S "$WORK_DIR/bus" || fail "dbus-daemon did not start"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK_DIR/bus"
export NO_AT_BRIDGE=1

# Notifications stay until the screenshot is taken.
cat >"$XDG_CONFIG_HOME/dunst/dunstrc" <<'EOF'
[global]
    width = 380
    origin = top-right
    offset = 12x12
    font = DejaVu Sans 11
    frame_width = 1
    frame_color = "#5f6b7a"
    padding = 10
    horizontal_padding = 12
    format = "<b>%s</b>\n%b"
    icon_position = off
[urgency_normal]
    background = "#f4f6f8"
    foreground = "#1d2329"
    timeout = 0
EOF
dunst -config "$XDG_CONFIG_HOME/dunst/dunstrc" >"$WORK_DIR/dunst.log" 2>&1 &
lab_at_exit "stop_process $!"
show_on_failure "$WORK_DIR/dunst.log"
lab_wait_until 30 "dunst on the session bus" dunstctl is-paused || fail "dunst did not start"

# --- the scanner and wsd-scand -------------------------------------------------
sim_start --listen 127.0.0.1 --profile panel-only
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device office $SIM_DEVICE_URL"
mkdir -p "$XDG_RUNTIME_DIR"  # sane_env_wsd's: wsd-scand's lock is there
mkdir -p "$XDG_CONFIG_HOME/sane-wsd"
cat >"$XDG_CONFIG_HOME/sane-wsd/wsd-scand.conf" <<'CONF'
folder = ~/Scans
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
folder="$HOME/Scans"
show_on_failure "$WORK_DIR/scand.err"

panel_count() { sim_control GET /panel | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["destinations"]))'; }
shows_two() { [ "$(panel_count)" = 2 ]; }
# notifications: the summaries and bodies dunst received, one "summary: body" a line.
notifications() {
    dunstctl history | python3 -c '
import json, sys
for n in json.load(sys.stdin)["data"][0]:
    print(n["summary"]["data"] + ": " + n["body"]["data"])'
}
notification_shown() { [ "$(dunstctl count displayed)" -ge 1 ]; }

# press DESTINATION SOURCE PAGES: wsd-scand --once, a press, the document written.
press() {
    "$scand" --once >>"$WORK_DIR/scand.out" 2>>"$WORK_DIR/scand.err" &
    local pid=$!
    lab_at_exit "kill $pid 2>/dev/null || true"
    lab_wait_until 60 "wsd-scand's destinations on the panel" shows_two || fail "the panel does not show wsd-scand"
    sim_control POST /panel/press "{\"destination\": \"$1\", \"source\": \"$2\", \"pages\": $3}" >/dev/null
    wait_child "$pid" 120 wsd-scand || fail "wsd-scand --once failed"
    assert_eq "$(sim_jobs state | tail -n 1)" Completed "the job on the simulator"
    assert_eq "$(panel_count)" 0 "destinations after wsd-scand exited"
}

it_log "a 3-page feeder press: a PDF and a notification"
press "Alice — PDF" ADF 3
pdf=$(find "$folder" -name '*.pdf')
assert_eq "$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')" 3 "pages in the PDF"
guard 120 pdftoppm -r 100 -gray "$pdf" "$WORK_DIR/pdf-page" || fail "pdftoppm"
for i in 1 2 3; do
    pattern_check "$(ls "$WORK_DIR"/pdf-page-*"$i".pgm)" --resolution 100 --mode gray --sheet "$i"
done
lab_wait_until 30 "the notification on the screen" notification_shown ||
    fail "no notification shown: $(cat "$WORK_DIR/dunst.log")"
notification=$(guard 30 xdotool search --sync --onlyvisible --limit 1 --classname Dunst) || fail "no window of dunst"
import -window "$notification" "$SHOT_DIR/scand-notification.png" || fail "screenshot of the notification"
dunstctl close-all

it_log "a flatbed press: a PNG and a notification"
press "Alice — Photo" Platen 1
png=$(find "$folder" -name '*.png')
pattern_check "$png" --resolution 100 --mode color --sheet 1
lab_wait_until 30 "the second notification on the screen" notification_shown ||
    fail "no second notification"
# Closed, both are in the history.
dunstctl close-all
said=$(notifications)
it_log "notifications: $said"
assert_contains "$said" "Scan received: 3 page(s) in $pdf" "the notifications"
assert_contains "$said" "Scan received: 1 page(s) in $png" "the notifications"

it_log "the folder in the file manager"
pcmanfm --no-desktop "$folder" >"$WORK_DIR/pcmanfm.log" 2>&1 &
lab_at_exit "stop_process $!"
show_on_failure "$WORK_DIR/pcmanfm.log"
manager=$(guard 60 xdotool search --sync --onlyvisible --limit 1 --name '^Scans$') || fail "no PCManFM window"
xdotool windowmove "$manager" 0 0 windowsize "$manager" 640 400
# The PNG's thumbnail comes when the file manager has made it: bounded wait
# for the window to stop changing.
settled() {
    import -window "$manager" "$WORK_DIR/folder-now.png" 2>/dev/null || return 1
    if [ -e "$WORK_DIR/folder-before.png" ] &&
        [ "$(compare -metric AE "$WORK_DIR/folder-now.png" "$WORK_DIR/folder-before.png" null: 2>&1)" = 0 ]; then
        return 0
    fi
    mv "$WORK_DIR/folder-now.png" "$WORK_DIR/folder-before.png"
    return 1
}
lab_wait_until 30 "the file manager's window to settle" settled || fail "the file manager's window keeps changing"
cp "$WORK_DIR/folder-now.png" "$SHOT_DIR/scand-folder.png"
it_log "screenshots: $SHOT_DIR/scand-notification.png $SHOT_DIR/scand-folder.png"
it_log "PASS"
