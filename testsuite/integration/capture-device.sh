#!/usr/bin/env bash
# wsd-discover --capture against a strict wsd-sim over loopback, by URL and
# by HOST:PORT: the four files are written into a new 0700 directory, the
# XML parses, nothing of the sim's address, UUID or serial number is left,
# the ticket matrix holds combinations the device accepts and some it
# refuses, and the device saw only read-only requests. A non-empty
# directory is refused.
. "$(dirname "$0")/lib.sh"

require_commands python3
it_require_build_dir
build_program discover tools/wsd-discover
export SANE_WSD_MULTICAST=off

sim_start --profile office-mfp --listen 127.0.0.1
bare_uuid=${SIM_UUID#urn:uuid:}
serial=${bare_uuid: -12}  # wsd-sim's SerialNumber: the UUID's last 12 digits

check_capture() {
    local dir=$1 target=$2 file
    [ "$(stat -c %a "$dir")" = 700 ] || fail "$dir is not mode 0700: $(stat -c %a "$dir")"
    for file in metadata.xml scanner-elements.xml validate-matrix.tsv README.txt; do
        assert_file "$dir/$file"
        for secret in 127.0.0.1 "$bare_uuid" "$serial"; do
            assert_not_contains "$(cat "$dir/$file")" "$secret" "$file of the capture of $target"
        done
    done
    python3 - "$dir/metadata.xml" "$dir/scanner-elements.xml" <<'PY' || fail "the capture's XML of $target"
import sys, xml.etree.ElementTree as ET
dpws = "{http://schemas.xmlsoap.org/ws/2006/02/devprof}"
scan = "{http://schemas.microsoft.com/windows/2006/08/wdp/scan}"
metadata, elements = (ET.parse(path).getroot() for path in sys.argv[1:])
serials = [e.text for e in metadata.iter(dpws + "SerialNumber")]
assert serials == ["MASKED-SERIAL-1"], serials
assert any(e.text == "urn:uuid:00000000-0000-4000-8000-000000000001" for e in metadata.iter()), "endpoint placeholder"
assert list(elements.iter(scan + "ScannerConfiguration")), "no ScannerConfiguration"
PY
    local matrix answers
    matrix=$(grep -v '^#' "$dir/validate-matrix.tsv")
    answers=$(cut -f6 <<<"$matrix" | sort -u | tr '\n' ' ')
    assert_eq "$answers" "invalid valid " "the answers in the matrix of $target"
    [ "$(awk -F'\t' 'NF != 6' <<<"$matrix" | wc -l)" = 0 ] || fail "matrix lines without six fields: $matrix"
    assert_contains "$matrix" "$(printf 'Platen\tRGB24\tpng\t')" "the matrix of $target"
    # A format the device does not list is tried, and refused.
    grep -q "$(printf '\tno\tinvalid$')" <<<"$matrix" || fail "no unlisted combination refused: $matrix"
    assert_contains "$(cat "$dir/README.txt")" "serial number(s) -> MASKED-SERIAL-N"
}

captures=$WORK_DIR/captures
mkdir -m 0755 "$captures"
for target in "$SIM_DEVICE_URL" "127.0.0.1:$SIM_PORT"; do
    it_log "capture of $target"
    sim_control POST /reset-log >/dev/null
    dir=$captures/$(tr -c 'a-z0-9\n' _ <<<"$target")
    text=$(guard 300 "$discover" --capture "$dir" "$target" 2>&1) || fail "wsd-discover --capture $target: $text"
    check_capture "$dir" "$target"
    assert_logged "the metadata Get" operation=Get outcome=ok
    assert_logged "GetScannerElements" operation=GetScannerElements outcome=ok
    assert_logged "ValidateScanTicket" operation=ValidateScanTicket
    assert_not_logged "a scan job" operation=CreateScanJob
    assert_eq "$(sim_log --count operation='Probe (HTTP)|Get|GetScannerElements|ValidateScanTicket')" \
        "$(sim_log --count)" "read-only requests among all the requests the device saw"
done

it_log "a directory that is not empty is refused, and left as it was"
mkdir "$captures/used" && echo note >"$captures/used/mine.txt"
text=$(guard 60 "$discover" --capture "$captures/used" "$SIM_DEVICE_URL" 2>&1) &&
    fail "wsd-discover --capture wrote into a non-empty directory: $text"
assert_contains "$text" "is not empty"
assert_eq "$(ls "$captures/used")" mine.txt "the non-empty directory's files"
it_log "ok"
