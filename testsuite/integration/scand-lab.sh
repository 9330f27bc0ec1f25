#!/usr/bin/env bash
# wsd-scand finds its scanner by WS-Discovery multicast (inside the lab's
# namespaces, the only place multicast is allowed), shows this computer's two
# destinations on the panel of the panel-only personality, and a press there
# lands as a pixel-checked PNG; the job Completed, the panel empty after
# --once. A second run: a device reboot (Bye, then a Hello with a new
# InstanceId) brings new subscriptions at once, granted 2 s at a time and
# renewed period after period; a connection to the event listener from
# another address than the device's is refused and logged; an ADF press of
# 5 pages lands as one 5-page PDF (each page rendered with pdftoppm and
# pixel-checked), the job Completed, the panel empty.
# Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands python3 curl ss pdfinfo pdftoppm
build_program scand tools/wsd-scand
lab_up
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"
mkdir -p "$XDG_RUNTIME_DIR"
export XDG_STATE_HOME="$WORK_DIR/state"

uuid=5ca00000-0000-4000-8000-000000000417
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Lab scanner" --profile panel-only
cat >"$WORK_DIR/scand.conf" <<'CONF'
[destination Lab — Photo]
mode = Color
resolution = 100
format = png

[destination Lab — PDF]
mode = Gray
resolution = 100
source = ADF
format = pdf
CONF
show_on_failure "$WORK_DIR/scand.err"

# panel_clients: "name client" per destination the panel shows.
panel_clients() {
    sim_control GET /panel | python3 -c '
import json, sys
for d in json.load(sys.stdin)["destinations"]:
    print(d["name"], d["client"])'
}
shows_two() { [ "$(panel_clients | wc -l)" = 2 ]; }
# panel_subscriptions: the panel's subscriptions, sorted, one a line.
panel_subscriptions() {
    sim_control GET /panel | python3 -c '
import json, sys
print("\n".join(sorted(d["subscription"] for d in json.load(sys.stdin)["destinations"])))'
}

# start_scand: wsd-scand --once in the lab's host side (its default log:
# the backend's warnings too), ready when the panel shows its two destinations.
start_scand() {
    lab_command host "$scand" -c "$WORK_DIR/scand.conf" -f "$WORK_DIR/Scans" --once
    "${LAB_CMD[@]}" </dev/null >>"$WORK_DIR/scand.out" 2>>"$WORK_DIR/scand.err" &
    scand_pid=$!
    lab_at_exit "kill $scand_pid 2>/dev/null || true"
    lab_wait_until 90 "wsd-scand on the discovered scanner's panel" shows_two || fail "the panel does not show wsd-scand"
}

start_scand
clients=$(panel_clients | sort)
it_log "panel: $clients"
for host in "$LAB_ADDR4_HOST" "$LAB_ADDR6_HOST" ''; do
    [ -n "$host" ] || fail "the panel shows \"$clients\", not the two destinations of the lab's host"
    [ "$clients" = "$(printf 'Lab — PDF %s\nLab — Photo %s' "$host" "$host")" ] && break
done

sim_control POST /panel/press '{"destination": "Lab — Photo", "source": "Platen"}' >/dev/null
wait_child "$scand_pid" 180 wsd-scand || fail "wsd-scand --once failed"
png=$(find "$WORK_DIR/Scans" -name '*.png')
assert_eq "$(wc -l <<<"$png")" 1 "PNG files written"
pattern_check "$png" --resolution 100 --mode color --sheet 1
assert_eq "$(sim_jobs state | tail -n 1)" Completed "the job on the simulator"
assert_eq "$(panel_clients)" "" "destinations after wsd-scand exited"

it_log "a device reboot: the Hello brings new subscriptions"
start_scand
first=$(panel_subscriptions)
subscribes=$(sim_log --count operation=Subscribe outcome=ok)
subscribed_anew() {
    [ "$(sim_log --count operation=Subscribe outcome=ok)" -ge $((subscribes + 2)) ] && shows_two
}
# From now on the device grants 2 s at a time: the subscriptions made after
# the reboot must be renewed period after period. Those before it have 10
# minutes left, so only the Hello brings their check soon.
sim_control POST /knobs '{"max-expiry-s": 2}' >/dev/null
sim_control POST /reboot >/dev/null
lab_wait_until 60 "new subscriptions after the reboot" subscribed_anew || fail "the panel shows: $(panel_clients)"
assert_logged "the Hello with a new InstanceId" operation=Hello outcome=sent
[ -z "$(comm -12 <(echo "$first") <(panel_subscriptions))" ] || fail "a subscription from before the reboot on the panel"
assert_logged "the Renews the rebooted device refused" operation=Renew outcome=fault:UnableToRenew \
    subscription="$(paste -sd '|' <<<"$first")"
second=$(panel_subscriptions)

it_log "renewal across several 2 s expiry periods"
# Renewed at half the grant: four Renews each span two whole periods.
renewed_four_times() {
    local subscription
    for subscription in $second; do
        [ "$(sim_log --count operation=Renew outcome=ok subscription="$subscription")" -ge 4 ] || return 1
    done
}
lab_wait_until 60 "four Renews of each subscription" renewed_four_times || fail "Renews: $(sim_log operation=Renew)"
assert_not_logged "no subscription ran out" operation=SubscriptionExpiry
assert_eq "$(panel_subscriptions)" "$second" "the subscriptions on the panel"

it_log "a connection from another address than the device's is refused and logged"
INTRUDER=198.18.0.3
port=$(lab_exec_host ss -Htlnp | grep -F wsd-scand | awk '{print $4}' | sed -n "s/^$LAB_ADDR4_HOST:\([0-9]*\)$/\1/p" | head -n 1)
[ -n "$port" ] || fail "no listener of wsd-scand on $LAB_ADDR4_HOST: $(lab_exec_host ss -Htlnp)"
ip -n "$LAB_NS_DEV" addr add "$INTRUDER/24" dev "$LAB_IF" || hard_error "cannot add $INTRUDER"
status=0
guard --side dev 30 curl -sS --max-time 10 --interface "$INTRUDER" -o /dev/null \
    -H 'Content-Type: application/soap+xml' --data-binary '<x/>' "http://$LAB_ADDR4_HOST:$port/" \
    >"$WORK_DIR/intruder.out" 2>&1 || status=$?
[ "$status" -ne 0 ] || fail "wsd-scand's listener answered $INTRUDER"
refused_intruder() { grep -qF "refused a connection from $INTRUDER" "$WORK_DIR/scand.err"; }
lab_wait_until 10 "the refusal in the log" refused_intruder || fail "no refusal of $INTRUDER logged"

it_log "an ADF press of 5 pages: one 5-page PDF"
sim_control POST /panel/press '{"destination": "Lab — PDF", "source": "ADF", "pages": 5}' >/dev/null
wait_child "$scand_pid" 300 wsd-scand || fail "wsd-scand --once failed"
pdf=$(find "$WORK_DIR/Scans" -name '*.pdf')
assert_eq "$(wc -l <<<"$pdf")" 1 "PDF files written"
assert_eq "$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')" 5 "pages in the PDF"
guard 120 pdftoppm -r 100 -gray "$pdf" "$WORK_DIR/pdf-page" || fail "pdftoppm"
for i in 1 2 3 4 5; do
    pattern_check "$(ls "$WORK_DIR"/pdf-page-*"$i".pgm)" --resolution 100 --mode gray --sheet "$i"
done
assert_logged "the feeder job, through a new subscription" operation=CreateScanJob outcome=ok \
    subscription="$(paste -sd '|' <<<"$second")"
assert_eq "$(sim_jobs state | tail -n 1)" Completed "the feeder job on the simulator"
assert_eq "$(sim_active)" "" "active jobs"
assert_eq "$(panel_clients)" "" "destinations after wsd-scand exited"
it_log "PASS"
