# Helpers for discovery tests that follow a running discovery: the client is
# `wsd-discover --watch` in the host namespace, which follows the same
# Discovery object the backend keeps from sane_init on; its stdout comes
# through a FIFO read with deadlines, and its lines are the synchronisation.
# Source after lib.sh. Also names the lab's hostile host, wsd-spoof.py ($SPOOF).

build_program discover tools/wsd-discover
SPOOF="$WSD_SOURCE_DIR/testsuite/lab/wsd-spoof.py"

# watch_start: starts the watcher and waits for its "watching for" line.
watch_start() {
    local fifo="$WORK_DIR/watch.fifo" watcher
    mkfifo "$fifo" || hard_error "mkfifo"
    lab_command host "$discover" -v -i "$LAB_IF" -t 300 -w 120000
    "${LAB_CMD[@]}" </dev/null >"$fifo" 2>"$WORK_DIR/watch.trace" &
    watcher=$!
    lab_at_exit "kill $watcher 2>/dev/null; wait $watcher 2>/dev/null; true"
    show_on_failure "$WORK_DIR/watch.trace"
    exec {WATCH_FD}<"$fifo"
    expect_line "watching for *" 30 >/dev/null
}

# watch__read SECONDS.MMM: one watcher line into WATCH_LINE, or false.
watch__read() {
    IFS= read -r -t "$1" -u "$WATCH_FD" WATCH_LINE || return 1
    it_log "watcher: $WATCH_LINE"
}

# expect_line PATTERN SECONDS: reads the watcher's lines until one matches
# the shell pattern; prints it.
expect_line() {
    local pattern=$1 deadline=$(($(lab_now_ms) + $2 * 1000)) remaining
    while :; do
        remaining=$((deadline - $(lab_now_ms)))
        [ "$remaining" -gt 0 ] || fail "no watcher line like '$pattern' within $2 s"
        watch__read "$((remaining / 1000)).$(printf '%03d' $((remaining % 1000)))" ||
            fail "watcher ended or stayed silent while waiting for '$pattern'"
        # shellcheck disable=SC2053
        if [[ $WATCH_LINE == $pattern ]]; then
            printf '%s\n' "$WATCH_LINE"
            return 0
        fi
    done
}

# expect_device_checked NAME UUID COUNT SECONDS: waits until wsd-sim NAME has
# answered COUNT metadata Gets (the backend checking the device after a
# stranger's announcement), failing at once if meanwhile the watcher reports
# UUID gone, moved or (re)appeared.
expect_device_checked() {
    local name=$1 uuid=$2 count=$3 deadline=$(($(lab_now_ms) + $4 * 1000))
    while [ "$(sim_log --name "$name" --count operation=Get outcome=ok)" -lt "$count" ]; do
        [ "$(lab_now_ms)" -lt "$deadline" ] ||
            fail "no metadata Get reached the real device within $4 s: the stranger's announcement was not checked"
        # Reading the watcher's lines is the pause between two looks at the log.
        if watch__read 0.1; then
            case $WATCH_LINE in
                *"urn:uuid:$uuid"*) fail "a stranger's announcement changed the real scanner: $WATCH_LINE" ;;
            esac
        fi
    done
    while watch__read 0.05; do
        case $WATCH_LINE in
            *"urn:uuid:$uuid"*) fail "a stranger's announcement changed the real scanner: $WATCH_LINE" ;;
        esac
    done
}

# watch_real_scanner_and_attacker UUID: the watcher, then a wsd-sim (instance
# "sim", silent on multicast probes) that appears through its Hello; then
# the attacker's address ATTACKER on the device side of the link, added after
# wsd-sim read its interface's addresses, so that it is not the sim's.
ATTACKER=198.18.0.3
watch_real_scanner_and_attacker() {
    local uuid=$1 line
    watch_start
    sim_start --side dev --interface "$LAB_IF" --ignore-multicast-probe --uuid "$uuid" --name "Real scanner"
    line=$(expect_line "appeared urn:uuid:$uuid *" 30)
    assert_contains "$line" "http://$LAB_ADDR4_DEV:$SIM_PORT/wsd" "appearance"
    ip -n "$LAB_NS_DEV" addr add "$ATTACKER/24" dev "$LAB_IF" || hard_error "cannot add $ATTACKER"
}
