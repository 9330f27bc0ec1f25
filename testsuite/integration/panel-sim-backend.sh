#!/usr/bin/env bash
# A scan started at the panel, end to end on loopback: the backend (through
# SANE's dll loader, driven by sane-probe --wait-for-button as a button
# daemon polls) against wsd-sim's own event source and panel, no scripted
# peer in between. The panel lists our destination, a press makes the `scan`
# option go true, sane_start runs the device-initiated job (the press's
# ScanIdentifier and our DestinationToken: the strict simulator refuses
# anything else), each page shows the test pattern, the job ends Completed,
# and closing the handle Unsubscribes: no stale destination on the panel.
# Three runs: a platen press on an office MFP, the same on a panel-only
# device (it refuses host-initiated jobs), and an ADF press of several pages.
# No discovery.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/panel-lib.sh"

require_commands python3 curl
build_program probe testsuite/tools/sane-probe
build_program check testsuite/tools/pattern-check
export SANE_WSD_DISCOVERY=off

DESTINATION="Panel Test"

# panel_names: the names the simulator's panel lists, one a line.
panel_names() {
    sim_control GET /panel | python3 -c '
import json, sys
for d in json.load(sys.stdin)["destinations"]:
    print(d["name"])'
}
on_panel() { [ "$(panel_names)" = "$DESTINATION" ]; }
logged() { [ "$(sim_log --count "$@")" -gt 0 ]; }

# check_page N MODE DPI: the Nth page sane-probe wrote shows sheet N's pattern.
check_page() {
    local n=$1 mode=$2 dpi=$3
    probe_page_to_pnm "$WORK_DIR/probe.out" "$n" "$WORK_DIR/page-$n.raw" "$WORK_DIR/page-$n.pnm" "$mode"
    guard 60 "$check" -r "$dpi" -m "$mode" -s "$n" "$WORK_DIR/page-$n.pnm" || fail "the pattern of page $n"
}

# panel_scan PROFILE SOURCE PAGES MODE: one open handle, one press of SOURCE
# (Platen or ADF, with PAGES sheets), one scan, close; asserted on /log.
panel_scan() {
    local profile=$1 source=$2 pages=$3 mode=$4 dpi=100 sane_mode=Color
    [ "$mode" = gray ] && sane_mode=Gray
    it_log "$profile: a press of $source ($pages page(s))"
    sim_start --listen 127.0.0.1 --profile "$profile"
    show_on_failure "$WORK_DIR/probe.err"
    sane_env_wsd "$WORK_DIR/sane-$profile" "discovery = off" "push-destination = $DESTINATION" \
        "device panel $SIM_DEVICE_URL"
    rm -f "$WORK_DIR"/page-*
    # The feeder: pages until sane_start says it is empty; the platen: one.
    local probe_pages=1
    [ "$source" = ADF ] && probe_pages=0
    "$probe" -d wsd:panel --option resolution=$dpi --option mode=$sane_mode --wait-for-button 90 --pages $probe_pages \
        -o "$WORK_DIR/page-%d.raw" >"$WORK_DIR/probe.out" 2>"$WORK_DIR/probe.err" &
    local probe_pid=$!
    lab_at_exit "kill $probe_pid 2>/dev/null || true"
    lab_wait_until 60 "our destination on the panel" on_panel || fail "the panel lists: $(panel_names)"
    # The panel shows the destination a moment before the log has the request.
    lab_wait_until 30 "the Subscribe on the log" logged operation=Subscribe outcome=ok client=127.0.0.1 ||
        fail "no Subscribe: $(sim_log operation=Subscribe)"
    local subscription
    subscription=$(sim_control GET /panel | python3 -c 'import json, sys; print(json.load(sys.stdin)["destinations"][0]["subscription"])')

    sim_control POST /panel/press "{\"destination\": \"$DESTINATION\", \"source\": \"$source\", \"pages\": $pages}" \
        >/dev/null
    wait_child "$probe_pid" 180 sane-probe || fail "sane-probe: $(cat "$WORK_DIR/probe.out")"
    local out
    out=$(cat "$WORK_DIR/probe.out")
    assert_no_sanitizer_report "$WORK_DIR/probe.err" sane-probe
    local sane_source=Flatbed
    [ "$source" = ADF ] && sane_source=ADF
    assert_contains "$out" " button panel-source=$sane_source" "the panel's source as a SANE option"
    assert_logged "the event reached the backend" operation=ScanAvailableEvent outcome=delivered
    # The one job: device-initiated (the simulator checks ScanIdentifier and
    # DestinationToken against the press), no host-initiated one besides.
    assert_eq "$(sim_log --count operation=CreateScanJob)" 1 "CreateScanJob requests"
    assert_logged "the job of the press" operation=CreateScanJob outcome=ok subscription="$subscription"
    assert_eq "$(sim_jobs state)" Completed "the job's end state"
    assert_eq "$(grep -c ' read-end page=[0-9]* status=End of file' <<<"$out")" "$pages" "pages read"
    local n
    for ((n = 1; n <= pages; n++)); do
        check_page "$n" "$mode" "$dpi"
    done
    assert_no_refused_request
    assert_logged "Unsubscribe at close" operation=Unsubscribe outcome=ok subscription="$subscription"
    assert_eq "$(panel_names)" "" "destinations left on the panel"
    sim_stop
}

panel_scan office-mfp Platen 1 color
panel_scan panel-only Platen 1 color
panel_scan office-mfp ADF 3 gray
it_log "PASS"
