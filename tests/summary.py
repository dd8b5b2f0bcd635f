#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Print the skipped count, then a last line 'N passed, N failed', from Meson's testlog.json."""
import json
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
