#!/bin/busybox sh
# /init (PID 1) of the armhf (vexpress-a9) test VM: Debian's armmp kernel, the i2c-versatile
# controller (a real, bit-banged I2C master with I2C_FUNC_I2C) and a QEMU at24c-eeprom of 32 KiB
# (24c64: 8 KiB, 2 address bytes, backed by a drive file on the host) at 0x50. The armhf eeprom-dump
# writes, verifies and reads it through I2C_RDWR. Prints "CHECK name: PASS|FAIL" per check and
# "VM-RESULT: PASS|FAIL", then powers off (run-armhf.sh checks the drive file afterwards).
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run/lock
M=/lib/modules/$(uname -r)
echo "GUEST: $(uname -m) kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"
PASSES=0
FAILS=0
pass() { echo "CHECK $1: PASS"; PASSES=$((PASSES + 1)); }
fail() { echo "CHECK $1: FAIL${2:+ ($2)}"; FAILS=$((FAILS + 1)); }
check() { # check NAME EXPECTED_STATUS CMD...
    name=$1 want_rc=$2
    shift 2
    "$@" >/tmp/out 2>&1
    rc=$?
    sed 's/^/    | /' /tmp/out | head -20
    if [ $rc -eq "$want_rc" ]; then pass "$name"; else fail "$name" "exit $rc, expected $want_rc"; fi
}
same() { if cmp "$2" "$3"; then pass "$1"; else fail "$1" "$2 differs from $3"; fi; }
for m in i2c-dev i2c-versatile at24; do insmod "$M/$m.ko" || fail "insmod-$m"; done
# The device tree has two versatile I2C nodes; QEMU models the one at 0x10016000.
B=
for d in /sys/class/i2c-dev/i2c-*; do
    readlink -f "$d/device" | grep -q 16000 && B=${d##*-}
done
if [ -z "$B" ]; then
    fail i2c-adapter "no i2c-versatile adapter at 0x10016000"
else
    echo "GUEST: /dev/i2c-$B: $(cat /sys/class/i2c-dev/i2c-$B/name)"
    E="eeprom-dump -b $B -a 0x50 --chip 24c64"
    check runs-on-armhf 0 eeprom-dump --version
    check write 0 $E -y --no-backup --write /data/pattern.bin
    check verify 0 $E --verify /data/pattern.bin
    check verify-differs 1 $E --verify /data/expected.bin
    # An unaligned patch across 32-byte page boundaries: read-modify-write of partial pages.
    check write-patch 0 $E -y --no-backup --offset 3001 --write /data/patch.bin
    check read 0 $E --format raw -o /tmp/read.bin
    same read-bytes /tmp/read.bin /data/expected.bin
    check read-window 0 $E --offset 2990 --length 300 --format raw -o /tmp/window.bin
    dd if=/data/expected.bin of=/tmp/window-expected.bin bs=1 skip=2990 count=300 2>/dev/null
    same read-window-bytes /tmp/window.bin /tmp/window-expected.bin

    echo "##### at24 bound to 0x50: eeprom-dump must refuse (EBUSY, exit 3) and name the driver"
    echo 24c64 0x50 >"/sys/bus/i2c/devices/i2c-$B/new_device"
    check busy-exit-3 3 $E --format raw -o /tmp/busy.bin
    if grep -q 'in use by the kernel driver at24' /tmp/out; then pass busy-names-at24; else
        fail busy-names-at24 "message does not name at24"; fi
    echo 0x50 >"/sys/bus/i2c/devices/i2c-$B/delete_device"
    check verify-after-unbind 0 $E --verify /data/expected.bin
fi
echo "GUEST: uptime at end $(cut -d' ' -f1 /proc/uptime)s"
echo "GUEST: $PASSES passed, $FAILS failed"
if [ $FAILS -eq 0 ] && [ $PASSES -gt 0 ]; then echo "VM-RESULT: PASS"; else echo "VM-RESULT: FAIL"; fi
sync
poweroff -f
