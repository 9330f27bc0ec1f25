#!/usr/bin/env bash
# One scan cycle through scanimage under valgrind (memcheck), on loopback:
# the backend opens wsd-sim, scans a page and closes; valgrind must report no
# invalid read or write, no use of uninitialised memory and no definite leak
# in the process (scanimage, libsane's dll loader and our module).
. "$(dirname "$0")/lib.sh"

require_commands scanimage valgrind curl
export SANE_WSD_DISCOVERY=off
module="$WSD_BUILD_DIR/backend/.libs/libsane-wsd.so.1"
[ -e "$module" ] || hard_error "$module not built"
# valgrind cannot run an AddressSanitizer build: that one is checked by ASan.
if nm -D --undefined-only "$module" | grep -q ' __asan_init'; then
    skip "the backend is built with --enable-sanitizers (ASan checks it instead)"
fi

sim_start --listen 127.0.0.1 --profile office-mfp
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device vg $SIM_DEVICE_URL"

report="$WORK_DIR/valgrind.log"
show_on_failure "$report"
# --errors-for-leak-kinds=definite: libraries keep reachable caches (libxml2,
# curl, libsane) by design; only lost blocks count. Exit 42 on any error.
guard 600 valgrind --tool=memcheck --error-exitcode=42 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=30 \
    --log-file="$report" \
    scanimage -d wsd:vg --format=pnm --resolution 75 --mode Gray -x 50 -y 50 -o "$WORK_DIR/page.pnm"
rc=$?
summary=$(grep -E 'ERROR SUMMARY|definitely lost|Invalid (read|write)' "$report" | sed 's/^==[0-9]*== //')
it_log "valgrind: $(tr '\n' ';' <<<"$summary")"
[ "$rc" -eq 0 ] || fail "scanimage under valgrind exited $rc (42: valgrind found errors)"
assert_contains "$summary" "ERROR SUMMARY: 0 errors" "valgrind's summary"
assert_file "$WORK_DIR/page.pnm"
assert_contains "$(head -c 2 "$WORK_DIR/page.pnm")" "P5" "the page written by scanimage"
assert_eq "$(sim_jobs state)" Completed "the job on wsd-sim"
it_log "one scan cycle under valgrind: no invalid access, no definite leak"
