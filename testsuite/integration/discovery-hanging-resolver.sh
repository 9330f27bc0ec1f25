#!/bin/bash
# A device whose discovery XAddrs carry a host name (host-name-xaddrs
# personality) while the resolver the backend is configured with never
# answers: a DNS server in the lab that takes every query and drops it,
# named by a private resolv.conf (a mount namespace with a bind mount, for
# the backend's process only) that asks it twice with a 30 s timeout.
# A plain getaddrinfo would hold sane_exit, which joins the discovery
# threads, for a minute; `scanimage -L` must instead return within its
# discovery budget, listing nothing, with no metadata Get sent. Needs root
# and network namespaces (else SKIP); nothing leaves the lab.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3 unshare mount
lab_up
export SANE_WSD_DISCOVERY=on
sane_env_wsd "$WORK_DIR/sane" "interface = $LAB_IF" "discovery-timeout = 2000"

# The black hole: UDP port 53 on the device side, every query counted in a
# file and never answered.
queries="$WORK_DIR/dns-queries"
ready="$WORK_DIR/dns-ready"
lab_spawn dev dns-black-hole python3 -c '
import socket, sys
address, queries, ready = sys.argv[1:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((address, 53))
open(ready, "w").close()
while True:
    s.recvfrom(4096)
    with open(queries, "a") as f:
        f.write("query\n")
' "$LAB_ADDR4_DEV" "$queries" "$ready"
dns_ready() { [ -e "$ready" ]; }
lab_wait_until 30 "the black-hole DNS server" dns_ready || fail "the black-hole DNS server did not start"
printf 'nameserver %s\noptions timeout:30 attempts:2\n' "$LAB_ADDR4_DEV" >"$WORK_DIR/resolv.conf"

uuid=5ca00000-0000-4000-8000-00000000d45e
# RFC 6761 .test: a name for testing, looked up through DNS (not mDNS).
sim_start --side dev --name named --interface "$LAB_IF" --uuid "$uuid" --profile host-name-xaddrs \
    --xaddrs-host=scanner.wsd-lab.test -v

# scanimage -L with the black hole as its only resolver; the guard (the
# budget of 2 s plus a generous margin, far below the resolver's minute)
# is the hang check.
listing=$(guard --side host 20 unshare -m /bin/sh -c 'mount --bind "$0" /etc/resolv.conf && exec scanimage -L' \
    "$WORK_DIR/resolv.conf" 2>&1) || fail "scanimage -L failed: $listing"
it_log "scanimage -L with a resolver that never answers: $listing"
assert_not_contains "$listing" "wsd:$uuid" "devices listed when the XAddrs' name cannot be looked up"
assert_logged --name named "the multicast Probe answered" operation='Probe (UDP multicast)' outcome=ok
assert_not_logged --name named "a metadata Get" operation=Get
# The lookup did go to the black hole (so the guard measured a hanging lookup).
[ -s "$queries" ] || fail "no DNS query reached the black-hole server"
it_log "$(wc -l <"$queries") DNS queries dropped by the black hole"
