#!/usr/bin/env bash
# The panel-only personality in the lab (a device that takes only jobs
# started at its panel), the backend on the host side finding it by
# multicast discovery, through a tiny SANE frontend (sane-probe, polling the
# `scan` option as button daemons do). A pull scan is refused (DEVICE_BUSY,
# no job); the subscription, granted 2 s at a time, is renewed period after
# period and never runs out; hostile deliveries to the event listener are
# refused and logged: a connection from another address than the device's
# (a second address on the device's side of the link), and an event POST from
# the device's address for a subscription that is not ours; then an ADF
# press of 5 pages scans through the one subscription (each page
# pixel-checked, job Completed), and closing the handle Unsubscribes it: the
# panel is empty.
# Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3 curl ss
build_program probe testsuite/tools/sane-probe
build_program check testsuite/tools/pattern-check
lab_up
export SANE_WSD_DISCOVERY=on

DESTINATION="Lab Panel Only"
# Not in the simulator's addresses: the other host on the link.
INTRUDER=198.18.0.3
uuid=5ca00000-0000-4000-8000-000000000418
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Panel Only Lab" --profile panel-only \
    --max-expiry-s 2
sane_env_wsd "$WORK_DIR/sane" "push-destination = $DESTINATION"
show_on_failure "$WORK_DIR/probe.err" "$WORK_DIR/pull.out"

panel_subscriptions() { panel_subscription "$DESTINATION"; }
on_panel() { [ -n "$(panel_subscriptions)" ]; }
logged() { [ "$(sim_log --count "$@")" -gt 0 ]; }
renewed_at_least() { [ "$(sim_log --count operation=Renew outcome=ok subscription="$1")" -ge "$2" ]; }

it_log "a pull scan is refused: the device takes only jobs started at its panel"
status=0
SANE_DEBUG_WSD=1 guard --side host 120 "$probe" -d "wsd:$uuid" --option resolution=100 -o "$WORK_DIR/pull.raw" \
    >"$WORK_DIR/pull.out" 2>&1 || status=$?
assert_contains "$(cat "$WORK_DIR/pull.out")" " start page=1 status=Device busy" "the pull scan"
assert_logged "the refused host-initiated job" operation=CreateScanJob outcome=fault:ServerErrorNotAcceptingJobs \
    client="$LAB_ADDR4_HOST"
assert_eq "$(sim_active)" "" "active jobs after the refusal"

# The pull scan's handle subscribed too, and left the panel at close.
assert_eq "$(panel_subscriptions)" "" "destinations after the pull scan"
subscribes=$(sim_log --count operation=Subscribe destinations=1)
# Warnings logged: the refusals below are asserted on them.
lab_command host env SANE_DEBUG_WSD=2 "$probe" -d "wsd:$uuid" --option resolution=100 --option mode=Gray \
    --wait-for-button 120 --pages 0 -o "$WORK_DIR/page-%d.raw"
"${LAB_CMD[@]}" >"$WORK_DIR/probe.out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
lab_at_exit "kill $probe_pid 2>/dev/null || true"
lab_wait_until 90 "our destination on the panel" on_panel || fail "the panel lists nothing"
subscription=$(panel_subscriptions)
lab_wait_until 30 "the Subscribe on the log" logged operation=Subscribe outcome=ok client="$LAB_ADDR4_HOST" ||
    fail "no Subscribe from $LAB_ADDR4_HOST: $(sim_log operation=Subscribe)"

# Renewed at half the grant: four Renews span two whole periods.
it_log "renewal across several 2 s expiry periods"
lab_wait_until 60 "four Renews" renewed_at_least "$subscription" 4 || fail "Renews: $(sim_log operation=Renew)"
assert_not_logged "the subscription never ran out" operation=SubscriptionExpiry
assert_eq "$(panel_subscriptions)" "$subscription" "the subscription on the panel"
assert_eq "$(sim_log --count operation=Subscribe destinations=1)" $((subscribes + 1)) "Subscribes to the panel"

it_log "hostile deliveries to the event listener are refused and logged"
port=$(lab_exec_host ss -Htlnp | grep -F sane-probe | awk '{print $4}' | sed -n "s/^$LAB_ADDR4_HOST:\([0-9]*\)$/\1/p")
[ -n "$port" ] || fail "no listener of sane-probe on $LAB_ADDR4_HOST: $(lab_exec_host ss -Htlnp)"
ip -n "$LAB_NS_DEV" addr add "$INTRUDER/24" dev "$LAB_IF" || hard_error "cannot add $INTRUDER"
event='<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>'
status=0
guard --side dev 30 curl -sS --max-time 10 --interface "$INTRUDER" -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/soap+xml' --data-binary "$event" "http://$LAB_ADDR4_HOST:$port/" \
    >"$WORK_DIR/intruder.out" 2>&1 || status=$?
[ "$status" -ne 0 ] || fail "the listener answered $INTRUDER: $(cat "$WORK_DIR/intruder.out")"
refused_intruder() { grep -qF "refused a connection from $INTRUDER" "$WORK_DIR/probe.err"; }
lab_wait_until 10 "the refusal in the log" refused_intruder ||
    fail "no refusal of $INTRUDER logged: $(cat "$WORK_DIR/probe.err")"
code=$(guard --side dev 30 curl -sS --max-time 10 --interface "$LAB_ADDR4_DEV" -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/soap+xml' --data-binary "$event" "http://$LAB_ADDR4_HOST:$port/forged")
case $code in 4??) ;; *) fail "an event for no subscription of ours: HTTP $code" ;; esac
assert_contains "$(cat "$WORK_DIR/probe.err")" "refused an event for /forged, which is no subscription of ours" \
    "the backend's log"
kill -0 "$probe_pid" 2>/dev/null || fail "sane-probe died"

it_log "an ADF press of 5 pages scans through the one subscription"
press_and_scan "$DESTINATION" "$probe_pid" "$subscription" ADF 5
assert_contains "$(cat "$WORK_DIR/probe.out")" " button panel-source=ADF" "the panel's source as a SANE option"
assert_eq "$(sim_log --count operation=CreateScanJob outcome=ok)" 1 "jobs the device took"
for n in 1 2 3 4 5; do
    probe_page_to_pnm "$WORK_DIR/probe.out" "$n" "$WORK_DIR/page-$n.raw" "$WORK_DIR/page-$n.pgm" gray
    guard 60 "$check" -r 100 -m gray -s "$n" "$WORK_DIR/page-$n.pgm" || fail "the pattern of page $n"
done
assert_eq "$(sim_log --count operation=Subscribe destinations=1)" $((subscribes + 1)) "Subscribes to the panel"
assert_not_logged "the subscription never ran out" operation=SubscriptionExpiry
assert_eq "$(panel_subscriptions)" "" "destinations left on the panel"
it_log "PASS"
