#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""eeprom-dump on emulated 24xx EEPROMs and SPDs: whole/partial/bank reads as raw bytes or
an i2cdump grid, writes (backup, confirmation, changed pages only, verification), verify,
page-size detection consent, refusals with nothing written, JSON, exit codes."""

import glob
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prog_e2e as e  # noqa: E402

DUMP = e.tool("eeprom-dump")
CHECK = e.tool("spd-check")


def pattern(n, seed=7):
    return bytes((i * seed + (i >> 8) + 3) & 0xFF for i in range(n))


class EepromDump(unittest.TestCase):
    def setUp(self):
        self.w = e.Workdir()
        self.orig = pattern(32768)
        self.chip = self.w.put("chip.bin", self.orig)
        self.bus = f"emu:24c256@0x50={self.chip}"

    def tearDown(self):
        self.w.cleanup()

    def untouched(self):
        self.assertEqual(e.read_bytes(self.chip), self.orig)
        self.assertEqual(glob.glob(self.w.file("eeprom-0x*.bin")), [])

    # --- reading ---

    def test_read_whole_raw(self):
        p = e.run(DUMP, "-b", self.bus, "-a", "0x50", "--chip", "24c256")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, self.orig)  # raw by default when stdout is not a terminal

    def test_read_to_file(self):
        out = self.w.file("out.bin")
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(out), self.orig)
        self.assertEqual(p.stdout, b"")

    def test_read_offset_length_hex_grid(self):
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--offset", "0x100", "--length",
                  "32", "--format", "hex")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        lines = p.stdout.decode().splitlines()
        self.assertEqual(lines[0],
                         "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef")
        self.assertEqual(len(lines), 3)
        want = " ".join(f"{b:02x}" for b in self.orig[0x100:0x110])
        self.assertTrue(lines[1].startswith("100: " + want), lines[1])

    def test_hex_grid_of_a_small_chip_is_i2cdump_compatible(self):
        data = pattern(256, 13)
        chip = self.w.put("c02.bin", data)
        p = e.run(DUMP, "-b", f"emu:24c02@0x51={chip}", "-a", "0x51", "--chip", "24c02",
                  "--format", "hex")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        lines = p.stdout.decode().splitlines()
        self.assertEqual(len(lines), 17)
        parsed = bytearray()
        for n, line in enumerate(lines[1:]):
            addr, rest = line.split(": ", 1)
            self.assertEqual(int(addr, 16), n * 16)
            parsed += bytes.fromhex(rest[:16 * 3])
            ascii_col = rest[16 * 3 + 3:]
            self.assertEqual(len(ascii_col), 16)
        self.assertEqual(bytes(parsed), data)

    def test_hex_default_on_terminal(self):
        rc, shown = e.run_pty(DUMP, "-b", self.bus, "--chip", "24c256", "--length", "16")
        self.assertEqual(rc, 0, shown)
        self.assertIn("00: " + " ".join(f"{b:02x}" for b in self.orig[:16]), shown)
        rc, shown = e.run_pty(DUMP, "-b", self.bus, "--chip", "24c256", "--length", "16",
                              "--format", "raw")
        self.assertEqual(rc, 2, shown)

    def test_bank(self):
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--bank", "3", "--bank-size", "4k")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, self.orig[3 * 4096:4 * 4096])
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--bank", "8", "--bank-size", "4096")
        self.assertEqual(p.returncode, 2)
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--bank", "1")
        self.assertEqual(p.returncode, 2)

    def test_read_json(self):
        rc, doc, err = e.run_json(DUMP, "-b", self.bus, "--chip", "24c256", "--offset", "16",
                                  "--length", "16")
        self.assertEqual(rc, 0, err)
        self.assertEqual(bytes.fromhex(doc["data"]), self.orig[16:32])
        self.assertEqual(doc["size"], 32768)
        self.assertEqual(doc["page_size"], 64)
        self.assertIn("bus_stats", doc)

    def test_multi_chip_array(self):
        a, b = pattern(256, 3), pattern(256, 5)
        ca, cb = self.w.put("a.bin", a), self.w.put("b.bin", b)
        p = e.run(DUMP, "-b", f"emu:24c02@0x50={ca},24c02@0x51={cb}", "--chip", "24c02",
                  "--chips", "2")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, a + b)

    def test_one_byte_address_multi_block_chip(self):
        data = pattern(2048, 11)
        chip = self.w.put("c16.bin", data)
        p = e.run(DUMP, "-b", f"emu:24c16@0x50={chip}", "--chip", "24c16")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, data)

    def test_read_spd_as_bytes(self):
        mod = self.w.copy(e.sample("ddr4"), "ddr4.bin")
        p = e.run(DUMP, "-b", f"emu:ddr4@0x50={mod}", "--chip", "spd-ddr4")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, e.read_bytes(mod))
        p = e.run(DUMP, "-b", f"emu:ddr4@0x50={mod}", "--chip", "spd-ddr4", "--offset", "256",
                  "--length", "16")
        self.assertEqual(p.stdout, e.read_bytes(mod)[256:272])
        p = e.run(DUMP, "-b", f"emu:ddr4@0x50={mod}", "--chip", "spd-ddr3")
        self.assertEqual(p.returncode, 4)
        self.assertIn("spd-ddr4", p.stderr.decode())
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        p = e.run(DUMP, "-b", f"emu:ddr3@0x52={ddr3}", "-a", "0x52", "--chip", "spd-ddr3")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, e.read_bytes(ddr3))
        # SPDs are written with spd-prog only.
        p = e.run(DUMP, "-b", f"emu:ddr4@0x50={mod}", "--chip", "spd-ddr4", "--write", mod,
                  "--yes")
        self.assertEqual(p.returncode, 2)
        self.assertIn("spd-prog", p.stderr.decode())

    def test_usage_errors(self):
        for args in ([], ["--chip", "24c999"], ["--chip", "24c256", "--offset", "32768"],
                     ["--chip", "24c256", "--offset", "0x7ff0", "--length", "32"],
                     ["--chip", "24c256", "--length", "0"], ["--chip", "24c256", "-a", "0x80"],
                     ["--chip", "24c256", "-a", "0x4f"],
                     ["--chip", "24c256", "--page-size", "48"], ["--chip", "24c256",
                     "--dry-run"], ["--chip", "24c256", "--write", "a", "--verify", "b"],
                     ["--chip", "24c256", "--offset", "12q"]):
            with self.subTest(args=args):
                p = e.run(DUMP, "-b", self.bus, *args)
                self.assertEqual(p.returncode, 2, p.stderr.decode())
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c999")
        self.assertIn("24c256", p.stderr.decode())  # lists valid names

    def test_list_chips(self):
        p = e.run(DUMP, "--list-chips")
        self.assertEqual(p.returncode, 0)
        out = p.stdout.decode()
        for name in ("24c02", "24c256", "24cm02", "spd-ddr4"):
            self.assertIn(name, out)
        rc, doc, _ = e.run_json(DUMP, "--list-chips")
        sizes = {c["name"]: c["size"] for c in doc["chips"]}
        self.assertEqual(sizes["24c256"], 32768)
        self.assertEqual(sizes["24c02"], 256)

    def test_absent_chip_exit_3(self):
        p = e.run(DUMP, "-b", self.bus, "-a", "0x57", "--chip", "24c256")
        self.assertEqual(p.returncode, 3)

    # --- verify ---

    def test_verify(self):
        same = self.w.put("same.bin", self.orig[0x200:0x300])
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--offset", "0x200", "--verify",
                  same)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        bad = bytearray(self.orig[0x200:0x300])
        bad[0x10] ^= 1
        badf = self.w.put("bad.bin", bad)
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--offset", "0x200", "--verify",
                  badf)
        self.assertEqual(p.returncode, 1)
        self.assertIn("0x0210", p.stdout.decode())
        rc, doc, _ = e.run_json(DUMP, "-b", self.bus, "--chip", "24c256", "--offset", "0x200",
                                "--verify", badf)
        self.assertEqual(rc, 1)
        self.assertEqual(doc["ranges"], [{"first": 0x210, "last": 0x210, "bytes": 1}])

    # --- writing ---

    def test_write_changed_pages_backup_and_restore(self):
        new = bytearray(self.orig[:4096])
        new[5] ^= 0xFF          # page 0 (64-byte pages)
        new[64 * 10 + 3] ^= 1   # page 10
        newf = self.w.put("new.bin", new)
        rc, doc, err = e.run_json(DUMP, "-b", self.bus, "--chip", "24c256", "--write", newf,
                                  "--yes", cwd=self.w.path)
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(doc["pages_written"]), [0, 640])
        self.assertEqual(doc["bus_stats"]["write_cycles"], 2)
        self.assertTrue(doc["verified"])
        now = e.read_bytes(self.chip)
        self.assertEqual(now[:4096], bytes(new))
        self.assertEqual(now[4096:], self.orig[4096:])
        backup = self.w.file(doc["backup"])
        self.assertEqual(e.read_bytes(backup), self.orig[:4096])
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--write", backup, "--yes",
                  "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.chip), self.orig)

    def test_write_at_offset_with_smaller_page_size(self):
        new = bytes(range(40))
        newf = self.w.put("new.bin", new)
        rc, doc, err = e.run_json(DUMP, "-b", self.bus, "--chip", "24c256", "--page-size", "8",
                                  "--offset", "0x1004", "--write", newf, "-y", "--no-backup")
        self.assertEqual(rc, 0, err)
        now = e.read_bytes(self.chip)
        self.assertEqual(now[0x1004:0x1004 + 40], new)
        self.assertEqual(now[:0x1004], self.orig[:0x1004])
        self.assertEqual(now[0x1004 + 40:], self.orig[0x1004 + 40:])
        # Writes start at the offset, then at each 8-byte page boundary.
        self.assertEqual(doc["pages_written"][0], 0x1004)
        self.assertTrue(all(p % 8 == 0 and 0x1004 < p < 0x1004 + 40
                            for p in doc["pages_written"][1:]), doc["pages_written"])

    def test_write_refusals(self):
        newf = self.w.put("new.bin", b"\x00" * 64)
        # No confirmation without a terminal.
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--write", newf, cwd=self.w.path)
        self.assertEqual(p.returncode, 4)
        self.untouched()
        # Outside 0x50-0x57 there are no 24xx EEPROMs: refused before anything is sent.
        for addr in ("0x48", "0x30", "0x58"):
            p = e.run(DUMP, "-b", "emu:", "-a", addr, "--chip", "24c256", "--write", newf,
                      "--yes", cwd=self.w.path)
            self.assertEqual(p.returncode, 2)
            self.assertIn("0x50-0x57", p.stderr.decode())
        # Too large for the chip.
        big = self.w.put("big.bin", b"\x00" * 300)
        c02 = self.w.put("c02.bin", pattern(256))
        p = e.run(DUMP, "-b", f"emu:24c02@0x50={c02}", "--chip", "24c02", "--write", big,
                  "--yes")
        self.assertIn(p.returncode, (2, 3))
        self.assertEqual(e.read_bytes(c02), pattern(256))
        self.untouched()

    def test_write_dry_run_and_nothing_to_do(self):
        new = bytearray(self.orig[:128])
        new[100] ^= 1
        newf = self.w.put("new.bin", new)
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--write", newf, "--dry-run",
                  cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("dry run", p.stdout.decode())
        self.assertIn("0x0064", p.stdout.decode())
        self.untouched()
        same = self.w.put("same.bin", self.orig[:128])
        rc, doc, err = e.run_json(DUMP, "-b", self.bus, "--chip", "24c256", "--write", same,
                                  "--yes", cwd=self.w.path)
        self.assertEqual(rc, 0, err)
        self.assertFalse(doc["written"])
        self.untouched()

    def test_write_prompt(self):
        new = bytearray(self.orig[:64])
        new[0] ^= 1
        newf = self.w.put("new.bin", new)
        rc, shown = e.run_pty(DUMP, "-b", self.bus, "--chip", "24c256", "--write", newf,
                              answer="n", cwd=self.w.path)
        self.assertEqual(rc, 4, shown)
        self.untouched()
        rc, shown = e.run_pty(DUMP, "-b", self.bus, "--chip", "24c256", "--write", newf,
                              answer="y", cwd=self.w.path)
        self.assertEqual(rc, 0, shown)
        self.assertEqual(e.read_bytes(self.chip)[:64], bytes(new))

    def test_detect_page_size_needs_yes(self):
        p = e.run(DUMP, "-b", self.bus, "--chip", "24c256", "--detect-page-size")
        self.assertEqual(p.returncode, 4)
        self.assertIn("--yes", p.stderr.decode())
        self.untouched()
        rc, doc, err = e.run_json(DUMP, "-b", self.bus, "--chip", "24c256", "--detect-page-size",
                                  "--yes")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["detected_page_size"], 64)  # the emulated 24c256's page
        self.assertEqual(e.read_bytes(self.chip), self.orig)  # restored


if __name__ == "__main__":
    e.main()
