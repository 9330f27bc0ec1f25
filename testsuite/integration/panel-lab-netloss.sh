#!/usr/bin/env bash
# A SANE handle held open by a frontend (sane-probe --wait-for-button, as a
# button daemon) across network loss, both ends in the lab's namespaces:
# the device's link goes down and comes back. Back before the subscription
# expires: the same subscription renewed, no second Subscribe. Down past
# the expiry: the device drops it, the backend logs its retries (with
# backoff) and, once the link is back, the panel lists our destination
# once, through one new subscription; a press then scans (the page
# pixel-checked, the job Completed) and closing the handle Unsubscribes.
# The handle's second subscription (status and job events, no destination)
# goes the same way: renewed across the short outage, given up on, left
# (Unsubscribe) and made anew once after the long one.
# Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3 curl
build_program probe testsuite/tools/sane-probe
build_program check testsuite/tools/pattern-check
lab_up
export SANE_WSD_DISCOVERY=on
# The backend's warnings (failed Renews, retries) on sane-probe's stderr.
export SANE_DEBUG_WSD=2

DESTINATION="Lab Panel"
uuid=5ca00000-0000-4000-8000-000000000419
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Panel Lab" --max-expiry-s 20
show_on_failure "$WORK_DIR/probe.err"
# A request to a device out of reach gives up after a second or two (the
# defaults are 5 s to connect, 30 s in all). With 20 s granted, a Renew
# after 10 s cut off by the outage fails 8 s before the expiry (the status/job
# subscription's, tried after it by the same thread, 6 s before): room for
# the retry after the link is back, on a loaded machine too.
sane_env_wsd "$WORK_DIR/sane" "push-destination = $DESTINATION" "interface = $LAB_IF" "connect-timeout = 1000" \
    "request-timeout = 2000"
netloss_setup

panel_subscriptions() { panel_subscription "$DESTINATION"; }
on_panel() { [ -n "$(panel_subscriptions)" ]; }
logged_times() { grep -cF -- "$1" "$WORK_DIR/probe.err" || true; }
renews_of() { sim_log --count operation=Renew outcome=ok subscription="$1"; }
panel_subscribes() { sim_log --count operation=Subscribe outcome=ok destinations=1; }
# The status/job subscriptions the device took (Subscribes without a
# destination), one a line, oldest first.
status_subscriptions() {
    sim_control GET /log | python3 -c '
import json, sys
for e in json.load(sys.stdin)["log"]:
    if e["operation"] == "Subscribe" and e["outcome"] == "ok" and not e.get("destinations"):
        print(e["subscription"])'
}

lab_command host "$probe" -d "wsd:$uuid" --option resolution=100 --option mode=Gray --wait-for-button 120 \
    -o "$WORK_DIR/page.raw"
"${LAB_CMD[@]}" >"$WORK_DIR/probe.out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
lab_at_exit "kill $probe_pid 2>/dev/null || true"
lab_wait_until 90 "our destination on the panel" on_panel || fail "the panel lists nothing"
first=$(panel_subscriptions)
subscribes=$(panel_subscribes)
assert_eq "$subscribes" 1 "Subscribes to the panel"
status_made() { [ -n "$(status_subscriptions)" ]; }
lab_wait_until 30 "the status/job subscription" status_made || fail "no status/job subscription"
status_first=$(status_subscriptions)
assert_eq "$(wc -l <<<"$status_first")" 1 "status/job subscriptions"

it_log "the link comes back before the subscription expires"
renews=$(renews_of "$first")
status_renews=$(renews_of "$status_first")
netloss_down
renew_failed() { [ "$(logged_times "not renewed yet; trying again")" -ge 1 ]; }
lab_wait_until 30 "a failed Renew" renew_failed || fail "no failed Renew logged"
netloss_up
renewed_again() { [ "$(renews_of "$first")" -gt "$renews" ] && grep -qF "\" is back" "$WORK_DIR/probe.err"; }
lab_wait_until 30 "the same subscription renewed" renewed_again || fail "Renews: $(sim_log operation=Renew)"
status_renewed() { [ "$(renews_of "$status_first")" -gt "$status_renews" ]; }
lab_wait_until 30 "the status/job subscription renewed" status_renewed || fail "Renews: $(sim_log operation=Renew)"
assert_not_logged "no subscription ran out" operation=SubscriptionExpiry
assert_eq "$(panel_subscribes)" "$subscribes" "Subscribes to the panel after a short outage"
assert_eq "$(status_subscriptions)" "$status_first" "status/job subscriptions after a short outage"
assert_eq "$(panel_subscriptions)" "$first" "the subscription on the panel"

it_log "the link stays down past the expiry"
sim_control POST /knobs '{"max-expiry-s": 3}' >/dev/null
renews=$(renews_of "$first")
renewed() { [ "$(renews_of "$first")" -gt "$renews" ]; }
lab_wait_until 30 "a Renew granting 3 s" renewed || fail "Renews: $(sim_log operation=Renew)"
netloss_down
expired() { [ "$(sim_log --count operation=SubscriptionExpiry subscription="$first")" -ge 1 ]; }
lab_wait_until 30 "the device dropping the subscription" expired || fail "no expiry: $(sim_log operation=SubscriptionExpiry)"
# Down until a new Subscribe failed too: the retries back off (1 s, then 2 s).
noticed() { [ "$(logged_times "is lost; trying again in 2s")" -ge 1 ]; }
lab_wait_until 60 "the backend noticing" noticed || fail "the backend did not back off after the lost subscription"
assert_eq "$(panel_subscriptions)" "" "destinations while the link is down"
netloss_up
up_at=$(lab_now_ms)
subscribed_anew() { local s; s=$(panel_subscriptions); [ -n "$s" ] && [ "$s" != "$first" ]; }
lab_wait_until 60 "a new subscription" subscribed_anew || fail "the panel lists: $(panel_subscriptions)"
it_log "on the panel again $(($(lab_now_ms) - up_at)) ms after the link came back"
second=$(panel_subscriptions)
# Renewed once more: no late second Subscribe came meanwhile.
renewed_second() { [ "$(renews_of "$second")" -ge 1 ]; }
lab_wait_until 30 "the new subscription renewed" renewed_second || fail "Renews: $(sim_log operation=Renew)"
assert_eq "$(panel_subscribes)" $((subscribes + 1)) "Subscribes to the panel after a long outage"
assert_eq "$(panel_subscriptions)" "$second" "the subscription on the panel"
# The status/job subscription given up on too, left, and made anew once.
status_anew() { [ "$(status_subscriptions | wc -l)" -ge 2 ]; }
lab_wait_until 60 "a new status/job subscription" status_anew || fail "status/job subscriptions: $(status_subscriptions)"
status_second=$(status_subscriptions | tail -n 1)
status_renewed_again() { [ "$(renews_of "$status_second")" -ge 1 ]; }
lab_wait_until 30 "the new status/job subscription renewed" status_renewed_again ||
    fail "Renews: $(sim_log operation=Renew)"
# Left before the new one was made, or (its Unsubscribe unanswered while
# the link came back) before the new one's first Renew.
assert_logged "the status/job subscription given up on, left" operation=Unsubscribe subscription="$status_first"
assert_eq "$(status_subscriptions | wc -l)" 2 "status/job subscriptions after a long outage"
assert_logged "the panel's subscription given up on, left" operation=Unsubscribe subscription="$first"

it_log "a press after the outage"
press_and_scan "$DESTINATION" "$probe_pid" "$second"
probe_page_to_pnm "$WORK_DIR/probe.out" 1 "$WORK_DIR/page.raw" "$WORK_DIR/page.pgm" gray
guard 60 "$check" -r 100 -m gray -s 1 "$WORK_DIR/page.pgm" || fail "the pattern of the panel scan"
assert_eq "$(sim_active)" "" "active jobs"
assert_eq "$(panel_subscriptions)" "" "destinations left on the panel"
it_log "PASS"
