#!/bin/busybox sh
# /init (PID 1) of the x86_64 test VM: loads i2c modules from Debian's kernel, runs spd-prog and
# eeprom-dump against kernel I2C adapters, prints one "CHECK name: PASS|FAIL" line per check and
# "VM-RESULT: PASS|FAIL" at the end, then powers off. Kernel command line: vmtest=stub,sim
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run/lock
M=/lib/modules/$(uname -r)
echo "GUEST: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"
SEL=stub
for a in $(cat /proc/cmdline); do case "$a" in vmtest=*) SEL=${a#vmtest=} ;; esac; done
want() { echo ",$SEL," | grep -q ",$1,"; }

PASSES=0
FAILS=0
pass() { echo "CHECK $1: PASS"; PASSES=$((PASSES + 1)); }
fail() { echo "CHECK $1: FAIL${2:+ ($2)}"; FAILS=$((FAILS + 1)); }
# check NAME EXPECTED_STATUS CMD...: runs CMD (stdout+stderr to /tmp/out), compares the status.
check() {
    name=$1 want_rc=$2
    shift 2
    "$@" >/tmp/out 2>&1
    rc=$?
    sed 's/^/    | /' /tmp/out | head -20
    if [ $rc -eq "$want_rc" ]; then pass "$name"; else fail "$name" "exit $rc, expected $want_rc"; fi
}
same() { if cmp "$2" "$3"; then pass "$1"; else fail "$1" "$2 differs from $3"; fi; }
busnum() { # busnum NAME-SUBSTRING -> N of /dev/i2c-N
    for d in /sys/class/i2c-dev/i2c-*; do
        grep -q "$1" "$d/name" 2>/dev/null && { echo "${d##*-}"; return; }
    done
}
load() { insmod "$M/$1.ko" $2 || fail "insmod-$1"; }
# fill BUS IMAGE: the stub's 256 registers at 0x50 from IMAGE, 16 bytes per I2C-block write
# (busybox's i2c tools read bare numbers as hex: everything gets a 0x prefix).
fill() {
    off=0
    for line in $(od -An -v -tx1 -w16 "$2" | sed 's/^ //; s/ /,/g'); do
        i2cset -y "$1" 0x50 "$(printf 0x%02x $off)" $(echo "$line" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1/g; s/,/ /g') i ||
            fail stub-load "offset $off"
        off=$((off + 16))
    done
}

load i2c-dev
load at24
DDR3=/data/ddr3.bin
OTHER=/data/ddr3-other.bin

if want stub; then
    # An EE1002 (DDR3 SPD) answers a read at 0x30|SA with ACK while PSWP is not set and NACK
    # once it is (spd-reference.md section 5). i2c-stub with only 0x50 NACKs 0x30, so the
    # module reads as permanently protected and writes are refused: checked first. Then the
    # stub is reloaded with a second chip at 0x30, which ACKs like an unprotected EE1002.
    echo "##### i2c-stub with only 0x50: no ACK at 0x30 = PSWP set, writes refused"
    load i2c-stub chip_addr=0x50
    B=$(busnum "SMBus stub")
    if [ -z "$B" ]; then
        fail stub-adapter "no i2c-stub bus"
    else
        fill "$B" "$DDR3"
        check pswp-write-refused 4 spd-prog -b "$B" -a 0x50 -y write --no-backup "$OTHER"
        if grep -q 'permanently write-protected (PSWP)' /tmp/out; then pass pswp-message; else
            fail pswp-message "no PSWP in the refusal"; fi
        check pswp-unchanged 0 spd-prog -b "$B" -a 0x50 verify "$DDR3"
    fi
    rmmod i2c-stub || fail rmmod-i2c-stub
    echo "##### i2c-stub (SMBus-only adapter: no I2C_FUNC_I2C) with $DDR3 at 0x50, ACK at 0x30"
    load i2c-stub chip_addr=0x50,0x30
    B=$(busnum "SMBus stub")
    if [ -z "$B" ]; then
        fail stub-adapter "no i2c-stub bus"
    else
        fill "$B" "$DDR3"
        i2cdump -y "$B" 0x50 b | head -3
        check detect 0 spd-prog -b "$B" detect
        if grep -q '0x50' /tmp/out && grep -q 'DDR3' /tmp/out; then pass detect-output; else
            fail detect-output "no DDR3 at 0x50 in the listing"; fi
        check read 0 spd-prog -b "$B" -a 0x50 read -o /tmp/read.bin
        same read-bytes /tmp/read.bin "$DDR3"
        check verify-same 0 spd-prog -b "$B" -a 0x50 verify "$DDR3"
        check verify-differs 1 spd-prog -b "$B" -a 0x50 verify "$OTHER"
        check eeprom-dump-read 0 eeprom-dump -b "$B" -a 0x50 --chip spd-ddr3 --format raw -o /tmp/ed.bin
        same eeprom-dump-bytes /tmp/ed.bin "$DDR3"
        check eeprom-dump-verify 0 eeprom-dump -b "$B" -a 0x50 --chip 24c02 --verify "$DDR3"
        check write-other 0 spd-prog -b "$B" -a 0x50 -y write --no-backup "$OTHER"
        check verify-written 0 spd-prog -b "$B" -a 0x50 verify "$OTHER"
        check write-back 0 spd-prog -b "$B" -a 0x50 -y write --no-backup "$DDR3"
        check read-after-write 0 spd-prog -b "$B" -a 0x50 read -o /tmp/read2.bin
        same read-after-write-bytes /tmp/read2.bin "$DDR3"

        echo "##### kernel driver at24 bound to 0x50: spd-prog must refuse (EBUSY, exit 3)"
        echo 24c02 0x50 >"/sys/bus/i2c/devices/i2c-$B/new_device"
        if [ -e "/sys/bus/i2c/devices/$B-0050/driver" ]; then pass at24-bound; else
            fail at24-bound "at24 did not bind to $B-0050"; fi
        check busy-exit-3 3 spd-prog -b "$B" -a 0x50 read -o /tmp/busy.bin
        if grep -q 'in use by the kernel driver at24' /tmp/out; then pass busy-names-at24; else
            fail busy-names-at24 "message does not name at24"; fi
        if grep -q "echo $B-0050 > /sys/bus/i2c/drivers/at24/unbind" /tmp/out; then
            pass busy-unbind-hint; else fail busy-unbind-hint "no unbind command in the message"; fi
        echo "$B-0050" >/sys/bus/i2c/drivers/at24/unbind
        check read-after-unbind 0 spd-prog -b "$B" -a 0x50 read -o /tmp/read3.bin
        same read-after-unbind-bytes /tmp/read3.bin "$DDR3"
        echo 0x50 >"/sys/bus/i2c/devices/i2c-$B/delete_device"
    fi
fi

echo "GUEST: uptime at end $(cut -d' ' -f1 /proc/uptime)s"
echo "GUEST: $PASSES passed, $FAILS failed"
if [ $FAILS -eq 0 ] && [ $PASSES -gt 0 ]; then echo "VM-RESULT: PASS"; else echo "VM-RESULT: FAIL"; fi
sync
poweroff -f
