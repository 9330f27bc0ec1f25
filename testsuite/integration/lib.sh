# Shared helpers for the integration tests (bash).  Source it first thing:
#
#   . "$(dirname "$0")/lib.sh"
#
# Environment (set by `make check` through AM_TESTS_ENVIRONMENT; set them by
# hand to run a test alone): WSD_BUILD_DIR (top build directory),
# WSD_SOURCE_DIR (top source directory, defaults to this file's tree).
#
# Provides: assertions (fail, skip, assert_eq, assert_contains, assert_file,
# assert_no_sanitizer_report), a hang guard (guard SECONDS CMD...), a private work directory ($WORK_DIR,
# removed at exit), wsd-sim control (sim_start, sim_control, sim_stop) and
# its JSON read (sim_jobs, sim_active, sim_log, assert_logged,
# assert_not_logged, json_list), SANE
# environments that load the freshly built backend without installing it,
# sanitizer build included (sane_env_wsd, sane_env_airscan), and, through lab.sh, the network lab
# (lab_up, lab_exec_dev, lab_exec_host, ...) and lab_at_exit for cleanups.
# Every started process is stopped when the test exits, passes or fails.

set -u

IT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WSD_SOURCE_DIR=${WSD_SOURCE_DIR:-$(cd "$IT_LIB_DIR/../.." && pwd)}
. "$WSD_SOURCE_DIR/testsuite/lab/lab.sh"

IT_NAME=$(basename "$0" .sh)

# --- results ---------------------------------------------------------------

it_log() { echo "[$IT_NAME] $*"; }

fail() {
    echo "FAIL [$IT_NAME]: $*" >&2
    exit 1
}

skip() {
    echo "SKIP [$IT_NAME]: $*" >&2
    exit 77
}

# A broken test environment (missing build product...): ERROR, never a pass.
hard_error() {
    echo "ERROR [$IT_NAME]: $*" >&2
    exit 99
}

assert_eq() {
    local actual=$1 expected=$2 what=${3:-value}
    [ "$actual" = "$expected" ] || fail "$what: got '$actual', expected '$expected'"
}

# assert_contains TEXT NEEDLE [WHAT]: fixed-string search.
assert_contains() {
    local text=$1 needle=$2 what=${3:-output}
    grep -qF -- "$needle" <<<"$text" || fail "$what does not contain '$needle':
$text"
}

assert_not_contains() {
    local text=$1 needle=$2 what=${3:-output}
    ! grep -qF -- "$needle" <<<"$text" || fail "$what contains '$needle':
$text"
}

assert_file() {
    [ -s "$1" ] || fail "${2:-file} $1 missing or empty"
}

# guard [--side dev|host] SECONDS CMD...: runs the program CMD (in a lab
# side when given; `guard S lab_exec_host CMD...` works too), failing the test
# if it is still running after SECONDS (a hang guard, not a timing assertion:
# be generous).  Otherwise returns CMD's status.
guard() {
    local side='' seconds status
    if [ "$1" = --side ]; then
        side=$2
        shift 2
    fi
    seconds=$1
    shift
    # timeout runs programs only: the lab's exec functions become --side.
    case $1 in
        lab_exec_host) side=host; shift ;;
        lab_exec_dev) side=dev; shift ;;
        lab_exec) side=$2; shift 2 ;;
    esac
    if [ "$(type -t "$1")" = function ]; then
        hard_error "guard: '$1' is a shell function; guard runs programs"
    fi
    run_in "$side" timeout --kill-after=5 "$seconds" "$@"
    status=$?
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        fail "hung for more than ${seconds}s: $*"
    fi
    return "$status"
}

# wait_child PID SECONDS [WHAT]: waits for a background child and returns its
# exit status; a watchdog kills it, and fails the test, when it still runs
# after SECONDS (a hang guard). SIGKILL stops the watchdog: a just-forked
# subshell may still hold the inherited traps and must not run the test's
# exit hooks. Its sleep, which SIGKILL leaves running, holds none of the
# test's output: the test harness reads that until every writer is gone.
wait_child() {
    local pid=$1 seconds=$2 what=${3:-process} watchdog fired="$WORK_DIR/watchdog.$1" status
    ( trap - EXIT INT TERM; sleep "$seconds"; kill -KILL "$pid" 2>/dev/null && touch "$fired" ) \
        </dev/null >/dev/null 2>&1 &
    watchdog=$!
    wait "$pid" 2>/dev/null
    status=$?
    kill -KILL "$watchdog" 2>/dev/null
    wait "$watchdog" 2>/dev/null
    [ ! -e "$fired" ] || fail "$what $pid hung for more than ${seconds}s"
    return "$status"
}

# --- work directory ------------------------------------------------------------

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wsd-it-$IT_NAME.XXXXXX") || hard_error "mktemp failed"
# Files to show in the test log when the test fails (sim logs and the like).
it__logs_on_failure=()

it__cleanup_work_dir() {
    local status=$1 f
    if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then
        for f in "${it__logs_on_failure[@]}"; do
            [ -s "$f" ] || continue
            echo "--- $f (last 60 lines):" >&2
            tail -n 60 "$f" >&2
        done
    fi
    rm -rf -- "$WORK_DIR"
}
lab_at_exit 'it__cleanup_work_dir $status'

# show_on_failure FILE...: adds files to dump into the test log on failure.
show_on_failure() { it__logs_on_failure+=("$@"); }

# --- build products --------------------------------------------------------------

it_require_build_dir() {
    [ -n "${WSD_BUILD_DIR:-}" ] || hard_error "WSD_BUILD_DIR is not set (run through make check, or export it)"
    [ -d "$WSD_BUILD_DIR" ] || hard_error "WSD_BUILD_DIR=$WSD_BUILD_DIR is not a directory"
}

# build_program VAR RELATIVE_PATH: sets VAR to the path of a built program
# (an ERROR when it is not built).
build_program() {
    it_require_build_dir
    local path="$WSD_BUILD_DIR/$2"
    [ -x "$path" ] || hard_error "$path not built"
    printf -v "$1" '%s' "$path"
}

# free_tcp_port [dev|host]: prints a TCP port nothing listens on, on the
# machine or in a lab side.  It may be taken before it is used; a clash shows
# as a clear "address in use" error, not as a wrong result.
free_tcp_port() {
    local side=${1:-} port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 40000))
        if [ -z "$(run_in "$side" ss -Htln "sport = :$port")" ]; then
            echo "$port"
            return 0
        fi
    done
    hard_error "no free TCP port found"
}

# --- wsd-sim -------------------------------------------------------------------------

# Per instance (NAME, default "sim"): pid, control port, namespace side.
declare -A SIM_PIDS=() SIM_CONTROL_PORTS=() SIM_SIDES=()
SIM_READY_SECONDS=${SIM_READY_SECONDS:-30}

# sim_start [--side dev|host] [--name NAME] [WSD-SIM ARGS...]
# Starts wsd-sim in the background (in a lab namespace with --side) and
# waits, bounded, for its ready line:
#   wsd-sim ready: device URL U service URL U control URL U uuid X port N control-port N profile P [personality Q]
# (wsd-sim picks free ports unless told).  Sets, for the instance just
# started: SIM_PID, SIM_READY_LINE, SIM_DEVICE_URL, SIM_SERVICE_URL, SIM_UUID,
# SIM_PORT, SIM_CONTROL_PORT, SIM_LOG (its stderr).
sim_start() {
    local side='' name=sim
    while [ $# -gt 0 ]; do
        case $1 in
            --side) side=$2; shift 2 ;;
            --name) name=$2; shift 2 ;;
            *) break ;;
        esac
    done
    local sim
    build_program sim testsuite/sim/wsd-sim
    local -a args=("$@")

    local out="$WORK_DIR/$name.stdout" log="$WORK_DIR/$name.log" fifo="$WORK_DIR/$name.fifo"
    mkfifo "$fifo" || hard_error "mkfifo $fifo"
    show_on_failure "$log"
    # stdout goes through a FIFO that this shell reads: the ready line is the
    # synchronisation, waited for with read -t (no polling).
    if [ -n "$side" ]; then
        lab_command "$side" "$sim" "${args[@]}"
        "${LAB_CMD[@]}" </dev/null >"$fifo" 2>"$log" &
    else
        "$sim" "${args[@]}" </dev/null >"$fifo" 2>"$log" &
    fi
    local pid=$!
    SIM_PIDS[$name]=$pid
    SIM_SIDES[$name]=$side
    lab_at_exit "sim_stop --name $name"

    local fd line ready='' deadline remaining
    exec {fd}<"$fifo"
    deadline=$(($(lab_now_ms) + SIM_READY_SECONDS * 1000))
    while :; do
        remaining=$((deadline - $(lab_now_ms)))
        [ "$remaining" -gt 0 ] || break
        IFS= read -r -t "$((remaining / 1000)).$(printf '%03d' $((remaining % 1000)))" -u "$fd" line || break
        echo "$line" >>"$out"
        case $line in "wsd-sim ready"*) ready=$line; break ;; esac
    done
    # Keep draining stdout so wsd-sim never blocks on a full pipe.
    cat <&"$fd" >>"$out" &
    exec {fd}<&-
    rm -f "$fifo"
    if [ -z "$ready" ]; then
        kill -0 "$pid" 2>/dev/null && fail "wsd-sim ($name) not ready after ${SIM_READY_SECONDS}s: $sim ${args[*]}"
        fail "wsd-sim ($name) exited before ready: $sim ${args[*]}"
    fi
    SIM_PID=$pid
    SIM_READY_LINE=$ready
    SIM_DEVICE_URL=$(sim__ready_field "device URL" "$ready")
    SIM_SERVICE_URL=$(sim__ready_field "service URL" "$ready")
    SIM_UUID=$(sim__ready_field uuid "$ready")
    SIM_PORT=$(sim__ready_field port "$ready")
    SIM_CONTROL_PORT=$(sim__ready_field control-port "$ready")
    SIM_CONTROL_PORTS[$name]=$SIM_CONTROL_PORT
    SIM_LOG=$log
    if [ -z "$SIM_DEVICE_URL" ] || [ -z "$SIM_CONTROL_PORT" ]; then
        fail "wsd-sim ($name): unexpected ready line: $ready"
    fi
    it_log "wsd-sim ($name${side:+ in $side}) pid $pid: $ready"
}

# sim__ready_field KEY LINE: the word after " KEY " in the ready line.
sim__ready_field() {
    local key=$1 line=" $2 "
    line=${line#* "$key" }
    [ "$line" != " $2 " ] && echo "${line%% *}"
}

# sim_control [--name NAME] GET|POST PATH [JSON]: asks wsd-sim's control
# endpoint (loopback of the instance's namespace); prints the response body.
# Fails the test on an HTTP error.
sim_control() {
    local name=sim
    if [ "${1:-}" = --name ]; then
        name=$2
        shift 2
    fi
    local method=$1 path=$2 body=${3:-}
    local port=${SIM_CONTROL_PORTS[$name]:-} side=${SIM_SIDES[$name]:-}
    [ -n "$port" ] || fail "sim_control: no wsd-sim instance '$name'"
    local -a cmd=(curl -sS --fail-with-body --max-time 20 -X "$method")
    [ -n "$body" ] && cmd+=(-H 'Content-Type: application/json' --data-binary "$body")
    cmd+=("http://127.0.0.1:$port$path")
    if [ -n "$side" ]; then
        lab_exec "$side" "${cmd[@]}" || fail "sim_control $method $path failed"
    else
        "${cmd[@]}" || fail "sim_control $method $path failed"
    fi
}

# sim_jobs [--name NAME] FIELD...: the simulator's jobs (GET /jobs), oldest
# first, one a line: the given fields, space-separated (a list's items joined
# by commas). Read as JSON, so the assertions hold whatever the layout.
sim_jobs() {
    local -a name=()
    [ "${1:-}" = --name ] && { name=(--name "$2"); shift 2; }
    sim_control "${name[@]}" GET /jobs | python3 -c '
import json, sys
def text(value):
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)
for job in json.load(sys.stdin)["jobs"]:
    print(" ".join(text(job[field]) for field in sys.argv[1:]))' "$@"
}

# sim_active [--name NAME]: the ids of the simulator's active jobs (GET
# /active), space-separated; empty when none is.
sim_active() {
    sim_control "$@" GET /active | json_list active
}

# json_list KEY: reads a JSON object on stdin and prints the items of its
# list KEY, space-separated (nothing for an empty list); status 1, printing
# nothing, when the input is not such an object (e.g. empty).
json_list() {
    python3 -c '
import json, sys
try:
    items = json.load(sys.stdin)[sys.argv[1]]
except (ValueError, KeyError, TypeError):
    sys.exit(1)
if not isinstance(items, list):
    sys.exit(1)
print(" ".join(map(str, items)))' "$1"
}

# sim_log [--name NAME] [--count] [FIELD=PATTERN...]: the simulator's log
# (GET /log, read as JSON), oldest first: the entries whose every FIELD
# (time, operation, jobId, outcome, client, to) matches its shell PATTERN, one
# PATTERN or several separated by "|" (also subscription: the WS-Eventing
# subscription an event or a panel job belongs to, "" for none; destinations:
# how many a Subscribe put on the panel, "" for none); e.g. operation='Probe (UDP*'
# outcome=ok client="$LAB_ADDR4_HOST|$LAB_ADDR6_HOST". Prints them one a
# line, "operation<TAB>outcome<TAB>client<TAB>jobId", or with --count how
# many there are.
sim_log() {
    local -a name=()
    local count=0
    [ "${1:-}" = --name ] && { name=(--name "$2"); shift 2; }
    [ "${1:-}" = --count ] && { count=1; shift; }
    sim_control "${name[@]}" GET /log | python3 -c '
import fnmatch, json, sys
count, filters = sys.argv[1] == "1", [arg.partition("=") for arg in sys.argv[2:]]
for field, equals, _ in filters:
    if field not in ("time", "operation", "jobId", "outcome", "client", "to", "subscription", "destinations") or not equals:
        sys.exit("sim_log: %r is not FIELD=PATTERN with a field of the log" % (field + equals))
def matches(entry):
    return all(any(fnmatch.fnmatchcase(str(entry.get(field, "")), p) for p in patterns.split("|"))
               for field, _, patterns in filters)
entries = [e for e in json.load(sys.stdin)["log"] if matches(e)]
if count:
    print(len(entries))
else:
    for e in entries:
        print("\t".join(str(e[f]) for f in ("operation", "outcome", "client", "jobId")))' "$count" "$@"
}

# assert_logged [--name NAME] WHAT FIELD=PATTERN...: fails unless the
# simulator's log has an entry that matches (as sim_log selects them).
assert_logged() { sim__expect_in_log some "$@"; }

# assert_not_logged [--name NAME] WHAT FIELD=PATTERN...: fails when the
# simulator's log has an entry that matches.
assert_not_logged() { sim__expect_in_log none "$@"; }

sim__expect_in_log() {
    local want=$1 what count
    local -a name=()
    shift
    [ "${1:-}" = --name ] && { name=(--name "$2"); shift 2; }
    what=$1
    shift
    count=$(sim_log "${name[@]}" --count "$@") || fail "sim_log $* failed"
    if [ "$want" = some ] && [ "$count" -eq 0 ]; then
        fail "$what: no entry with $* on wsd-sim's /log:
$(sim_log "${name[@]}")"
    elif [ "$want" = none ] && [ "$count" -ne 0 ]; then
        fail "$what: $count entries with $* on wsd-sim's /log:
$(sim_log "${name[@]}" "$@")"
    fi
}

# sim_stop [--name NAME]: SIGTERM (wsd-sim exits cleanly, sending Bye when
# multicasting), then waits for it, bounded.  Idempotent.
sim_stop() {
    local name=sim
    [ "${1:-}" = --name ] && name=$2
    local pid=${SIM_PIDS[$name]:-}
    [ -n "$pid" ] || return 0
    SIM_PIDS[$name]=
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    if ! lab_wait_until 10 "wsd-sim ($name) to exit on SIGTERM" sim__exited "$pid"; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        fail "wsd-sim ($name) did not exit on SIGTERM"
    fi
    wait "$pid" 2>/dev/null
    return 0
}

sim__exited() { ! kill -0 "$1" 2>/dev/null; }

# --- SANE environments ---------------------------------------------------------

# SANE's dll backend looks for libsane-NAME.so.1 in the directories of
# LD_LIBRARY_PATH before its compiled-in directory, and reads dll.conf from
# SANE_CONFIG_DIR (only from there when it has no trailing colon).  So a
# directory holding a symlink to the freshly built module plus a private
# config directory tests the backend without installing it.

# sane_env_wsd DIR [WSD.CONF LINE...]: dll.conf naming only wsd; wsd.conf
# made of the given lines.  Exports SANE_CONFIG_DIR and LD_LIBRARY_PATH,
# XDG_RUNTIME_DIR (the backend's job registry stays in the test's directory)
# and XDG_CACHE_HOME (its device cache stays in DIR).
sane_env_wsd() {
    local dir=$1 module
    shift
    it_require_build_dir
    module="$WSD_BUILD_DIR/backend/.libs/libsane-wsd.so.1"
    [ -e "$module" ] || hard_error "$module not built"
    mkdir -p "$dir/lib"
    ln -sf "$module" "$dir/lib/libsane-wsd.so.1"
    echo wsd >"$dir/dll.conf"
    printf '%s\n' "$@" >"$dir/wsd.conf"
    export SANE_CONFIG_DIR="$dir"
    export LD_LIBRARY_PATH="$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export XDG_RUNTIME_DIR="$WORK_DIR/runtime"
    # The device cache of this environment alone: another test's devices, or
    # an earlier environment's, are not listed here.
    export XDG_CACHE_HOME="$dir/cache"
    sane__sanitizer_wrappers "$dir" "$module"
}

# A module built with --enable-sanitizers needs the ASan and UBSan runtimes
# (libtool links it without them: their symbols stay undefined) loaded
# first, which a non-instrumented frontend does not do.  For that build,
# DIR/bin (put first in PATH) gets a wrapper for each installed frontend the
# tests start (scanimage, simple-scan, xsane, saned) that preloads them for that
# program alone, with libasan-swift-demangle.so (without it Simple Scan
# hangs at start: see tools/asan-swift-demangle.cpp).  An ASan/UBSan report
# fails the program (exit status 86); leaks are checked at exit, except in
# the libraries named in lsan-frontends.supp (not ours).  sane-probe, wsd-sim
# and the unit tests are instrumented themselves.
SANE_SANITIZED_FRONTENDS=(scanimage simple-scan xsane saned)
sane__sanitizer_wrappers() {
    local dir=$1 module=$2 runtime='' lib program real context
    nm -D --undefined-only "$module" 2>/dev/null | grep -q ' __asan_init' || return 0
    for lib in libasan.so libubsan.so; do
        lib=$(gcc -print-file-name=$lib)
        [ -e "$lib" ] || hard_error "the sanitizer runtime $lib of $module is not found"
        runtime+=${runtime:+:}$lib
    done
    lib="$WSD_BUILD_DIR/testsuite/tools/.libs/libasan-swift-demangle.so"
    [ -e "$lib" ] || hard_error "$lib not built (make check builds it)"
    runtime+=:$lib
    mkdir -p "$dir/bin"
    for program in "${SANE_SANITIZED_FRONTENDS[@]}"; do
        real=$(PATH=${PATH#"$dir/bin:"} command -v "$program") || continue
        # The GUI frontends record only the allocating frame of each block:
        # their suppressions then cannot hide a leak of our backend below them.
        context=
        [ "$program" = scanimage ] || context=malloc_context_size=2:
        cat >"$dir/bin/$program" <<WRAPPER
#!/bin/sh
LD_PRELOAD="$runtime\${LD_PRELOAD:+:\$LD_PRELOAD}" \\
ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86:$context\${ASAN_OPTIONS:-}" \\
LSAN_OPTIONS="suppressions=$IT_LIB_DIR/lsan-frontends.supp:print_suppressions=0:\${LSAN_OPTIONS:-}" \\
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:\${UBSAN_OPTIONS:-}" \\
exec "$real" "\$@"
WRAPPER
        chmod +x "$dir/bin/$program"
    done
    case ":$PATH:" in *":$dir/bin:"*) ;; *) export PATH="$dir/bin:$PATH" ;; esac
}

# assert_no_sanitizer_report LOG WHAT: fails the test when LOG (a program's
# stderr) holds an ASan, LSan or UBSan report.
assert_no_sanitizer_report() {
    local report
    report=$(grep -E -A40 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1") || return 0
    fail "$2: sanitizer report in $1:
$report"
}

# sane_env_airscan DIR [AIRSCAN.CONF LINE...]: dll.conf naming only airscan
# (the installed sane-airscan, an independent WSD client); airscan.conf made
# of the given lines, e.g. '[devices]' '"Sim" = http://127.0.0.1:8080/wsd, WSD'
# '[options]' 'discovery = disable'.  Skips when sane-airscan is missing.
sane_env_airscan() {
    local dir=$1
    shift
    airscan_installed || skip "sane-airscan is not installed (Debian package sane-airscan)"
    mkdir -p "$dir"
    echo airscan >"$dir/dll.conf"
    printf '%s\n' "$@" >"$dir/airscan.conf"
    export SANE_CONFIG_DIR="$dir"
}

airscan_installed() {
    local d
    for d in /usr/lib/*/sane /usr/lib/sane /usr/lib64/sane; do
        [ -e "$d/libsane-airscan.so.1" ] && return 0
    done
    return 1
}

require_commands() {
    local cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null 2>&1 || skip "'$cmd' not found"
    done
}

# --- scanning through SANE ---------------------------------------------------------

# run_in SIDE CMD...: runs CMD on the machine (SIDE empty) or in a lab side.
run_in() {
    local side=$1
    shift
    if [ -n "$side" ]; then
        lab_exec "$side" "$@"
    else
        "$@"
    fi
}

# pattern_check IMAGE PATTERN-CHECK-OPTIONS...: fails the test unless IMAGE
# shows the wsd-sim test pattern as described (see pattern-check --help).
pattern_check() {
    local image=$1 checker output
    shift
    build_program checker testsuite/tools/pattern-check
    output=$("$checker" "$@" "$image" 2>&1) || fail "pattern check of $image ($*):
$output"
    it_log "pattern ok: $(basename "$image") ($*)"
}

# sane_list_devices SIDE: runs `scanimage -L` (in a lab side when given) and
# sets SANE_DEVICES to the device names it lists, one a line.
sane_list_devices() {
    local listing
    listing=$(guard --side "$1" 120 scanimage -L 2>&1) || fail "scanimage -L failed: $listing"
    it_log "scanimage -L${1:+ (in $1)}: $listing"
    SANE_DEVICES=$(sed -n "s/^device \`\([^']*\)' is .*/\1/p" <<<"$listing")
}

# scan_flatbed_and_check SIDE DEVICE [SCANIMAGE OPTION...]: scans a region of
# the platen at 150 dpi colour to PNG and checks every pixel of it.
scan_flatbed_and_check() {
    local side=$1 device=$2 out="$WORK_DIR/flatbed.png"
    shift 2
    guard --side "$side" 180 scanimage -d "$device" --format=png --resolution 150 --mode Color \
        -l 10 -t 15 -x 180 -y 250 "$@" -o "$out" || fail "flatbed scan from $device failed"
    pattern_check "$out" --resolution 150 --mode color --sheet 1 --side front \
        --left 10 --top 15 --width 180 --height 250
}

# scan_adf_batch_and_check SIDE DEVICE SOURCE PAGES [SCANIMAGE OPTION...]:
# scans the feeder empty (--batch) at 100 dpi gray, letter size, and checks
# that exactly PAGES pages came, each the pattern of its own sheet number.
scan_adf_batch_and_check() {
    local side=$1 device=$2 source=$3 pages=$4 i
    shift 4
    local dir="$WORK_DIR/adf"
    mkdir -p "$dir"
    # scanimage ends a batch when the feeder is empty, with status 0... or 7
    # (SANE_STATUS_NO_DOCS) depending on the version: check the pages instead.
    guard --side "$side" 300 scanimage -d "$device" --format=png --resolution 100 --mode Gray \
        --source "$source" -l 0 -t 0 -x 215.9 -y 279.4 "$@" --batch="$dir/page-%d.png"
    local count
    count=$(find "$dir" -name 'page-*.png' | wc -l)
    assert_eq "$count" "$pages" "pages scanned from the feeder"
    for ((i = 1; i <= pages; i++)); do
        pattern_check "$dir/page-$i.png" --resolution 100 --mode gray --sheet "$i" --side front \
            --left 0 --top 0 --width 215.9 --height 279.4
    done
}

# assert_no_refused_request [--name NAME]: the strict simulator refused no
# request of the client. The one fault allowed is how WS-Scan ends a feeder
# batch: ClientErrorNoImagesAvailable at the RetrieveImage after the last
# page (once per ADF job at most).
assert_no_refused_request() {
    local refused
    refused=$(sim_control "$@" GET /log | python3 -c '
import json, sys
for e in json.load(sys.stdin)["log"]:
    if e["outcome"].startswith("fault:") and (e["operation"], e["outcome"]) != \
            ("RetrieveImage", "fault:ClientErrorNoImagesAvailable"):
        print(e["operation"], e["outcome"], e.get("reason", ""))') || fail "reading wsd-sim's /log"
    assert_eq "$refused" "" "requests refused by the strict simulator"
}
