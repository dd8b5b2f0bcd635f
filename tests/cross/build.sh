#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Configures DIR as a cross build for ARCH (once) and builds the given targets there:
#   build.sh aarch64|armhf DIR TARGET...      (TARGET 'unit' = the programs of test suite 'unit')
# Shared by suite 'cross' (cross-unit.sh) and the armhf VM test (tests/vm/run-armhf.sh), which
# use the same DIR so the armhf library is compiled once per CI run; a lock on DIR.lock keeps
# two tests from running meson/ninja in DIR at the same time (the second one waits).
# buildtype=plain (no -O2, no -g): the quickest compile; the warnings that matter on 32-bit
# (-Wconversion, -Wformat, -Wshadow ...) do not depend on optimisation.
# Logs: DIR.setup.log, DIR.build.log. Env: DDRSPD_CROSS_JOBS (ninja -j, default 2).
set -eu
arch=${1:?usage: build.sh ARCH DIR TARGET...}
dir=${2:?usage: build.sh ARCH DIR TARGET...}
shift 2
src=${DDRSPD_SOURCE_DIR:?set by meson test}
jobs=${DDRSPD_CROSS_JOBS:-2}

mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
if [ ! -f "$dir/build.ninja" ]; then
    # A setup that failed half-way leaves a dir meson refuses to reuse.
    [ ! -d "$dir/meson-private" ] || rm -rf "$dir"
    meson setup "$dir" "$src" --cross-file "$src/tests/cross/$arch.ini" -Dbuildtype=plain \
        -Dcorpus_dir="${DDRSPD_CORPUS:-}" >"$dir.setup.log" 2>&1 || {
        cat "$dir.setup.log"; echo "cross ($arch): meson setup failed"; exit 1; }
fi
targets=
for t in "$@"; do
    if [ "$t" = unit ]; then
        # Everything the tests of suite 'unit' depend on (meson's own test list).
        t=$(meson introspect --tests --targets "$dir" | python3 -c '
import json, os, sys
info = json.load(sys.stdin)
files = {t["id"]: t["filename"] for t in info["targets"]}
out = set()
for test in info["tests"]:
    if any(s == "unit" or s.endswith(":unit") for s in test["suite"]):
        for dep in test["depends"]:
            out.update(os.path.relpath(f, sys.argv[1]) for f in files.get(dep, []))
print(" ".join(sorted(out)))' "$dir")
    fi
    targets="$targets $t"
done
# shellcheck disable=SC2086 # word splitting of the target list is wanted
ninja -C "$dir" -j "$jobs" $targets >"$dir.build.log" 2>&1 || {
    tail -n 60 "$dir.build.log"; echo "cross ($arch): build failed (log: $dir.build.log)"; exit 1; }
