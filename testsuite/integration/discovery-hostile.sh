#!/bin/bash
# Issue 5, "Hostile LAN": while something on the device side floods the
# discovery group with fake Hellos (each a new "scanner"), malformed XML,
# oversize datagrams and Hellos whose XAddrs are not http(s), discovery still
# lists the one real wsd-sim (and only it), fetches metadata for at most 64
# new announced endpoints per second, and a page is scanned from the real
# device. Listeners on the device side (wsd-spoof.py) count the connections
# to the fakes' XAddrs. Needs root, network namespaces and python3 (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
build_program discover tools/wsd-discover
lab_up
export SANE_WSD_DISCOVERY=on

uuid=5ca00000-0000-4000-8000-000000000b01
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Real scanner"

# The fakes' http XAddr (port 9) and the ftp one of the non-http XAddrs
# (port 21) lead to listeners that note each connection.
fake_http="$LAB_ADDR4_DEV:9" fake_ftp="$LAB_ADDR4_DEV:21"
lab_command dev python3 "$WSD_SOURCE_DIR/testsuite/lab/wsd-spoof.py" listen "$WORK_DIR/listener.out" \
    "$fake_http" "$fake_ftp"
"${LAB_CMD[@]}" </dev/null >/dev/null 2>"$WORK_DIR/listener.err" &
listener=$!
lab_at_exit "kill $listener 2>/dev/null; wait $listener 2>/dev/null; true"
show_on_failure "$WORK_DIR/listener.err"
lab_wait_until 20 "the listener to be ready" grep -q '^ready' "$WORK_DIR/listener.out" ||
    fail "the listener did not start"

flood_seconds=4
cat >"$WORK_DIR/flood.py" <<'PY'
import socket, sys, time, uuid
seconds, iface_addr, out = float(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(iface_addr))
group = ("239.255.255.250", 3702)
def hello(xaddrs):
    return ("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'"
            " xmlns:a='http://schemas.xmlsoap.org/ws/2004/08/addressing'"
            " xmlns:d='http://schemas.xmlsoap.org/ws/2005/04/discovery'"
            " xmlns:sc='http://schemas.microsoft.com/windows/2006/08/wdp/scan'><s:Header>"
            "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action>"
            "<a:MessageID>urn:uuid:%s</a:MessageID></s:Header><s:Body><d:Hello><a:EndpointReference>"
            "<a:Address>urn:uuid:%s</a:Address></a:EndpointReference><d:Types>sc:ScanDeviceType</d:Types>"
            "<d:XAddrs>%s</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:Hello></s:Body></s:Envelope>"
            % (uuid.uuid4(), uuid.uuid4(), xaddrs)).encode()
sent = 0
with open(out, "w") as f:
    f.write("started\n")
end = time.monotonic() + seconds
while time.monotonic() < end:
    for packet in (hello("http://%s:9/fake" % iface_addr), hello("file:///etc/passwd ftp://%s:21/" % iface_addr),
                   b"<s:Envelope><broken", b"\x00" * 60000):
        s.sendto(packet, group)
        sent += 1
    time.sleep(0.002)  # pacing the flood, about 2000 datagrams a second
with open(out, "a") as f:
    f.write("sent %d\n" % sent)
PY
lab_command dev python3 "$WORK_DIR/flood.py" "$flood_seconds" "$LAB_ADDR4_DEV" "$WORK_DIR/flood.out"
"${LAB_CMD[@]}" </dev/null >/dev/null 2>"$WORK_DIR/flood.err" &
flood=$!
lab_at_exit "kill $flood 2>/dev/null; wait $flood 2>/dev/null; true"
show_on_failure "$WORK_DIR/flood.err"
started() { grep -q started "$WORK_DIR/flood.out"; }
lab_wait_until 30 "the flood to start" started || fail "the flood did not start"

listing=$(guard --side host 60 "$discover" -i "$LAB_IF" -t 3000 -w 3000 2>"$WORK_DIR/discover.err") ||
    fail "wsd-discover failed under the flood: $listing"
show_on_failure "$WORK_DIR/discover.err"
wait "$flood"
it_log "flood: $(tail -1 "$WORK_DIR/flood.out")"
it_log "wsd-discover: $listing"
assert_contains "$listing" "UUID:         urn:uuid:$uuid" "wsd-discover"
assert_eq "$(grep -c '^  UUID:' <<<"$listing")" 1 "devices listed under the flood"
assert_not_contains "$listing" "appeared" "wsd-discover --watch under the flood"
# Announced fakes got a metadata request only within the Hello rate limit;
# nothing connected to a non-http XAddr.
fetched=$(grep -c "^connection $fake_http\$" "$WORK_DIR/listener.out")
it_log "metadata requests to fake endpoints: $fetched"
[ "$fetched" -ge 1 ] || fail "no connection to the fakes' http XAddr: the listener proves nothing"
[ "$fetched" -le $((64 * (flood_seconds + 2))) ] || fail "$fetched metadata requests: the Hello rate limit did not hold"
assert_not_contains "$(cat "$WORK_DIR/listener.out")" "connection $fake_ftp" "connections to the fakes' XAddrs"

sane_env_wsd "$WORK_DIR/sane" "discovery = off"
scan_flatbed_and_check host "wsd:http://$LAB_ADDR4_DEV:$SIM_PORT/wsd"
