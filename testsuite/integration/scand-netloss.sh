#!/usr/bin/env bash
# wsd-scand across network loss (issue 17 item 3), both ends in the lab's
# namespaces: the device's link goes down (`ip link set` on its veth) and
# comes back. Back before the subscriptions expire: the failed Renews are
# tried again and renew the same subscriptions (no second Subscribe, so no
# destination twice on the panel). Down past the expiry: the device drops
# them, wsd-scand notices (failed Renews, then Subscribes with backoff,
# logged) and, once the link is back, the panel shows each of this
# computer's two destinations exactly once, through one new subscription
# each; a press then scans (pixel-checked PNG, the job Completed, the panel
# empty).
# Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3 curl
build_program scand tools/wsd-scand
lab_up
export SANE_WSD_DISCOVERY=on
# A request to a device out of reach gives up after a second or two (the
# defaults are 5 s to connect, 30 s in all): each failed attempt is short.
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000" "connect-timeout = 1000" \
    "request-timeout = 2000"
mkdir -p "$XDG_RUNTIME_DIR"
export XDG_STATE_HOME="$WORK_DIR/state"

uuid=5ca00000-0000-4000-8000-000000000418
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Lab scanner" --profile panel-only
# 12 s at a time: Renewed after 6 s; a Renew cut off by the outage fails
# after the request timeout (its kept-alive connection needs no connect),
# 4 s before the expiry: time for the next one, a second later, to succeed.
sim_control POST /knobs '{"max-expiry-s": 12}' >/dev/null
cat >"$WORK_DIR/scand.conf" <<'CONF'
[destination Lab — Photo]
mode = Color
resolution = 100
format = png

[destination Lab — PDF]
mode = Gray
resolution = 100
format = pdf
CONF
show_on_failure "$WORK_DIR/scand.err"

# panel_subscriptions: the panel's subscriptions, sorted, one a line.
panel_subscriptions() {
    sim_control GET /panel | python3 -c '
import json, sys
print("\n".join(sorted(d["subscription"] for d in json.load(sys.stdin)["destinations"])))'
}
# shows_ours: the panel lists our two destinations, each once, and nothing else.
shows_ours() {
    [ "$(sim_control GET /panel | python3 -c '
import json, sys
print("\n".join(sorted(d["name"] for d in json.load(sys.stdin)["destinations"])))')" = "$(printf 'Lab — PDF\nLab — Photo')" ]
}
logged_times() { grep -cF -- "$1" "$WORK_DIR/scand.err" || true; }
renews_of() { sim_log --count operation=Renew outcome=ok subscription="$1"; }
# renewed_since SUBSCRIPTION=COUNT...: each subscription renewed more than COUNT times.
renewed_since() {
    local pair
    for pair in "$@"; do
        [ "$(renews_of "${pair%=*}")" -gt "${pair#*=}" ] || return 1
    done
}
renew_counts() {
    local subscription
    for subscription in "$@"; do echo "$subscription=$(renews_of "$subscription")"; done
}

netloss_setup

lab_command host "$scand" -c "$WORK_DIR/scand.conf" -f "$WORK_DIR/Scans" --once
"${LAB_CMD[@]}" </dev/null >>"$WORK_DIR/scand.out" 2>>"$WORK_DIR/scand.err" &
scand_pid=$!
lab_at_exit "kill $scand_pid 2>/dev/null || true"
lab_wait_until 90 "wsd-scand on the discovered scanner's panel" shows_ours || fail "the panel does not show wsd-scand"
first=$(panel_subscriptions)
subscribes=$(sim_log --count operation=Subscribe outcome=ok)
assert_eq "$subscribes" 2 "Subscribes"

it_log "the link comes back before the subscriptions expire"
mapfile -t counts < <(renew_counts $first)
netloss_down
renew_failed() { [ "$(logged_times "not renewed yet; trying again")" -ge 1 ]; }
lab_wait_until 30 "a failed Renew" renew_failed || fail "no failed Renew logged"
netloss_up
recovered() { renewed_since "${counts[@]}" && grep -qF "\" is back" "$WORK_DIR/scand.err"; }
lab_wait_until 30 "the same subscriptions renewed" recovered || fail "Renews: $(sim_log operation=Renew)"
assert_not_logged "no subscription ran out" operation=SubscriptionExpiry
assert_eq "$(sim_log --count operation=Subscribe outcome=ok)" "$subscribes" "Subscribes after a short outage"
assert_eq "$(panel_subscriptions)" "$first" "the subscriptions on the panel"
shows_ours || fail "the panel shows: $(sim_control GET /panel)"

it_log "the link stays down past the expiry"
# 3 s at a time from the next Renew on, so the outage need not last long.
sim_control POST /knobs '{"max-expiry-s": 3}' >/dev/null
mapfile -t counts < <(renew_counts $first)
lab_wait_until 30 "Renews granting 3 s" renewed_since "${counts[@]}" || fail "Renews: $(sim_log operation=Renew)"
netloss_down
expired() {
    [ "$(sim_log --count operation=SubscriptionExpiry subscription="$(paste -sd '|' <<<"$first")")" -ge 2 ]
}
lab_wait_until 30 "the device dropping the subscriptions" expired || fail "no expiry: $(sim_log operation=SubscriptionExpiry)"
# Down until a new Subscribe failed too: the retries back off (1 s, then 2 s).
noticed() { [ "$(logged_times "is lost; trying again in 2s")" -ge 1 ]; }
lab_wait_until 60 "wsd-scand noticing" noticed || fail "wsd-scand did not back off after the lost subscription"
assert_eq "$(panel_subscriptions)" "" "destinations while the link is down"
netloss_up
up_at=$(lab_now_ms)
resubscribed() { shows_ours && [ -z "$(comm -12 <(echo "$first") <(panel_subscriptions))" ]; }
lab_wait_until 60 "new subscriptions" resubscribed || fail "the panel shows: $(sim_control GET /panel)"
it_log "on the panel again $(($(lab_now_ms) - up_at)) ms after the link came back"
second=$(panel_subscriptions)
grep -F 'panel subscription' "$WORK_DIR/scand.err" | sed 's/^/    /' >&2
# Renewed once more: no late Subscribe came meanwhile.
mapfile -t counts < <(for subscription in $second; do echo "$subscription=0"; done)
lab_wait_until 30 "the new subscriptions renewed" renewed_since "${counts[@]}" || fail "Renews: $(sim_log operation=Renew)"
assert_eq "$(sim_log --count operation=Subscribe outcome=ok)" $((subscribes + 2)) "Subscribes after a long outage"
assert_eq "$(panel_subscriptions)" "$second" "the subscriptions on the panel"
shows_ours || fail "the panel shows: $(sim_control GET /panel)"

it_log "a press after the outage"
sim_control POST /panel/press '{"destination": "Lab — Photo", "source": "Platen"}' >/dev/null
wait_child "$scand_pid" 180 wsd-scand || fail "wsd-scand --once failed"
png=$(find "$WORK_DIR/Scans" -name '*.png')
assert_eq "$(wc -l <<<"$png")" 1 "PNG files written"
pattern_check "$png" --resolution 100 --mode color --sheet 1
assert_logged "the job, through a new subscription" operation=CreateScanJob outcome=ok \
    subscription="$(paste -sd '|' <<<"$second")"
assert_eq "$(sim_jobs state | tail -n 1)" Completed "the job on the simulator"
assert_eq "$(sim_active)" "" "active jobs"
assert_eq "$(panel_subscriptions)" "" "destinations after wsd-scand exited"
it_log "PASS"
