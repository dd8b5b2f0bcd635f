#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every manual page in man/ is clean for `mandoc -T lint` (warnings and up) and for man-db's
# groff (`man --warnings`), and the four expected pages exist.
set -u
src=${DDRSPD_SOURCE_DIR:?run through meson test}
command -v mandoc >/dev/null 2>&1 || { echo "SKIP: mandoc not installed (tests/package/packages.txt)"; exit 77; }
status=0
for page in spd-check.1 spd-prog.8 eeprom-dump.8 libddrspd.3; do
    [ -f "$src/man/$page" ] || { echo "FAIL: man/$page missing"; status=1; }
done
for f in "$src"/man/*.[1-8]; do
    name=man/$(basename "$f")
    out=$(mandoc -T lint -W warning "$f" 2>&1)
    if command -v man >/dev/null 2>&1; then
        # groff reports through stderr; the formatted page itself is discarded.
        out="$out$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)"
    fi
    if [ -n "$out" ]; then
        echo "FAIL: $name"
        printf '%s\n' "$out" | sed 's/^/  /'
        status=1
    else
        echo "PASS: $name"
    fi
done
exit $status
