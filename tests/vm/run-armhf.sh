#!/bin/bash
# meson test 'vm/armhf': the 32-bit Raspberry Pi ABI on a real kernel. Cross-builds eeprom-dump
# for armhf (tests/cross/build.sh in BUILD/cross-armhf, shared with suite 'cross'), boots
# Debian's armmp kernel on QEMU vexpress-a9 with an at24c-eeprom of 8 KiB (24c64: 2 address
# bytes, 32-byte pages) at 0x50 on the i2c-versatile controller, backed by a drive file; init-armhf.sh writes, verifies and reads it through I2C_RDWR, then
# this script compares the drive file with the expected image. Exit 77 (skip) without
# qemu-system-arm, the armhf cross toolchain/libraries, cpio or the kernel .deb.
# Env: VM_ARMHF_BUILD (an existing armhf build dir to use), VM_TIMEOUT (default 420).
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
# The armhf cross build of suite 'cross' (tests/cross/build.sh: same directory, same options,
# a lock against building there at the same time), so CI compiles the armhf library once.
abuild=${VM_ARMHF_BUILD:-$build/cross-armhf}
"$src/tests/cross/build.sh" armhf "$abuild" tools/eeprom-dump >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; echo "FAIL: armhf build of eeprom-dump"; exit 1; }
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
libdirs="$abuild/src /usr/lib/arm-linux-gnueabihf /lib/arm-linux-gnueabihf"
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
# The loader of the same glibc build as the libc.so.6 copied above (multiarch libc6:armhf), not
# the cross toolchain's copy in /usr/arm-linux-gnueabihf/lib: the two must not be mixed.
cp -L /lib/arm-linux-gnueabihf/ld-linux-armhf.so.3 "$stage/lib/"
# Test data: an 8 KiB pattern, a 300-byte patch at the unaligned offset 3001 (3001 % 32 = 25),
# and the result. 8 KiB, not the 32 KiB of a 24c256: the same 2-byte addressing and page
# writes, a quarter of the bit-banged bus time under TCG (32 KiB took 470 s of guest time on a
# loaded host).
python3 - "$stage/data" <<'PY'
import random, sys
d = sys.argv[1]
pattern = bytes(random.Random(1).randrange(256) for _ in range(8192))
patch = bytes(random.Random(2).randrange(256) for _ in range(300))
expected = pattern[:3001] + patch + pattern[3301:]
for name, data in (("pattern", pattern), ("patch", patch), ("expected", expected)):
    open(f"{d}/{name}.bin", "wb").write(data)
PY
cp "$stage/data/expected.bin" "$work/expected.bin"
make_cpio "$stage" "$work/initramfs.cpio"
# The EEPROM's backing file starts erased (0xff), as a new chip does.
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"\xff" * 8192)' "$work/eeprom.img"
echo "initramfs ($(du -h "$work/initramfs.cpio" | cut -f1)) built in $(elapsed "$t2") s"

log=$work/console.log
t3=$(now)
qrc=0
QEMU_AUDIO_DRV=none timeout --foreground -k 5 "${VM_TIMEOUT:-420}" qemu-system-arm -M vexpress-a9 \
    -smp 1 -m 256M -nodefaults -display none -no-reboot -serial stdio -monitor none \
    -kernel "$root/boot/vmlinuz-$kver" -dtb "$root/usr/lib/linux-image-$kver/vexpress-v2p-ca9.dtb" \
    -initrd "$work/initramfs.cpio" -append "console=ttyAMA0 panic=-1 quiet loglevel=4" \
    -drive "file=$work/eeprom.img,format=raw,if=none,id=ee0" \
    -device at24c-eeprom,bus=i2c,address=0x50,rom-size=8192,drive=ee0 \
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
