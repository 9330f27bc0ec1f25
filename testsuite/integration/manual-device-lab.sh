#!/usr/bin/env bash
# A device given in wsd.conf by its address alone (no port, no path), in the
# lab: wsd-sim serves on WSDAPI's port 5357 in the device namespace and checks
# wsa:To; the backend in the host namespace finds it by directed Probes on the
# usual WSD ports (IPv4 and a bare IPv6 literal), scans, and addresses the
# metadata Get to the endpoint address. wsd-discover HOST prints its line.
# Then a device whose HTTP port is none of the usual ones, which only a
# unicast UDP Probe to its port 3702 finds.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
it_require_build_dir
build_program check testsuite/tools/pattern-check
build_program discover tools/wsd-discover
lab_up

sim_start --side dev --listen "$LAB_ADDR4_DEV" --listen "$LAB_ADDR6_DEV" --port 5357 --profile office-mfp
sane_env_wsd "$WORK_DIR/sane" "discovery = off" \
    "device labhost $LAB_ADDR4_DEV" \
    "device labhost6 $LAB_ADDR6_DEV"

it_log "scanimage -L names both hosts' device by its metadata"
list=$(guard 60 lab_exec_host scanimage -L 2>&1) || fail "scanimage -L: $list"
assert_contains "$list" "device \`wsd:labhost' is a sane-wsd project WSD Sim Office MFP 4200"
assert_contains "$list" "device \`wsd:labhost6' is a sane-wsd project WSD Sim Office MFP 4200"

for device in wsd:labhost wsd:labhost6; do
    it_log "scan from $device"
    scan_flatbed_and_check host "$device"
done
assert_logged "directed Probes over HTTP from the host side" operation='Probe (HTTP)' outcome=ok \
    client="$LAB_ADDR4_HOST|$LAB_ADDR6_HOST"
assert_logged "the metadata Get to the endpoint address" operation=Get outcome=ok to="$SIM_UUID"
assert_logged "CreateScanJob to the service address" operation=CreateScanJob outcome=ok to="http://*:5357/wsd/scan"
assert_not_logged "a request with a wrong wsa:To" outcome=fault:DestinationUnreachable
[ -z "$(sim_active)" ] || fail "jobs left active: $(sim_active)"

it_log "wsd-discover HOST prints the line"
text=$(guard 60 lab_exec_host "$discover" -t 2000 "$LAB_ADDR4_DEV" 2>&1) || fail "wsd-discover: $text"
assert_contains "$text" "UUID:         $SIM_UUID"
assert_contains "$text" "device \"WSD Sim Office MFP 4200 (wsd-sim)\" http://"

it_log "a device on an unusual HTTP port: found by a unicast UDP Probe"
sim_stop
udp_port=$(free_tcp_port dev)
sim_start --side dev --name udp --interface "$LAB_IF" --ignore-multicast-probe --port "$udp_port" \
    --profile office-mfp
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device udponly $LAB_ADDR4_DEV"
scan_flatbed_and_check host wsd:udponly
assert_logged --name udp "a unicast UDP Probe" operation='Probe (UDP unicast)' outcome=ok client="$LAB_ADDR4_HOST"
assert_logged --name udp "the metadata Get to the endpoint address" operation=Get outcome=ok to="$SIM_UUID"
assert_not_logged --name udp "a request with a wrong wsa:To" outcome=fault:DestinationUnreachable
text=$(guard 60 lab_exec_host "$discover" -t 2000 "$LAB_ADDR4_DEV" 2>&1) || fail "wsd-discover: $text"
assert_contains "$text" "UUID:         $SIM_UUID"
assert_contains "$text" ":$udp_port/wsd"
it_log "ok"
