# Network test lab: two network namespaces joined by a veth pair, optionally
# each with its own dbus-daemon and avahi-daemon, so that tests can multicast
# (WS-Discovery, mDNS) without a single packet reaching this machine's real
# interfaces.  Source this file from a bash test script:
#
#   . "$WSD_SOURCE_DIR/testsuite/lab/lab.sh"
#   lab_up --avahi                 # exit 77 (SKIP) without root / namespaces
#   lab_spawn dev pub avahi-publish -s name _x._tcp 80   # background, stopped by lab_down
#   lab_exec_host avahi-browse -rtp _x._tcp              # foreground, in the host namespace
#   # lab_down runs by itself when the script exits, fails or is interrupted
#
# Also: lab_command (the argv that runs a command in a namespace, for your
# own background jobs), lab_wait_until (bounded polling), lab_at_exit
# (cleanup hooks sharing the one EXIT trap), lab_env / lab_attach (hand a lab
# to another process), lab_prune (remove labs of scripts killed by SIGKILL).
# A lab's state ($TMPDIR/wsdlab-ID, root's, mode 700) holds a state file of
# KEY=VALUE lines that lab_attach and lab_prune parse and check, never run.
# The CLI wsd-lab beside this file wraps these functions.
#
# Layout:   dev namespace  $LAB_NS_DEV   lab0  198.18.0.2/24  fd00:5ca::2/64
#           host namespace $LAB_NS_HOST  lab0  198.18.0.1/24  fd00:5ca::1/64
# "dev" is where a simulated device runs, "host" is where the client runs.
#
# Each command run in a namespace gets a private /run (the lab's own state
# directory bind-mounted over it), so /run/dbus and /run/avahi-daemon are the
# namespace's own daemons' and never the machine's.
#
# Exit codes follow automake: 77 = skipped (no root, no namespaces),
# 99 = the lab could not be set up (a hard error, never a pass).

LAB_SKIP=77
LAB_HARD_ERROR=99
LAB_IF=lab0
LAB_ADDR4_HOST=198.18.0.1
LAB_ADDR4_DEV=198.18.0.2
LAB_ADDR6_HOST=fd00:5ca::1
LAB_ADDR6_DEV=fd00:5ca::2
# Generous bound for every readiness wait; nothing here should take > 2 s.
LAB_WAIT_SECONDS=${LAB_WAIT_SECONDS:-20}

# --- exit hooks --------------------------------------------------------------
# One EXIT trap runs every registered hook, newest first, so the lab and the
# test's own cleanups (lib.sh) compose instead of overwriting each other's trap.
# A hook is a string run with eval in a subshell (an `exit` in it cannot skip
# the hooks after it); it sees the script's exit status as $status.  A failing
# hook turns a passing script into a failing one: cleanup problems (a process
# that would not stop, a namespace that would not go) are test failures.

lab__exit_hooks=()

lab_at_exit() {
    lab__exit_hooks+=("$*")
    if [ "${#lab__exit_hooks[@]}" -eq 1 ]; then
        trap 'lab__run_exit_hooks' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
}

lab__run_exit_hooks() {
    local status=$? i
    # A second Ctrl-C or TERM must not cut the cleanup short (it is bounded).
    trap '' INT TERM
    trap - EXIT
    for ((i = ${#lab__exit_hooks[@]} - 1; i >= 0; i--)); do
        if ! (eval "${lab__exit_hooks[i]}"); then
            lab_log "cleanup step failed: ${lab__exit_hooks[i]}"
            [ "$status" -eq 0 ] && status=1
        fi
    done
    lab__exit_hooks=()
    exit "$status"
}

# --- small helpers -------------------------------------------------------------

lab_log() { echo "wsd-lab: $*" >&2; }

lab_skip() {
    echo "SKIP: $*" >&2
    exit "$LAB_SKIP"
}

lab_fail_setup() {
    lab_log "setup failed: $*"
    exit "$LAB_HARD_ERROR"
}

# Milliseconds since the epoch, for deadlines.
lab_now_ms() { date +%s%3N; }

# lab_wait_until SECONDS DESCRIPTION CMD...: runs CMD until it succeeds or the
# deadline passes (returns 1).  Polling is the only way to wait for another
# process's socket or D-Bus state; the deadline bounds it.
lab_wait_until() {
    local seconds=$1 what=$2 deadline
    shift 2
    deadline=$(($(lab_now_ms) + seconds * 1000))
    while ! "$@" >/dev/null 2>&1; do
        if [ "$(lab_now_ms)" -gt "$deadline" ]; then
            lab_log "timed out after ${seconds}s waiting for $what"
            return 1
        fi
        sleep 0.05
    done
}

# --- namespace plumbing --------------------------------------------------------

lab__ns_name() {
    case $1 in
        dev) echo "$LAB_NS_DEV" ;;
        host) echo "$LAB_NS_HOST" ;;
        *) lab_log "unknown side '$1' (dev or host)"; return 2 ;;
    esac
}

# lab_command SIDE CMD...: sets the array LAB_CMD to the command line that
# runs CMD in namespace SIDE (dev|host) with the namespace's private /run.
# `ip netns exec` already gives every command a new mount namespace (a slave
# of the machine's), so the bind mount stays local to that command.  ip, sh
# and CMD replace each other by exec: a process started in the background
# from "${LAB_CMD[@]}" & has CMD's pid in $!.
lab_command() {
    local side=$1 ns
    shift
    ns=$(lab__ns_name "$side") || return 2
    LAB_CMD=(ip netns exec "$ns" /bin/sh -c
        'mount --bind "$1" /run || exit 125; shift; exec "$@"'
        lab-exec "$LAB_STATE_DIR/$side/run" "$@")
}

# lab_exec SIDE CMD...: runs CMD (a program, not a shell function) in
# namespace SIDE and returns its status.
lab_exec() {
    lab_command "$@" || return 2
    "${LAB_CMD[@]}"
}

lab_exec_dev() { lab_exec dev "$@"; }
lab_exec_host() { lab_exec host "$@"; }

# lab_spawn SIDE NAME CMD...: starts CMD in the background in namespace SIDE,
# stdout+stderr to $LAB_STATE_DIR/logs/NAME.log, pid to pids/NAME.pid (lab_down
# stops it).  Sets LAB_SPAWNED_PID (CMD's own pid).
lab_spawn() {
    local side=$1 name=$2
    shift 2
    lab_command "$side" "$@" || return 2
    "${LAB_CMD[@]}" </dev/null >"$LAB_STATE_DIR/logs/$name.log" 2>&1 &
    LAB_SPAWNED_PID=$!
    echo "$LAB_SPAWNED_PID" >"$LAB_STATE_DIR/pids/$name.pid"
}

# True when PID is alive and lives in one of this lab's namespaces, so a
# recycled pid of an unrelated process is never signalled.
lab__is_ours() {
    local pid=$1 ns
    kill -0 "$pid" 2>/dev/null || return 1
    ns=$(ip netns identify "$pid" 2>/dev/null) || return 1
    [ "$ns" = "$LAB_NS_DEV" ] || [ "$ns" = "$LAB_NS_HOST" ]
}

# Sends TERM to the given pids (ours only), waits up to 5 s, then KILLs.
lab__stop_pids() {
    local pid alive deadline
    local -a ours=()
    for pid in "$@"; do
        lab__is_ours "$pid" && ours+=("$pid")
    done
    [ "${#ours[@]}" -gt 0 ] || return 0
    kill -TERM "${ours[@]}" 2>/dev/null
    deadline=$(($(lab_now_ms) + 5000))
    while :; do
        alive=()
        for pid in "${ours[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive+=("$pid")
        done
        [ "${#alive[@]}" -eq 0 ] && break
        if [ "$(lab_now_ms)" -gt "$deadline" ]; then
            lab_log "killing (did not stop on TERM): ${alive[*]}"
            kill -KILL "${alive[@]}" 2>/dev/null
            break
        fi
        sleep 0.05
    done
    # Reap the ones that are our children (library mode); no-op for others.
    wait "${ours[@]}" 2>/dev/null || true
}

# --- daemons -------------------------------------------------------------------

lab__write_avahi_conf() {
    local side=$1
    cat >"$LAB_STATE_DIR/$side/avahi-daemon.conf" <<EOF
# avahi-daemon for the wsd-lab $side namespace: only the lab's veth, no
# reflector, no wide-area; a fixed host name so the two daemons never collide.
[server]
host-name=wsdlab-$side
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=$LAB_IF
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000

[wide-area]
enable-wide-area=no

[publish]
disable-publishing=no
publish-addresses=yes
publish-hinfo=no
publish-workstation=no

[reflector]
enable-reflector=no

[rlimits]
EOF
}

lab__avahi_running() {
    lab_exec "$1" dbus-send --system --print-reply --dest=org.freedesktop.Avahi \
        / org.freedesktop.Avahi.Server.GetState 2>/dev/null | grep -q 'int32 2'
}

lab__daemon_alive() { kill -0 "$(cat "$LAB_STATE_DIR/pids/$1.pid")" 2>/dev/null; }

# Fails fast when the daemon died, else checks the readiness condition.
lab__ready_or_dead() {
    local name=$1
    shift
    lab__daemon_alive "$name" || return 2
    "$@"
}

lab__wait_daemon() {
    local name=$1 what=$2
    shift 2
    if ! lab_wait_until "$LAB_WAIT_SECONDS" "$what" lab__ready_or_dead "$name" "$@"; then
        lab__daemon_alive "$name" || lab_log "$name exited"
        lab_log "--- $name log:"
        cat "$LAB_STATE_DIR/logs/$name.log" >&2
        return 1
    fi
}

lab__start_avahi() {
    local side=$1
    lab__write_avahi_conf "$side"
    # --nofork/--nopidfile: the lab tracks the pid itself.  The socket lands in
    # the namespace's private /run/dbus.
    lab_spawn "$side" "$side-dbus" dbus-daemon --system --nofork --nopidfile
    lab__wait_daemon "$side-dbus" "dbus-daemon in $side" \
        lab_exec "$side" dbus-send --system --print-reply --dest=org.freedesktop.DBus \
        / org.freedesktop.DBus.GetId || return 1
    # Root without chroot: the daemon's state stays in the private /run.
    lab_spawn "$side" "$side-avahi" avahi-daemon --no-chroot --no-drop-root \
        --no-rlimits -f "$LAB_STATE_DIR/$side/avahi-daemon.conf"
    lab__wait_daemon "$side-avahi" "avahi-daemon in $side" lab__avahi_running "$side"
}

# --- up / down -------------------------------------------------------------------

lab__ipv6_link_local_ready() {
    local out
    out=$(ip -n "$1" -6 addr show dev "$LAB_IF" scope link) || return 1
    [ -n "$out" ] && ! grep -q tentative <<<"$out"
}

lab__setup_side() {
    local side=$1 ns=$2 addr4=$3 addr6=$4
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "$addr4/24" dev "$LAB_IF" || return 1
    ip -n "$ns" -6 addr add "$addr6/64" dev "$LAB_IF" nodad || return 1
    ip -n "$ns" link set "$LAB_IF" up || return 1
    ip -n "$ns" route add 224.0.0.0/4 dev "$LAB_IF" || return 1
    mkdir -p "$LAB_STATE_DIR/$side/run/dbus" "$LAB_STATE_DIR/$side/run/avahi-daemon"
}

lab__check_prerequisites() {
    local with_avahi=$1 cmd
    [ "$(id -u)" -eq 0 ] || lab_skip "the network lab needs root (ip netns add); running as $(id -un)"
    local -a needed=(ip mount)
    [ "$with_avahi" = 1 ] && needed+=(dbus-daemon dbus-send avahi-daemon)
    for cmd in "${needed[@]}"; do
        command -v "$cmd" >/dev/null 2>&1 || lab_skip "'$cmd' not found (needed by the network lab)"
    done
}

# lab_up [--avahi] [--keep]: creates the lab and exports LAB_ID, LAB_NS_DEV,
# LAB_NS_HOST, LAB_IF, LAB_ADDR4_*/LAB_ADDR6_*, LAB_STATE_DIR.  Without --keep
# lab_down is registered to run when the script exits.
lab_up() {
    local with_avahi=0 keep=0
    while [ $# -gt 0 ]; do
        case $1 in
            --avahi) with_avahi=1 ;;
            --keep) keep=1 ;;
            *) lab_log "lab_up: unknown option $1"; return 2 ;;
        esac
        shift
    done
    lab__check_prerequisites "$with_avahi"

    # Unique per run, so parallel or aborted runs never clash.
    LAB_ID="$$-$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
    LAB_NS_DEV="wsdlab-$LAB_ID-dev"
    LAB_NS_HOST="wsdlab-$LAB_ID-host"
    LAB_STATE_DIR="$(lab__state_root)/wsdlab-$LAB_ID"
    export LAB_ID LAB_NS_DEV LAB_NS_HOST LAB_STATE_DIR LAB_IF \
        LAB_ADDR4_HOST LAB_ADDR4_DEV LAB_ADDR6_HOST LAB_ADDR6_DEV
    # Private to root: root tools (lab_down, prune) later read its files.
    # mkdir fails on anything already there, a planted symlink included.
    mkdir -m 700 "$LAB_STATE_DIR" || lab_fail_setup "cannot create $LAB_STATE_DIR"
    lab__trusted_dir "$LAB_STATE_DIR" || lab_fail_setup "$LAB_STATE_DIR is not ours"
    mkdir "$LAB_STATE_DIR/pids" "$LAB_STATE_DIR/logs"
    LAB_KEEP=$keep
    LAB_AVAHI=$with_avahi
    export LAB_KEEP LAB_AVAHI
    # Written now, so that even a half-built lab can be found and pruned.
    lab__write_state

    # Registered before the first namespace exists, so a failure anywhere
    # below still tears down what was created.
    if [ "$keep" = 1 ]; then
        lab_at_exit 'lab__abort_unfinished_up'
    else
        lab_at_exit 'lab_down'
    fi
    LAB__UP_COMPLETE=0

    local err
    if ! err=$(ip netns add "$LAB_NS_DEV" 2>&1); then
        lab_skip "cannot create a network namespace (ip netns add: $err)"
    fi
    ip netns add "$LAB_NS_HOST" || lab_fail_setup "ip netns add $LAB_NS_HOST"
    # Containers may allow creating namespaces but not entering them (the
    # remount of /sys that ip netns exec does needs privileges).
    if ! err=$(ip netns exec "$LAB_NS_DEV" true 2>&1); then
        lab_skip "cannot enter a network namespace (ip netns exec: $err)"
    fi
    # No duplicate address detection: addresses are usable at once and the
    # IPv6 link-local address (needed by ff02::c and mDNS) is not tentative.
    local ns
    for ns in "$LAB_NS_DEV" "$LAB_NS_HOST"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
            net.ipv6.conf.default.accept_dad=0 ||
            lab_skip "IPv6 is not available in network namespaces (the lab needs fd00:5ca::/64)"
    done
    # Created directly inside the namespaces: the veth never exists in the
    # machine's own namespace, even for a moment.
    ip -n "$LAB_NS_DEV" link add "$LAB_IF" type veth peer name "$LAB_IF" netns "$LAB_NS_HOST" ||
        lab_fail_setup "veth pair"
    lab__setup_side dev "$LAB_NS_DEV" "$LAB_ADDR4_DEV" "$LAB_ADDR6_DEV" || lab_fail_setup "dev side"
    lab__setup_side host "$LAB_NS_HOST" "$LAB_ADDR4_HOST" "$LAB_ADDR6_HOST" || lab_fail_setup "host side"
    for ns in "$LAB_NS_DEV" "$LAB_NS_HOST"; do
        lab_wait_until "$LAB_WAIT_SECONDS" "IPv6 link-local address in $ns" \
            lab__ipv6_link_local_ready "$ns" || lab_fail_setup "IPv6 link-local in $ns"
    done
    LAB_ADDR6LL_DEV=$(lab__link_local "$LAB_NS_DEV")
    LAB_ADDR6LL_HOST=$(lab__link_local "$LAB_NS_HOST")
    export LAB_ADDR6LL_DEV LAB_ADDR6LL_HOST

    if [ "$with_avahi" = 1 ]; then
        lab__start_avahi dev || lab_fail_setup "avahi in dev"
        lab__start_avahi host || lab_fail_setup "avahi in host"
    fi
    lab__write_state
    LAB__UP_COMPLETE=1
}

lab__link_local() {
    ip -n "$1" -6 addr show dev "$LAB_IF" scope link |
        sed -n 's|.*inet6 \([0-9a-f:]*\)/.*|\1|p' | head -n 1
}

# With --keep (the wsd-lab CLI), a half-built lab is still torn down.
lab__abort_unfinished_up() {
    [ "${LAB__UP_COMPLETE:-0}" = 1 ] || lab_down
}

# The lab's variables, in the order lab_env prints them.
LAB__STATE_KEYS=(LAB_ID LAB_NS_DEV LAB_NS_HOST LAB_STATE_DIR LAB_IF LAB_AVAHI LAB_KEEP
    LAB_ADDR4_HOST LAB_ADDR4_DEV LAB_ADDR6_HOST LAB_ADDR6_DEV
    LAB_ADDR6LL_HOST LAB_ADDR6LL_DEV)

# Prints the lab's variables as export commands, for a user's shell to eval
# (eval "$(wsd-lab up)"). Never read back: the lab keeps its own state file.
lab_env() {
    local var
    for var in "${LAB__STATE_KEYS[@]}"; do
        printf 'export %s=%q\n' "$var" "${!var-}"
    done
}

# Where labs keep their state directories.
lab__state_root() { echo "${TMPDIR:-/tmp}"; }

# True when DIR is a real directory (not a symlink) owned by this user and
# writable by no one else: only then may a root tool trust what is in it.
lab__trusted_dir() {
    local dir=$1 owner mode
    [ -d "$dir" ] && [ ! -L "$dir" ] || return 1
    owner=$(stat -c %u -- "$dir") && mode=$(stat -c %a -- "$dir") || return 1
    [ "$owner" = "$(id -u)" ] && [ "$mode" = 700 ]
}

# The state file: KEY=VALUE lines, read back by lab__load_state, which never
# runs it. Written to a new file, then renamed over the old one.
lab__write_state() {
    local var
    for var in "${LAB__STATE_KEYS[@]}"; do
        printf '%s=%s\n' "$var" "${!var-}"
    done >"$LAB_STATE_DIR/state.new" && mv -f -- "$LAB_STATE_DIR/state.new" "$LAB_STATE_DIR/state"
}

# lab__valid_value KEY VALUE ID DIR: whether VALUE may be KEY's in the state
# of lab ID kept in DIR: the id and names derived from it, DIR itself, an
# interface name, 0/1 switches, addresses. Anything else (spaces, quotes, $,
# ;, ...) is refused.
lab__valid_value() {
    local key=$1 value=$2 id=$3 dir=$4
    case $key in
        LAB_ID) [ "$value" = "$id" ] ;;
        LAB_NS_DEV) [ "$value" = "wsdlab-$id-dev" ] ;;
        LAB_NS_HOST) [ "$value" = "wsdlab-$id-host" ] ;;
        LAB_STATE_DIR) [ "$value" = "$dir" ] ;;
        LAB_IF) [[ $value =~ ^[A-Za-z0-9_.-]{1,15}$ ]] ;;
        LAB_AVAHI | LAB_KEEP) [[ $value =~ ^[01]$ ]] ;;
        LAB_ADDR4_HOST | LAB_ADDR4_DEV) [[ $value =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] ;;
        LAB_ADDR6_HOST | LAB_ADDR6_DEV) [[ $value =~ ^[0-9a-f:]{2,39}$ ]] ;;
        # Empty in a lab that failed before its link came up.
        LAB_ADDR6LL_HOST | LAB_ADDR6LL_DEV) [[ $value =~ ^[0-9a-f:]{0,39}$ ]] ;;
        *) return 1 ;;
    esac
}

# lab__load_state DIR: sets the lab's variables from DIR/state, parsed
# line by line, never evaluated: a root tool must not run what a local user
# may have planted in /tmp. Refuses (returns 1, says why) a directory or file
# that is a symlink, not ours or writable by others, an unknown or repeated
# key, a missing key, or a value that is not what its key allows.
lab__load_state() {
    local dir=$1 file="$1/state" id line key value
    local -a lines=()
    local -A seen=()
    id=${dir##*/wsdlab-}
    if ! [[ $id =~ ^[0-9]+-[0-9a-f]{4}$ ]]; then
        lab_log "ignoring $dir: not named after a lab id"
        return 1
    fi
    if ! lab__trusted_dir "$dir"; then
        lab_log "ignoring $dir: not a directory of $(id -un) with mode 700"
        return 1
    fi
    if [ ! -f "$file" ] || [ -L "$file" ] || [ "$(stat -c %u -- "$file")" != "$(id -u)" ] ||
        [ -n "$(find "$file" -perm /022)" ]; then
        lab_log "ignoring $dir: $file is missing, a symlink, not ours or writable by others"
        return 1
    fi
    # Read once; checked whole before anything is set.
    mapfile -t lines <"$file"
    for line in "${lines[@]}"; do
        key=${line%%=*}
        value=${line#*=}
        # The key is checked against the list before it is used as a subscript.
        if [ "$key" = "$line" ] || ! lab__valid_value "$key" "$value" "$id" "$dir" ||
            [ -n "${seen[$key]:-}" ]; then
            lab_log "ignoring $dir: bad line in $file: $line"
            return 1
        fi
        seen[$key]=1
    done
    for key in "${LAB__STATE_KEYS[@]}"; do
        [ -n "${seen[$key]:-}" ] || { lab_log "ignoring $dir: $file has no $key"; return 1; }
    done
    for line in "${lines[@]}"; do
        printf -v "${line%%=*}" '%s' "${line#*=}"
        export "${line%%=*}"
    done
}

# lab_attach ID: loads the variables of a lab created by another process.
lab_attach() {
    [[ $1 =~ ^[0-9]+-[0-9a-f]{4}$ ]] || { lab_log "'$1' is not a lab id"; return 1; }
    local dir
    dir="$(lab__state_root)/wsdlab-$1"
    [ -e "$dir/state" ] || { lab_log "no lab with id '$1' ($dir/state missing)"; return 1; }
    lab__load_state "$dir"
}

# lab_down: stops the processes the lab started (pid files) and anything else
# still running inside its namespaces (only tests' processes can be there),
# deletes the namespaces and the state directory.  Idempotent.
lab_down() {
    [ -n "${LAB_ID:-}" ] || return 0
    local f ns pid
    local -a pids=()
    if [ -d "$LAB_STATE_DIR/pids" ]; then
        for f in "$LAB_STATE_DIR"/pids/*.pid; do
            [ -f "$f" ] || continue
            pid=$(cat "$f")
            # Only a process id: "-1" would mean every process.
            [[ $pid =~ ^[1-9][0-9]*$ ]] && pids+=("$pid")
        done
    fi
    lab__stop_pids "${pids[@]}"
    for ns in "$LAB_NS_DEV" "$LAB_NS_HOST"; do
        ip netns list | grep -qx "$ns\( (id: [0-9]*)\)\?" || continue
        mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
        [ "${#pids[@]}" -gt 0 ] && lab__stop_pids "${pids[@]}"
        ip netns del "$ns" || lab_log "could not delete namespace $ns"
    done
    # Only a directory this lab created (its unique name) is removed.
    case $LAB_STATE_DIR in
        */wsdlab-"$LAB_ID") rm -rf -- "$LAB_STATE_DIR" ;;
    esac
    LAB_ID=
}

# lab_prune: tears down the labs left by test scripts that were killed
# outright (SIGKILL leaves no chance to clean up): labs not made to stay
# (--keep) whose creating process (the first part of LAB_ID) is gone. Only
# labs whose state lab__load_state accepts: the others are reported, left
# alone, and nothing in them is run.
lab_prune() {
    local dir
    for dir in "$(lab__state_root)"/wsdlab-*; do
        [ -e "$dir" ] || [ -L "$dir" ] || continue
        (
            lab__load_state "$dir" || exit 0
            if [ "$LAB_KEEP" != 1 ] && ! kill -0 "${LAB_ID%%-*}" 2>/dev/null; then
                lab_log "pruning lab $LAB_ID (its creator ${LAB_ID%%-*} is gone)"
                lab_down
            fi
        )
    done
}
