#!/bin/sh
# The test suite on a fresh Debian 12 machine: set up, build, run the tests, and end with
# "N passed, N failed, N skipped". Exit status 0 only when nothing failed.
#
#   tests/run.sh            unit, corpus, end-to-end, fake i2c-dev and reliability suites
#   tests/run.sh --all      also the slow layers: fuzz (sanitizer build, fuzz smoke), cross
#                           (aarch64/armhf under qemu-user), vm (real kernels in QEMU), package
#                           (dpkg-buildpackage, lintian, man pages); installs their tools first
#   tests/run.sh ARGS...    anything else is passed to `meson test` (e.g. --suite vm)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
slow_layers="fuzz cross vm package"
if [ "${1:-}" = "--all" ]; then
    shift
    DDRSPD_EXTRAS="$slow_layers" tools/setup.sh
    select=""
elif [ $# -gt 0 ]; then
    DDRSPD_EXTRAS="$slow_layers" tools/setup.sh
    select=""
else
    tools/setup.sh
    select=""
    for layer in $slow_layers; do select="$select --no-suite $layer"; done
fi
status=0
# shellcheck disable=SC2086
meson test -C build --print-errorlogs --num-processes 2 $select "$@" || status=$?
python3 tests/summary.py build/meson-logs/testlog.json
exit $status
