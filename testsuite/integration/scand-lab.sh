#!/usr/bin/env bash
# wsd-scand finds its scanner by WS-Discovery multicast (inside the lab's
# namespaces, the only place multicast is allowed), shows this computer on
# the panel of the panel-only personality, and a press there lands as a
# pixel-checked PNG; the job Completed, the panel empty after --once.
# Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands python3
build_program scand tools/wsd-scand
lab_up
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"
mkdir -p "$XDG_RUNTIME_DIR"
export XDG_STATE_HOME="$WORK_DIR/state"

uuid=5ca00000-0000-4000-8000-000000000417
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Lab scanner" --profile panel-only
printf '[destination Lab — Photo]\nmode = Color\nresolution = 100\nformat = png\n' >"$WORK_DIR/scand.conf"
show_on_failure "$WORK_DIR/scand.err"

# panel_clients: "name client" per destination the panel shows.
panel_clients() {
    sim_control GET /panel | python3 -c '
import json, sys
for d in json.load(sys.stdin)["destinations"]:
    print(d["name"], d["client"])'
}
shown() { [ -n "$(panel_clients)" ]; }

lab_command host "$scand" -c "$WORK_DIR/scand.conf" -f "$WORK_DIR/Scans" --once
"${LAB_CMD[@]}" </dev/null >"$WORK_DIR/scand.out" 2>"$WORK_DIR/scand.err" &
scand_pid=$!
lab_at_exit "kill $scand_pid 2>/dev/null || true"
lab_wait_until 90 "wsd-scand on the discovered scanner's panel" shown || fail "the panel does not show wsd-scand"
clients=$(panel_clients)
it_log "panel: $clients"
case $clients in
    "Lab — Photo $LAB_ADDR4_HOST" | "Lab — Photo $LAB_ADDR6_HOST") ;;
    *) fail "the panel shows \"$clients\", not one destination of the lab's host" ;;
esac

sim_control POST /panel/press '{"destination": "Lab — Photo", "source": "Platen"}' >/dev/null
wait_child "$scand_pid" 180 wsd-scand || fail "wsd-scand --once failed"
png=$(find "$WORK_DIR/Scans" -name '*.png')
assert_eq "$(wc -l <<<"$png")" 1 "PNG files written"
pattern_check "$png" --resolution 100 --mode color --sheet 1
assert_eq "$(sim_jobs state | tail -n 1)" Completed "the job on the simulator"
assert_eq "$(panel_clients)" "" "destinations after wsd-scand exited"
it_log "PASS"
