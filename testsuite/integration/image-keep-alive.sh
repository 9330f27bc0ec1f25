#!/usr/bin/env bash
# Connections of a feeder job's images (issue 18): every RetrieveImage of the
# batch travels on one kept-alive connection (no TCP connect per page), which
# is never the connection of the job requests, so CancelJob always finds that
# one idle; a platen job's single image also has a connection of its own.
# Asserted on wsd-sim's /log, whose clientPort (the peer TCP port) names the
# connection each request came on.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
it_require_build_dir
build_program check testsuite/tools/pattern-check

sim_start --profile office-mfp --listen 127.0.0.1 --adf-pages 4
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device sim $SIM_DEVICE_URL"

# ports OPERATION: the clientPort of each of its log entries, one a line.
ports() {
    sim_control GET /log | python3 -c '
import json, sys
for e in json.load(sys.stdin)["log"]:
    if e["operation"] == sys.argv[1]:
        print(e.get("clientPort", 0))' "$1"
}

it_log "a 4-page feeder batch"
scan_adf_batch_and_check "" wsd:sim ADF 4
images=$(ports RetrieveImage)
assert_eq "$(wc -l <<<"$images")" 5 "RetrieveImage requests (4 images, then the feeder is empty)"
assert_logged "the empty feeder's answer" operation=RetrieveImage outcome=fault:ClientErrorNoImagesAvailable
grep -qx 0 <<<"$images" && fail "a RetrieveImage without the peer port on the log: $images"
assert_eq "$(sort -u <<<"$images" | wc -l)" 1 "connections the batch's images came on (ports: $(tr '\n' ' ' <<<"$images"))"
for operation in CreateScanJob GetJobElements; do
    for port in $(ports "$operation"); do
        [ "$port" = "$(head -n 1 <<<"$images")" ] && fail "$operation came on the images' connection (port $port)"
    done
done

it_log "a platen page"
sim_control POST /reset-log >/dev/null
scan_flatbed_and_check "" wsd:sim
image=$(ports RetrieveImage)
assert_eq "$(wc -l <<<"$image")" 1 "RetrieveImage requests of a platen job"
assert_eq "$(ports CreateScanJob | grep -cx "$image")" 0 "CreateScanJob requests on the image's connection"
it_log "ok"
