#!/usr/bin/env python3
"""A scripted panel device for panel-loopback.sh: an HTTP peer in front of
wsd-sim that plays the WS-Eventing event source (Subscribe, Renew,
Unsubscribe, as WS-Eventing 2004/08 and DPWS describe them) and the panel,
offering ScanAvailableEvent alone (a Subscribe whose filter names any other
event is refused with wsdp:FilterActionNotSupported), and forwards every other request to wsd-sim (device URLs in its XML answers
rewritten to point here).

A CreateScanJob that carries a ScanIdentifier and a DestinationToken must
carry the ones this peer issued; they are recorded, then removed before the
request goes on to wsd-sim (which, strict, refuses jobs it did not announce).

Control (the test's side):
  POST /_press?kind=K&source=S   sends a ScanAvailableEvent to the subscriber's
      NotifyTo and answers with the listener's HTTP status (0: no answer).
      K: good (default), forged-identifier, wrong-context, wrong-to,
      other-host (sent from 127.0.0.2).
  GET /_state                    JSON: what the subscriber did.

usage: panel-peer.py SIM_BASE_URL  (prints "panel-peer ready: port N")
"""
import http.client
import http.server
import json
import re
import sys
import threading
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSE = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
SCAN = "http://schemas.microsoft.com/windows/2006/08/wdp/scan"
DIALECT = "http://schemas.xmlsoap.org/ws/2006/02/devprof/Action"

SIM = urllib.parse.urlsplit(sys.argv[1])
lock = threading.Lock()
state = {
    "subscribe": 0, "renew": 0, "unsubscribe": 0, "refused_filters": [],
    "display_name": None, "notify_to": None, "notify_identifier": None, "filter_ok": False,
    "client_context": None, "issued_scan_identifier": None, "destination_token": None,
    "create_scan_jobs": [], "renew_identifiers": [], "unsubscribe_identifiers": [],
}
MANAGER_ID = "urn:uuid:" + str(uuid.uuid4())


def q(ns, local):
    return "{%s}%s" % (ns, local)


def envelope(action, body, to="http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous",
             relates_to=None, extra_headers=""):
    rel = "<wsa:RelatesTo>%s</wsa:RelatesTo>" % relates_to if relates_to else ""
    return ('<soap:Envelope xmlns:soap="%s" xmlns:wsa="%s" xmlns:wse="%s" xmlns:wscn="%s"><soap:Header>'
            "<wsa:To>%s</wsa:To><wsa:Action>%s</wsa:Action><wsa:MessageID>urn:uuid:%s</wsa:MessageID>%s%s"
            "</soap:Header><soap:Body>%s</soap:Body></soap:Envelope>"
            % (SOAP, WSA, WSE, SCAN, to, action, uuid.uuid4(), rel, extra_headers, body)).encode()


def text(node, *path):
    for ns, local in path:
        node = node.find(q(ns, local)) if node is not None else None
    return node.text.strip() if node is not None and node.text else None


class Peer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("panel-peer: " + fmt % args + "\n")

    def reply(self, status, body=b"", content_type="application/soap+xml"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_state":
            with lock:
                self.reply(200, json.dumps(state).encode(), "application/json")
        else:
            self.reply(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/_press"):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            status = press(query.get("kind", ["good"])[0], query.get("source", [""])[0])
            self.reply(200, str(status).encode(), "text/plain")
            return
        try:
            root = ET.fromstring(body)
            header = root.find(q(SOAP, "Header"))
            action = text(header, (WSA, "Action")) or ""
            message_id = text(header, (WSA, "MessageID"))
        except ET.ParseError:
            action, message_id = "", None
        if action.startswith(WSE + "/"):
            self.reply(*eventing(action[len(WSE) + 1:], root, header, message_id))
            return
        if action == SCAN + "/CreateScanJob":
            request = root.find(q(SOAP, "Body")).find(q(SCAN, "CreateScanJobRequest"))
            scan_id = text(request, (SCAN, "ScanIdentifier"))
            token = text(request, (SCAN, "DestinationToken"))
            with lock:
                state["create_scan_jobs"].append({"scan_identifier": scan_id, "destination_token": token})
                issued = (state["issued_scan_identifier"], state["destination_token"])
            if scan_id is not None or token is not None:
                if (scan_id, token) != issued:
                    self.reply(400, envelope(WSA + "/fault", "<soap:Fault><soap:Code><soap:Value>soap:Sender"
                                             "</soap:Value></soap:Code></soap:Fault>"))
                    return
                body = re.sub(rb"<([\w.-]+:)?(ScanIdentifier|DestinationToken)>[^<]*</([\w.-]+:)?\2>", b"", body)
        self.forward(body)

    def forward(self, body):
        conn = http.client.HTTPConnection(SIM.hostname, SIM.port, timeout=60)
        conn.request("POST", self.path, body, {"Content-Type": self.headers.get("Content-Type", "")})
        answer = conn.getresponse()
        data = answer.read()
        content_type = answer.getheader("Content-Type", "")
        if "multipart" not in content_type:
            here = "%s:%d" % self.server.server_address[:2]
            data = data.replace(("%s:%d" % (SIM.hostname, SIM.port)).encode(), here.encode())
        conn.close()
        self.reply(answer.status, data, content_type)


def eventing(operation, root, header, message_id):
    body = root.find(q(SOAP, "Body"))
    with lock:
        if operation == "Subscribe":
            sub = body.find(q(WSE, "Subscribe"))
            notify = sub.find(q(WSE, "Delivery")).find(q(WSE, "NotifyTo"))
            filt = sub.find(q(WSE, "Filter"))
            actions = (filt.text or "").split() if filt is not None else []
            if actions != [SCAN + "/ScanAvailableEvent"]:
                state["refused_filters"].append(actions)
                return 400, envelope(WSA + "/fault", "<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value>"
                                     "<soap:Subcode><soap:Value xmlns:wsdp=\"http://schemas.xmlsoap.org/ws/2006/02/"
                                     "devprof\">wsdp:FilterActionNotSupported</soap:Value></soap:Subcode></soap:Code>"
                                     "<soap:Reason><soap:Text xml:lang=\"en\">only ScanAvailableEvent</soap:Text>"
                                     "</soap:Reason></soap:Fault>", relates_to=message_id)
            destination = sub.find(q(SCAN, "ScanDestinations")).find(q(SCAN, "ScanDestination"))
            state["subscribe"] += 1
            state["notify_to"] = text(notify, (WSA, "Address"))
            state["notify_identifier"] = text(notify, (WSA, "ReferenceParameters"), (WSE, "Identifier"))
            state["filter_ok"] = (filt.get("Dialect") == DIALECT and
                                  (filt.text or "").split() == [SCAN + "/ScanAvailableEvent"])
            state["display_name"] = text(destination, (SCAN, "ClientDisplayName"))
            state["client_context"] = text(destination, (SCAN, "ClientContext"))
            state["destination_token"] = "token-" + str(uuid.uuid4())
            answer = ("<wse:SubscribeResponse><wse:SubscriptionManager><wsa:Address>http://%s:%d/subscriptions"
                      "</wsa:Address><wsa:ReferenceParameters><wse:Identifier>%s</wse:Identifier>"
                      "</wsa:ReferenceParameters></wse:SubscriptionManager><wse:Expires>PT3600S</wse:Expires>"
                      "<wscn:DestinationResponses><wscn:DestinationResponse><wscn:ClientContext>%s"
                      "</wscn:ClientContext><wscn:DestinationToken>%s</wscn:DestinationToken>"
                      "</wscn:DestinationResponse></wscn:DestinationResponses></wse:SubscribeResponse>"
                      % (server.server_address[0], server.server_address[1], MANAGER_ID,
                         state["client_context"], state["destination_token"]))
        else:
            key = operation.lower()
            state[key] += 1
            state[key + "_identifiers"].append(text(header, (WSE, "Identifier")))
            answer = ("<wse:RenewResponse><wse:Expires>PT3600S</wse:Expires></wse:RenewResponse>"
                      if operation == "Renew" else "")
    return 200, envelope(WSE + "/" + operation + "Response", answer, relates_to=message_id)


def press(kind, source):
    with lock:
        to, identifier, context = state["notify_to"], state["notify_identifier"], state["client_context"]
        scan_id = "scan-" + str(uuid.uuid4())
        if kind == "good":
            state["issued_scan_identifier"] = scan_id
    if not to:
        return 0
    if kind == "forged-identifier":
        identifier = "urn:uuid:" + str(uuid.uuid4())
    if kind == "wrong-context":
        context = "someone-else"
    address = to if kind != "wrong-to" else to + "x"
    source_element = "<wscn:InputSource>%s</wscn:InputSource>" % source if source else ""
    event = envelope(SCAN + "/ScanAvailableEvent",
                     "<wscn:ScanAvailableEvent><wscn:ClientContext>%s</wscn:ClientContext><wscn:ScanIdentifier>%s"
                     "</wscn:ScanIdentifier>%s</wscn:ScanAvailableEvent>" % (context, scan_id, source_element),
                     to=address, extra_headers="<wse:Identifier>%s</wse:Identifier>" % identifier)
    url = urllib.parse.urlsplit(to)
    source_address = ("127.0.0.2", 0) if kind == "other-host" else None
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10, source_address=source_address)
        conn.request("POST", url.path, event, {"Content-Type": "application/soap+xml"})
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return 0


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Peer)
print("panel-peer ready: port %d" % server.server_address[1], flush=True)
server.serve_forever()
