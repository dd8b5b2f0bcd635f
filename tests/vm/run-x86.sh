#!/bin/bash
# meson test 'vm/x86_64': boots Debian's own amd64 kernel in QEMU q35 with a busybox initramfs
# holding spd-prog and eeprom-dump from $DDRSPD_BUILD_DIR, runs init-x86.sh's checks (i2c-stub
# loaded from a DDR3 image; at24 bound -> EBUSY), exit 0 only when the guest printed
# "VM-RESULT: PASS". Exit 77 (skip) when QEMU, busybox-static, cpio or the kernel .deb are not
# available. Env: VM_TESTS (scenarios for init-x86.sh, default "stub"),
# VM_ACCEL (auto|kvm|tcg), VM_TIMEOUT (seconds, default 240).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vmlib.sh"
build=${DDRSPD_BUILD_DIR:?run through meson test}
src=${DDRSPD_SOURCE_DIR:-$here/../..}
need qemu-system-x86_64 qemu-system-x86
need cpio cpio
need apt-get apt
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
    skip "/bin/busybox is missing or not static (apt-get install busybox-static)"
for t in spd-prog eeprom-dump; do
    [ -x "$build/tools/$t" ] || { echo "FAIL: $build/tools/$t not built"; exit 1; }
done

work=$build/tests/vm/x86_64
cache=$build/tests/vm/cache-amd64
mkdir -p "$work"
t0=$(now)
rc=0
kver=$("$here/fetch-kernel.sh" "$cache" amd64) || rc=$?
[ $rc -eq 0 ] || exit $rc
echo "kernel $kver ready in $(elapsed "$t0") s"
root=$cache/root
mods=$root/lib/modules/$kver/kernel/drivers

t1=$(now)
stage=$(mktemp -d "$work/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,usr/bin,proc,sys,dev,tmp,data,lib/modules/$kver}
cp /bin/busybox "$stage/bin/"
install -m 755 "$here/init-x86.sh" "$stage/init"
for m in i2c/i2c-dev i2c/i2c-stub misc/eeprom/at24; do cp "$mods/$m.ko" "$stage/lib/modules/$kver/"; done
tests=${VM_TESTS:-stub}
# The tools keep their build-tree paths (their RUNPATH $ORIGIN/../src finds libddrspd.so).
for t in spd-prog eeprom-dump; do
    copy_with_libs "$stage" "$build/tools/$t" "$(realpath "$build/tools/$t")"
    ln -s "$(realpath "$build/tools/$t")" "$stage/usr/bin/$t"
done
cp "$src/dumps/ddr3-udimm-1600-8g.bin" "$stage/data/ddr3.bin"
cp "$src/dumps/ddr3-udimm-1333-4g-xmp1866.bin" "$stage/data/ddr3-other.bin"
for f in "$src"/dumps/ddr4-*.bin; do cp "$f" "$stage/data/"; done
make_cpio "$stage" "$work/initramfs.cpio"
echo "initramfs ($(du -h "$work/initramfs.cpio" | cut -f1)) built in $(elapsed "$t1") s"

accel=${VM_ACCEL:-auto}
if [ "$accel" = auto ]; then
    # KVM only with hardware virtualisation visible; a paravirtual /dev/kvm (kvm-pvm) cannot
    # boot a stock kernel, so a KVM boot that never reaches /init is retried with TCG.
    if [ -w /dev/kvm ] && grep -qE '^flags.* (vmx|svm)( |$)' /proc/cpuinfo; then accel=kvm; else accel=tcg; fi
fi
log=$work/console.log
boot() { # boot kvm|tcg TIMEOUT
    local cpu=max
    [ "$1" = kvm ] && cpu=host
    local t=$(now) qrc=0
    timeout --foreground -k 5 "$2" qemu-system-x86_64 -machine q35 -accel "$1" -cpu "$cpu" \
        -smp 1 -m 256M -nodefaults -display none -no-reboot -serial stdio -monitor none \
        -kernel "$root/boot/vmlinuz-$kver" -initrd "$work/initramfs.cpio" \
        -append "console=ttyS0 panic=-1 quiet loglevel=4 no_timer_check vmtest=$tests" </dev/null >"$log" 2>&1 || qrc=$?
    sed 's/^/guest| /' "$log"
    echo "boot ($1, tests $tests): qemu exit $qrc, $(elapsed "$t") s"
}
boot "$accel" "${VM_TIMEOUT:-240}"
if [ "$accel" = kvm ] && ! grep -q '^GUEST: kernel' "$log"; then
    echo "KVM boot did not reach /init: retrying with TCG"
    boot tcg "${VM_TIMEOUT:-240}"
fi
echo "total $(elapsed "$t0") s"
if vm_result "$log"; then echo "PASS: x86_64 VM"; else echo "FAIL: x86_64 VM (console: $log)"; exit 1; fi
