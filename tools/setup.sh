#!/bin/sh
# Sets up a fresh Debian 12 machine for ddrspd and builds it into ./build.
# Installs the packages it needs (as root, or through sudo), configures Meson, builds.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "setup: need root or sudo to install packages" >&2; exit 1
    fi
fi

apt_get() {
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -q -y "$@" >&2
}
updated=""
apt_update() {
    [ -n "$updated" ] || apt_get update
    updated=1
}

# 1. Build dependencies: debian/control is the single list (Build-Depends, test-only ones
#    marked <!nocheck>), installed with apt-get build-dep.
if ! command -v dpkg-checkbuilddeps >/dev/null 2>&1 || ! dpkg-checkbuilddeps >/dev/null 2>&1; then
    echo "setup: installing the build dependencies from debian/control" >&2
    apt_update
    apt_get install --no-install-recommends dpkg-dev build-essential
    apt_get build-dep --no-install-recommends ./
fi

# 2. Tools used only by the slower test layers (emulators, cross compilers...), for the layers
#    named in DDRSPD_EXTRAS (e.g. "vm cross"; tests/run.sh names them all, --quick none):
#    tests/LAYER/packages.txt, one package per line ('#' comments; "pkg:arch" enables that
#    dpkg architecture).
lists=""
for layer in ${DDRSPD_EXTRAS:-}; do
    [ -f "tests/$layer/packages.txt" ] && lists="$lists tests/$layer/packages.txt"
done
# shellcheck disable=SC2086
extras=$(cat /dev/null $lists 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=""
for p in $extras; do
    case "$p" in
    *:*) arch=${p#*:}
         if ! dpkg --print-architecture | grep -qx "$arch" &&
            ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
             $SUDO dpkg --add-architecture "$arch"
             updated=""
         fi ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    apt_update
    # shellcheck disable=SC2086
    apt_get install --no-install-recommends $missing
fi

if [ ! -f build/build.ninja ]; then
    meson setup build >&2
fi
ninja -C build >&2
