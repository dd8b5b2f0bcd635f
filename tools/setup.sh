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

# Build and test dependencies (keep in sync with debian/control Build-Depends).
PKGS="build-essential meson ninja-build pkg-config python3 libi2c-dev libcli11-dev libfmt-dev
catch2 nlohmann-json3-dev i2c-tools umockdev libumockdev-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
fi

if [ ! -f build/build.ninja ]; then
    meson setup build >&2
fi
ninja -C build >&2
