#!/bin/bash
# sane-airscan (an independent WSD client) scans from wsd-sim over loopback:
# the device configured by URL, no discovery, no namespaces, no root needed.
# A flatbed region in colour and a 3-page ADF batch, every page checked pixel
# by pixel against the test pattern; the simulator's job log must agree.
. "$(dirname "$0")/lib.sh"

require_commands scanimage curl
airscan_installed || skip "sane-airscan is not installed (Debian package sane-airscan)"

# No --interface: wsd-sim stays on 127.0.0.1/::1 and sends no multicast.
sim_start --profile office-mfp --adf-pages 3 -v

# discovery off: airscan sends nothing on the machine's interfaces.
sane_env_airscan "$WORK_DIR/sane" \
    '[devices]' "\"Sim\" = $SIM_SERVICE_URL, WSD" \
    '[options]' 'discovery = disable' 'ws-discovery = off'

sane_list_devices ""
assert_eq "$SANE_DEVICES" "airscan:w0:Sim" "devices listed by scanimage -L"

scan_flatbed_and_check "" airscan:w0:Sim
scan_adf_batch_and_check "" airscan:w0:Sim ADF 3
# airscan, configured with the scan service URL, addresses it by that URL,
# which is the address the metadata gives: the strict wsa:To check accepts it.
assert_logged "airscan's CreateScanJob to the service address" operation=CreateScanJob outcome=ok to="$SIM_SERVICE_URL"
assert_not_logged "a request with a wrong wsa:To" outcome=fault:DestinationUnreachable
assert_no_refused_request

jobs=$(sim_control GET /jobs)
it_log "wsd-sim jobs: $jobs"
assert_eq "$(sim_jobs id state reasons imagesRetrieved source)" \
    "1 Completed JobCompletedSuccessfully 1 Platen
2 Completed JobCompletedSuccessfully 3 ADF" "jobs on wsd-sim"

# A device that parses a request only on one line (personality
# one-line-parser, sane-airscan#22): airscan writes its requests compact, so
# it scans from it as from the default.
sim_start --name oneline --profile one-line-parser -v
sane_env_airscan "$WORK_DIR/sane-oneline" \
    '[devices]' "\"OneLine\" = $SIM_SERVICE_URL, WSD" \
    '[options]' 'discovery = disable' 'ws-discovery = off'
scan_flatbed_and_check "" airscan:w0:OneLine
assert_logged --name oneline "airscan's CreateScanJob on one line" operation=CreateScanJob outcome=ok
assert_not_logged --name oneline "a request of airscan refused for its layout" "outcome=fault:*"
