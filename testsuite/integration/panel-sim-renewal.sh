#!/usr/bin/env bash
# The backend's panel subscription over time, against wsd-sim on loopback:
# a device that grants only 2 s (max-expiry-s) sees the subscription
# renewed period after period and never lets it expire; a device reboot
# (it forgets its subscribers without a word) is noticed by the refused
# Renew and followed by a new Subscribe; a press then still scans, through
# the new subscription, and closing the handle Unsubscribes it, leaving the
# panel empty. No discovery (the Hello of a rebooted device is a lab matter).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3 curl
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off

DESTINATION="Renewal Test"
sim_start --listen 127.0.0.1 --profile office-mfp --max-expiry-s 2
show_on_failure "$WORK_DIR/probe.err"
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "push-destination = $DESTINATION" "device panel $SIM_DEVICE_URL"

# panel_subscriptions: the subscription of each destination on the panel, one a line.
panel_subscriptions() { panel_subscription "$DESTINATION"; }
renewed_at_least() { [ "$(sim_log --count operation=Renew outcome=ok subscription="$1")" -ge "$2" ]; }
on_panel() { [ -n "$(panel_subscriptions)" ]; }
subscribed_anew() { local s; s=$(panel_subscriptions); [ -n "$s" ] && [ "$s" != "$1" ]; }

"$probe" -d wsd:panel --option resolution=100 --option mode=Gray --wait-for-button 120 \
    >"$WORK_DIR/probe.out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
lab_at_exit "kill $probe_pid 2>/dev/null || true"
lab_wait_until 60 "our destination on the panel" on_panel || fail "the panel lists nothing"
first=$(panel_subscriptions)

it_log "renewal across several expiry periods"
lab_wait_until 60 "three Renews" renewed_at_least "$first" 3 || fail "Renews: $(sim_log operation=Renew)"
assert_not_logged "the subscription never ran out" operation=SubscriptionExpiry
assert_eq "$(panel_subscriptions)" "$first" "the subscription on the panel"
assert_eq "$(sim_log --count operation=Subscribe destinations=1)" 1 "Subscribes to the panel"

it_log "a reboot: the refused Renew brings a new Subscribe"
sim_control POST /reboot >/dev/null
lab_wait_until 60 "a new subscription" subscribed_anew "$first" || fail "the panel lists: $(panel_subscriptions)"
second=$(panel_subscriptions)
assert_logged "the Renew the rebooted device refused" operation=Renew outcome=fault:UnableToRenew subscription="$first"
assert_eq "$(sim_log --count operation=Subscribe outcome=ok destinations=1)" 2 "Subscribes to the panel"
lab_wait_until 60 "the new subscription renewed" renewed_at_least "$second" 1 || fail "no Renew of $second"

it_log "a press still scans"
press_and_scan "$DESTINATION" "$probe_pid" "$second"
assert_eq "$(panel_subscriptions)" "" "destinations left on the panel"
# (Events the device queued for the second just before its Unsubscribe at
# close, the job's end among them, may be dropped: that is no loss.)
assert_not_logged "no event went to the subscription the reboot ended" outcome=dropped subscription="$first"
it_log "PASS"
