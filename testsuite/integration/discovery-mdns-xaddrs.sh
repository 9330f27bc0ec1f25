#!/bin/bash
# Issue 5, Avahi bullet: a device whose ProbeMatch gives its XAddr with a
# multicast-DNS host name (http://NAME.local:PORT/wsd) is reached by looking
# the name up through Avahi. A small responder on the device side answers
# Probes that way for a wsd-sim (which itself ignores multicast probes); the
# client lists the simulator and a page is scanned from it. Needs root,
# network namespaces, avahi-daemon and python3 (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 avahi-daemon avahi-resolve
build_program discover tools/wsd-discover
lab_up --avahi
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 5000"

uuid=5ca00000-0000-4000-8000-000000000c01
sim_start --side dev --interface "$LAB_IF" --ignore-multicast-probe --uuid "$uuid" --name "Named scanner" -v

# The device side's multicast-DNS host name, as the host side resolves it.
resolved() {
    hostname_local=$(lab_exec host timeout 5 avahi-resolve -a "$LAB_ADDR4_DEV" 2>/dev/null | awk '{print $2}')
    [ -n "$hostname_local" ]
}
lab_wait_until 30 "the device side's .local name" resolved || fail "avahi-resolve found no name for $LAB_ADDR4_DEV"
it_log "device side host name: $hostname_local"
xaddr="http://$hostname_local:$SIM_PORT/wsd"

cat >"$WORK_DIR/responder.py" <<'PY'
import re, socket, struct, sys
uuid, xaddr, iface_addr, ready = sys.argv[1:5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 3702))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton("239.255.255.250") + socket.inet_aton(iface_addr))
open(ready, "w").write("ready\n")
while True:
    data, peer = s.recvfrom(65536)
    text = data.decode("utf-8", "replace")
    if "/discovery/Probe<" not in text or "ScanDeviceType" not in text:
        continue
    probe_id = re.search(r"MessageID>([^<]+)<", text).group(1)
    s.sendto((
        "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'"
        " xmlns:a='http://schemas.xmlsoap.org/ws/2004/08/addressing'"
        " xmlns:d='http://schemas.xmlsoap.org/ws/2005/04/discovery'"
        " xmlns:sc='http://schemas.microsoft.com/windows/2006/08/wdp/scan'><s:Header>"
        "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
        "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>"
        "<a:MessageID>urn:uuid:00000000-0000-4000-8000-0000000000aa</a:MessageID>"
        "<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch>"
        "<a:EndpointReference><a:Address>urn:uuid:%s</a:Address></a:EndpointReference>"
        "<d:Types>sc:ScanDeviceType</d:Types><d:XAddrs>%s</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
        "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>" % (probe_id, uuid, xaddr)).encode(), peer)
PY
lab_command dev python3 "$WORK_DIR/responder.py" "$uuid" "$xaddr" "$LAB_ADDR4_DEV" "$WORK_DIR/responder.ready"
"${LAB_CMD[@]}" </dev/null >/dev/null 2>"$WORK_DIR/responder.err" &
responder=$!
lab_at_exit "kill $responder 2>/dev/null; wait $responder 2>/dev/null; true"
show_on_failure "$WORK_DIR/responder.err"
ready() { [ -s "$WORK_DIR/responder.ready" ]; }
lab_wait_until 30 "the responder" ready || fail "the responder did not start"

listing=$(guard --side host 60 "$discover" -v -i "$LAB_IF" -t 5000 2>"$WORK_DIR/trace") ||
    fail "wsd-discover found nothing: $listing"
show_on_failure "$WORK_DIR/trace"
it_log "wsd-discover: $listing"
assert_contains "$listing" "UUID:         urn:uuid:$uuid" "wsd-discover"
assert_contains "$listing" "device URL:   $xaddr" "wsd-discover"
assert_contains "$listing" "scan service: http://" "wsd-discover"
# The only address the client was given is the .local name (the simulator
# answered no Probe, and its Hello went out before the client ran): the
# metadata Get that reached the simulator from the host side went to what
# the name resolved to.
assert_not_logged "Probes answered by the simulator" operation='Probe*' outcome=ok
assert_logged "the metadata Get" operation=Get outcome=ok client="$LAB_ADDR4_HOST|$LAB_ADDR6_HOST|$LAB_ADDR6LL_HOST"

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
scan_flatbed_and_check host "$SANE_DEVICES"
