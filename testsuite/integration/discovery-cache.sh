#!/bin/bash
# Issue 18 (2): the device cache. In the lab, with multicast discovery: the
# first scanimage -L finds a wsd-sim and keeps it in the cache; the next one
# lists it from the cache (shown by turning multicast off: only the cache's
# check can find it then); a device that stopped answering is not listed and
# leaves the cache; one that moved (same endpoint, another port) is followed;
# a device that appears while a frontend runs is in its next list; a corrupt
# cache file is replaced. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
build_program probe testsuite/tools/sane-probe
lab_up
export SANE_WSD_DISCOVERY=on
sane_dir="$WORK_DIR/sane"
cache="$sane_dir/cache/sane-wsd/devices.xml"
with_multicast() { sane_env_wsd "$sane_dir" "interface = $LAB_IF" "discovery-timeout = 2000" "$@"; }

# cached_uuids: the endpoint addresses the cache file holds, space-separated.
cached_uuids() {
    python3 -c '
import sys, xml.etree.ElementTree as ET
try:
    print(" ".join(d.get("uuid") for d in ET.parse(sys.argv[1]).getroot().findall("device")))
except (OSError, ET.ParseError):
    print("")' "$cache"
}

timed_list() {  # timed_list WHAT: scanimage -L in the host side, its time logged
    local start
    start=$(lab_now_ms)
    sane_list_devices host
    it_log "scanimage -L, $1: $(($(lab_now_ms) - start)) ms"
}

uuid=5ca00000-0000-4000-8000-000000000c01
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Cached scanner" -v
with_multicast
timed_list "cold (no cache)"
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed, cold"
assert_eq "$(cached_uuids)" "urn:uuid:$uuid" "the cache after the first list"

it_log "cache hit: multicast off, so only the cache's check can list it"
with_multicast "multicast = off"
timed_list "from the cache, 1 device"
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed from the cache"
assert_logged "the cache's check: a metadata Get to the endpoint" operation=Get outcome=ok to="urn:uuid:$uuid"
with_multicast "multicast = off" "discovery-cache = off"
sane_list_devices host
assert_eq "$SANE_DEVICES" "" "devices listed with discovery-cache = off and no multicast"

it_log "the device moved: same endpoint, another port"
sim_stop
sim_start --side dev --name moved --interface "$LAB_IF" --uuid "$uuid" --name "Cached scanner" -v
with_multicast
timed_list "the cached device moved"
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed after the move"
grep -q ":$SIM_PORT/wsd" "$cache" || fail "the cache does not hold the new address: $(cat "$cache")"
scan_flatbed_and_check host "wsd:$uuid"

it_log "a new device appears on the next call: the first answers from the cache"
out="$WORK_DIR/probe.out"
show_on_failure "$out"
lab_command host "$probe" --list --again-after-usr1
"${LAB_CMD[@]}" >"$out" 2>"$WORK_DIR/probe.err" &
probe_pid=$!
listed() { [ "$(grep -c ' listed ' "$out")" -ge "$1" ]; }
lab_wait_until 30 "the first list" listed 1 || fail "sane-probe did not list"
uuid2=5ca00000-0000-4000-8000-000000000c02
# Its Hello reaches the process's discovery, which asks it for its metadata.
sim_start --side dev --name second --interface "$LAB_IF" --uuid "$uuid2" --name "New scanner" -v
asked() { [ "$(sim_log --name second --count operation=Get outcome=ok client="$LAB_ADDR4_HOST|$LAB_ADDR6_HOST")" -gt 0 ]; }
lab_wait_until 30 "the new device's metadata Get" asked || fail "the new device was not asked for its metadata"
kill -USR1 "$probe_pid"
wait_child "$probe_pid" 60 "sane-probe" || fail "sane-probe failed: $(cat "$WORK_DIR/probe.err")"
first=$(sed -n '1,/ listed /s/^event [0-9.]* device \([^ ]*\).*/\1/p' "$out" | tr '\n' ' ')
second=$(sed -n '/ awaiting-usr1 /,$s/^event [0-9.]* device \([^ ]*\).*/\1/p' "$out" | sort | tr '\n' ' ')
it_log "first call: $first; second call: $second"
assert_eq "$first" "wsd:$uuid " "the first call (the cached device)"
assert_eq "$second" "wsd:$uuid wsd:$uuid2 " "the next call"

it_log "the cached device gone, a new one there"
sim_stop --name moved
timed_list "the cached device gone, a new one there"
assert_eq "$SANE_DEVICES" "wsd:$uuid2" "devices listed"
assert_eq "$(cached_uuids)" "urn:uuid:$uuid2" "the cache without the gone device"

it_log "a corrupt cache file"
printf '<devices><device uuid="urn:uuid:x"><xaddr>http://' >"$cache"
timed_list "corrupt cache"
assert_eq "$SANE_DEVICES" "wsd:$uuid2" "devices listed with a corrupt cache"
assert_eq "$(cached_uuids)" "urn:uuid:$uuid2" "the cache rewritten"

it_log "the device gone"
sim_stop --name second
timed_list "the cached device gone"
assert_eq "$SANE_DEVICES" "" "devices listed once the device is gone"
assert_eq "$(cached_uuids)" "" "the cache once the device is gone"
it_log "ok"
