#!/usr/bin/env bash
# Builds the Debian packages (sane-wsd, wsd-sim) with dpkg-buildpackage from
# a copy of the source tree, so the tree itself stays clean, and runs lintian
# on them: any lintian error fails.  Prints the lintian report.
#
#   usage: testsuite/packaging/build-deb.sh [OUTPUT-DIR]
#
# The copy holds the files git knows about or would add (tracked, plus
# untracked ones not ignored): what a commit of the work tree would hold.
# The .deb, .buildinfo and .changes files land in OUTPUT-DIR (default:
# ./deb-out).  Needs debhelper, devscripts, fakeroot, lintian and the build
# dependencies (.ci/install-deps).
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
out_dir=${1:-$PWD/deb-out}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

for cmd in dpkg-buildpackage dh lintian fakeroot git; do
    command -v "$cmd" >/dev/null 2>&1 || {
        echo "build-deb: '$cmd' not found (Debian packages: debhelper devscripts fakeroot lintian git)" >&2
        exit 77
    }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sane-wsd-deb.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
version=$(dpkg-parsechangelog -l "$source_dir/debian/changelog" -S Version)
tree="$work/sane-wsd-$version"
mkdir -p "$tree"
# tar through git's list: files deleted in the work tree but still in the
# index are skipped rather than failing the copy.
(cd "$source_dir" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar -c --null -T - -f -) | tar -x -C "$tree"

echo "build-deb: building $version in $tree"
(cd "$tree" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$work/build.log" 2>&1 || {
    tail -n 80 "$work/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed" >&2
    exit 1
}
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out_dir"/
ls -l "$out_dir"/*.deb

changes=$(ls "$out_dir"/sane-wsd_"$version"_*.changes)
echo "build-deb: lintian $changes"
lintian_status=0
lintian --info --display-info --fail-on error "$changes" || lintian_status=$?
if [ "$lintian_status" -ne 0 ]; then
    echo "build-deb: lintian reports errors" >&2
    exit 1
fi
echo "build-deb: no lintian errors"
