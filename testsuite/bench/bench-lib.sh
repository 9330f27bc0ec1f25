# The lab the scan and cancel benchmarks share (bash; source it after
# ../integration/lib.sh). wsd-sim runs in the lab's dev namespace (a copy of
# office-mfp offering JPEG only, textured pages), the clients in the host
# namespace through sane-probe: our backend and sane-airscan, each configured
# with the simulator as a manual device.
#
# bench_lab_up ADF_PAGES: lab, simulator, both clients' SANE environments;
#   sets $probe, $raw (BENCH_RAW or a work file, emptied), DEVICE[client].
# bench_probe_command CLIENT ARGS...: sets PROBE_CMD to run sane-probe for
#   CLIENT (environment included), for callers with their own guard.
# probe CLIENT ARGS...: runs it under the test hang guard; prints its events.
# record FIGURE CLIENT VALUE: one raw sample for bench-stats.py.
# knobs JSON, page_options DPI, ev/ev_time/field/sub: event helpers.

BENCH_CLIENTS=(ours airscan)

bench_lab_up() {
    local adf_pages=$1 profile port
    require_commands python3
    build_program probe testsuite/tools/sane-probe
    airscan_installed || skip "sane-airscan is not installed"
    lab_up
    # office-mfp offering JPEG only: sane-airscan asks for PNG whenever it may
    # (a ~58 MB textured PNG: 9x the bytes), and both clients must get the same
    # ~6.5 MB JPEG.
    profile="$WORK_DIR/office-mfp-jpeg.xml"
    grep -v -e '>exif<' -e '>png<' -e '>tiff-single' -e '>dib<' \
        "$WSD_SOURCE_DIR/testsuite/sim/profiles/office-mfp.xml" >"$profile"
    grep -q '>jfif<' "$profile" || hard_error "no jfif in $profile"
    port=$(free_tcp_port dev)
    BENCH_SIM_ARGS=(--side dev --listen "$LAB_ADDR4_DEV" --port "$port" --profile "$profile"
        --adf-pages "$adf_pages" --texture)
    sim_start "${BENCH_SIM_ARGS[@]}"
    mkdir -p "$WORK_DIR/ours" "$WORK_DIR/airscan"
    # Subshells: the files only; bench_probe_command sets the environment.
    (sane_env_wsd "$WORK_DIR/ours" "discovery = off" "device lab http://$LAB_ADDR4_DEV:$port/wsd")
    (sane_env_airscan "$WORK_DIR/airscan" '[devices]' "\"Sim\" = $SIM_SERVICE_URL, WSD" \
        '[options]' 'discovery = disable' 'ws-discovery = off')
    declare -gA DEVICE=([ours]=wsd:lab [airscan]=airscan:w0:Sim)
    raw=${BENCH_RAW:-$WORK_DIR/raw.txt}
    : >"$raw"
}

bench_probe_command() {
    local client=$1
    shift
    PROBE_CMD=(env SANE_CONFIG_DIR="$WORK_DIR/$client")
    [ "$client" = ours ] && PROBE_CMD+=(LD_LIBRARY_PATH="$WORK_DIR/ours/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
    PROBE_CMD+=("$probe" -d "${DEVICE[$client]}" "$@")
}

probe() {
    bench_probe_command "$@"
    guard --side host 300 "${PROBE_CMD[@]}" 2>>"$WORK_DIR/$1.stderr"
}

record() { echo "$1 $2 $3" >>"$raw"; }

knobs() { sim_control POST /knobs "$1" >/dev/null; }

# A4 (the platen is 296.9 mm long: 296), colour.
page_options() {
    echo --option mode=Color --option resolution="$1" --option tl-x=0 --option tl-y=0 \
        --option br-x=210 --option br-y=296
}

ev() { grep "^event [0-9.]* $2 " <<<"$1" | head -n 1; }
ev_time() { ev "$1" "$2" | cut -d' ' -f2; }
field() { grep -o " $2=[^ ]*" <<<"$1" | head -n 1 | cut -d= -f2; }
sub() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.3f}')" "$1" "$2"; }
