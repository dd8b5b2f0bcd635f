#!/bin/sh
# The whole test suite on a fresh Debian 12 machine: set up, build, run every test, and end
# with "N passed, N failed, N skipped". Exit status 0 only when nothing failed.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
tools/setup.sh
status=0
meson test -C build --print-errorlogs --num-processes 2 "$@" || status=$?
python3 tests/summary.py build/meson-logs/testlog.json
exit $status
