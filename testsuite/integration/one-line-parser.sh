#!/usr/bin/env bash
# A device whose parser takes a request only on one line (wsd-sim personality
# one-line-parser: a Brother MFC-L2750DW refused the readable, indented form
# of a scan request and took it on one line, sane-airscan#22).  First the
# personality itself: the same GetScannerElements request laid out with
# indentation is refused, on one line answered.  Then scanimage scans through
# our backend over loopback (no discovery): every request it sends is taken,
# the page matches the pattern, no job stays active.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir

sim_start --name brother --profile one-line-parser -v

request() {
    # $1: separator between elements ("" or a line break and indentation)
    python3 - "$SIM_SERVICE_URL" "$1" <<'PY'
import sys
to, sep = sys.argv[1], sys.argv[2]
parts = ['<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"'
         ' xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"'
         ' xmlns:wscn="http://schemas.microsoft.com/windows/2006/08/wdp/scan">',
         '<soap:Header>', '<wsa:To>%s</wsa:To>' % to,
         '<wsa:Action>http://schemas.microsoft.com/windows/2006/08/wdp/scan/GetScannerElements</wsa:Action>',
         '<wsa:MessageID>urn:uuid:6a1d2c3e-0f4b-4c8e-9a57-3e2f1d0c9b8a</wsa:MessageID>',
         '</soap:Header>', '<soap:Body>', '<wscn:GetScannerElementsRequest>',
         '<wscn:RequestedElements>', '<wscn:Name>wscn:ScannerStatus</wscn:Name>',
         '</wscn:RequestedElements>', '</wscn:GetScannerElementsRequest>', '</soap:Body>',
         '</soap:Envelope>']
sys.stdout.write(sep.join(parts))
PY
}
post() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 20 -H 'Content-Type: application/soap+xml; charset=utf-8' \
        --data-binary @- "$SIM_SERVICE_URL"
}
last_status_request() {
    sim_control --name brother GET /log | python3 -c '
import json, sys
e = [e for e in json.load(sys.stdin)["log"] if e["operation"] == "GetScannerElements"][-1]
print(e["outcome"], "lines" in e.get("reason", ""))'
}

it_log "the personality refuses the indented layout, logging why"
code=$(request $'\n    ' | post) || fail "POST of the indented request"
assert_eq "$code" 400 "HTTP status for the indented request"
assert_eq "$(last_status_request)" "fault:Sender True" "log entry of the indented request"
it_log "and answers the same request on one line"
code=$(request "" | post) || fail "POST of the one-line request"
assert_eq "$code" 200 "HTTP status for the one-line request"
assert_eq "$(last_status_request)" "ok False" "log entry of the one-line request"
sim_control --name brother POST /reset-log >/dev/null

it_log "scanimage through the backend: every request on one line"
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device brother $SIM_DEVICE_URL"
scan_flatbed_and_check "" wsd:brother
assert_logged --name brother "the job was created" "operation=CreateScanJob" "outcome=ok"
assert_logged --name brother "the image was retrieved" "operation=RetrieveImage" "outcome=ok"
assert_not_logged --name brother "no request refused" "outcome=fault:*"
[ -z "$(sim_active --name brother)" ] || fail "a job stayed active"
