#!/bin/bash
# Issue 14 (5), a hostile LAN host: another host on the link answers every
# Probe for a "scanner" whose XAddrs point at this machine's loopback
# services (127.0.0.1:631, 127.0.0.1:22, [::1]:631) and at this machine's own
# lab addresses. `scanimage -L` with our backend lists the real wsd-sim and
# connects to none of those addresses (a listener counts connections). The
# attacker must have answered, or the test proves nothing. Needs root,
# network namespaces and python3 (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
spoof="$WSD_SOURCE_DIR/testsuite/lab/wsd-spoof.py"
lab_up
export SANE_WSD_DISCOVERY=on
# The listener below stands on localhost:631, where libcups looks for the
# CUPS scheduler: asking CUPS for its print queues would count as a
# connection there. That is not what this test is about.
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000" "cups = off"

uuid=5ca00000-0000-4000-8000-000000000c01
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Real scanner"

# The attacker: a second address on the device side of the link (added
# after wsd-sim read its interface's addresses, so it is not the sim's).
attacker=198.18.0.3
ip -n "$LAB_NS_DEV" addr add "$attacker/24" dev "$LAB_IF" || hard_error "cannot add $attacker"

# start_helper SIDE NAME OUT ARGS...: wsd-spoof.py in the background, ready
# once OUT says so.
start_helper() {
    local side=$1 name=$2 out=$3 pid
    shift 3
    lab_command "$side" python3 "$spoof" "$@"
    "${LAB_CMD[@]}" </dev/null >/dev/null 2>"$WORK_DIR/$name.err" &
    pid=$!
    lab_at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null; true"
    show_on_failure "$WORK_DIR/$name.err"
    lab_wait_until 20 "$name to be ready" grep -q '^ready' "$out" || fail "$name did not start"
}

targets=("127.0.0.1:631" "127.0.0.1:22" "[::1]:631" "$LAB_ADDR4_HOST:8631" "[$LAB_ADDR6_HOST]:8631")
start_helper host listener "$WORK_DIR/listener.out" listen "$WORK_DIR/listener.out" "${targets[@]}"
xaddrs=()
for t in "${targets[@]}"; do xaddrs+=("http://$t/wsd"); done
xaddrs+=("http://0.0.0.0:631/wsd" "http://239.255.255.250:3702/wsd" "http://127.1:631/wsd")
start_helper dev attacker "$WORK_DIR/attacker.out" respond "$attacker" \
    5ca00000-0000-4000-8000-00000000bad1 "$WORK_DIR/attacker.out" "${xaddrs[@]}"

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
answered=$(grep -c '^answered' "$WORK_DIR/attacker.out")
it_log "probes the attacker answered: $answered"
[ "$answered" -ge 1 ] || fail "the attacker answered no probe: the test proved nothing"
connections=$(grep -c '^connection' "$WORK_DIR/listener.out")
[ "$connections" -eq 0 ] || fail "the backend connected where a LAN host's XAddrs said: $(grep '^connection' "$WORK_DIR/listener.out" | sort | uniq -c | tr '\n' ' ')"
