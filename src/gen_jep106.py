#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn data/jep106.tsv (bank<TAB>code<TAB>name, 1-based bank, code 1..126) into C++ rows."""
import sys


def main(src: str, dst: str) -> int:
    rows = []
    seen = set()
    with open(src, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit(f"{src}:{lineno}: expected bank<TAB>code<TAB>name")
            bank, code, name = int(parts[0]), int(parts[1], 0), parts[2]
            if not 1 <= bank <= 32 or not 1 <= code <= 126 or not name:
                sys.exit(f"{src}:{lineno}: bank/code out of range or empty name")
            if (bank, code) in seen:
                sys.exit(f"{src}:{lineno}: duplicate bank {bank} code {code}")
            seen.add((bank, code))
            esc = name.replace("\\", "\\\\").replace('"', '\\"')
            rows.append((bank, code, f'{{{bank}, {code}, "{esc}"}},'))
    # Sorted by (bank, code) so the C++ side can binary-search.
    rows.sort()
    with open(dst, "w", encoding="utf-8") as f:
        f.write("// Generated from data/jep106.tsv by gen_jep106.py. Do not edit.\n")
        f.write("\n".join(r[2] for r in rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
