#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-prog detect, read, verify, diff on emulated buses: text and JSON, pipelines into
spd-check, exit codes; nothing is ever written by these subcommands."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prog_e2e as e  # noqa: E402

PROG = e.tool("spd-prog")
CHECK = e.tool("spd-check")


class ReadOnly(unittest.TestCase):
    def setUp(self):
        self.w = e.Workdir()
        self.ddr4_src = e.sample("ddr4")
        self.mod = self.w.copy(self.ddr4_src, "mod.bin")
        self.orig = e.read_bytes(self.mod)
        self.bus = f"emu:ddr4@0x50={self.mod}"

    def tearDown(self):
        # Read-only subcommands never change the module.
        self.assertEqual(e.read_bytes(self.mod), self.orig)
        self.w.cleanup()

    def test_detect_text(self):
        p = e.run(PROG, "-b", self.bus, "detect")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        out = p.stdout.decode()
        self.assertIn("0x50 (slot 0): DDR4", out)
        self.assertIn("512 bytes", out)
        self.assertIn("CRC", out)
        self.assertIn("write protection:", out)
        self.assertIn("none", out)
        self.assertIn("temperature:", out)

    def test_detect_json_fields(self):
        rc, doc, err = e.run_json(PROG, "-b", f"emu:temp=41.5,ddr4@0x52={self.mod}", "detect")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["exit"], 0)
        (m,) = doc["modules"]
        self.assertEqual(m["addr"], "0x52")
        self.assertEqual(m["slot"], 2)
        self.assertEqual(m["type"], "DDR4")
        self.assertEqual(m["size"], 512)
        self.assertTrue(m["crc_ok"])
        self.assertEqual([c["ok"] for c in m["crc"]], [True, True])
        self.assertEqual(m["write_protection"]["status"], "known")
        self.assertEqual(m["write_protection"]["blocks"], [False, False, False, False])
        self.assertTrue(m["temp_sensor"])  # the emulated EE1004 is a TSE2004av
        self.assertAlmostEqual(m["temperature_c"], 41.5, places=1)
        self.assertIsInstance(m["part_number"], str)
        self.assertGreater(m["speed_mts"], 1000)
        stats = doc["bus_stats"]
        for key in ("simulated_time_us", "transactions", "bytes_on_wire", "write_cycles"):
            self.assertIn(key, stats)
        self.assertEqual(stats["write_cycles"], 0)
        self.assertGreater(stats["transactions"], 0)

    def test_detect_protected_blocks(self):
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr4@0x50={self.mod},wp=0x50:0+2", "detect")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["modules"][0]["write_protection"]["blocks"],
                         [True, False, True, False])
        p = e.run(PROG, "-b", f"emu:ddr4@0x50={self.mod},wp=0x50:1", "detect")
        self.assertIn("blocks 1 protected", p.stdout.decode())

    def test_detect_two_modules_protection_ambiguous(self):
        second = self.w.copy(self.ddr4_src, "second.bin")
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr4@0x50={self.mod},ddr4@0x51={second}",
                                  "detect")
        self.assertEqual(rc, 0, err)
        self.assertEqual([m["addr"] for m in doc["modules"]], ["0x50", "0x51"])
        for m in doc["modules"]:
            self.assertEqual(m["write_protection"], {"status": "ambiguous", "modules": 2})
        p = e.run(PROG, "-b", f"emu:ddr4@0x50={self.mod},ddr4@0x51={second}", "detect")
        self.assertIn("ambiguous with 2 modules", p.stdout.decode())

    def test_detect_mixed_ddr3_ddr4_warns(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        ddr3_orig = e.read_bytes(ddr3)
        bus = f"emu:ddr4@0x50={self.mod},ddr3@0x51={ddr3}"
        rc, doc, err = e.run_json(PROG, "-b", bus, "detect")
        self.assertEqual(rc, 0, err)
        self.assertTrue(any("DDR3 and DDR4" in w for w in doc["warnings"]), doc)
        self.assertEqual(sorted(m["kind"] for m in doc["modules"]), ["DDR3", "DDR4"])
        p = e.run(PROG, "-b", bus, "detect")
        self.assertIn("warning: DDR3 and DDR4", p.stderr.decode())
        self.assertEqual(e.read_bytes(ddr3), ddr3_orig)

    def test_detect_ddr3(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr3@0x50={ddr3}", "detect")
        self.assertEqual(rc, 0, err)
        (m,) = doc["modules"]
        self.assertEqual(m["type"], "DDR3")
        self.assertEqual(m["size"], 256)
        self.assertEqual(m["write_protection"]["permanent"], False)

    def test_detect_empty_bus(self):
        rc, doc, err = e.run_json(PROG, "-b", "emu:", "detect")
        self.assertEqual(rc, 3)
        self.assertEqual(doc["modules"], [])
        p = e.run(PROG, "-b", "emu:", "detect")
        self.assertEqual(p.returncode, 3)
        self.assertIn("no SPD EEPROM", p.stdout.decode())

    def test_read_raw_stdout_and_file(self):
        p = e.run(PROG, "-b", self.bus, "read")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, self.orig)
        out = self.w.file("out.bin")
        p = e.run(PROG, "-b", self.bus, "read", "-o", out)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, b"")
        self.assertEqual(e.read_bytes(out), self.orig)
        self.assertIn(out, p.stderr.decode())
        p = e.run(PROG, "-b", self.bus, "-q", "read", "-o", out)
        self.assertEqual(p.stderr, b"")

    def test_read_hex_is_an_i2cdump_grid_spd_check_reads(self):
        p = e.run(PROG, "-b", self.bus, "read", "--format", "hex")
        self.assertEqual(p.returncode, 0)
        lines = p.stdout.decode().splitlines()
        self.assertTrue(lines[0].startswith("     0  1  2"))
        self.assertTrue(lines[1].startswith("00: "))
        self.assertEqual(len(lines), 1 + 512 // 16)
        self.assertEqual(lines[1][4:6], f"{self.orig[0]:02x}")
        c = e.run(CHECK, "-", input_bytes=p.stdout)
        self.assertEqual(c.returncode, 0, c.stderr.decode())

    def test_read_pipe_into_spd_check(self):
        p = e.shell(f"spd-prog -b '{self.bus}' read | spd-check --json -")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn(b"{", p.stdout)

    def test_read_json(self):
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "read")
        self.assertEqual(rc, 0, err)
        self.assertEqual(bytes.fromhex(doc["data"]), self.orig)
        self.assertEqual(doc["size"], 512)
        self.assertEqual(doc["kind"], "DDR4")
        self.assertGreater(doc["bus_stats"]["bytes_on_wire"], 512)
        out = self.w.file("j.bin")
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "read", "-o", out)
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["output"], out)
        self.assertNotIn("data", doc)
        self.assertEqual(e.read_bytes(out), self.orig)

    def test_read_ddr3(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        p = e.run(PROG, "-b", f"emu:ddr3@0x57={ddr3}", "-a", "0x57", "read")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, e.read_bytes(ddr3))

    def test_read_smbus_adapter(self):
        p = e.run(PROG, "-b", f"emu:smbus=1,ddr4@0x50={self.mod}", "read")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, self.orig)

    def test_read_absent_module_exit_3(self):
        p = e.run(PROG, "-b", self.bus, "-a", "0x51", "read")
        self.assertEqual(p.returncode, 3)
        self.assertIn("0x51", p.stderr.decode())
        self.assertEqual(p.stdout, b"")

    def test_read_bus_fault_exit_3(self):
        p = e.run(PROG, "-b", f"fault:seed=3,nack_p=1:emu:ddr4@0x50={self.mod}", "read")
        self.assertEqual(p.returncode, 3, p.stderr.decode())

    def test_verbose_prints_bus_statistics(self):
        p = e.run(PROG, "-b", self.bus, "-v", "read", "-o", self.w.file("v.bin"))
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stderr.decode(), r"bus statistics: \d+ transactions")
        p = e.run(PROG, "-b", self.bus, "read", "-o", self.w.file("v.bin"))
        self.assertNotIn("bus statistics", p.stderr.decode())

    def test_verify_identical_and_different(self):
        same = self.w.copy(self.ddr4_src, "same.bin")
        p = e.run(PROG, "-b", self.bus, "verify", same)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("match", p.stdout.decode())
        changed = bytearray(self.orig)
        changed[0x150] ^= 0xFF
        changed[0x151] ^= 0x01
        other = self.w.put("other.bin", changed)
        p = e.run(PROG, "-b", self.bus, "verify", other)
        self.assertEqual(p.returncode, 1)
        self.assertIn("0x150-0x151", p.stdout.decode())
        rc, doc, _ = e.run_json(PROG, "-b", self.bus, "verify", other)
        self.assertEqual(rc, 1)
        self.assertFalse(doc["identical"])
        self.assertEqual(doc["differing_bytes"], 2)
        self.assertEqual(doc["ranges"], [{"first": 0x150, "last": 0x151, "bytes": 2}])
        # From standard input, and a text dump (i2cdump grid) is accepted too.
        p = e.run(PROG, "-b", self.bus, "verify", "-", input_bytes=self.orig)
        self.assertEqual(p.returncode, 0)
        grid = e.run(PROG, "-b", self.bus, "read", "--format", "hex").stdout
        p = e.run(PROG, "-b", self.bus, "verify", "-", input_bytes=grid)
        self.assertEqual(p.returncode, 0, p.stderr.decode())

    def test_verify_missing_file_exit_3(self):
        p = e.run(PROG, "-b", self.bus, "verify", self.w.file("nope.bin"))
        self.assertEqual(p.returncode, 3)
        self.assertIn("nope.bin", p.stderr.decode())

    def test_diff_shows_fields_and_ranges(self):
        # A file with a different part number (edited with spd-check --set) differs only in
        # the part-number bytes 329-348 (outside the DDR4 CRC blocks).
        edited = self.w.file("edited.bin")
        p = e.run(CHECK, "--set", "part_number=E2E-TEST-PART", "-o", edited, self.mod)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        p = e.run(PROG, "-b", self.bus, "diff", edited)
        self.assertEqual(p.returncode, 1, p.stderr.decode())
        out = p.stdout.decode()
        self.assertIn("part number", out)
        self.assertIn("-> E2E-TEST-PART", out)
        self.assertIn("0x149", out)  # DDR4 part number: bytes 329-348
        rc, doc, _ = e.run_json(PROG, "-b", self.bus, "diff", edited)
        self.assertEqual(rc, 1)
        fields = {f["field"]: f for f in doc["fields"]}
        self.assertEqual(fields["part number"]["new"], "E2E-TEST-PART")
        self.assertFalse(any(k.startswith("CRC") for k in fields), fields.keys())
        for r in doc["ranges"]:
            self.assertTrue(0x149 <= r["first"] <= r["last"] <= 0x15C, r)
        same = self.w.copy(self.ddr4_src, "same.bin")
        p = e.run(PROG, "-b", self.bus, "diff", same)
        self.assertEqual(p.returncode, 0)

    def test_diff_timing_field(self):
        edited = self.w.file("taa.bin")
        p = e.run(CHECK, "--set", "tAA=12.5", "-o", edited, self.mod)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        p = e.run(PROG, "-b", self.bus, "diff", edited)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stdout.decode(), r"tAA min \d+\.\d{3} ns -> 12\.500 ns")


if __name__ == "__main__":
    e.main()
