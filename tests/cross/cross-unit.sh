#!/bin/sh
# Cross-builds ddrspd for one Raspberry Pi architecture and runs its unit tests under qemu-user.
#   cross-unit.sh aarch64|armhf     (run by `meson test --suite cross`, which sets DDRSPD_*)
# The build dir is $DDRSPD_BUILD_DIR/cross-<arch> (or $DDRSPD_CROSS_BUILD_DIR), kept between
# runs so a second run only rebuilds what changed; build.sh configures and builds it (the armhf
# VM test shares the armhf one). Warnings are errors there too, so this is also the check that
# the 32-bit (armhf) and 64-bit ARM builds of the library and tools compile cleanly.
# qemu-user does not translate I2C ioctls (they return ENOSYS), so only suite 'unit' runs,
# which uses the in-process emulator; the umockdev fake i2c-dev is not built when cross
# compiling. Exit status: that of `meson test`, 77 (skip) when the cross toolchain is missing.
set -eu

arch=${1:?usage: cross-unit.sh aarch64|armhf}
case "$arch" in
aarch64) triplet=aarch64-linux-gnu;   qemu=qemu-aarch64; debarch=arm64 ;;
armhf)   triplet=arm-linux-gnueabihf; qemu=qemu-arm;     debarch=armhf ;;
*) echo "cross-unit.sh: unknown architecture '$arch' (aarch64 or armhf)" >&2; exit 2 ;;
esac
src=${DDRSPD_SOURCE_DIR:?set by meson test}
dir=${DDRSPD_CROSS_BUILD_DIR:-${DDRSPD_BUILD_DIR:?set by meson test}/cross-$arch}
jobs=${DDRSPD_CROSS_JOBS:-2}

skip() {
    echo "cross ($arch): $1: skipped (the packages are in tests/cross/packages.txt)"
    exit 77
}
command -v "$triplet-g++" >/dev/null 2>&1 || skip "no $triplet-g++ (g++-$triplet)"
command -v "$qemu" >/dev/null 2>&1 || skip "no $qemu (qemu-user)"
[ -f "/usr/lib/$triplet/pkgconfig/fmt.pc" ] || skip "no libfmt-dev:$debarch"
[ -f "/usr/lib/$triplet/libi2c.so" ] || skip "no libi2c-dev:$debarch"

now() { date +%s; }
here=$(cd "$(dirname "$0")" && pwd)
t1=$(now)
# The library, the three tools (they are what runs on the Pi: 32-bit warnings there fail too)
# and the programs of suite 'unit'; not the corpus, e2e, bench, reliability or fuzz programs.
"$here/build.sh" "$arch" "$dir" tools/spd-check tools/spd-prog \
    tools/eeprom-dump unit
t2=$(now)
status=0
# qemu-user runs the tests several times slower than native: stretch their timeouts.
meson test -C "$dir" --suite unit --no-rebuild --print-errorlogs --num-processes "$jobs" \
    --timeout-multiplier 3 >"$dir.test.log" 2>&1 || status=$?
t3=$(now)
grep -E '^ *[0-9]+/[0-9]+ ' "$dir.test.log" || true
sed -n '/^Ok:/,/^Timeout:/p' "$dir.test.log"
[ "$status" -eq 0 ] || tail -n 80 "$dir.test.log"
echo "cross ($arch): setup + build $((t2 - t1)) s (-j$jobs), unit tests $((t3 - t2)) s"
exit "$status"
