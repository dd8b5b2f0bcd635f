#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-check command line: help, version, usage errors (exit 2) and contradictory options."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spdcheck_e2e import (TempDir, check, ddr4_image, expect_exit, main, run)  # noqa: E402


def test_help_documents_exit_status():
    p = run("--help")
    expect_exit(p, 0, "--help")
    out = p.stdout.decode()
    for text in ["--fix", "--in-place", "--json", "--set", "--list-fields", "Exit status:",
                 "  0  every file passed", "  1  at least one file failed", "  2  usage error",
                 "  3  a file could not be read", "3 > 1 > 0"]:
        check(text in out, f"--help lacks {text!r}:\n{out}")
    check(p.stderr == b"", "--help wrote to stderr")


def test_version():
    p = run("--version")
    expect_exit(p, 0, "--version")
    check(p.stdout.decode().startswith("spd-check (ddrspd) "), p.stdout)


def test_no_file_is_usage_error():
    p = run()
    expect_exit(p, 2, "no FILE")
    err = p.stderr.decode()
    check(err.startswith("spd-check: "), err)
    check("FILE" in err, err)
    check(p.stdout == b"", "usage error wrote to stdout")


def test_unknown_option_is_usage_error():
    p = run("--frobnicate", "x.bin")
    expect_exit(p, 2, "unknown option")
    check("--frobnicate" in p.stderr.decode(), p.stderr)


def test_bad_format_names_the_value():
    with TempDir() as d:
        f = d.file("a.bin", ddr4_image())
        p = run("--format", "pdf", f)
        expect_exit(p, 2, "--format pdf")
        err = p.stderr.decode()
        check("--format" in err and "pdf" in err, err)
        p = run("--fix", "--output-format", "xxd", "-o", os.path.join(d.path, "o"), f)
        expect_exit(p, 2, "--output-format xxd")
        check("--output-format" in p.stderr.decode(), p.stderr)


def test_set_without_equals_is_usage_error():
    with TempDir() as d:
        f = d.file("a.bin", ddr4_image())
        p = run("--set", "part_number", "-o", os.path.join(d.path, "o"), f)
        expect_exit(p, 2, "--set without =")
        check("part_number" in p.stderr.decode() and "NAME=VALUE" in p.stderr.decode(),
              p.stderr)
        check(not os.path.exists(os.path.join(d.path, "o")), "output written on usage error")


def contradiction(args, names, input_bytes=None):
    p = run(*args, input_bytes=input_bytes)
    expect_exit(p, 2, " ".join(map(str, args)))
    err = p.stderr.decode()
    for n in names:
        check(n in err, f"message does not name {n!r}: {err}")
    check(len(err.strip().splitlines()) <= 2, f"more than one diagnostic line: {err}")
    check(p.stdout == b"", f"stdout not empty on usage error: {p.stdout[:200]!r}")


def test_contradictory_options():
    with TempDir() as d:
        a = d.file("a.bin", ddr4_image())
        b = d.file("b.bin", ddr4_image())
        out = os.path.join(d.path, "out.bin")
        contradiction(["--fix", "--in-place", "-"], ["--in-place", "standard input"],
                      input_bytes=bytes(ddr4_image()))
        contradiction(["--fix", "-o", out, a, b], ["-o", "2"])
        contradiction(["--fix", "--in-place", "-o", out, a], ["--in-place", "-o"])
        contradiction(["-o", out, a], ["-o", "--fix", "--set"])
        contradiction(["--in-place", a], ["--in-place", "--fix"])
        contradiction(["--fix", a, b], ["--fix", "--in-place"])
        contradiction(["-q", "--json", a], ["-q", "--json"])
        contradiction(["-q", "-d", a], ["-q", "--decode"])
        contradiction(["--list-fields", "--fix", "-o", out, a], ["--list-fields", "--fix"])
        contradiction(["--json", "--fix", "-"], ["--json", "standard output"],
                      input_bytes=bytes(ddr4_image()))
        contradiction(["-", "-"], ["standard input"], input_bytes=b"")
        check(not os.path.exists(out), "an output file was written despite a usage error")
        with open(a, "rb") as f:
            check(f.read() == bytes(ddr4_image()), "input modified despite a usage error")


def test_refuses_binary_image_to_terminal():
    with TempDir() as d:
        a = d.file("a.bin", ddr4_image())
        master, slave = os.openpty()
        try:
            p = run("--fix", a, stdout=slave)
        finally:
            os.close(slave)
            os.close(master)
        expect_exit(p, 2, "--fix to a terminal")
        check("terminal" in p.stderr.decode(), p.stderr)


if __name__ == "__main__":
    main(globals())
