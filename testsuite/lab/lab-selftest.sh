#!/bin/bash
# Self-test of the network lab: a DNS-SD service published by avahi-publish in
# the dev namespace is seen by avahi-browse in the host namespace (through the
# two namespaces' own avahi-daemons), and tearing down leaves no namespace and
# no process behind.  Exit 77 (skip) without root or namespaces.
set -u

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$LAB_LIB_DIR/lab.sh"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

lab_up --avahi
echo "lab $LAB_ID up: $LAB_NS_DEV ($LAB_ADDR4_DEV) <-> $LAB_NS_HOST ($LAB_ADDR4_HOST)"

ip link show "$LAB_IF" >/dev/null 2>&1 &&
    fail "interface $LAB_IF exists in the machine's own namespace"

daemon_pids=()
for f in "$LAB_STATE_DIR"/pids/*.pid; do
    pid=$(cat "$f")
    daemon_pids+=("$pid")
    # The pid files hold the daemons' own pids, in their namespaces.
    case $(basename "$f") in
        dev-*) expected_ns=$LAB_NS_DEV ;;
        *) expected_ns=$LAB_NS_HOST ;;
    esac
    [ "$(ip netns identify "$pid")" = "$expected_ns" ] ||
        fail "$(basename "$f") pid $pid is not in $expected_ns"
done
[ "${#daemon_pids[@]}" -eq 4 ] || fail "expected 4 daemons (dbus+avahi twice), got ${#daemon_pids[@]}"

service="wsdlab-selftest-$LAB_ID"
# timeout: even if lab_down were never reached, the publisher ends by itself.
lab_spawn dev publisher timeout 120 avahi-publish -s "$service" _wsdlabtest._tcp 8080 "lab=$LAB_ID"
publisher_pid=$LAB_SPAWNED_PID

publisher_established() { grep -q "Established under name '$service'" "$LAB_STATE_DIR/logs/publisher.log"; }
lab_wait_until 20 "avahi-publish to register '$service'" publisher_established || {
    cat "$LAB_STATE_DIR/logs/publisher.log" >&2
    fail "the service was not published in the dev namespace"
}

# avahi-browse -t answers from what the daemon has seen so far; ask again
# until the host side's daemon has resolved the record (bounded).
browse_output=
resolved_in_host() {
    browse_output=$(lab_exec_host timeout 10 avahi-browse -rtp _wsdlabtest._tcp 2>&1)
    grep -q "^=;$LAB_IF;[^;]*;$service;_wsdlabtest._tcp;local;[^;]*;$LAB_ADDR4_DEV;" <<<"$browse_output"
}
lab_wait_until 30 "avahi-browse in host to resolve '$service'" resolved_in_host || {
    echo "$browse_output" >&2
    fail "the host namespace did not see the service"
}
echo "$browse_output"

# = ; iface ; proto ; name ; type ; domain ; host ; address ; port ; txt
# (proto is the mDNS transport; the address of either family may come over it)
record=$(grep "^=;$LAB_IF;[^;]*;$service;_wsdlabtest._tcp;local;[^;]*;$LAB_ADDR4_DEV;" <<<"$browse_output" | head -n 1)
IFS=';' read -r _ iface proto name _ _ host address port txt <<<"$record"
[ "$name" = "$service" ] || fail "name '$name' != '$service'"
[ "$host" = "wsdlab-dev.local" ] || fail "host '$host' != wsdlab-dev.local"
[ "$address" = "$LAB_ADDR4_DEV" ] || fail "address '$address' != $LAB_ADDR4_DEV"
[ "$port" = 8080 ] || fail "port '$port' != 8080"
[ "$txt" = "\"lab=$LAB_ID\"" ] || fail "TXT '$txt' != \"lab=$LAB_ID\""
case $address in 198.18.0.*) ;; *) fail "address $address outside 198.18.0.0/24" ;; esac
echo "ok: host namespace resolved $name -> $address:$port ($iface, $proto)"

# Tear down explicitly and check what is left.
id=$LAB_ID
state_dir=$LAB_STATE_DIR
lab_down
leftover_ns=$(ip netns list | grep -F "wsdlab-$id-")
[ -z "$leftover_ns" ] || fail "namespaces left behind: $leftover_ns"
for pid in "${daemon_pids[@]}" "$publisher_pid"; do
    kill -0 "$pid" 2>/dev/null && fail "process $pid ($(cat /proc/"$pid"/cmdline | tr '\0' ' ')) left behind"
done
leftover_procs=$(pgrep -af -- "$state_dir")
[ -z "$leftover_procs" ] || fail "processes left behind: $leftover_procs"
[ ! -e "$state_dir" ] || fail "state directory $state_dir left behind"
echo "ok: lab $id torn down, no namespace, process or file left"
