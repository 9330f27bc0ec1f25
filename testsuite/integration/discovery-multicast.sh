#!/bin/bash
# Issue 5, "Done when" (1): one wsd-sim is found by WS-Discovery multicast,
# first over IPv4 (speaking the 2005/04 namespace, then 2009/01), then over
# IPv6 only (the client side has no IPv4 address and the simulator serves on
# its IPv6 address only); each time wsd-discover and `scanimage -L` with our
# backend list it, and a page is scanned from the discovered device. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage
build_program discover tools/wsd-discover
lab_up
# Inside the lab, multicast is allowed: discovery on for this test only.
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

# find_and_scan UUID URL-PREFIX: wsd-discover lists the simulator with its
# scan service under URL-PREFIX, found by multicast; scanimage -L lists it;
# one page scanned from it matches the test pattern.
find_and_scan() {
    local uuid=$1 prefix=$2 listing
    listing=$(guard --side host 60 "$discover" -i "$LAB_IF" -t 3000) || fail "wsd-discover found nothing: $listing"
    it_log "wsd-discover: $listing"
    assert_contains "$listing" "UUID:         urn:uuid:$uuid" "wsd-discover"
    assert_contains "$listing" "scan service: $prefix:$SIM_PORT/wsd/scan" "wsd-discover"
    assert_contains "$listing" "found by:     multicast" "wsd-discover"
    assert_contains "$listing" "device \"Lab scanner\" $prefix:$SIM_PORT/wsd" "wsd-discover's wsd.conf line"
    sane_list_devices host
    assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
    scan_flatbed_and_check host "$SANE_DEVICES"
}

uuid4=5ca00000-0000-4000-8000-000000000401
sim_start --side dev --name sim4 --interface "$LAB_IF" --uuid "$uuid4" --name "Lab scanner" -v
find_and_scan "$uuid4" "http://$LAB_ADDR4_DEV"
assert_logged --name sim4 "the IPv4 multicast Probe answered" operation='Probe (UDP multicast)' outcome=ok \
    client="$LAB_ADDR4_HOST"
sim_stop --name sim4

# A device speaking only WS-Discovery 2009/01 answers the 2009/01 Probe.
uuid9=5ca00000-0000-4000-8000-000000000901
sim_start --side dev --name sim2009 --interface "$LAB_IF" --discovery-2009 --uuid "$uuid9" --name "Lab scanner" -v
find_and_scan "$uuid9" "http://$LAB_ADDR4_DEV"
assert_logged --name sim2009 "the 2009/01 multicast Probe answered" operation='Probe (UDP multicast)' outcome=ok \
    client="$LAB_ADDR4_HOST"
sim_stop --name sim2009

# IPv6 only: the client's interface keeps just its IPv6 addresses.
lab_exec host ip -4 addr flush dev "$LAB_IF" || hard_error "cannot remove the host side's IPv4 address"
uuid6=5ca00000-0000-4000-8000-000000000601
sim_start --side dev --name sim6 --interface "$LAB_IF" --listen "$LAB_ADDR6_DEV" --uuid "$uuid6" --name "Lab scanner" -v
find_and_scan "$uuid6" "http://[$LAB_ADDR6_DEV]"
assert_logged --name sim6 "the IPv6 multicast Probe answered" operation='Probe (UDP multicast)' outcome=ok \
    client="$LAB_ADDR6LL_HOST"
assert_not_logged --name sim6 "Probes over IPv4" operation='Probe*' client="$LAB_ADDR4_HOST"
