#!/bin/bash
# make check's fuzz test: off unless WSD_FUZZ_SECONDS is set (CI sets it),
# then every fuzz target runs that long (run-fuzzers.sh, 2 at a time on 2
# CPUs: 15 targets x 45 s take about 6 minutes plus the build).
if [ -z "${WSD_FUZZ_SECONDS:-}" ]; then
    echo "SKIP [fuzz-check]: set WSD_FUZZ_SECONDS=N to run each fuzz target for N seconds"
    exit 77
fi
command -v clang++ >/dev/null || {
    echo "ERROR [fuzz-check]: WSD_FUZZ_SECONDS is set but clang++ is missing (apt-get install clang libclang-rt-14-dev)" >&2
    exit 99
}
exec "$(dirname "$0")/run-fuzzers.sh" "$WSD_FUZZ_SECONDS"
