#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-prog command line: help, version, exit codes, global options before or after the
subcommand, address/slot rules, raw bytes never to a terminal."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prog_e2e as e  # noqa: E402

PROG = e.tool("spd-prog")


class Cli(unittest.TestCase):
    def setUp(self):
        self.w = e.Workdir()
        self.mod = self.w.copy(e.sample("ddr4"), "mod.bin")
        self.bus = f"emu:ddr4@0x50={self.mod}"

    def tearDown(self):
        self.w.cleanup()

    def test_help_lists_subcommands_and_exit_codes(self):
        p = e.run(PROG, "--help")
        self.assertEqual(p.returncode, 0)
        out = p.stdout.decode()
        for word in ("detect", "read", "write", "verify", "diff", "fix-crc", "wp", "--bus",
                     "--addr", "--slot", "--json", "--yes"):
            self.assertIn(word, out)
        # Exit status table in the footer: all five codes.
        for code in ("0", "1", "2", "3", "4"):
            self.assertRegex(out, rf"(?m)^\s*{code}\b")

    def test_subcommand_help(self):
        p = e.run(PROG, "write", "--help")
        self.assertEqual(p.returncode, 0)
        out = p.stdout.decode()
        for word in ("--fix-crc", "--force", "--dry-run", "--backup", "--no-backup"):
            self.assertIn(word, out)

    def test_version(self):
        p = e.run(PROG, "--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout.decode(), r"spd-prog.*\d+\.\d+")

    def test_usage_errors_exit_2(self):
        for args in ([], ["frobnicate"], ["write"], ["read", "extra-arg"], ["--no-such-option",
                     "detect"], ["-a", "0x50", "-s", "1", "detect"], ["wp"], ["wp", "set"],
                     ["wp", "set", "9", "--vhv"], ["read", "--format", "xml"],
                     ["-s", "8", "detect"]):
            with self.subTest(args=args):
                p = e.run(PROG, "-b", self.bus, *args)
                self.assertEqual(p.returncode, 2, p.stderr.decode())
                self.assertEqual(p.stdout, b"")

    def test_address_outside_spd_range_refused(self):
        for addr in ("0x48", "0x58", "0x30", "0x36", "80x", "0x100"):
            with self.subTest(addr=addr):
                p = e.run(PROG, "-b", self.bus, "-a", addr, "read")
                self.assertEqual(p.returncode, 2)
                self.assertIn("--addr", p.stderr.decode())
        p = e.run(PROG, "-b", self.bus, "-a", "0x48", "read")
        self.assertIn("eeprom-dump", p.stderr.decode())

    def test_global_options_before_or_after_subcommand(self):
        before = e.run(PROG, "-b", self.bus, "-a", "0x50", "read")
        after = e.run(PROG, "read", "-b", self.bus, "-a", "0x50")
        mixed = e.run(PROG, "-b", self.bus, "read", "--addr", "0x50", "-q")
        for p in (before, after, mixed):
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            self.assertEqual(p.stdout, e.read_bytes(self.mod))
        # --json and --yes after the subcommand too.
        rc, doc, _ = e.run_json(PROG, "detect", "-b", self.bus)
        self.assertEqual(rc, 0)
        p = e.run(PROG, "detect", "--json", "--bus", self.bus)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(e.json.loads(p.stdout)["modules"][0]["addr"], "0x50")

    def test_slot_selects_address(self):
        other = self.w.copy(e.sample("ddr4"), "slot3.bin")
        bus = f"emu:ddr4@0x53={other}"
        rc, doc, err = e.run_json(PROG, "-b", bus, "-s", "3", "read")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["addr"], "0x53")
        rc, doc, err = e.run_json(PROG, "-b", bus, "-s", "0", "read")
        self.assertEqual(rc, 3)  # nothing answers at 0x50
        self.assertIn("error", doc)

    def test_raw_read_to_terminal_refused(self):
        rc, shown = e.run_pty(PROG, "-b", self.bus, "read")
        self.assertEqual(rc, 2, shown)
        self.assertIn("-o", shown)
        self.assertIn("--format hex", shown)
        # Hex on a terminal is fine.
        rc, shown = e.run_pty(PROG, "-b", self.bus, "read", "--format", "hex")
        self.assertEqual(rc, 0, shown)
        self.assertIn("00: ", shown)

    def test_bad_bus(self):
        p = e.run(PROG, "-b", "emu:nonsense@@", "detect")
        self.assertEqual(p.returncode, 2, p.stderr.decode())
        p = e.run(PROG, "-b", "/dev/i2c-does-not-exist-99", "detect")
        self.assertIn(p.returncode, (2, 3), p.stderr.decode())
        self.assertNotEqual(p.stderr, b"")
        # An image "file" that is a directory cannot be loaded.
        p = e.run(PROG, "-b", f"emu:ddr4@0x50={self.w.path}", "detect")
        self.assertEqual(p.returncode, 3, p.stderr.decode())

    def test_json_error_document(self):
        # Failures still print exactly one JSON document, with the exit code and the error.
        rc, doc, err = e.run_json(PROG, "-b", "emu:", "read")
        self.assertEqual(rc, 3)
        self.assertEqual(doc["exit"], 3)
        self.assertIn("error", doc)
        self.assertIn("0x50", doc["error"])


if __name__ == "__main__":
    e.main()
