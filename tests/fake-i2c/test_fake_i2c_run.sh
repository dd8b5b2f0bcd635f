#!/bin/sh
# fake-i2c-run end to end: ddrspd and unmodified i2c-tools as child processes, image
# write-back after the command, exit status.
# Usage: test_fake_i2c_run.sh FAKE_I2C_RUN TEST_FAKE_I2C
set -eu
run=$1
client=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DDRSPD_LOCK_DIR="$tmp"
failed=0

fail() {
    echo "FAIL: $*"
    failed=1
}

# byte_at FILE OFFSET -> "0xNN"
byte_at() {
    printf '0x%s' "$(od -An -tx1 -j "$(($2))" -N1 "$1" | tr -d ' ')"
}

rc=0
"$run" --emu emu:ddr4@0x50 -- true || rc=$?
if [ "$rc" -eq 77 ]; then
    echo "umockdev is not usable here: skipped"
    exit 77
fi
[ "$rc" -eq 0 ] || fail "fake-i2c-run -- true exited $rc"

rc=0
"$run" --emu emu:ddr4@0x50 -- sh -c 'exit 3' || rc=$?
[ "$rc" -eq 3 ] || fail "exit status 3 came back as $rc"
rc=0
"$run" --emu emu:ddr4@0x50 -- /nonexistent/command 2>/dev/null || rc=$?
[ "$rc" -eq 127 ] || fail "a missing command exited $rc, not 127"
rc=0
"$run" --emu 'emu:nonsense' -- true 2>"$tmp/err" || rc=$?
[ "$rc" -eq 125 ] || fail "a bad --emu spec exited $rc, not 125"
grep -q "nonsense" "$tmp/err" || fail "the bad --emu spec is not named: $(cat "$tmp/err")"

# ddrspd in a child process, full-I2C and SMBus-only adapter; written back after exit.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 37 + 5) & 255 for i in range(512)))' >"$tmp/ddr4.bin"
for flavour in "" --smbus; do
    # shellcheck disable=SC2086
    FAKE_I2C_BUS=4 FAKE_I2C_IMAGE="$tmp/ddr4.bin" "$run" --bus 4 $flavour \
        --emu "emu:ddr4@0x50=$tmp/ddr4.bin" --busy 0x51:at24 -- "$client" -w NoTests '[.launched]' \
        || fail "ddrspd client (adapter ${flavour:-full I2C})"
    [ "$(byte_at "$tmp/ddr4.bin" 0x30)" = 0xe0 ] && [ "$(byte_at "$tmp/ddr4.bin" 0x3f)" = 0xef ] \
        || fail "image not written back (${flavour:-full I2C})"
    [ "$(byte_at "$tmp/ddr4.bin" 0x40)" = "$(printf '0x%02x' $(((0x40 * 37 + 5) % 256)))" ] \
        || fail "bytes outside the written page changed"
done

# Unmodified i2c-tools (dynamically linked) against the same fake.
if command -v i2ctransfer >/dev/null && command -v i2cget >/dev/null && command -v i2cset >/dev/null; then
    python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' >"$tmp/24c02.bin"
    emu="emu:24c02@0x50=$tmp/24c02.bin"
    out=$("$run" --bus 2 --emu "$emu" -- i2ctransfer -y 2 w1@0x50 0x10 r4) || fail "i2ctransfer"
    [ "$out" = "0x10 0x11 0x12 0x13" ] || fail "i2ctransfer read '$out'"
    "$run" --bus 2 --smbus --emu "$emu" -- i2cset -y 2 0x50 0x20 0xab || fail "i2cset"
    [ "$(byte_at "$tmp/24c02.bin" 0x20)" = 0xab ] || fail "i2cset byte not written back"
    out=$("$run" --bus 2 --smbus --emu "$emu" -- i2cget -y 2 0x50 0x20) || fail "i2cget"
    [ "$out" = 0xab ] || fail "i2cget read '$out'"
    rc=0
    "$run" --bus 2 --emu "$emu" --busy 0x50:at24 -- i2cget -y 2 0x50 0x20 2>"$tmp/err" || rc=$?
    [ "$rc" -ne 0 ] && grep -qi "busy" "$tmp/err" || fail "i2cget on a busy address: rc $rc, $(cat "$tmp/err")"
else
    echo "i2c-tools not installed: their part skipped"
fi

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "fake-i2c-run: all checks passed"
