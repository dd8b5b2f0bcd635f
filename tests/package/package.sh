#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages, as CI checks them: build them from a clean copy of the source
# (`git archive HEAD` of a checkout, so only what is committed), run lintian (no errors, no
# warnings), then - as root only - install them, run smoke checks of the tools, man pages and
# a pkg-config consumer, and purge them again. Exit 77 (skip) when not root, after the build
# and lintian have passed; the install part needs root and changes the machine's packages.
# DDRSPD_PACKAGE_WORKTREE=1 packages the working tree instead of HEAD (for development).
set -u
src=${DDRSPD_SOURCE_DIR:?run through meson test}
here=$(cd "$(dirname "$0")" && pwd)
pkgs="libddrspd0 libddrspd-dev ddrspd-tools"
failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
elapsed() { echo $(($(date +%s) - start))s; }
start=$(date +%s)

for t in dpkg-buildpackage dpkg-checkbuilddeps lintian; do
    command -v $t >/dev/null 2>&1 ||
        { echo "SKIP: $t not installed (tests/package/packages.txt, tools/setup.sh)"; exit 77; }
done
if ! dpkg-checkbuilddeps "$src/debian/control" 2>/dev/null; then
    echo "SKIP: build dependencies missing: $(dpkg-checkbuilddeps "$src/debian/control" 2>&1)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddrspd-package.XXXXXX")
installed=""
cleanup() {
    if [ -n "$installed" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -q -y $pkgs >"$tmp/purge.log" 2>&1 ||
            { echo "FAIL: apt-get purge $pkgs"; cat "$tmp/purge.log"; }
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# 1. A clean copy of the source.
mkdir "$tmp/ddrspd"
if [ "${DDRSPD_PACKAGE_WORKTREE:-}" != 1 ] && git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    what="git archive HEAD ($(git -C "$src" rev-parse --short HEAD))"
    git -C "$src" archive HEAD | tar -x -C "$tmp/ddrspd"
else
    what="copy of the working tree"
    (cd "$src" && tar -c --exclude='./build*' --exclude=./.git --exclude='./obj-*' \
        --exclude=./debian/.debhelper --exclude='./debian/tmp' . ) | tar -x -C "$tmp/ddrspd"
fi
echo "source: $what"

# 2. Binary packages (tests of suites unit and e2e run inside, see debian/rules).
if (cd "$tmp/ddrspd" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
        dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
    pass "dpkg-buildpackage -us -uc -b ($(elapsed))"
else
    fail "dpkg-buildpackage -us -uc -b ($(elapsed)); last lines of the log:"
    tail -n 80 "$tmp/build.log"
    exit 1
fi
ls "$tmp"/*.deb | sed 's|.*/|  |'
changes=$(ls "$tmp"/*.changes)

# 3. lintian: no error, no warning (info tags are printed, overrides are in debian/).
if lintian --fail-on error,warning --info --display-info "$changes" >"$tmp/lintian.log" 2>&1; then
    pass "lintian ($(elapsed))"
else
    fail "lintian ($(elapsed))"
fi
sed 's/^/  /' "$tmp/lintian.log"
[ $failed = 0 ] || exit 1

# 4. Install, smoke checks, purge: root only.
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: install checks need root (build and lintian passed)"
    exit 77
fi
for p in $pkgs; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        echo "SKIP: $p is already installed on this machine; not replacing it (build and lintian passed)"
        exit 77
    fi
done
installed=1
if DEBIAN_FRONTEND=noninteractive apt-get install -q -y --no-install-recommends "$tmp"/*.deb \
        >"$tmp/install.log" 2>&1; then
    pass "apt-get install ./*.deb"
else
    fail "apt-get install ./*.deb"; cat "$tmp/install.log"; exit 1
fi

version=$(dpkg-parsechangelog -l "$tmp/ddrspd/debian/changelog" -S Version)
for t in /usr/bin/spd-check /usr/sbin/spd-prog /usr/sbin/eeprom-dump; do
    out=$("$t" --version 2>&1)
    case $out in
    *"$version"*) pass "$t --version: $out" ;;
    *) fail "$t --version: '$out' does not name $version" ;;
    esac
done

dump="$tmp/ddrspd/dumps/ddr4-udimm-2666-16g.bin"
if out=$(spd-check "$dump" 2>&1); then pass "spd-check $(basename "$dump")"; else
    fail "spd-check $(basename "$dump")"; echo "$out"; fi
cp "$dump" "$tmp/module.bin"
if out=$(spd-prog --bus "emu:ddr4@0x50=$tmp/module.bin" detect 2>&1) &&
        echo "$out" | grep -q DDR4; then
    pass "spd-prog --bus emu:ddr4@0x50=... detect"
else
    fail "spd-prog --bus emu:ddr4@0x50=... detect"; echo "$out"
fi

# man-db: `man NAME` finds each page. Images that exclude /usr/share/man from dpkg
# (path-exclude) get the page from the .deb instead.
if ! command -v man >/dev/null 2>&1; then
    fail "man (man-db) not installed"
else
    for page in "1 spd-check" "8 spd-prog" "8 eeprom-dump" "3 libddrspd"; do
        set -- $page
        if [ -n "$(find /usr/share/man/man"$1" -name "$2.$1*" 2>/dev/null)" ]; then
            out=$(MANPAGER=cat MANWIDTH=80 man "$1" "$2" 2>&1)
        else
            deb=$(ls "$tmp"/ddrspd-tools_*.deb); [ "$1" = 3 ] && deb=$(ls "$tmp"/libddrspd-dev_*.deb)
            dpkg-deb -x "$deb" "$tmp/x"
            out=$(MANPAGER=cat MANWIDTH=80 man -l "$tmp/x/usr/share/man/man$1/$2.$1.gz" 2>&1)
            echo "  (dpkg excludes /usr/share/man here: $2($1) read from the .deb)"
        fi
        case $out in
        *NAME*"$2"*) pass "man $1 $2" ;;
        *) fail "man $1 $2: $out" ;;
        esac
    done
fi

for c in spd-check spd-prog eeprom-dump; do
    if [ -f "/usr/share/bash-completion/completions/$c" ]; then pass "bash completion for $c"
    else fail "bash completion for $c not installed"; fi
done

# A program built against the installed library with pkg-config (C++20 headers).
if out=$(g++ -std=c++20 -o "$tmp/consumer" "$here/consumer.cpp" \
        $(pkg-config --cflags --libs ddrspd) 2>&1) &&
        out=$("$tmp/consumer" "$dump" 2>&1) && echo "$out" | grep -q "DDR4 .*OK"; then
    pass "pkg-config consumer: $out"
else
    fail "pkg-config consumer: $out"
fi

installed=""
if DEBIAN_FRONTEND=noninteractive apt-get purge -q -y $pkgs >"$tmp/purge.log" 2>&1 &&
        ! dpkg-query -W -f='${Status}\n' $pkgs 2>/dev/null | grep -q "ok installed"; then
    pass "apt-get purge $pkgs"
else
    fail "apt-get purge $pkgs"; cat "$tmp/purge.log"
fi
echo "total $(elapsed)"
exit $failed
