#!/usr/bin/env bash
# The README demo: start the bundled virtual scanner on loopback and scan one
# page with scanimage through the installed sane-wsd backend. Discovery is
# off: nothing leaves this machine.
#   usage: testsuite/demo.sh PREFIX [OUTPUT.png]
set -euo pipefail
prefix=$(cd "${1:?usage: demo.sh PREFIX [OUTPUT.png]}" && pwd)
output=${2:-$PWD/demo-scan.png}
work=$(mktemp -d)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A private SANE configuration: only our backend, our device, no discovery.
mkdir -p "$work/sane.d"
echo wsd > "$work/sane.d/dll.conf"
cat > "$work/sane.d/wsd.conf" <<CONF
discovery = off
device demo http://127.0.0.1:53535/wsd
CONF

# The simulator prints one line on stdout once it listens: wait for that line.
exec 3< <(exec "$prefix/bin/wsd-sim" --port 53535 --control-port 53536 2> "$work/sim.err")
sim_pid=$!
if ! read -r -t 20 -u 3 ready || [[ $ready != "wsd-sim ready"* ]]; then
    echo "wsd-sim did not start:" >&2
    cat "$work/sim.err" >&2
    exit 1
fi
echo "$ready"

export SANE_CONFIG_DIR="$work/sane.d" LD_LIBRARY_PATH="$prefix/lib/sane${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export SANE_WSD_DISCOVERY=off
scanimage -L
scanimage -d wsd:demo --mode Color --resolution 150 --format=png -o "$output"
echo "Scanned page written to $output"
