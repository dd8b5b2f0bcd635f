#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Regenerates the sample images with make_dumps into a temporary directory and requires the
committed files in dumps/ to be byte-for-byte identical, with no stale extra file, and
dumps/README.md to list every file with its current sha256.

usage: check_dumps.py MAKE_DUMPS DUMPS_DIR
"""
import hashlib
import os
import subprocess
import sys
import tempfile

# Hand-written files in dumps/ (everything else there is generated).
SOURCES = {"README.md", "meson.build", "make_dumps.cpp", "check_dumps.py"}


def files_under(root):
    out = set()
    for dirpath, _dirnames, filenames in os.walk(root):
        for f in filenames:
            out.add(os.path.relpath(os.path.join(dirpath, f), root))
    return out


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    make_dumps, dumps = sys.argv[1], sys.argv[2]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([make_dumps, dumps, tmp], check=True)
        generated = files_under(tmp)
        committed = {f for f in files_under(dumps)
                     if f not in SOURCES and not f.endswith(".desc")}
        for f in sorted(generated - committed):
            failures.append(f"{f}: generated but not committed (run make_dumps {dumps} {dumps})")
        for f in sorted(committed - generated):
            failures.append(f"{f}: committed but no longer generated (delete it)")
        with open(os.path.join(dumps, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for f in sorted(generated & committed):
            with open(os.path.join(tmp, f), "rb") as a, open(os.path.join(dumps, f), "rb") as b:
                if a.read() != b.read():
                    failures.append(f"{f}: differs from what make_dumps generates now")
            if f not in readme:
                failures.append(f"{f}: missing from README.md")
            digest = sha256(os.path.join(tmp, f))
            if digest not in readme:
                failures.append(f"{f}: README.md does not list its sha256 {digest}")
        print(f"{len(generated)} generated files compared")
    for msg in failures:
        print(f"FAIL {msg}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
