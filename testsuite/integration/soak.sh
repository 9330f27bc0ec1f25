#!/usr/bin/env bash
# Soak, on loopback: (1) 200 single-page scans through one handle of one
# process, its RSS, open fds and threads sampled every 20 scans: no growth
# after the warm-up beyond a small bound; (2) one 300-page feeder job;
# (3) two scanners scanned at the same time from one process; (4) 60 times
# sane_exit and sane_init again in one process, its RSS sampled: no growth.
# The figures are printed (doc/reliability.md quotes them).
# SOAK_SCANS overrides the 200 scans, SOAK_ADF_PAGES the 300 pages,
# SOAK_CYCLES the 60 restarts.
. "$(dirname "$0")/lib.sh"

require_commands python3
build_program probe testsuite/tools/sane-probe
export SANE_WSD_DISCOVERY=off
# In a --enable-sanitizers build, ASan holds freed memory in a quarantine
# (256 MB by default) that fills over the first ~150 scans and reads as RSS
# growth; a small one fills during the warm-up. Leaks are LeakSanitizer's job there.
export ASAN_OPTIONS="quarantine_size_mb=8${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
scans=${SOAK_SCANS:-200}
adf_pages=${SOAK_ADF_PAGES:-300}
# RSS may grow this much after the warm-up (allocator caches, libxml2's
# dictionaries): a leak of one page buffer per scan would pass it soon.
rss_slack_kb=4096
# A sanitizer build: RSS is ASan's to grow (its allocator's caches and
# metadata grew 4.2 MB over 180 scans where the normal build grows 24 kB);
# LeakSanitizer checks sane-probe's exit instead.
sanitized=false
nm -D --undefined-only "$WSD_BUILD_DIR/backend/.libs/libsane-wsd.so.1" | grep -q ' __asan_init' && sanitized=true
# Fds count without the connections the simulator opens to post events to
# the backend's listener: one may be open when a sample is taken (seen in
# CI), and the listener holds at most 4 (event_listener.cpp).
max_inbound=4
# Our own fds may vary by this much between samples: the connections in
# libcurl's pools (a handle's job session, the session kept for CancelJob)
# open and close with the device's keep-alive (seen in CI: 24, 25, 23, 24).
# A leak of one per scan would add 180, or 9 between two samples.
fd_slack=2
cycles=${SOAK_CYCLES:-60}
cycles_slack_kb=1024

sim_start --name a --listen 127.0.0.1 --profile office-mfp --adf-pages "$adf_pages"
url_a=$SIM_DEVICE_URL
sim_start --name b --listen 127.0.0.1 --profile flatbed
url_b=$SIM_DEVICE_URL
sane_env_wsd "$WORK_DIR/sane" "discovery = off" "device a $url_a" "device b $url_b"

# jobs_states NAME: "state images" per job of one simulator, counted.
jobs_states() {
    sim_control --name "$1" GET /jobs | python3 -c '
import collections, json, sys
c = collections.Counter((j["state"], j["imagesRetrieved"]) for j in json.load(sys.stdin)["jobs"])
print(" ".join("%dx%s/%d" % (n, s, i) for (s, i), n in sorted(c.items())))'
}

it_log "(1) $scans single-page scans at 75 dpi through one handle"
out=$(guard 170 "$probe" -d wsd:a --option resolution=75 --repeat "$scans" --sample-every 20) ||
    fail "(1) sane-probe exited $?"
$sanitized && rss_slack_kb=-1
samples=$(grep ' sample ' <<<"$out")
echo "$samples"
assert_contains "$out" " scans total=$scans failed=0" "(1) scans"
echo "$samples" >"$WORK_DIR/samples"
python3 - "$rss_slack_kb" "$WORK_DIR/samples" "$max_inbound" "$fd_slack" <<'EOF' || fail "(1) resources grew (samples above)"
import re, sys
slack = int(sys.argv[1])
max_inbound = int(sys.argv[3])
fd_slack = int(sys.argv[4])
rows = [dict((k, int(v)) for k, v in re.findall(r"([a-z-]+)=(\d+)", line)) for line in open(sys.argv[2])]
base = rows[0]  # after the first 20 scans: warmed up
worst = {k: max(r[k] for r in rows[1:]) for k in ("rss-kb", "fds", "inbound", "threads")}
print("soak: after warm-up rss %d kB, fds %d, threads %d; later at most rss %d kB (+%d), fds %d, threads %d,"
      " inbound connections %d" % (base["rss-kb"], base["fds"], base["threads"], worst["rss-kb"],
                                   worst["rss-kb"] - base["rss-kb"], worst["fds"], worst["threads"], worst["inbound"]))
ok = (worst["fds"] <= base["fds"] + fd_slack and worst["threads"] <= base["threads"] and worst["inbound"] <= max_inbound
      and (slack < 0 or worst["rss-kb"] - base["rss-kb"] <= slack))
sys.exit(0 if ok else 1)
EOF
# The device keeps the last 100 jobs: every one of them Completed, one image each.
states=$(jobs_states a)
[[ $states =~ ^[0-9]+xCompleted/1$ ]] || fail "(1) jobs on the device: $states"
assert_eq "$(sim_active --name a)" "" "(1) active jobs"

it_log "(2) one $adf_pages-page feeder job at 75 dpi"
sim_control --name a POST /reboot >/dev/null
out=$(guard 170 "$probe" -d wsd:a --option resolution=75 --option source=ADF --option mode=Gray --pages 0)
pages=$(grep -c ' read-end page=[0-9]* status=End of file reached' <<<"$out")
assert_eq "$pages" "$adf_pages" "(2) pages read"
assert_contains "$(grep ' start ' <<<"$out" | tail -n 1)" "status=Document feeder out of documents" "(2) end of batch"
it_log "(2) $pages pages in $(grep ' close' <<<"$out" | cut -d' ' -f2) ms, peak RSS $(grep peak-rss-kb <<<"$out" | cut -d' ' -f4) kB"
assert_eq "$(jobs_states a)" "1xCompleted/$adf_pages" "(2) one job on the device"

it_log "(3) two scanners at once from one process, 10 scans each"
sim_control --name a POST /reboot >/dev/null
out=$(guard 170 "$probe" -d wsd:a -d wsd:b --option resolution=75 --repeat 10)
assert_contains "$out" " scans total=10 failed=0 dev=wsd:a" "(3) scanner a"
assert_contains "$out" " scans total=10 failed=0 dev=wsd:b" "(3) scanner b"
# Both were scanning at the same time: b's first page ended before a's last.
a_last=$(grep ' read-end .*dev=wsd:a' <<<"$out" | tail -n 1 | cut -d' ' -f2)
b_first=$(grep ' read-end .*dev=wsd:b' <<<"$out" | head -n 1 | cut -d' ' -f2)
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$b_first" "$a_last" ||
    fail "(3) the scans did not overlap: b's first page at $b_first ms, a's last at $a_last ms"
assert_eq "$(jobs_states a)" "10xCompleted/1" "(3) jobs on a"
assert_eq "$(jobs_states b)" "10xCompleted/1" "(3) jobs on b"
it_log "(3) both done in $(grep ' peak-rss-kb' <<<"$out" | cut -d' ' -f2) ms, peak RSS $(grep peak-rss-kb <<<"$out" | cut -d' ' -f4) kB"
it_log "(4) $cycles times sane_exit and sane_init again (the module unloaded and loaded each time)"
# sane-probe is instrumented in a sanitizer build: LeakSanitizer checks its exit.
out=$(guard 170 "$probe" --list --repeat "$cycles" --sample-every 10) || fail "(4) sane-probe exited $?"
samples=$(grep ' sample ' <<<"$out")
echo "$samples"
[ "$(grep -c ' listed 2$' <<<"$out")" = "$cycles" ] || fail "(4) not every listing named both devices: $(grep ' listed ' <<<"$out" | sort | uniq -c)"
if $sanitized; then
    # ASan keeps ~750 kB of its own for every load of an instrumented module.
    it_log "(4) a sanitizer build: RSS not bounded, LeakSanitizer found nothing at exit"
    cycles_slack_kb=
fi
# Base: the second sample, once the allocator has settled. Each cycle used to
# lose the ~116 kB the TLS library's constructor allocates (4.6 MB by the end).
echo "$samples" >"$WORK_DIR/cycle-samples"
[ -z "$cycles_slack_kb" ] || python3 - "$cycles_slack_kb" "$WORK_DIR/cycle-samples" <<'EOF' || fail "(4) RSS grew from cycle to cycle (samples above)"
import re, sys
rows = [dict((k, int(v)) for k, v in re.findall(r"([a-z-]+)=(\d+)", line)) for line in open(sys.argv[2])]
grew = rows[-1]["rss-kb"] - rows[1]["rss-kb"]
print("soak: RSS after %d cycles %d kB, after %d cycles %d kB (%+d)" % (rows[1]["scans"], rows[1]["rss-kb"],
                                                                      rows[-1]["scans"], rows[-1]["rss-kb"], grew))
sys.exit(0 if grew <= int(sys.argv[1]) else 1)
EOF
it_log "no growth over $scans scans; $adf_pages pages in one job; two scanners at once; $cycles SANE restarts"
