#!/bin/bash
# A device whose discovery XAddrs carry a host name instead of an address
# (wsd-sim personality host-name-xaddrs, after the Pantum MFPs of
# sane-airscan#317).  In the lab with Avahi, wsd-sim names itself by the dev
# side's multicast-DNS name; our backend, in the host namespace, must look the
# name up, within its discovery budget, and list and scan the device.  Needs
# root, network namespaces and avahi-daemon (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 avahi-daemon avahi-resolve
lab_up --avahi
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 5000"

# The device side's multicast-DNS host name, as the host side resolves it.
resolved() {
    hostname_local=$(lab_exec host timeout 5 avahi-resolve -a "$LAB_ADDR4_DEV" 2>/dev/null | awk '{print $2}')
    [ -n "$hostname_local" ]
}
lab_wait_until 30 "the device side's .local name" resolved || fail "avahi-resolve found no name for $LAB_ADDR4_DEV"
it_log "device side host name: $hostname_local"

uuid=5ca00000-0000-4000-8000-00000000b317
# The personality's own name (from the report) resolves nowhere here: the
# command line gives the lab's.
sim_start --side dev --name pantum --interface "$LAB_IF" --uuid "$uuid" --profile host-name-xaddrs \
    --xaddrs-host="$hostname_local" -v

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
# The Probe was answered (with the named XAddrs) and the metadata Get reached
# the device at an address the name resolved to.
assert_logged --name pantum "the multicast Probe answered" operation='Probe (UDP multicast)' outcome=ok
assert_logged --name pantum "the metadata Get" operation=Get outcome=ok \
    client="$LAB_ADDR4_HOST|$LAB_ADDR6_HOST|$LAB_ADDR6LL_HOST"
scan_flatbed_and_check host "wsd:$uuid"
assert_not_logged --name pantum "a refused request" "outcome=fault:*"
[ -z "$(sim_active --name pantum)" ] || fail "a job stayed active"

# A name that resolves nowhere (RFC 6761 .invalid; the lab has no route out,
# so nothing leaves it): the device is not listed, no Get reaches it, and
# scanimage -L returns within its discovery budget instead of hanging.
sim_stop --name pantum
sim_start --side dev --name unnamed --interface "$LAB_IF" --uuid "$uuid" --profile host-name-xaddrs \
    --xaddrs-host=pantum-1c6fa7.invalid -v
sane_list_devices host
assert_eq "$SANE_DEVICES" "" "devices listed when the XAddrs' name does not resolve"
assert_logged --name unnamed "the multicast Probe answered" operation='Probe (UDP multicast)' outcome=ok
assert_not_logged --name unnamed "a metadata Get" operation=Get
