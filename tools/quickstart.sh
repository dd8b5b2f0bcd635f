#!/bin/sh
# Quick start, command 1: set up a fresh Debian 12 machine, build ddrspd, and run the main job
# on an emulated DDR4 DIMM: detect it, read its SPD, decode it, change one field, write it back
# (only the changed pages, verified) and show what changed and what the bus did.
#
# The module is a COPY of a sample image (dumps/ is never modified) in ./quickstart/.
# On a Raspberry Pi with a DIMM socket adapter, run it as BUS=1 tools/quickstart.sh: every
# command stays the same.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
tools/setup.sh

PATH="$here/build/tools:$PATH"
work="$here/quickstart"
mkdir -p "$work"
cp dumps/ddr4-udimm-2666-16g.bin "$work/module.bin"
chmod u+w "$work/module.bin"
cd "$work"
rm -f before.bin after.bin backup.bin

BUS="${BUS:-emu:ddr4@0x50=$work/module.bin}"

# On real hardware the write asks for confirmation (no --yes): it changes a real module.
YES=""
case "$BUS" in emu:*) YES="--yes" ;; esac

# Prints a command as typed, then runs it.
run() {
    printf '\n$ %s\n' "$1" >&2
    eval "$1"
}

printf '\nWork directory: %s\nBUS="%s"   (on a Raspberry Pi: BUS=1)\n' "$work" "$BUS" >&2
run 'spd-prog --bus "$BUS" detect'
run 'spd-prog --bus "$BUS" read -o before.bin'
run 'spd-check --decode before.bin'
run 'spd-check --set part_number=QUICKSTART-DIMM --set tAA=12.5 -o after.bin before.bin'
run 'spd-prog --bus "$BUS" write after.bin $YES --backup backup.bin -v'
run 'spd-prog --bus "$BUS" verify after.bin'
printf '\nDone. To undo: spd-prog --bus "$BUS" write backup.bin --yes\n' >&2
