# Helpers of the panel tests that run the backend against wsd-sim (bash;
# source after lib.sh).

# panel_subscription NAME: the subscription of the destination NAME on
# wsd-sim's panel; nothing when the panel does not list it.
panel_subscription() {
    sim_control GET /panel | python3 -c '
import json, sys
for d in json.load(sys.stdin)["destinations"]:
    if d["name"] == sys.argv[1]:
        print(d["subscription"])' "$1"
}

# probe_page_to_pnm PROBE_OUT N RAW PNM MODE: the Nth page sane-probe read
# (its raw bytes in RAW, its size in PROBE_OUT's Nth "parameters" event) as
# a PNM file, for pattern-check; MODE gray or color.
probe_page_to_pnm() {
    local params ppl lines magic=P6
    params=$(grep ' parameters ' "$1" | sed -n "$2p")
    ppl=$(sed -n 's/.* ppl=\([0-9]*\).*/\1/p' <<<"$params")
    lines=$(sed -n 's/.* lines=\([0-9]*\).*/\1/p' <<<"$params")
    [ "$5" = gray ] && magic=P5
    { printf '%s\n%s %s\n255\n' "$magic" "$ppl" "$lines"; cat "$3"; } >"$4"
}

# press_and_scan DESTINATION PROBE_PID SUBSCRIPTION [SOURCE PAGES]: presses
# Scan at the panel for DESTINATION (SOURCE Platen, the default, or ADF with
# PAGES sheets) and checks that the waiting sane-probe (its output in
# $WORK_DIR/probe.out and probe.err) scanned the pages through the
# device-initiated job of SUBSCRIPTION, which ended Completed, and
# Unsubscribed at close.
press_and_scan() {
    local source=${4:-Platen} pages=${5:-1}
    sim_control POST /panel/press "{\"destination\": \"$1\", \"source\": \"$source\", \"pages\": $pages}" \
        >/dev/null
    wait_child "$2" 120 sane-probe || fail "sane-probe: $(cat "$WORK_DIR/probe.out")"
    assert_no_sanitizer_report "$WORK_DIR/probe.err" sane-probe
    assert_eq "$(grep -c ' read-end page=[0-9]* status=End of file' "$WORK_DIR/probe.out")" "$pages" \
        "pages sane-probe read"
    assert_logged "the job of the press" operation=CreateScanJob outcome=ok subscription="$3"
    assert_eq "$(sim_jobs state)" Completed "the job's end state"
    assert_logged "Unsubscribe at close" operation=Unsubscribe outcome=ok subscription="$3"
}

# Network loss in the lab (after lab_up): netloss_setup once, then
# netloss_down / netloss_up take the device's side of the link down and up.
# Down keeps its addresses (IPv6 ones too), so only the link is gone; up
# restores the multicast route the lab added. The link is up again at exit.
netloss_setup() {
    ip netns exec "$LAB_NS_DEV" sysctl -qw "net.ipv6.conf.$LAB_IF.keep_addr_on_down=1" ||
        hard_error "keep_addr_on_down"
    lab_at_exit "ip -n $LAB_NS_DEV link set $LAB_IF up 2>/dev/null || true"
}
netloss_down() {
    ip -n "$LAB_NS_DEV" link set "$LAB_IF" down || hard_error "link down"
    it_log "link down"
}
netloss_up() {
    ip -n "$LAB_NS_DEV" link set "$LAB_IF" up || hard_error "link up"
    ip -n "$LAB_NS_DEV" route replace 224.0.0.0/4 dev "$LAB_IF" || hard_error "multicast route"
    # The link is back at once: without this, the first connection after up
    # is lost to a new round of ARP for the entries that failed to resolve
    # while it was down, and the test would depend on the kernel's timers.
    ip -n "$LAB_NS_HOST" neigh flush dev "$LAB_IF" && ip -n "$LAB_NS_DEV" neigh flush dev "$LAB_IF" ||
        hard_error "neighbour flush"
    it_log "link up"
}
