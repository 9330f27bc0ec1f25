#!/usr/bin/env bash
# A scan from the panel in the lab: the backend on the host side, found by
# multicast discovery, wsd-sim on the device side. The event listener binds
# only the host's address on the lab link (the one routing to the device,
# not every address), and the device's events reach it there. A device
# reboot (wsd-sim forgets its subscribers and announces itself with Bye and
# a Hello with a new InstanceId) is noticed through discovery's Hello: the
# handle asks at once (its Renew, refused) and subscribes again, long before
# the hour the subscription had left. A press then scans through the new
# subscription, the page pixel-checked, and closing the handle Unsubscribes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3 curl ss
build_program probe testsuite/tools/sane-probe
build_program check testsuite/tools/pattern-check
lab_up
export SANE_WSD_DISCOVERY=on

DESTINATION="Lab Panel"
uuid=5ca00000-0000-4000-8000-000000000417
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Panel Lab" --max-expiry-s 3600
show_on_failure "$WORK_DIR/probe.err"
sane_env_wsd "$WORK_DIR/sane" "push-destination = $DESTINATION"

panel_subscriptions() { panel_subscription "$DESTINATION"; }
on_panel() { [ -n "$(panel_subscriptions)" ]; }
subscribed_anew() { local s; s=$(panel_subscriptions); [ -n "$s" ] && [ "$s" != "$1" ]; }

lab_command host "$probe" -d "wsd:$uuid" --option resolution=100 --option mode=Gray --wait-for-button 120 \
    -o "$WORK_DIR/page.raw"
"${LAB_CMD[@]}" >"$WORK_DIR/probe.out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
lab_at_exit "kill $probe_pid 2>/dev/null || true"
lab_wait_until 90 "our destination on the panel" on_panel || fail "the panel lists nothing"
first=$(panel_subscriptions)
# The panel shows the destination a moment before the log has the request.
logged() { [ "$(sim_log --count "$@")" -gt 0 ]; }
lab_wait_until 30 "the Subscribe on the log" logged operation=Subscribe outcome=ok client="$LAB_ADDR4_HOST" ||
    fail "no Subscribe from $LAB_ADDR4_HOST: $(sim_log operation=Subscribe)"

it_log "the listener binds the address routing to the device alone"
listeners=$(lab_exec_host ss -Htlnp | grep -F "sane-probe" | awk '{print $4}')
[ -n "$listeners" ] || fail "no listening socket of sane-probe on the host side"
for l in $listeners; do
    case $l in "$LAB_ADDR4_HOST":*) ;; *) fail "sane-probe listens on $l, not on $LAB_ADDR4_HOST only" ;; esac
done

it_log "a reboot: the Hello brings a new subscription"
sim_control POST /reboot >/dev/null
lab_wait_until 60 "a new subscription" subscribed_anew "$first" || fail "the panel lists: $(panel_subscriptions)"
second=$(panel_subscriptions)
assert_logged "the Hello with a new InstanceId" operation=Hello outcome=sent
assert_logged "the Renew the rebooted device refused" operation=Renew outcome=fault:UnableToRenew subscription="$first"
assert_eq "$(panel_subscriptions)" "$second" "destinations on the panel"

it_log "a press scans"
sim_control POST /panel/press "{\"destination\": \"$DESTINATION\", \"source\": \"Platen\"}" >/dev/null
wait_child "$probe_pid" 120 sane-probe || fail "sane-probe: $(cat "$WORK_DIR/probe.out")"
out=$(cat "$WORK_DIR/probe.out")
assert_contains "$out" " read-end page=1 status=End of file" "sane-probe"
assert_logged "the event at the host's address" operation=ScanAvailableEvent outcome=delivered \
    to="http://$LAB_ADDR4_HOST:*" subscription="$second"
assert_logged "the job of the press" operation=CreateScanJob outcome=ok subscription="$second"
assert_eq "$(sim_jobs state)" Completed "the job's end state"
probe_page_to_pnm "$WORK_DIR/probe.out" 1 "$WORK_DIR/page.raw" "$WORK_DIR/page.pgm" gray
guard 60 "$check" -r 100 -m gray -s 1 "$WORK_DIR/page.pgm" || fail "the pattern of the panel scan"
assert_logged "Unsubscribe at close" operation=Unsubscribe outcome=ok subscription="$second"
assert_eq "$(panel_subscriptions)" "" "destinations left on the panel"
it_log "PASS"
