#!/bin/sh
# Quick start, command 1: set up a fresh Debian 12 machine, build ddrspd, and run the main job
# on the built-in sample: check and fully decode an SPD image made by this project (dumps/).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
tools/setup.sh

sample=dumps/ddr4-udimm-2666-16g.bin
echo "== spd-check --decode $sample" >&2
build/tools/spd-check --decode "$sample"
