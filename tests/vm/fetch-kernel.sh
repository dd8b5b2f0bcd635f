#!/bin/bash
# Downloads Debian's kernel image package for an architecture with `apt-get download` and
# extracts it with `dpkg-deb -x` into a cache directory (nothing is installed on the host).
#   fetch-kernel.sh CACHE_DIR amd64|armhf [EXTRA_PKG...]
# Prints the kernel release (e.g. 6.1.0-56-amd64) on stdout. The extracted tree is CACHE_DIR/root
# (boot/vmlinuz-KVER, the i2c and eeprom modules under lib/modules/KVER, the vexpress dtbs); EXTRA_PKGs (such as
# busybox-static:armhf) are extracted into CACHE_DIR/root too. A second call reuses the cache.
# Exit 77 (skip) when apt cannot download: no apt lists for that architecture, or no network.
set -euo pipefail
cache=${1:?cache dir}
arch=${2:?amd64 or armhf}
shift 2
case $arch in
amd64) meta=linux-image-amd64 ;;
armhf) meta=linux-image-armmp:armhf ;;
*) echo "fetch-kernel: unknown architecture $arch" >&2; exit 2 ;;
esac
mkdir -p "$cache"
stamp=$cache/kernel-release
if [ -s "$stamp" ] && [ -d "$cache/root/lib/modules/$(cat "$stamp")" ]; then
    cat "$stamp"
    exit 0
fi
# The metapackage depends on the current ABI's image package, e.g. linux-image-6.1.0-56-amd64.
pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
    echo "SKIP: apt knows no $meta (armhf needs 'dpkg --add-architecture armhf' + apt-get update)" >&2
    exit 77
fi
[ "$arch" = armhf ] && [ "${pkg%:armhf}" = "$pkg" ] && pkg="$pkg:armhf"
dl=$cache/debs
mkdir -p "$dl"
# apt-get download needs no root; as root apt warns that _apt cannot write here (harmless).
if ! (cd "$dl" && apt-get download -q "$pkg" "$@" >&2 2>"$cache/download.log"); then
    cat "$cache/download.log" >&2
    echo "SKIP: apt-get download $pkg $* failed (no network or mirror?)" >&2
    exit 77
fi
rm -rf "$cache/root"
mkdir -p "$cache/root"
for deb in "$dl"/*.deb; do
    case ${deb##*/} in
    linux-image-*)
        # Only what the tests boot and load: the full module tree is ~400 MB unpacked.
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache/root" --wildcards \
            './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/i2c/*' \
            './lib/modules/*/kernel/drivers/misc/eeprom/*' './usr/lib/linux-image-*/vexpress-*' \
            2>/dev/null || true ;;
    *) dpkg-deb -x "$deb" "$cache/root" ;;
    esac
done
ls "$cache"/root/boot/vmlinuz-* >/dev/null
kver=$(ls "$cache/root/lib/modules" | sort -V | tail -1)
rm -rf "$dl"
echo "$kver" > "$stamp"
echo "$kver"
