#!/bin/sh
# The test suite on a fresh Debian 12 machine: set up, build, run the tests, and end with
# "N passed, N failed" (after a line "N skipped"). Exit status 0 only when nothing failed.
#
#   tests/run.sh            everything: unit, corpus, end-to-end, fake i2c-dev, reliability, and
#                           the slow layers fuzz (ASan+UBSan build of the suite, libFuzzer smoke
#                           runs), cross (aarch64/armhf builds, unit tests under qemu-user), vm
#                           (real kernels in QEMU) and package (dpkg-buildpackage, lintian,
#                           install check, man pages); installs the tools they need first
#   tests/run.sh --quick    leaves the slow layers out (a few minutes instead of ~40)
#   tests/run.sh ARGS...    anything else is passed to `meson test` (e.g. --suite vm)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
slow_layers="fuzz cross vm package"
select=""
[ "${1:-}" != "--all" ] || shift # the default; kept for old habits
if [ "${1:-}" = "--quick" ]; then
    shift
    tools/setup.sh
    for layer in $slow_layers; do select="$select --no-suite $layer"; done
else
    DDRSPD_EXTRAS="$slow_layers" tools/setup.sh
fi
status=0
# shellcheck disable=SC2086
meson test -C build --print-errorlogs --num-processes 2 $select "$@" || status=$?
python3 tests/summary.py build/meson-logs/testlog.json
exit $status
