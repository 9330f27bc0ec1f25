#!/usr/bin/env bash
# Scans through our backend, as a user would: scanimage, SANE's dll loader and
# libsane-wsd in the lab's host namespace, wsd-sim in the device namespace.
# Every page is checked against the test pattern, and the simulator's job
# list must show one job per scan (or batch), ended Completed.
. "$(dirname "$0")/lib.sh"

require_commands scanimage python3
it_require_build_dir
build_program check testsuite/tools/pattern-check
lab_up

port=$(free_tcp_port dev)
sim_start --side dev --listen "$LAB_ADDR4_DEV" --listen "$LAB_ADDR6_DEV" --port "$port" \
    --profile office-mfp --adf-pages 5
sane_env_wsd "$WORK_DIR/sane" "discovery = off" \
    "device lab http://$LAB_ADDR4_DEV:$port/wsd" \
    "device lab6 http://[$LAB_ADDR6_DEV]:$port/wsd"

scan() { guard 120 lab_exec_host scanimage -d "$@"; }

# jobs_summary: "id state images" per job, oldest first.
jobs_summary() { sim_jobs id state imagesRetrieved; }

expect_jobs() {
    local expected=$1 actual
    actual=$(jobs_summary | tr '\n' ';')
    assert_eq "$actual" "$expected" "simulator jobs"
    [ -z "$(sim_active)" ] || fail "jobs left active: $(sim_active)"
}

out=$WORK_DIR/out
mkdir -p "$out"

it_log "scanimage -L lists both manual entries"
list=$(guard 60 lab_exec_host scanimage -L)
assert_contains "$list" "wsd:lab'"
assert_contains "$list" "WSD Sim Office MFP"

it_log "(a) flatbed colour 300 dpi PNG"
scan wsd:lab --source Flatbed --mode Color --resolution 300 --format=png -o "$out/a.png"
guard 60 "$check" -r 300 -m color -s 1 -x 215.9 "$out/a.png" || fail "(a) pattern"

it_log "(b) gray 150 dpi, over IPv6"
scan wsd:lab6 --mode Gray --resolution 150 --format=pnm -o "$out/b.pgm"
guard 60 "$check" -r 150 -m gray -s 1 "$out/b.pgm" || fail "(b) pattern"

it_log "(c) lineart 300 dpi"
scan wsd:lab --mode Lineart --resolution 300 --format=pnm -o "$out/c.pbm"
guard 60 "$check" -r 300 -m lineart -s 1 "$out/c.pbm" || fail "(c) pattern"

it_log "(d) a region: 50 mm in, 30 mm down, 100 x 80 mm, 200 dpi"
scan wsd:lab --mode Color --resolution 200 -l 50 -t 30 -x 100 -y 80 --format=tiff -o "$out/d.tiff"
guard 60 "$check" -r 200 -m color -l 50 -t 30 -x 100 -y 80 "$out/d.tiff" || fail "(d) pattern"

expect_jobs "1 Completed 1;2 Completed 1;3 Completed 1;4 Completed 1;"

it_log "(e) a 5-page ADF batch"
scan wsd:lab --source ADF --mode Gray --resolution 100 --format=png --batch="$out/e%d.png"
for n in 1 2 3 4 5; do
    guard 60 "$check" -r 100 -m gray -s "$n" "$out/e$n.png" || fail "(e) page $n"
done
[ ! -e "$out/e6.png" ] || fail "(e) a sixth page appeared"

it_log "(f) a 3-sheet duplex batch"
sim_control POST /knobs '{"adf-pages":3}' >/dev/null
scan wsd:lab --source "ADF Duplex" --mode Color --resolution 100 --format=png --batch="$out/f%d.png"
n=0
for sheet in 1 2 3; do
    for side in front back; do
        n=$((n + 1))
        guard 60 "$check" -r 100 -m color -s "$sheet" --side "$side" "$out/f$n.png" || fail "(f) image $n"
    done
done
[ ! -e "$out/f7.png" ] || fail "(f) a seventh image appeared"

expect_jobs "1 Completed 1;2 Completed 1;3 Completed 1;4 Completed 1;5 Completed 5;6 Completed 6;"
it_log "all scans match the pattern; one job per scan, all Completed"
