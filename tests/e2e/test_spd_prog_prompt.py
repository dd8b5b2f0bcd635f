#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-prog confirmation on a terminal (pseudo-terminal through the pty module): "y" writes,
"n" or an empty answer refuses with exit 4 and writes nothing; --yes never asks."""

import glob
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prog_e2e as e  # noqa: E402

PROG = e.tool("spd-prog")
CHECK = e.tool("spd-check")


class Prompt(unittest.TestCase):
    def setUp(self):
        self.w = e.Workdir()
        self.mod = self.w.copy(e.sample("ddr4"), "mod.bin")
        self.orig = e.read_bytes(self.mod)
        self.bus = f"emu:ddr4@0x50={self.mod}"
        self.new = self.w.file("new.bin")
        p = e.run(CHECK, "--set", "part_number=PTY-PROMPT", "-o", self.new, self.mod)
        self.assertEqual(p.returncode, 0, p.stderr.decode())

    def tearDown(self):
        self.w.cleanup()

    def backups(self):
        return glob.glob(self.w.file("spd-0x50-*.bin"))

    def test_yes_writes(self):
        for answer in ("y", "Y", "yes"):
            with self.subTest(answer=answer):
                e.write_bytes(self.mod, self.orig)
                rc, shown = e.run_pty(PROG, "-b", self.bus, "write", self.new, answer=answer,
                                      cwd=self.w.path)
                self.assertEqual(rc, 0, shown)
                self.assertIn("[y/N]", shown)
                self.assertIn("About to write", shown)
                self.assertIn("part number", shown)  # the plan is shown before the question
                self.assertIn("verified", shown)
                self.assertEqual(e.read_bytes(self.mod), e.read_bytes(self.new))

    def test_no_or_empty_refuses(self):
        for answer in ("n", "", "no", "maybe"):
            with self.subTest(answer=answer):
                rc, shown = e.run_pty(PROG, "-b", self.bus, "write", self.new, answer=answer,
                                      cwd=self.w.path)
                self.assertEqual(rc, 4, shown)
                self.assertIn("[y/N]", shown)
                self.assertEqual(e.read_bytes(self.mod), self.orig)
                self.assertEqual(self.backups(), [])

    def test_yes_option_does_not_ask(self):
        rc, shown = e.run_pty(PROG, "-b", self.bus, "write", self.new, "--yes", "--no-backup")
        self.assertEqual(rc, 0, shown)
        self.assertNotIn("[y/N]", shown)
        self.assertEqual(e.read_bytes(self.mod), e.read_bytes(self.new))

    def test_dry_run_does_not_ask(self):
        rc, shown = e.run_pty(PROG, "-b", self.bus, "write", self.new, "--dry-run")
        self.assertEqual(rc, 0, shown)
        self.assertNotIn("[y/N]", shown)
        self.assertEqual(e.read_bytes(self.mod), self.orig)

    def test_fix_crc_asks_too(self):
        broken = bytearray(self.orig)
        broken[126] ^= 0x01
        e.write_bytes(self.mod, broken)
        rc, shown = e.run_pty(PROG, "-b", self.bus, "fix-crc", answer="n", cwd=self.w.path)
        self.assertEqual(rc, 4, shown)
        self.assertEqual(e.read_bytes(self.mod), bytes(broken))
        rc, shown = e.run_pty(PROG, "-b", self.bus, "fix-crc", answer="y", cwd=self.w.path)
        self.assertEqual(rc, 0, shown)
        self.assertEqual(e.read_bytes(self.mod), self.orig)

    def test_wp_set_asks(self):
        bus = f"emu:ddr4@0x50={self.mod},vhv=0x50"
        rc, shown = e.run_pty(PROG, "-b", bus, "wp", "set", "1", "--vhv", answer="")
        self.assertEqual(rc, 4, shown)
        self.assertIn("[y/N]", shown)
        self.assertNotIn("done", shown)
        rc, shown = e.run_pty(PROG, "-b", bus, "wp", "set", "1", "--vhv", answer="y")
        self.assertEqual(rc, 0, shown)
        self.assertRegex(shown, r"block 1 \(bytes 128-255\): protected")


if __name__ == "__main__":
    e.main()
