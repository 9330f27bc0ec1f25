#!/bin/bash
# Self-test of the network lab: a DNS-SD service published by avahi-publish in
# the dev namespace is seen by avahi-browse in the host namespace (through the
# two namespaces' own avahi-daemons), and tearing down leaves no namespace and
# no process behind.  Then prune: it removes a lab whose script was killed,
# and runs nothing of the state files a local user could plant in $TMPDIR.
# Exit 77 (skip) without root or namespaces.
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

# --- prune -----------------------------------------------------------------------
# wsd-lab prune runs as root over every wsdlab-* in $TMPDIR, where any local
# user can create files: it must tear down a lab whose script was killed,
# and run nothing of, nor act on, what someone else planted there. Done in a
# private $TMPDIR, so that the labs of tests running beside this one are not
# considered.
prune_root=$(mktemp -d) || fail "mktemp"
marker_dir=$(mktemp -d) || fail "mktemp"
lab_at_exit "rm -rf -- '$prune_root' '$marker_dir'"
marker=$marker_dir/planted-code-ran
prune() { TMPDIR=$prune_root "$LAB_LIB_DIR/wsd-lab" prune; }

# A lab whose script dies by SIGKILL, leaving its namespaces and state.
TMPDIR=$prune_root bash -c '. "$1/lab.sh"; lab_up; kill -KILL $$' killed-test "$LAB_LIB_DIR"
killed_dir=$(find "$prune_root" -mindepth 1 -maxdepth 1 -name 'wsdlab-*')
[ -n "$killed_dir" ] && [ -f "$killed_dir/state" ] || fail "the killed lab left no state in $prune_root"
killed_id=${killed_dir##*/wsdlab-}
ip netns list | grep -q "^wsdlab-$killed_id-dev\b" || fail "the killed lab has no namespace to prune"

# A process id that is surely gone, for planted labs whose "creator" is dead.
(exit 0) &
gone_pid=$!
wait "$gone_pid"

# plant NAME: a directory like a lab's, root's and mode 700 (as if a root
# process had been tricked into writing it), holding state lines from stdin.
plant() {
    mkdir -m 700 "$prune_root/wsdlab-$1" && cat >"$prune_root/wsdlab-$1/state"
}
# The old state file (env), which prune used to eval, and its format.
plant "$gone_pid-0001" <<PLANTED
export LAB_ID=\$(touch $marker)
export LAB_NS_DEV=wsdlab-$gone_pid-0001-dev\`touch $marker\`
PLANTED
cp "$prune_root/wsdlab-$gone_pid-0001/state" "$prune_root/wsdlab-$gone_pid-0001/env"
# Well formed but for one value.
plant "$gone_pid-0002" <<PLANTED
LAB_ID=$gone_pid-0002
LAB_NS_DEV=wsdlab-$gone_pid-0002-dev
LAB_NS_HOST=wsdlab-$gone_pid-0002-host
LAB_STATE_DIR=$prune_root/wsdlab-$gone_pid-0002
LAB_IF=lab0;touch $marker
LAB_AVAHI=0
LAB_KEEP=0
LAB_ADDR4_HOST=198.18.0.1
LAB_ADDR4_DEV=198.18.0.2
LAB_ADDR6_HOST=fd00:5ca::1
LAB_ADDR6_DEV=fd00:5ca::2
LAB_ADDR6LL_HOST=
LAB_ADDR6LL_DEV=
PLANTED
# A variable bash would act on.
sed -e "s/0002/0003/g" -e "s/^LAB_IF=.*/LAB_IF=lab0/" "$prune_root/wsdlab-$gone_pid-0002/state" |
    plant "$gone_pid-0003"
echo "BASH_ENV=$marker" >>"$prune_root/wsdlab-$gone_pid-0003/state"
# Valid in every line, but another user's directory: not ours to act on.
sed "s/0003/0004/g" "$prune_root/wsdlab-$gone_pid-0003/state" | grep -v '^BASH_ENV=' |
    plant "$gone_pid-0004"
chown -R 65534 "$prune_root/wsdlab-$gone_pid-0004"
# A symlink to a lab directory elsewhere.
symlink_target=$(mktemp -d) || fail "mktemp"
lab_at_exit "rm -rf -- '$symlink_target'"
sed "s|$prune_root/wsdlab-$gone_pid-0004|$symlink_target|; s/0004/0005/g" \
    "$prune_root/wsdlab-$gone_pid-0004/state" >"$symlink_target/state"
ln -s "$symlink_target" "$prune_root/wsdlab-$gone_pid-0005"

prune
[ ! -e "$marker" ] || fail "prune ran code planted in a state file"
[ ! -e "$killed_dir" ] || fail "prune left the killed lab's state $killed_dir"
leftover_ns=$(ip netns list | grep -F "wsdlab-$killed_id-")
[ -z "$leftover_ns" ] || fail "prune left the killed lab's namespaces: $leftover_ns"
for planted in 0001 0002 0003 0004 0005; do
    [ -e "$prune_root/wsdlab-$gone_pid-$planted" ] || fail "prune acted on the planted lab $planted"
done
[ -f "$symlink_target/state" ] || fail "prune followed a symlink"
echo "ok: prune removed the killed lab $killed_id, ran and removed nothing planted"
