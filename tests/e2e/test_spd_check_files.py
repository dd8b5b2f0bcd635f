#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-check on files, standard input and pipes: verdicts, summaries, -d, -q, exit codes
0/1/3 and the most severe code over several files; unreadable, missing, directory,
oversized and non-dump inputs."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spdcheck_e2e import (TempDir, check, ddr3_image, ddr4_image, expect_exit,  # noqa: E402
                          hexdump_c_text, i2cdump_text, main, run, run_json)


def bad_crc_ddr4():
    img = ddr4_image()
    img[126] ^= 0x01  # stored base CRC LSB
    return img


def test_valid_ddr4_summary():
    with TempDir() as d:
        f = d.file("ddr4.bin", ddr4_image())
        p = run(f)
        expect_exit(p, 0, "valid DDR4")
        out = p.stdout.decode()
        first = out.splitlines()[0]
        check(first.startswith(f"{f}: OK"), first)
        for text in ["DDR4 UDIMM", "8192 MB", "DDR4-2400", "Micron", "DDRSPD-E2E-DDR4",
                     "512 bytes", "base 0-125", "block1 128-253", "ok"]:
            check(text in out, f"summary lacks {text!r}:\n{out}")
        check(p.stderr == b"", p.stderr)


def test_valid_ddr3_summary():
    with TempDir() as d:
        f = d.file("ddr3.bin", ddr3_image())
        p = run(f)
        expect_exit(p, 0, "valid DDR3")
        out = p.stdout.decode()
        for text in ["OK", "DDR3 UDIMM", "4096 MB", "2 ranks", "DDR3-1333", "DDRSPD-E2E-DDR3",
                     "base 0-116"]:
            check(text in out, f"summary lacks {text!r}:\n{out}")


def test_bad_crc_fails_with_both_values():
    with TempDir() as d:
        f = d.file("bad.bin", bad_crc_ddr4())
        p = run(f)
        expect_exit(p, 1, "bad CRC")
        out = p.stdout.decode()
        good = ddr4_image()
        stored = f"0x{good[127]:02X}{good[126] ^ 1:02X}"
        computed = f"0x{good[127]:02X}{good[126]:02X}"
        check(out.splitlines()[0].startswith(f"{f}: FAIL"), out)
        check(stored in out and computed in out and "BAD" in out, out)
        check("crc-mismatch" in out, out)
        check(p.stderr == b"", "a failed check is data, not a diagnostic")


def test_quiet_prints_nothing():
    with TempDir() as d:
        good = d.file("good.bin", ddr4_image())
        bad = d.file("bad.bin", bad_crc_ddr4())
        for f, code in [(good, 0), (bad, 1)]:
            p = run("-q", f)
            expect_exit(p, code, f"-q {f}")
            check(p.stdout == b"" and p.stderr == b"", f"-q printed: {p.stdout!r} {p.stderr!r}")


def test_stdin_and_pipe():
    img = bytes(ddr4_image())
    p = run("-", input_bytes=img)
    expect_exit(p, 0, "stdin")
    check(p.stdout.decode().startswith("(standard input): OK"), p.stdout)
    # A real pipe from another process, in a text format.
    with TempDir() as d:
        f = d.file("ddr4.i2cdump", i2cdump_text(img))
        cat = subprocess.Popen(["cat", f], stdout=subprocess.PIPE)
        p = run("-d", "-", stdin=cat.stdout)
        cat.stdout.close()
        cat.wait()
        expect_exit(p, 0, "cat | spd-check -d -")
        out = p.stdout.decode()
        check("i2cdump format" in out, out)


def test_text_formats_auto_and_forced():
    img = ddr3_image()
    with TempDir() as d:
        files = {
            "i2cdump": d.file("a.txt", i2cdump_text(img)),
            "hexdump": d.file("b.hex", hexdump_c_text(img)),
            "raw": d.file("c.bin", img),
        }
        for name, f in files.items():
            code, doc, _ = run_json(f)
            check(code == 0, f"{name}: exit {code}")
            r = doc["results"][0]
            check(r["format"] == name, f"{name}: detected {r['format']}")
            check(r["module"]["part_number"] == "DDRSPD-E2E-DDR3", r["module"])
            code, doc, _ = run_json("--format", name, f)
            check(code == 0 and doc["results"][0]["format"] == name, f"--format {name}")
        # Forcing the wrong format is a parse error for that file.
        code, doc, err = run_json("--format", "i2cdump", files["raw"])
        check(code == 3, f"raw read as i2cdump: exit {code}")
        check("error" in doc["results"][0], doc)


def test_decode_sections():
    with TempDir() as d:
        f = d.file("ddr4.bin", ddr4_image())
        p = run("-d", f)
        expect_exit(p, 0, "-d")
        out = p.stdout.decode()
        for text in ["== Module", "== Organisation", "== Speed and CAS latency", "== Timings",
                     "== Voltage, thermal and features", "== Mechanical", "== Manufacturing", "== CRC",
                     "== Findings", "tAA", "13.750 ns", "17 clocks", "tRFC1", "350.000 ns",
                     "tRRD_S", "3.300 ns", "2015-W28", "0x12345678", "4 bank groups",
                     "16 rows, 10 columns", "0.833 ns", "CL-tRCD-tRP-tRAS"]:
            check(text in out, f"-d lacks {text!r}:\n{out}")


def test_error_inputs_exit_3():
    with TempDir() as d:
        cases = {
            "missing": os.path.join(d.path, "does-not-exist.bin"),
            "directory": d.path,
            "oversized": d.file("big.bin", b"\0" * (1024 * 1024 + 1)),
            "empty": d.file("empty.bin", b""),
            "not a dump": d.file("notes.txt", "Shopping list:\n- milk\n- DIMMs\n"),
            "unreadable": "/proc/self/mem",  # read() fails with EIO, even for root
        }
        for what, path in cases.items():
            p = run(path)
            expect_exit(p, 3, what)
            err = p.stderr.decode()
            check(err.startswith("spd-check: ") and len(err.splitlines()) == 1,
                  f"{what}: expected one diagnostic line, got {err!r}")
            check(p.stdout == b"", f"{what}: stdout not empty: {p.stdout!r}")
        if os.geteuid() != 0:
            locked = d.file("locked.bin", ddr4_image(), mode=0)
            p = run(locked)
            expect_exit(p, 3, "mode 000")
            check("ermission" in p.stderr.decode(), p.stderr)


def test_many_files_most_severe_code_wins():
    with TempDir() as d:
        good = d.file("good.bin", ddr4_image())
        bad = d.file("bad.bin", bad_crc_ddr4())
        missing = os.path.join(d.path, "missing.bin")
        for files, code in [([good, good], 0), ([good, bad, good], 1),
                            ([good, missing, bad], 3), ([missing, good], 3), ([bad, good], 1)]:
            p = run(*files)
            expect_exit(p, code, " ".join(os.path.basename(f) for f in files))
            out = p.stdout.decode()
            for f in files:
                if f != missing:
                    check(f"{f}: " in out, f"{f} not reported:\n{out}")
        p = run(missing, good, bad)
        check(p.stdout.decode().index(good) < p.stdout.decode().index(bad), "order not kept")
        check(p.stderr.decode().count("missing.bin") == 1, p.stderr)


if __name__ == "__main__":
    main(globals())
