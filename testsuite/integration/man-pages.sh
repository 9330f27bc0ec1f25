#!/usr/bin/env bash
# The man pages render without a single groff warning (all warnings on) at
# several terminal widths, man -l shows them, and their NAME lines parse for
# whatis/apropos.  sane-wsd(5) also keeps the sections issue 9 asks for, and
# renders as cleanly when the directories it names are long (a deep prefix,
# as make distcheck's in a deep folder).
. "$(dirname "$0")/lib.sh"

require_commands groff man lexgrog
it_require_build_dir
pages=("$WSD_BUILD_DIR/doc/sane-wsd.5" "$WSD_SOURCE_DIR/doc/wsd-discover.1" "$WSD_SOURCE_DIR/doc/wsd-sim.1"
    "$WSD_SOURCE_DIR/doc/wsd-scand.1")
for page in "${pages[@]}"; do
    [ -s "$page" ] || hard_error "$page missing (sane-wsd.5 is made by 'make' in doc/)"
done
# sane-wsd.5 made as doc/Makefile.am makes it, for a prefix of 160 characters.
deep=/tmp/$(printf 'deep%.0s' {1..15})/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/x/_inst
mkdir -p "$WORK_DIR/deep"
sed -e "s|@SANE_CONFDIR@|$deep/etc/sane.d|g" -e "s|@SANE_BACKENDDIR@|$deep/lib/sane|g" \
    "$WSD_SOURCE_DIR/doc/sane-wsd.5.in" >"$WORK_DIR/deep/sane-wsd.5"
pages+=("$WORK_DIR/deep/sane-wsd.5")

export LC_ALL=C.UTF-8
for page in "${pages[@]}"; do
    name=$(basename "$page")
    case $page in "$WORK_DIR"/*) name="$name, deep prefix" ;; esac
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || fail "groff warns on $name:
$warnings"
    for width in 80 100 132; do
        warnings=$(MANWIDTH=$width man --warnings=w -l "$page" 2>&1 >"$WORK_DIR/$name.$width.txt")
        [ -z "$warnings" ] || fail "man -l warns on $name at width $width:
$warnings"
        assert_file "$WORK_DIR/$name.$width.txt" "man -l output of $name"
    done
    whatis=$(lexgrog "$page") || fail "lexgrog cannot parse the NAME section of $name"
    assert_contains "$whatis" " - " "whatis entry of $name"
    it_log "$whatis"
done

# The reference page of the backend: what a user or a bug reporter looks for.
text=$(cat "$WORK_DIR/sane-wsd.5.80.txt")
for section in NAME DESCRIPTION OPTIONS CONFIGURATION ENVIRONMENT TROUBLESHOOTING "REPORTING A PROBLEM" FILES "SEE ALSO"; do
    grep -q "^$section\$" <<<"$text" || fail "sane-wsd(5) has no $section section"
done
for word in SANE_DEBUG_WSD SANE_WSD_TRACE wsd.conf dll.d; do
    assert_contains "$text" "$word" "sane-wsd(5)"
done
assert_not_contains "$text" "@SANE_" "sane-wsd(5) (unsubstituted directory)"
# The long directories are broken at slashes, never hyphenated: joined up
# again, every one is whole.
joined=$(tr -d ' \n' <"$WORK_DIR/sane-wsd.5, deep prefix.80.txt")
for file in "$deep/etc/sane.d/wsd.conf" "$deep/etc/sane.d/dll.d/wsd" "$deep/lib/sane/libsane-wsd.so.1"; do
    assert_contains "$joined" "$file" "sane-wsd(5) with a deep prefix, joined"
done

# wsd-sim(1) names every bundled personality, and each one loads.
build_program sim testsuite/sim/wsd-sim
personalities=$("$sim" --list-profiles) || fail "wsd-sim --list-profiles failed"
[ -n "$personalities" ] || fail "wsd-sim bundles no personality"
simpage=$(groff -man -Tutf8 -P-cbou "$WSD_SOURCE_DIR/doc/wsd-sim.1" 2>/dev/null |
    sed -n '/^PERSONALITIES$/,/^[A-Z][A-Z ]*$/p')
while IFS=$'\t' read -r name _; do
    grep -qx "       $name" <<<"$simpage" || fail "wsd-sim(1) PERSONALITIES does not list $name"
done <<<"$personalities"
