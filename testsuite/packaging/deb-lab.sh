#!/usr/bin/env bash
# The Debian packages, end to end: build-deb.sh builds sane-wsd and wsd-sim
# from this tree (lintian errors fail it), dpkg installs both on this
# machine, and in the lab the installed wsd-sim runs in the device namespace
# while a plain `scanimage -L` in the host namespace (the installed dll.d
# entry and wsd.conf, no test configuration) finds it by WS-Discovery.  The
# packages are purged at exit, pass or fail.
#
# Long (a full package build) and it changes /usr and /etc: only with
# WSD_TEST_PACKAGE=1, as root, from a git checkout, and never over a
# sane-wsd installed before the test.  WSD_DEB_DIR=DIR installs the packages
# in DIR instead of building them.
. "$(dirname "$0")/../integration/lib.sh"

[ "${WSD_TEST_PACKAGE:-0}" = 1 ] || skip "set WSD_TEST_PACKAGE=1 to build and install the Debian packages"
[ "$(id -u)" = 0 ] || skip "installing packages needs root"
[ -e "$WSD_SOURCE_DIR/.git" ] || skip "$WSD_SOURCE_DIR is not a git checkout (build-deb.sh copies git's file list)"
require_commands dpkg-buildpackage dh lintian fakeroot scanimage
for package in sane-wsd wsd-sim; do
    if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
        skip "$package is already installed: this test would replace it"
    fi
done

# WSD_DEB_DIR: packages build-deb.sh made already (CI builds them once).
debs=${WSD_DEB_DIR:-}
if [ -z "$debs" ]; then
    debs=$WORK_DIR/debs
    guard 3600 "$WSD_SOURCE_DIR/testsuite/packaging/build-deb.sh" "$debs" || fail "build-deb.sh failed"
fi

lab_at_exit 'dpkg --purge wsd-sim sane-wsd >/dev/null || { echo "dpkg --purge failed" >&2; exit 1; }'
dpkg -i "$debs"/sane-wsd_*.deb "$debs"/wsd-sim_*.deb || fail "dpkg -i failed"

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for file in "/usr/lib/$multiarch/sane/libsane-wsd.so.1" /etc/sane.d/dll.d/wsd /etc/sane.d/wsd.conf \
    /usr/bin/wsd-discover /usr/bin/wsd-sim /usr/share/man/man5/sane-wsd.5.gz \
    /usr/share/man/man1/wsd-discover.1.gz /usr/share/man/man1/wsd-sim.1.gz \
    /usr/share/sane-wsd/profiles/office-mfp.xml; do
    assert_file "$file" "installed file"
done

# The installed programs only: no build directory, no private SANE config.
unset LD_LIBRARY_PATH SANE_CONFIG_DIR
export SANE_WSD_DISCOVERY=on  # make check turns it off; the lab contains it
# sim_start runs BUILD/testsuite/sim/wsd-sim: point a build directory view
# at the installed one.
mkdir -p "$WORK_DIR/installed/testsuite/sim"
ln -s /usr/bin/wsd-sim "$WORK_DIR/installed/testsuite/sim/wsd-sim"
WSD_BUILD_DIR=$WORK_DIR/installed

lab_up
uuid=5ca00000-0000-4000-8000-00000000deb0
sim_start --side dev --interface "$LAB_IF" --uuid "$uuid" --name "Packaged scanner" -v
listing=$(guard --side host 120 scanimage -L 2>&1) || fail "scanimage -L failed: $listing"
it_log "scanimage -L in the host namespace: $listing"
assert_contains "$listing" "device \`wsd:$uuid' is a sane-wsd project WSD Sim Office MFP 4200 multi-function peripheral" \
    "scanimage -L with the installed package"
assert_logged "the installed backend's multicast Probe, answered" \
    operation="Probe (UDP multicast)" client="$LAB_ADDR4_HOST" outcome=ok
