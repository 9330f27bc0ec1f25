#!/usr/bin/env bash
# A scan server: saned (sane-utils) exports our backend, SANE's `net` backend
# is the client. saned and two simulated scanners run in the lab's dev
# namespace, the clients (scanimage, sane-probe through the dll loader with
# only `net` in dll.conf) in the host namespace. Checks: the net client lists
# both devices; a page scanned through saned shows the test pattern; two
# clients scan the two scanners at the same time; a sane_cancel from a net
# client reaches the device (CancelJob on wsd-sim's log, no job left active).
. "$(dirname "$0")/lib.sh"

require_commands saned scanimage python3
it_require_build_dir
build_program probe testsuite/tools/sane-probe
lab_up

# saned's port is SANE's registered one (6566): the dev namespace is the
# lab's own, so nothing else listens there, and the net backend has no
# setting for another port.
saned_port=6566

for name in one two; do
    port=$(free_tcp_port dev)
    sim_start --name "$name" --side dev --listen "$LAB_ADDR4_DEV" --port "$port" \
        --profile office-mfp --adf-pages 2
    declare "url_$name=http://$LAB_ADDR4_DEV:$port/wsd"
done

# The server: our backend only, the lab's host side allowed in saned.conf.
(sane_env_wsd "$WORK_DIR/server" "discovery = off" "device one $url_one" "device two $url_two")
echo "$LAB_ADDR4_HOST" >"$WORK_DIR/server/saned.conf"
# In a sanitizer build, sane_env_wsd's wrapper gives saned the ASan runtime.
saned=saned
[ -x "$WORK_DIR/server/bin/saned" ] && saned=$WORK_DIR/server/bin/saned
lab_spawn dev saned env SANE_CONFIG_DIR="$WORK_DIR/server" \
    LD_LIBRARY_PATH="$WORK_DIR/server/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$saned" -l -b "$LAB_ADDR4_DEV" -p "$saned_port" -e -d 1
show_on_failure "$LAB_STATE_DIR/logs/saned.log"
saned_listening() { [ -n "$(lab_exec dev ss -Htln "sport = :$saned_port")" ]; }
lab_wait_until 20 "saned listening" saned_listening || fail "saned does not listen on $saned_port"

# The clients: SANE's net backend only.
client=$WORK_DIR/client
mkdir -p "$client"
echo net >"$client/dll.conf"
printf '%s\n' "connect_timeout = 10" "$LAB_ADDR4_DEV" >"$client/net.conf"
export SANE_CONFIG_DIR=$client
net_one="net:$LAB_ADDR4_DEV:wsd:one"
net_two="net:$LAB_ADDR4_DEV:wsd:two"

it_log "scanimage -L through saned lists both scanners"
sane_list_devices host
assert_contains "$SANE_DEVICES" "$net_one"
assert_contains "$SANE_DEVICES" "$net_two"

it_log "a page through saned, every pixel checked"
scan_flatbed_and_check host "$net_one"
assert_eq "$(sim_jobs --name one state)" Completed "scanner one's job"

it_log "two clients scan the two scanners at the same time"
out=$WORK_DIR/both
mkdir -p "$out"
# Paced, so that the two transfers overlap for certain.
for name in one two; do sim_control --name "$name" POST /knobs '{"pace":200000}' >/dev/null; done
pids=()
for name in one two; do
    device=net_$name
    guard --side host 180 scanimage -d "${!device}" --format=pnm --resolution 300 --mode Color \
        -o "$out/$name.ppm" 2>"$out/$name.err" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait_child "$pid" 200 scanimage || fail "a concurrent scan failed: $(cat "$out"/*.err)"; done
for name in one two; do
    pattern_check "$out/$name.ppm" --resolution 300 --mode color --sheet 1 --side front
    assert_eq "$(sim_jobs --name "$name" state | tail -n 1)" Completed "scanner $name's last job"
done
# They overlapped: each scanner's RetrieveImage arrived before the other's job ended.
python3 - "$(sim_control --name one GET /log)" "$(sim_control --name one GET /jobs)" \
    "$(sim_control --name two GET /log)" "$(sim_control --name two GET /jobs)" <<'PY' ||
import json, sys
def span(log, jobs):
    job = json.loads(jobs)["jobs"][-1]
    asked = [e["time"] for e in json.loads(log)["log"]
             if e["operation"] == "RetrieveImage" and e["jobId"] == job["id"]]
    return asked[0], job["ended"]
(start1, end1), (start2, end2) = span(*sys.argv[1:3]), span(*sys.argv[3:5])
sys.exit(0 if start1 < end2 and start2 < end1 else f"one {start1}..{end1}, two {start2}..{end2}")
PY
    fail "the two scans did not overlap"

it_log "a sane_cancel from a net client reaches the device"
sim_control --name two POST /reset-log >/dev/null
sim_control --name two POST /knobs '{"pace":200000}' >/dev/null
result=$(guard --side host 120 "$probe" -d "$net_two" --option resolution=300 --cancel-after-bytes 200000)
it_log "sane-probe: $(grep -E ' (start|read-end|cancel)' <<<"$result" | tr '\n' ';')"
assert_contains "$result" "status=Operation was canceled"
cancelled() {
    sim_control --name two GET /log | python3 -c '
import json, sys
sys.exit(0 if any(e["operation"] == "CancelJob" and e["outcome"] == "ok" for e in json.load(sys.stdin)["log"]) else 1)'
}
# saned forwards the cancel to our backend in its own process: wait for it, bounded.
lab_wait_until 20 "CancelJob at scanner two" cancelled || fail "no CancelJob reached scanner two"
no_active() { [ -z "$(sim_active --name two)" ]; }
lab_wait_until 20 "no active job on scanner two" no_active || fail "jobs left active: $(sim_active --name two)"
assert_eq "$(sim_jobs --name two state | tail -n 1)" Canceled "scanner two's cancelled job"
assert_no_sanitizer_report "$LAB_STATE_DIR/logs/saned.log" "saned (our backend in its processes)"
