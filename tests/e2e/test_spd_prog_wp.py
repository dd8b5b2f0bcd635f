#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-prog wp status / set / clear on emulated EE1004 (DDR4) and EE1002 (DDR3) modules:
--vhv required for changes (exit 4 otherwise, nothing sent), dry runs, ambiguity with
several modules, and the status read back."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prog_e2e as e  # noqa: E402

PROG = e.tool("spd-prog")


class WriteProtection(unittest.TestCase):
    def setUp(self):
        self.w = e.Workdir()
        self.mod = self.w.copy(e.sample("ddr4"), "mod.bin")
        self.orig = e.read_bytes(self.mod)

    def tearDown(self):
        # Protection commands never change the contents.
        self.assertEqual(e.read_bytes(self.mod), self.orig)
        self.w.cleanup()

    def test_status_ddr4(self):
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr4@0x50={self.mod},wp=0x50:1+3", "wp",
                                  "status")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["protection"]["blocks"], [False, True, False, True])
        p = e.run(PROG, "-b", f"emu:ddr4@0x50={self.mod},wp=0x50:1+3", "wp", "status")
        out = p.stdout.decode()
        self.assertIn("block 0 (bytes   0-127): writable", out)
        self.assertIn("block 1 (bytes 128-255): protected", out)
        self.assertIn("block 3 (bytes 384-511): protected", out)

    def test_status_ambiguous_with_two_modules(self):
        other = self.w.copy(e.sample("ddr4"), "other.bin")
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr4@0x50={self.mod},ddr4@0x53={other}",
                                  "wp", "status")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["protection"], {"status": "ambiguous", "modules": 2})

    def test_set_and_clear_need_vhv(self):
        for args in (["wp", "set", "0"], ["wp", "clear"], ["wp", "set", "0", "1", "--yes"]):
            with self.subTest(args=args):
                bus = f"emu:ddr4@0x50={self.mod},vhv=0x50"
                rc, doc, err = e.run_json(PROG, "-b", bus, *args)
                self.assertEqual(rc, 4)
                self.assertIn("--vhv", err)
                self.assertIn("SA0", err)
                self.assertIn("7-10 V", err)
                self.assertEqual(doc["bus_stats"]["transactions"], 0)  # nothing was sent

    def test_set_then_status_in_the_same_run(self):
        bus = f"emu:ddr4@0x50={self.mod},vhv=0x50"
        rc, doc, err = e.run_json(PROG, "-b", bus, "wp", "set", "0", "2", "--vhv", "--yes")
        self.assertEqual(rc, 0, err)
        self.assertTrue(doc["done"])
        self.assertEqual(doc["protection"]["blocks"], [True, False, True, False])
        rc, doc, err = e.run_json(PROG, "-b", f"{bus},wp=0x50:0+1+2+3", "wp", "clear", "--vhv",
                                  "-y")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["protection"]["blocks"], [False, False, False, False])

    def test_set_without_high_voltage_fails(self):
        # --vhv given but the emulated adapter has no high voltage on SA0: the chip ignores
        # the command; the tool reports a device error, not success.
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr4@0x50={self.mod}", "wp", "set", "1",
                                  "--vhv", "--yes")
        self.assertIn(rc, (1, 3), err)
        self.assertNotEqual(rc, 0)

    def test_dry_run(self):
        bus = f"emu:ddr4@0x50={self.mod},vhv=0x50"
        rc, doc, err = e.run_json(PROG, "-b", bus, "wp", "set", "3", "--vhv", "--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertFalse(doc["done"])
        self.assertEqual(doc["bus_stats"]["write_cycles"], 0)
        p = e.run(PROG, "-b", bus, "wp", "clear", "--vhv", "--dry-run")
        self.assertEqual(p.returncode, 0)
        self.assertIn("dry run", p.stdout.decode())

    def test_no_confirmation_without_terminal(self):
        bus = f"emu:ddr4@0x50={self.mod},vhv=0x50"
        rc, doc, err = e.run_json(PROG, "-b", bus, "wp", "set", "0", "--vhv")
        self.assertEqual(rc, 4)
        self.assertEqual(doc["bus_stats"]["write_cycles"], 0)

    def test_bad_block_numbers(self):
        bus = f"emu:ddr4@0x50={self.mod},vhv=0x50"
        p = e.run(PROG, "-b", bus, "wp", "set", "4", "--vhv", "--yes")
        self.assertEqual(p.returncode, 2)
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        p = e.run(PROG, "-b", f"emu:ddr3@0x50={ddr3},vhv=0x50", "wp", "set", "1", "--vhv",
                  "--yes")
        self.assertEqual(p.returncode, 2, p.stderr.decode())

    def test_ddr3_status_needs_vhv_for_rswp(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr3@0x50={ddr3}", "wp", "status")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["protection"]["blocks"], [None])
        self.assertFalse(doc["protection"]["permanent"])
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr3@0x50={ddr3},vhv=0x50,wp=0x50:0", "wp",
                                  "status", "--vhv")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["protection"]["blocks"], [True])

    def test_ddr3_set_rswp_never_pswp(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr3@0x50={ddr3},vhv=0x50", "wp", "set", "0",
                                  "--vhv", "--yes")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["protection"]["blocks"], [True])
        self.assertFalse(doc["protection"]["permanent"])
        self.assertFalse(os.path.exists(ddr3 + ".pswp"))


if __name__ == "__main__":
    e.main()
