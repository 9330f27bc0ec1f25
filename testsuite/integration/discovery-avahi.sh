#!/bin/bash
# Issue 5, "Done when" (2): a wsd-sim that ignores multicast Probes but is
# published in DNS-SD (_uscan._tcp, through the dev namespace's Avahi daemon)
# is found by the directed Probe sent to the address Avahi resolves; a page
# is then scanned from it. Needs root and network namespaces (else SKIP).
. "$(dirname "$0")/lib.sh"

require_commands scanimage avahi-daemon
build_program discover tools/wsd-discover
lab_up --avahi
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 3000"

uuid=5ca00000-0000-4000-8000-000000000201
sim_start --side dev --interface "$LAB_IF" --ignore-multicast-probe --dnssd _uscan._tcp \
    --dnssd-name "Avahi scanner" --uuid "$uuid" --name "Avahi scanner" -vv

# The host's Avahi daemon must know the record before the client asks it
# (that is what a LAN with a running MFP looks like).
browse() { lab_exec host timeout 5 avahi-browse -rtp _uscan._tcp 2>/dev/null | grep -q "^=;.*;_uscan._tcp;.*;$LAB_ADDR4_DEV;$SIM_PORT;"; }
lab_wait_until 20 "the DNS-SD record of the simulator in the host namespace" browse ||
    fail "the host namespace's Avahi never saw the simulator's record"

listing=$(guard --side host 60 "$discover" -v -i "$LAB_IF" -t 3000 2>"$WORK_DIR/trace") ||
    fail "wsd-discover found nothing: $listing"
show_on_failure "$WORK_DIR/trace"
it_log "wsd-discover: $listing"
assert_contains "$listing" "UUID:         urn:uuid:$uuid" "wsd-discover"
assert_contains "$listing" "found by:     avahi" "wsd-discover"
# The simulator ignored every multicast probe, as told, and answered the
# directed ones, over UDP and over HTTP, sent to the address Avahi resolved
# the record to (its IPv4 or its IPv6 address, whichever answered first: the
# client's source address is of the same family).
host_addr="$LAB_ADDR4_HOST|$LAB_ADDR6_HOST"
assert_logged "multicast Probes ignored" operation='Probe (UDP multicast)' outcome=ignored:multicast-probe
assert_not_logged "multicast Probes answered" operation='Probe (UDP multicast)' outcome=ok
assert_logged "the directed UDP Probe answered" operation='Probe (UDP unicast)' outcome=ok client="$host_addr"
assert_logged "the directed HTTP Probe answered" operation='Probe (HTTP)' outcome=ok client="$host_addr"

sane_list_devices host
assert_eq "$SANE_DEVICES" "wsd:$uuid" "devices listed by scanimage -L"
scan_flatbed_and_check host "$SANE_DEVICES"
