#!/usr/bin/env bash
# wsd-sim as a WS-Eventing event source and a panel (issue 17, part 1), on
# loopback with nothing but curl and a tiny event sink (event-receiver.py):
# Subscribe with ScanDestinations, the destination on the panel, a press of
# Scan -> ScanAvailableEvent at NotifyTo (reference parameter echoed), the
# device-initiated CreateScanJob with ScanIdentifier + DestinationToken, the
# images, job and status events, Renew/GetStatus/Unsubscribe, the faults
# (unknown filter action, wrong token, host-initiated job when panel-only,
# refused Renew), reboot forgetting subscriptions, SubscriptionEnd on
# shutdown. Every step is checked on wsd-sim's /log. No discovery.
. "$(dirname "$0")/lib.sh"

require_commands python3 curl

SINK_DIR="$WORK_DIR/events"
mkdir -p "$SINK_DIR"
sink_out="$WORK_DIR/sink.out"
python3 "$IT_LIB_DIR/event-receiver.py" "$SINK_DIR" >"$sink_out" 2>&1 &
sink_pid=$!
lab_at_exit "kill $sink_pid 2>/dev/null; wait $sink_pid 2>/dev/null; true"
lab_wait_until 20 "the event sink to listen" grep -q '^listening ' "$sink_out" || fail "event sink did not start"
SINK_PORT=$(sed -n 's/^listening //p' "$sink_out")
NOTIFY_TO="http://127.0.0.1:$SINK_PORT/events"
END_TO="http://127.0.0.1:$SINK_PORT/end"

sim_start --listen 127.0.0.1 --profile panel-only --max-expiry-s 600

A=http://schemas.microsoft.com/windows/2006/08/wdp/scan/
E=http://schemas.xmlsoap.org/ws/2004/08/eventing/

# soap ACTION HEADERS BODY: POSTs an envelope to the scan service; the answer
# on stdout, the HTTP status in $WORK_DIR/status.
soap() {
    local envelope="<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"
 xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"
 xmlns:wse=\"http://schemas.xmlsoap.org/ws/2004/08/eventing\"
 xmlns:wscn=\"http://schemas.microsoft.com/windows/2006/08/wdp/scan\"><soap:Header>
<wsa:To>$SIM_SERVICE_URL</wsa:To><wsa:Action>$1</wsa:Action>
<wsa:MessageID>urn:uuid:$(python3 -c 'import uuid; print(uuid.uuid4())')</wsa:MessageID>
<wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>
$2</soap:Header><soap:Body>$3</soap:Body></soap:Envelope>"
    guard 30 curl -sS -o "$WORK_DIR/answer" -w '%{http_code}' -H 'Content-Type: application/soap+xml; charset=utf-8' \
        --data-binary "$envelope" "$SIM_SERVICE_URL" >"$WORK_DIR/status" || fail "POST $1 failed"
    cat "$WORK_DIR/answer"
}
http_status() { cat "$WORK_DIR/status"; }
# expect WHAT ACTUAL EXPECTED
expect() { assert_eq "$2" "$3" "$1"; }

# xml_text LOCALNAME [FILE]: text of the first element LOCALNAME (any namespace) in FILE or stdin.
xml_text() {
    python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[2] if len(sys.argv) > 2 else sys.stdin).getroot()
for el in root.iter():
    if el.tag.rsplit("}", 1)[-1] == sys.argv[1]:
        print((el.text or "").strip()); break' "$@"
}
# fault_subcode: the local name of the innermost Subcode/Value of the answer on stdin.
fault_subcode() {
    python3 -c '
import sys, xml.etree.ElementTree as ET
values = [el.text.strip() for el in ET.parse(sys.stdin).getroot().iter("{http://www.w3.org/2003/05/soap-envelope}Value")]
print(values[-1].split(":")[-1] if values else "")'
}

filter() {
    local uris=''
    for name in "$@"; do uris+="$A$name "; done
    echo "<wse:Filter Dialect=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/Action\">$uris</wse:Filter>"
}
destination() {
    echo "<wscn:ScanDestinations><wscn:ScanDestination><wscn:ClientDisplayName>$1</wscn:ClientDisplayName><wscn:ClientContext>$2</wscn:ClientContext></wscn:ScanDestination></wscn:ScanDestinations>"
}
# subscribe EXPIRES FILTER EXTRA: Subscribe with our NotifyTo (reference parameter
# urn:uuid:sink-ref) and EndTo.
subscribe() {
    soap "${E}Subscribe" "" "<wse:Subscribe><wse:EndTo><wsa:Address>$END_TO</wsa:Address></wse:EndTo>
<wse:Delivery Mode=\"${E}DeliveryModes/Push\"><wse:NotifyTo><wsa:Address>$NOTIFY_TO</wsa:Address>
<wsa:ReferenceParameters><wse:Identifier>urn:uuid:sink-ref</wse:Identifier></wsa:ReferenceParameters></wse:NotifyTo></wse:Delivery>
<wse:Expires>$1</wse:Expires>$2$3</wse:Subscribe>"
}
sim_log_has() { [ "$(sim_log --count "$@")" -gt 0 ]; }
manager_header() { echo "<wse:Identifier>$1</wse:Identifier>"; }

# event_file ACTION-NAME [N]: the Nth (default 1st) stored message whose wsa:Action ends in /NAME.
event_file() {
    python3 -c '
import glob, os, sys, xml.etree.ElementTree as ET
name, n = sys.argv[2], int(sys.argv[3])
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.xml"))):
    action = ET.parse(f).getroot().find(".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}Action")
    if action is not None and (action.text or "").strip().endswith("/" + name):
        n -= 1
        if n == 0:
            print(f)
            sys.exit(0)
sys.exit(1)' "$SINK_DIR" "$1" "${2:-1}"
}
wait_event() { lab_wait_until 20 "$1 at the sink" event_file "$@" || fail "no $1 reached NotifyTo"; event_file "$@"; }
# summary_says STATE: some ScannerStatusSummaryEvent at the sink reports STATE.
summary_says() {
    local n=1 f
    while f=$(event_file ScannerStatusSummaryEvent $n); do
        [ "$(xml_text ScannerState "$f")" = "$1" ] && return 0
        n=$((n + 1))
    done
    return 1
}

# --- an unknown filter action: wsdp:FilterActionNotSupported ---------------------------------------
answer=$(subscribe PT30S "<wse:Filter Dialect=\"http://schemas.xmlsoap.org/ws/2006/02/devprof/Action\">${A}NoSuchEvent</wse:Filter>" "")
expect "unknown action status" "$(http_status)" 400
expect "unknown action fault" "$(fault_subcode <<<"$answer")" FilterActionNotSupported
assert_logged "refused Subscribe" operation=Subscribe outcome=fault:FilterActionNotSupported
# ScanAvailableEvent without ScanDestinations: nothing to show on a panel.
answer=$(subscribe PT30S "$(filter ScanAvailableEvent)" "")
expect "no destinations fault" "$(fault_subcode <<<"$answer")" InvalidArgs

# --- Subscribe: the granted expiry is bounded by max-expiry-s ---------------------------------------
answer=$(subscribe PT2H "$(filter ScanAvailableEvent JobStatusEvent JobEndStateEvent ScannerStatusSummaryEvent \
    ScannerStatusConditionEvent ScannerStatusConditionClearedEvent)" "$(destination Alice ctx-alice)")
expect "Subscribe status" "$(http_status)" 200
SUB=$(xml_text Identifier <<<"$answer")
TOKEN=$(xml_text DestinationToken <<<"$answer")
expect "granted expiry" "$(xml_text Expires <<<"$answer")" PT600S
expect "manager address" "$(xml_text Address <<<"$answer")" "$SIM_SERVICE_URL"
expect "ClientContext echoed" "$(xml_text ClientContext <<<"$answer")" ctx-alice
[ -n "$SUB" ] && [ -n "$TOKEN" ] || fail "SubscribeResponse without Identifier or DestinationToken: $answer"
assert_logged "Subscribe" operation=Subscribe outcome=ok
assert_contains "$(sim_control GET /panel)" '"name":"Alice"' "the panel"

# --- host-initiated CreateScanJob on a panel-only device --------------------------------------------
TICKET="<wscn:ScanTicket><wscn:JobDescription><wscn:JobName>panel</wscn:JobName><wscn:JobOriginatingUserName>alice</wscn:JobOriginatingUserName></wscn:JobDescription>
<wscn:DocumentParameters><wscn:Format>jfif</wscn:Format><wscn:ImagesToTransfer>0</wscn:ImagesToTransfer><wscn:InputSource>ADF</wscn:InputSource>
<wscn:MediaSides><wscn:MediaFront><wscn:ColorProcessing>RGB24</wscn:ColorProcessing><wscn:Resolution><wscn:Width>75</wscn:Width><wscn:Height>75</wscn:Height></wscn:Resolution></wscn:MediaFront></wscn:MediaSides></wscn:DocumentParameters></wscn:ScanTicket>"
answer=$(soap "${A}CreateScanJob" "" "<wscn:CreateScanJobRequest>$TICKET</wscn:CreateScanJobRequest>")
expect "host-initiated job refused" "$(fault_subcode <<<"$answer")" ServerErrorNotAcceptingJobs

# --- the press: ScanAvailableEvent to NotifyTo ------------------------------------------------------
sim_control POST /panel/press '{"destination": "Alice", "source": "ADF", "pages": 2}' >/dev/null
f=$(wait_event ScanAvailableEvent)
expect "event wsa:To" "$(xml_text To "$f")" "$NOTIFY_TO"
expect "reference parameter echoed" "$(xml_text Identifier "$f")" urn:uuid:sink-ref
expect "ClientContext" "$(xml_text ClientContext "$f")" ctx-alice
expect "InputSource" "$(xml_text InputSource "$f")" ADF
SCAN_ID=$(xml_text ScanIdentifier "$f")
[ -n "$SCAN_ID" ] || fail "ScanAvailableEvent without ScanIdentifier"
assert_logged "press" operation=PanelPress outcome=ok
assert_logged "event delivered" operation=ScanAvailableEvent outcome=delivered to="$NOTIFY_TO"

# --- device-initiated CreateScanJob: the token must be the destination's ----------------------------
answer=$(soap "${A}CreateScanJob" "" "<wscn:CreateScanJobRequest><wscn:ScanIdentifier>$SCAN_ID</wscn:ScanIdentifier><wscn:DestinationToken>wrong</wscn:DestinationToken>$TICKET</wscn:CreateScanJobRequest>")
expect "wrong token" "$(fault_subcode <<<"$answer")" ClientErrorInvalidDestinationToken
answer=$(soap "${A}CreateScanJob" "" "<wscn:CreateScanJobRequest><wscn:ScanIdentifier>urn:uuid:00000000-0000-4000-8000-00000000dead</wscn:ScanIdentifier><wscn:DestinationToken>$TOKEN</wscn:DestinationToken>$TICKET</wscn:CreateScanJobRequest>")
expect "unknown ScanIdentifier" "$(fault_subcode <<<"$answer")" ClientErrorInvalidScanIdentifier
answer=$(soap "${A}CreateScanJob" "" "<wscn:CreateScanJobRequest><wscn:ScanIdentifier>$SCAN_ID</wscn:ScanIdentifier><wscn:DestinationToken>$TOKEN</wscn:DestinationToken>$TICKET</wscn:CreateScanJobRequest>")
expect "CreateScanJob status" "$(http_status)" 200
JOB=$(xml_text JobId <<<"$answer")
JOB_TOKEN=$(xml_text JobToken <<<"$answer")
# The press is used up.
answer=$(soap "${A}CreateScanJob" "" "<wscn:CreateScanJobRequest><wscn:ScanIdentifier>$SCAN_ID</wscn:ScanIdentifier><wscn:DestinationToken>$TOKEN</wscn:DestinationToken>$TICKET</wscn:CreateScanJobRequest>")
expect "second claim" "$(fault_subcode <<<"$answer")" ClientErrorInvalidScanIdentifier

# --- the two pages of the press, then the end of the job --------------------------------------------
for page in 1 2; do
    guard 30 curl -sS -o "$WORK_DIR/page$page" -w '%{http_code}' -H 'Content-Type: application/soap+xml' --data-binary \
        "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wscn=\"http://schemas.microsoft.com/windows/2006/08/wdp/scan\"><soap:Header><wsa:To>$SIM_SERVICE_URL</wsa:To><wsa:Action>${A}RetrieveImage</wsa:Action><wsa:MessageID>urn:uuid:00000000-0000-4000-8000-00000000000$page</wsa:MessageID></soap:Header><soap:Body><wscn:RetrieveImageRequest><wscn:JobId>$JOB</wscn:JobId><wscn:JobToken>$JOB_TOKEN</wscn:JobToken><wscn:DocumentDescription><wscn:DocumentName>page$page</wscn:DocumentName></wscn:DocumentDescription></wscn:RetrieveImageRequest></soap:Body></soap:Envelope>" \
        "$SIM_SERVICE_URL" >"$WORK_DIR/status" || fail "RetrieveImage $page failed"
    expect "RetrieveImage $page" "$(http_status)" 200
    # A JPEG inside the MTOM answer.
    python3 -c 'import sys; sys.exit(0 if b"\xff\xd8\xff" in open(sys.argv[1], "rb").read() else 1)' "$WORK_DIR/page$page" \
        || fail "page $page holds no JPEG image"
done
f=$(wait_event JobEndStateEvent)
expect "JobEndState JobId" "$(xml_text JobId "$f")" "$JOB"
expect "JobCompletedState" "$(xml_text JobCompletedState "$f")" Completed
expect "ScansCompleted" "$(xml_text ScansCompleted "$f")" 2
wait_event JobStatusEvent >/dev/null
assert_logged "job completed" operation=JobEndStateEvent outcome=delivered jobId="$JOB"
expect "job state" "$(sim_jobs id state | tail -n 1)" "$JOB Completed"

# --- status events: cover open and closed -----------------------------------------------------------
sim_control POST /knobs '{"cover-open": true}' >/dev/null
f=$(wait_event ScannerStatusConditionEvent)
expect "condition" "$(xml_text Name "$f")" CoverOpen
lab_wait_until 20 "ScannerStatusSummaryEvent Stopped" summary_says Stopped || fail "no ScannerStatusSummaryEvent with ScannerState Stopped"
sim_control POST /knobs '{"cover-open": false}' >/dev/null
wait_event ScannerStatusConditionClearedEvent >/dev/null

# --- Renew, GetStatus, refused Renew, Unsubscribe ---------------------------------------------------
answer=$(soap "${E}Renew" "$(manager_header "$SUB")" "<wse:Renew><wse:Expires>PT45S</wse:Expires></wse:Renew>")
expect "RenewResponse" "$(xml_text Expires <<<"$answer")" PT45S
answer=$(soap "${E}GetStatus" "$(manager_header "$SUB")" "<wse:GetStatus/>")
expect "GetStatus status" "$(http_status)" 200
sim_control POST /knobs '{"refuse-renew": true}' >/dev/null
answer=$(soap "${E}Renew" "$(manager_header "$SUB")" "<wse:Renew/>")
expect "refused Renew" "$(fault_subcode <<<"$answer")" UnableToRenew
assert_logged "refused Renew" operation=Renew outcome=fault:UnableToRenew
sim_control POST /knobs '{"refuse-renew": false}' >/dev/null
answer=$(soap "${E}Unsubscribe" "$(manager_header "$SUB")" "<wse:Unsubscribe/>")
expect "Unsubscribe status" "$(http_status)" 200
assert_logged "Unsubscribe" operation=Unsubscribe outcome=ok
expect "panel after Unsubscribe" "$(sim_control GET /panel)" '{"destinations":[]}'
answer=$(soap "${E}GetStatus" "$(manager_header "$SUB")" "<wse:GetStatus/>")
expect "GetStatus after Unsubscribe" "$(fault_subcode <<<"$answer")" DestinationUnreachable

# --- a reboot forgets the subscriptions -------------------------------------------------------------
answer=$(subscribe PT30S "$(filter ScanAvailableEvent)" "$(destination Bob ctx-bob)")
SUB2=$(xml_text Identifier <<<"$answer")
sim_control POST /reboot >/dev/null
expect "panel after reboot" "$(sim_control GET /panel)" '{"destinations":[]}'
answer=$(soap "${E}Renew" "$(manager_header "$SUB2")" "<wse:Renew/>")
expect "Renew after reboot" "$(fault_subcode <<<"$answer")" UnableToRenew

# --- drop-events: the press is made, its event never leaves --------------------------------------
answer=$(subscribe PT30S "$(filter ScanAvailableEvent)" "$(destination Carol ctx-carol)")
SUB3=$(xml_text Identifier <<<"$answer")
sim_control POST /knobs '{"drop-events": true}' >/dev/null
sim_control POST /panel/press '{"destination": "Carol"}' >/dev/null
lab_wait_until 20 "the dropped event on the log" sim_log_has operation=ScanAvailableEvent outcome=dropped \
    || fail "no dropped ScanAvailableEvent on the log"
sim_control POST /knobs '{"drop-events": false}' >/dev/null
soap "${E}Unsubscribe" "$(manager_header "$SUB3")" "<wse:Unsubscribe/>" >/dev/null

# --- failing delivery: after 3 failures, SubscriptionEnd DeliveryFailure to EndTo -----------------
DEAD_PORT=$(free_tcp_port)
NOTIFY_TO_LIVE=$NOTIFY_TO
NOTIFY_TO="http://127.0.0.1:$DEAD_PORT/events"
subscribe PT30S "$(filter ScanAvailableEvent)" "$(destination Dave ctx-dave)" >/dev/null
NOTIFY_TO=$NOTIFY_TO_LIVE
for _ in 1 2 3; do sim_control POST /panel/press '{"destination": "Dave"}' >/dev/null; done
f=$(wait_event SubscriptionEnd)
expect "DeliveryFailure" "$(xml_text Status "$f")" "${E}DeliveryFailure"
expect "failed deliveries" "$(sim_log --count operation=ScanAvailableEvent outcome=failed)" 3
expect "panel after DeliveryFailure" "$(sim_control GET /panel)" '{"destinations":[]}'

# --- shutdown: SubscriptionEnd SourceShuttingDown to EndTo ------------------------------------------
subscribe PT30S "$(filter JobEndStateEvent)" "" >/dev/null
sim_stop
f=$(wait_event SubscriptionEnd 2)
expect "SubscriptionEnd to EndTo" "$(xml_text To "$f")" "$END_TO"
expect "SubscriptionEnd status" "$(xml_text Status "$f")" "${E}SourceShuttingDown"

it_log "PASS"
