#!/bin/bash
# meson test 'vm/armhf': the 32-bit Raspberry Pi ABI on a real kernel. Cross-builds eeprom-dump
# for armhf (tests/cross/armhf.ini; library + eeprom-dump only), boots Debian's armmp kernel on
# QEMU vexpress-a9 with a 24c256-class at24c-eeprom at 0x50 on the i2c-versatile controller,
# backed by a drive file; init-armhf.sh writes, verifies and reads it through I2C_RDWR, then
# this script compares the drive file with the expected image. Exit 77 (skip) without
# qemu-system-arm, the armhf cross toolchain/libraries, cpio or the kernel .deb.
# Env: VM_ARMHF_BUILD (an existing armhf build dir to use), VM_TIMEOUT (default 300).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vmlib.sh"
build=${DDRSPD_BUILD_DIR:?run through meson test}
src=${DDRSPD_SOURCE_DIR:-$here/../..}
need qemu-system-arm qemu-system-arm
need cpio cpio
need apt-get apt
need arm-linux-gnueabihf-g++ g++-arm-linux-gnueabihf
need python3 python3
cross=$src/tests/cross/armhf.ini
[ -f "$cross" ] || skip "$cross is missing"
for lib in libfmt.so libi2c.so; do
    [ -e "/usr/lib/arm-linux-gnueabihf/$lib" ] ||
        skip "no armhf $lib (dpkg --add-architecture armhf; apt-get install libfmt-dev:armhf libi2c-dev:armhf)"
done

work=$build/tests/vm/armhf
cache=$build/tests/vm/cache-armhf
mkdir -p "$work"
t0=$(now)
rc=0
kver=$("$here/fetch-kernel.sh" "$cache" armhf busybox-static:armhf) || rc=$?
[ $rc -eq 0 ] || exit $rc
echo "kernel $kver ready in $(elapsed "$t0") s"
root=$cache/root

t1=$(now)
abuild=${VM_ARMHF_BUILD:-$build/tests/vm/armhf-build}
if [ ! -f "$abuild/build.ninja" ]; then
    # plain: no optimisation flags, the quickest compile; only the library and eeprom-dump.
    meson setup "$abuild" "$src" --cross-file "$cross" -Dtests=false -Dbuildtype=plain >"$work/setup.log" 2>&1 ||
        { cat "$work/setup.log"; echo "FAIL: meson setup of the armhf build"; exit 1; }
fi
ninja -C "$abuild" -j2 tools/eeprom-dump >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log"; echo "FAIL: armhf build of eeprom-dump"; exit 1; }
echo "armhf eeprom-dump built in $(elapsed "$t1") s ($abuild)"
bin=$abuild/tools/eeprom-dump
file -b "$bin" 2>/dev/null | grep -q 'ARM' || arm-linux-gnueabihf-readelf -h "$bin" | grep -q 'Machine:.*ARM' ||
    { echo "FAIL: $bin is not an ARM binary"; exit 1; }

t2=$(now)
stage=$(mktemp -d "$work/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,usr/bin,lib,proc,sys,dev,tmp,data,lib/modules/$kver}
cp "$root/bin/busybox" "$stage/bin/"
install -m 755 "$here/init-armhf.sh" "$stage/init"
for m in i2c/i2c-dev i2c/busses/i2c-versatile misc/eeprom/at24; do
    cp "$root/lib/modules/$kver/kernel/drivers/$m.ko" "$stage/lib/modules/$kver/"
done
install -m 755 "$bin" "$stage/usr/bin/eeprom-dump"
# NEEDED libraries, resolved recursively (the cross binary cannot run ldd on the host).
libdirs="$abuild/src /usr/lib/arm-linux-gnueabihf /lib/arm-linux-gnueabihf /usr/arm-linux-gnueabihf/lib"
addlibs() {
    local n d
    for n in $(arm-linux-gnueabihf-readelf -d "$1" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
        [ -e "$stage/lib/$n" ] && continue
        for d in $libdirs; do
            if [ -e "$d/$n" ]; then cp -L "$d/$n" "$stage/lib/"; addlibs "$d/$n"; break; fi
        done
        [ -e "$stage/lib/$n" ] || { echo "FAIL: armhf library $n not found"; exit 1; }
    done
}
addlibs "$bin"
cp -L /usr/arm-linux-gnueabihf/lib/ld-linux-armhf.so.3 "$stage/lib/"
# Test data: a 32 KiB pattern, a 300-byte patch at the unaligned offset 4000, and the result.
python3 - "$stage/data" <<'PY'
import random, sys
d = sys.argv[1]
pattern = bytes(random.Random(1).randrange(256) for _ in range(32768))
patch = bytes(random.Random(2).randrange(256) for _ in range(300))
expected = pattern[:4000] + patch + pattern[4300:]
for name, data in (("pattern", pattern), ("patch", patch), ("expected", expected)):
    open(f"{d}/{name}.bin", "wb").write(data)
PY
cp "$stage/data/expected.bin" "$work/expected.bin"
make_cpio "$stage" "$work/initramfs.cpio"
# The EEPROM's backing file starts erased (0xff), as a new chip does.
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"\xff" * 32768)' "$work/eeprom.img"
echo "initramfs ($(du -h "$work/initramfs.cpio" | cut -f1)) built in $(elapsed "$t2") s"

log=$work/console.log
t3=$(now)
qrc=0
QEMU_AUDIO_DRV=none timeout --foreground -k 5 "${VM_TIMEOUT:-300}" qemu-system-arm -M vexpress-a9 \
    -smp 1 -m 256M -nodefaults -display none -no-reboot -serial stdio -monitor none \
    -kernel "$root/boot/vmlinuz-$kver" -dtb "$root/usr/lib/linux-image-$kver/vexpress-v2p-ca9.dtb" \
    -initrd "$work/initramfs.cpio" -append "console=ttyAMA0 panic=-1 quiet loglevel=4" \
    -drive "file=$work/eeprom.img,format=raw,if=none,id=ee0" \
    -device at24c-eeprom,bus=i2c,address=0x50,rom-size=32768,drive=ee0 \
    </dev/null >"$log" 2>&1 || qrc=$?
sed 's/^/guest| /' "$log"
echo "boot (TCG): qemu exit $qrc, $(elapsed "$t3") s"
echo "total $(elapsed "$t0") s"
ok=0
vm_result "$log" || ok=1
if cmp "$work/eeprom.img" "$work/expected.bin"; then
    echo "  CHECK host-drive-file: PASS" >&2
else
    echo "  CHECK host-drive-file: FAIL (the EEPROM's backing file differs from expected.bin)" >&2
    ok=1
fi
if [ $ok -eq 0 ]; then echo "PASS: armhf VM"; else echo "FAIL: armhf VM (console: $log)"; exit 1; fi
