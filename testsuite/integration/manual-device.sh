#!/usr/bin/env bash
# Devices named in wsd.conf by URL or by host, against a wsd-sim that checks
# wsa:To as real devices do (its default), over loopback: the backend learns
# the endpoint address by a directed Probe and addresses the metadata Get to
# it and the scan service to the service's advertised address; a host with a
# port is probed for its endpoint; wsd-discover prints the line for either;
# a host with no WSD service fails with a clear message, within a bound.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 curl
it_require_build_dir
build_program check testsuite/tools/pattern-check
build_program discover tools/wsd-discover

sim_start --profile office-mfp --listen 127.0.0.1
no_wsd_port=$(free_tcp_port)
sane_env_wsd "$WORK_DIR/sane" "discovery = off" \
    "device byurl $SIM_DEVICE_URL" \
    "device byhost 127.0.0.1:$SIM_PORT" \
    "device nowhere 127.0.0.1:$no_wsd_port"
out=$WORK_DIR/out
mkdir -p "$out"

it_log "the simulator refuses a metadata Get addressed to its URL"
get=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/soap+xml' --data-binary @- \
    "$SIM_DEVICE_URL" <<XML
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
    xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">
  <s:Header>
    <a:To>$SIM_DEVICE_URL</a:To>
    <a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>
    <a:MessageID>urn:uuid:0f4ad9a4-6b7e-4c1e-9f0e-3a1d2c5b7e01</a:MessageID>
  </s:Header>
  <s:Body/>
</s:Envelope>
XML
)
assert_eq "$get" 400 "HTTP status of a Get to the URL"
assert_logged "Get to the URL" operation=Get outcome=fault:DestinationUnreachable to="$SIM_DEVICE_URL"
sim_control POST /reset-log >/dev/null

scan_and_check() {
    local device=$1 file="$out/$2.png"
    guard 120 scanimage -d "$device" --format=png --resolution 100 --mode Color -o "$file" ||
        fail "scan from $device failed"
    pattern_check "$file" --resolution 100 --mode color --sheet 1 --side front
}

it_log "scanimage -L names both located devices by their metadata"
list=$(guard 60 scanimage -L 2>&1) || fail "scanimage -L: $list"
assert_contains "$list" "device \`wsd:byurl' is a sane-wsd project WSD Sim Office MFP 4200"
assert_contains "$list" "device \`wsd:byhost' is a sane-wsd project WSD Sim Office MFP 4200"

for device in wsd:byurl wsd:byhost "wsd:$SIM_DEVICE_URL"; do
    it_log "scan from $device"
    scan_and_check "$device" "$(tr -c 'a-z0-9\n' _ <<<"$device")"
done
assert_logged "a directed Probe over HTTP" operation='Probe (HTTP)' outcome=ok
assert_logged "the metadata Get to the endpoint address" operation=Get outcome=ok to="$SIM_UUID"
assert_logged "CreateScanJob to the service address" operation=CreateScanJob outcome=ok to="$SIM_SERVICE_URL"
assert_not_logged "a request with a wrong wsa:To" outcome=fault:DestinationUnreachable
assert_not_logged "a Get to anything but the endpoint address" operation=Get to="http*"
[ -z "$(sim_active)" ] || fail "jobs left active: $(sim_active)"

it_log "a host where no WSD service answers: a clear error within the bound"
err=$(guard 60 scanimage -d wsd:nowhere --format=png -o "$out/none.png" 2>&1) &&
    fail "scan from a host without WSD service succeeded"
assert_contains "$err" "scanimage: open of device wsd:nowhere failed"

it_log "wsd-discover prints the wsd.conf line for a host and for a URL"
for target in "127.0.0.1:$SIM_PORT" "$SIM_DEVICE_URL"; do
    text=$(guard 60 "$discover" -t 2000 "$target" 2>&1) || fail "wsd-discover $target: $text"
    assert_contains "$text" "device \"WSD Sim Office MFP 4200 (wsd-sim)\" $SIM_DEVICE_URL" "wsd-discover $target"
    assert_contains "$text" "UUID:         $SIM_UUID" "wsd-discover $target"
done
text=$(guard 60 "$discover" -t 1000 "127.0.0.1:$no_wsd_port" 2>&1) &&
    fail "wsd-discover found a device where none is: $text"
assert_contains "$text" "no WSD scanner answers on 127.0.0.1:$no_wsd_port"
it_log "ok"
