#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-check --fix in its three modes (-o, --in-place keeping the mode, stdin -> stdout),
the output formats, and the refusal to "fix" what is not recognisably SPD."""

import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spdcheck_e2e import (TempDir, check, ddr3_image, ddr4_image, expect_exit,  # noqa: E402
                          hexdump_c_text, i2cdump_text, main, run, run_json)


def broken_ddr4():
    """Both CRCs wrong: a data bit in each block flipped, stored CRCs untouched."""
    img = ddr4_image()
    img[20] ^= 0x01   # CAS bitmap: CL 7 added (base block)
    img[130] ^= 0x01  # raw card (block 1)
    return img


def expected_fixed(img):
    """What a correct fix must produce: the same bytes with both CRCs recomputed (computed
    here with binascii, not by the code under test)."""
    from spdcheck_e2e import put_crc
    fixed = bytearray(img)
    put_crc(fixed, 0, 125, 126)
    put_crc(fixed, 128, 253, 254)
    return bytes(fixed)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_fix_to_output_file():
    img = broken_ddr4()
    with TempDir() as d:
        src = d.file("broken.bin", img)
        out = os.path.join(d.path, "fixed.bin")
        p = run("--fix", "-o", out, src)
        expect_exit(p, 0, "--fix -o")
        check(read(out) == expected_fixed(img), "fixed image differs from the expected bytes")
        check(read(src) == bytes(img), "input file changed")
        text = p.stdout.decode()
        check("fixed" in text and "base CRC" in text and "block1 CRC" in text, text)
        check(f"written   {out}" in text or out in text, text)
        expect_exit(run("-q", out), 0, "re-check of the fixed file")


def test_fix_in_place_keeps_mode():
    img = broken_ddr4()
    with TempDir() as d:
        src = d.file("broken.bin", img, mode=0o640)
        before = os.stat(src)
        p = run("--fix", "--in-place", src)
        expect_exit(p, 0, "--fix --in-place")
        after = os.stat(src)
        check(read(src) == expected_fixed(img), "file not fixed in place")
        check(stat.S_IMODE(after.st_mode) == 0o640, f"mode {oct(after.st_mode)} not kept")
        check(after.st_ino != before.st_ino, "not replaced atomically (same inode)")
        leftovers = [n for n in os.listdir(d.path) if n != "broken.bin"]
        check(not leftovers, f"temporary files left behind: {leftovers}")
        # A file with nothing to fix is left alone.
        before = os.stat(src)
        p = run("--fix", "--in-place", src)
        expect_exit(p, 0, "second --fix --in-place")
        check(os.stat(src).st_ino == before.st_ino, "an unchanged file was rewritten")
        check("unchanged" in p.stdout.decode(), p.stdout)


def test_fix_many_files_in_place():
    with TempDir() as d:
        files = [d.file(f"f{i}.bin", broken_ddr4() if i % 2 else ddr4_image())
                 for i in range(6)]
        code, doc, _ = run_json("--fix", "--in-place", *files)
        check(code == 0, f"exit {code}")
        for i, r in enumerate(doc["results"]):
            check(r["ok"], r)
            check(len(r["crc_fixed"]) == (2 if i % 2 else 0), r["crc_fixed"])
            check(r["written"] == (files[i] if i % 2 else None), r)
        for f in files:
            check(read(f) == expected_fixed(broken_ddr4()) or read(f) == bytes(ddr4_image()),
                  f"{f} not fixed")


def test_fix_stdin_to_stdout_pipeline():
    img = broken_ddr4()
    with TempDir() as d:
        src = d.file("broken.bin", img)
        out = os.path.join(d.path, "fixed.bin")
        # cat broken.bin | spd-check --fix - > fixed.bin
        with open(src, "rb") as fin, open(out, "wb") as fout:
            cat = subprocess.Popen(["cat"], stdin=fin, stdout=subprocess.PIPE)
            p = run("--fix", "-", stdin=cat.stdout, stdout=fout)
            cat.stdout.close()
            cat.wait()
        expect_exit(p, 0, "--fix - > fixed.bin")
        check(read(out) == expected_fixed(img), "stdout does not hold exactly the fixed image")
        check("fixed" in p.stderr.decode(), "the report goes to stderr in this mode")
        # -q: the image still comes out, nothing else.
        p = run("-q", "--fix", "-", input_bytes=bytes(img))
        expect_exit(p, 0, "-q --fix -")
        check(p.stdout == expected_fixed(img) and p.stderr == b"", "-q --fix -")


def test_text_input_formats():
    img = broken_ddr4()
    with TempDir() as d:
        # stdin text -> raw on stdout
        p = run("--fix", "-", input_bytes=i2cdump_text(img).encode())
        expect_exit(p, 0, "i2cdump on stdin")
        check(p.stdout == expected_fixed(img), "stdout of a text input must be raw bytes")
        # a text file rewritten in place stays text and reads back fixed
        src = d.file("dump.hex", hexdump_c_text(img))
        p = run("--fix", "--in-place", src)
        expect_exit(p, 0, "--in-place hexdump")
        check(read(src)[:1] != b"\x23", "a text dump was rewritten as binary")
        code, doc, _ = run_json(src)
        r = doc["results"][0]
        check(code == 0 and r["format"] == "i2cdump" and r["bytes"] == 512, r)
        # --output-format overrides
        out = os.path.join(d.path, "o.bin")
        p = run("--fix", "--output-format", "raw", "-o", out, d.file("x.txt", i2cdump_text(img)))
        expect_exit(p, 0, "--output-format raw")
        check(read(out) == expected_fixed(img), "--output-format raw")
        out2 = os.path.join(d.path, "o.txt")
        p = run("--fix", "--output-format", "i2cdump", "-o", out2, d.file("y.bin", img))
        expect_exit(p, 0, "--output-format i2cdump")
        code, doc, _ = run_json(out2)
        check(code == 0 and doc["results"][0]["format"] == "i2cdump", doc)


def test_fix_ddr3():
    img = ddr3_image()
    img[126] ^= 0xFF
    p = run("--fix", "-", input_bytes=bytes(img))
    expect_exit(p, 0, "DDR3 --fix")
    check(p.stdout == bytes(ddr3_image()), "DDR3 CRC not restored")


def test_never_fixes_what_is_not_spd():
    unknown = ddr4_image()
    unknown[2] = 0xFF
    unknown[126] ^= 1
    cases = {
        "unknown type": unknown,
        "truncated": broken_ddr4()[:300],
        "blank": bytes([0xFF]) * 256,
    }
    with TempDir() as d:
        for what, data in cases.items():
            src = d.file("in.bin", data, mode=0o644)
            out = os.path.join(d.path, "out.bin")
            for args in (["-o", out], ["--in-place"]):
                p = run("--fix", *args, src)
                expect_exit(p, 3, f"{what} {args}")
                err = p.stderr.decode()
                check("not fixed" in err and "in.bin" in err, err)
                check(not os.path.exists(out), f"{what}: output written")
                check(read(src) == bytes(data), f"{what}: input modified")
            p = run("--fix", "-", input_bytes=bytes(data))
            expect_exit(p, 3, f"{what} stdin")
            check(p.stdout == b"", f"{what}: bytes written to stdout")
            code, doc, _ = run_json("--fix", "-o", out, src)
            r = doc["results"][0]
            check(code == 3 and "not fixed" in r["error"] and r["written"] is None, r)


def test_write_error_is_exit_3():
    with TempDir() as d:
        src = d.file("b.bin", broken_ddr4())
        p = run("--fix", "-o", os.path.join(d.path, "no", "such", "dir", "x.bin"), src)
        expect_exit(p, 3, "unwritable destination")
        check("no/such/dir" in p.stderr.decode(), p.stderr)


if __name__ == "__main__":
    main(globals())
