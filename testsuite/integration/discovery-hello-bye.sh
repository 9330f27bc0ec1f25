#!/bin/bash
# Issue 5, "Done when" (4): a client whose discovery is already running sees
# a wsd-sim started later appear through its Hello, can scan a page from it,
# and sees it go through its Bye when it stops. The client is
# `wsd-discover --watch`, which follows the same Discovery object the backend
# keeps from sane_init on. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage
build_program discover tools/wsd-discover
lab_up
export SANE_WSD_DISCOVERY=on

# The watcher's stdout comes through a FIFO read with deadlines: its lines
# are the synchronisation.
fifo="$WORK_DIR/watch.fifo"
mkfifo "$fifo" || hard_error "mkfifo"
lab_command host "$discover" -v -i "$LAB_IF" -t 300 -w 120000
"${LAB_CMD[@]}" </dev/null >"$fifo" 2>"$WORK_DIR/watch.trace" &
watcher=$!
lab_at_exit "kill $watcher 2>/dev/null; wait $watcher 2>/dev/null; true"
show_on_failure "$WORK_DIR/watch.trace"
exec {watch_fd}<"$fifo"

# expect_line PATTERN SECONDS: reads the watcher's lines until one matches
# the shell pattern; prints it.
expect_line() {
    local pattern=$1 deadline=$(($(lab_now_ms) + $2 * 1000)) remaining line
    while :; do
        remaining=$((deadline - $(lab_now_ms)))
        [ "$remaining" -gt 0 ] || fail "no watcher line like '$pattern' within $2 s"
        IFS= read -r -t "$((remaining / 1000)).$(printf '%03d' $((remaining % 1000)))" -u "$watch_fd" line ||
            fail "watcher ended or stayed silent while waiting for '$pattern'"
        it_log "watcher: $line"
        # shellcheck disable=SC2053
        if [[ $line == $pattern ]]; then
            printf '%s\n' "$line"
            return 0
        fi
    done
}

expect_line "watching for *" 30 >/dev/null
uuid=5ca00000-0000-4000-8000-000000000404
# The simulator ignores multicast probes (the watcher may still be sending
# its last ones), so only its Hello can make it appear.
sim_start --side dev --interface "$LAB_IF" --ignore-multicast-probe --uuid "$uuid" --name "Late scanner" -v

line=$(expect_line "appeared urn:uuid:$uuid *" 30)
assert_contains "$line" "\"Late scanner\" http://$LAB_ADDR4_DEV:$SIM_PORT/wsd (multicast)" "appearance"
assert_contains "$(cat "$WORK_DIR/watch.trace")" "<- Hello from" "watcher's trace"
assert_not_contains "$(cat "$WORK_DIR/watch.trace")" "<- ProbeMatches" "watcher's trace"

sane_env_wsd "$WORK_DIR/sane" "discovery = off"
scan_flatbed_and_check host "wsd:http://$LAB_ADDR4_DEV:$SIM_PORT/wsd"

sim_stop
expect_line "gone urn:uuid:$uuid *" 30 >/dev/null
assert_contains "$(cat "$WORK_DIR/watch.trace")" "said Bye" "watcher's trace"
