#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-prog write and fix-crc on emulated modules: diff-only page writes, verification,
backups that restore the original byte for byte, dry runs, pipelines, and every refusal
with nothing written (the emulated image files are compared before/after)."""

import glob
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prog_e2e as e  # noqa: E402

PROG = e.tool("spd-prog")
CHECK = e.tool("spd-check")


class Write(unittest.TestCase):
    def setUp(self):
        self.w = e.Workdir()
        self.src = e.sample("ddr4")
        self.mod = self.w.copy(self.src, "mod.bin")
        self.orig = e.read_bytes(self.mod)
        self.assertTrue(e.crc_ok(self.orig))
        self.bus = f"emu:ddr4@0x50={self.mod}"

    def tearDown(self):
        self.w.cleanup()

    def edited(self, name, *sets):
        """A copy of the module image changed with spd-check --set (CRCs recomputed)."""
        out = self.w.file(name)
        args = []
        for s in sets:
            args += ["--set", s]
        p = e.run(CHECK, *args, "-o", out, self.mod)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return out

    def assert_untouched(self, p, extra_files=()):
        self.assertEqual(e.read_bytes(self.mod), self.orig,
                         "the module changed although the command refused")
        leftovers = [f for f in self.w.files() if f.startswith("spd-0x")]
        self.assertEqual(leftovers, [], "a backup was made although nothing was written")

    # --- writing ---

    def test_write_changes_only_changed_pages_and_verifies(self):
        new = self.edited("new.bin", "part_number=E2E-WRITE")
        target = e.read_bytes(new)
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "write", new, "--yes", cwd=self.w.path)
        self.assertEqual(rc, 0, err)
        self.assertEqual(e.read_bytes(self.mod), target)
        self.assertTrue(doc["verified"])
        self.assertTrue(doc["written"])
        # Expected pages: the 16-byte pages where the images differ, computed here.
        pages = sorted({i // 16 * 16 for i in range(512) if self.orig[i] != target[i]})
        self.assertEqual(sorted(doc["pages_written"]), pages)
        self.assertEqual(doc["bytes_written"], 16 * len(pages))
        self.assertEqual(doc["bus_stats"]["write_cycles"], len(pages))
        self.assertLess(len(pages), 8)
        fields = {f["field"]: f for f in doc["changes"]["fields"]}
        self.assertEqual(fields["part number"]["new"], "E2E-WRITE")
        self.assertRegex(doc["backup"], r"^spd-0x50-\d{8}-\d{6}(-\d+)?\.bin$")
        self.assertEqual(e.read_bytes(self.w.file(doc["backup"])), self.orig)

    def test_write_text_report_and_statistics(self):
        new = self.edited("new.bin", "tAA=12.5")
        p = e.run(PROG, "-b", self.bus, "write", new, "-y", cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertIn("verified", out)
        self.assertRegex(out, r"tAA min \d+\.\d{3} ns -> 12\.500 ns")
        self.assertRegex(out, r"0x0[0-9a-f]{2}")
        self.assertRegex(err, r"bus statistics: \d+ transactions, \d+ bytes on the wire, "
                              r"\d+ write cycles, [\d.]+ ms simulated bus time")
        self.assertIn("backup", err)

    def test_backup_restores_original_byte_for_byte(self):
        new = self.edited("new.bin", "part_number=RESTORE-ME", "serial=0x01020304")
        backup = self.w.file("my-backup.bin")
        p = e.run(PROG, "-b", self.bus, "write", new, "--yes", "--backup", backup)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(backup), self.orig)
        self.assertNotEqual(e.read_bytes(self.mod), self.orig)
        p = e.run(PROG, "-b", self.bus, "write", backup, "--yes", "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), self.orig)

    def test_default_backups_do_not_overwrite_each_other(self):
        a = self.edited("a.bin", "part_number=AAAA")
        b = self.edited("b.bin", "part_number=BBBB")
        for f in (a, b):
            p = e.run(PROG, "-b", self.bus, "write", f, "--yes", cwd=self.w.path)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        backups = sorted(glob.glob(self.w.file("spd-0x50-*.bin")))
        self.assertEqual(len(backups), 2)
        contents = {e.read_bytes(x) for x in backups}
        self.assertEqual(contents, {self.orig, e.read_bytes(a)})

    def test_no_backup_makes_no_file(self):
        new = self.edited("new.bin", "part_number=NOBACKUP")
        p = e.run(PROG, "-b", self.bus, "write", new, "--yes", "--no-backup", cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual([f for f in self.w.files() if f.startswith("spd-")], [])
        p = e.run(PROG, "-b", self.bus, "write", new, "--yes", "--no-backup", "--backup", "x")
        self.assertEqual(p.returncode, 2)

    def test_nothing_to_write(self):
        same = self.w.copy(self.src, "same.bin")
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "write", same, "--yes", cwd=self.w.path)
        self.assertEqual(rc, 0, err)
        self.assertFalse(doc["written"])
        self.assertEqual(doc["bus_stats"]["write_cycles"], 0)
        self.assert_untouched(None)

    def test_dry_run_touches_nothing(self):
        new = self.edited("new.bin", "part_number=DRYRUN")
        p = e.run(PROG, "-b", self.bus, "write", new, "--dry-run", cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        out = p.stdout.decode()
        self.assertIn("dry run", out)
        self.assertIn("part number", out)
        self.assertRegex(out, r"\d+ pages? \(\d+ bytes\)")
        self.assert_untouched(p)
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "write", new, "--dry-run",
                                  cwd=self.w.path)
        self.assertEqual(rc, 0, err)
        self.assertTrue(doc["dry_run"])
        self.assertFalse(doc["written"])
        self.assertGreater(len(doc["pages"]), 0)
        self.assertEqual(doc["bus_stats"]["write_cycles"], 0)
        self.assert_untouched(None)

    def test_pipeline_read_fix_write(self):
        # A module whose block-1 CRC is wrong, repaired through a pipeline.
        broken = bytearray(self.orig)
        broken[254] ^= 0x5A
        e.write_bytes(self.mod, broken)
        p = e.shell(f"spd-prog -b '{self.bus}' read | spd-check --fix - | "
                    f"spd-prog -b '{self.bus}' write - --yes", cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), self.orig)
        backups = glob.glob(self.w.file("spd-0x50-*.bin"))
        self.assertEqual(len(backups), 1)
        self.assertEqual(e.read_bytes(backups[0]), bytes(broken))

    def test_stdin_image(self):
        new = e.read_bytes(self.edited("new.bin", "part_number=FROM-STDIN"))
        p = e.run(PROG, "-b", self.bus, "write", "-", "--yes", "--no-backup", input_bytes=new)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), new)

    def test_write_ddr3(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        orig = e.read_bytes(ddr3)
        new = self.w.file("ddr3-new.bin")
        p = e.run(CHECK, "--set", "part_number=DDR3-E2E", "-o", new, ddr3)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr3@0x51={ddr3}", "-a", "0x51", "write",
                                  new, "--yes", "--no-backup")
        self.assertEqual(rc, 0, err)
        self.assertEqual(e.read_bytes(ddr3), e.read_bytes(new))
        self.assertNotEqual(orig, e.read_bytes(new))

    def test_global_options_after_write(self):
        new = self.edited("new.bin", "part_number=AFTER")
        p = e.run(PROG, "write", new, "-b", self.bus, "--yes", "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), e.read_bytes(new))

    def test_smbus_adapter_write(self):
        new = self.edited("new.bin", "part_number=SMBUS")
        p = e.run(PROG, "-b", f"emu:smbus=1,ddr4@0x50={self.mod}", "write", new, "--yes",
                  "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), e.read_bytes(new))

    # --- refusals: exit 4, nothing written, no backup ---

    def test_refuses_without_confirmation_when_not_a_terminal(self):
        new = self.edited("new.bin", "part_number=NOCONFIRM")
        p = e.run(PROG, "-b", self.bus, "write", new, cwd=self.w.path)
        self.assertEqual(p.returncode, 4)
        self.assertIn("--yes", p.stderr.decode())
        self.assert_untouched(p)

    def test_refuses_wrong_memory_type(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        for extra in ([], ["--force"], ["--fix-crc"]):
            with self.subTest(extra=extra):
                p = e.run(PROG, "-b", self.bus, "write", ddr3, "--yes", *extra, cwd=self.w.path)
                self.assertEqual(p.returncode, 4)
                self.assertIn("DDR3", p.stderr.decode())
                self.assert_untouched(p)

    def test_refuses_wrong_size(self):
        short = self.w.put("short.bin", self.orig[:256])
        p = e.run(PROG, "-b", self.bus, "write", short, "--yes", "--force", cwd=self.w.path)
        self.assertEqual(p.returncode, 4)
        self.assertIn("256", p.stderr.decode())
        self.assert_untouched(p)

    def test_refuses_bad_crc_unless_fixed_or_forced(self):
        bad = bytearray(e.read_bytes(self.edited("new.bin", "part_number=BADCRC")))
        bad[126] ^= 0xFF  # base CRC LSB
        badf = self.w.put("bad.bin", bad)
        p = e.run(PROG, "-b", self.bus, "write", badf, "--yes", cwd=self.w.path)
        self.assertEqual(p.returncode, 4)
        err = p.stderr.decode()
        self.assertIn("CRC", err)
        self.assertIn("--fix-crc", err)
        self.assert_untouched(p)
        # --dry-run refuses the same way.
        p = e.run(PROG, "-b", self.bus, "write", badf, "--dry-run", cwd=self.w.path)
        self.assertEqual(p.returncode, 4)
        self.assert_untouched(p)
        # --fix-crc repairs it first: what lands on the module has correct CRCs.
        p = e.run(PROG, "-b", self.bus, "write", badf, "--yes", "--fix-crc", "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        now = e.read_bytes(self.mod)
        self.assertTrue(e.crc_ok(now))
        self.assertEqual(now[:126], bytes(bad[:126]))
        # --force writes it as it is, saying what it overrides.
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "write", badf, "--yes", "--force",
                                  "--no-backup")
        self.assertEqual(rc, 0, err)
        self.assertEqual(e.read_bytes(self.mod), bytes(bad))
        self.assertIn("--force", err)
        self.assertIn("CRC", err)
        self.assertTrue(doc["overridden"])

    def test_refuses_protected_block(self):
        new = self.edited("new.bin", "part_number=PROTECTED")  # bytes 329-348: block 2
        bus = f"emu:ddr4@0x50={self.mod},wp=0x50:2"
        p = e.run(PROG, "-b", bus, "write", new, "--yes", cwd=self.w.path)
        self.assertEqual(p.returncode, 4, p.stderr.decode())
        err = p.stderr.decode()
        self.assertIn("block 2", err)
        self.assertIn("256-383", err)
        self.assert_untouched(p)
        # Protecting other blocks does not prevent the write (the DDR4 part number lies
        # outside the CRC-covered blocks, so only block 2 changes).
        bus = f"emu:ddr4@0x50={self.mod},wp=0x50:0+3"
        p = e.run(PROG, "-b", bus, "write", new, "--yes", "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), e.read_bytes(new))

    def test_refuses_mixed_ddr3_ddr4_bus(self):
        ddr3 = self.w.copy(e.sample("ddr3"), "ddr3.bin")
        ddr3_orig = e.read_bytes(ddr3)
        new = self.edited("new.bin", "part_number=MIXED")
        p = e.run(PROG, "-b", f"emu:ddr4@0x50={self.mod},ddr3@0x56={ddr3}", "write", new,
                  "--yes", cwd=self.w.path)
        self.assertEqual(p.returncode, 4, p.stderr.decode())
        self.assert_untouched(p)
        self.assertEqual(e.read_bytes(ddr3), ddr3_orig)
        self.assertFalse(os.path.exists(ddr3 + ".pswp"))

    def test_refuses_blank_module_of_unknown_type(self):
        # A blank EEPROM (all 0xFF) does not say whether it is a DDR3 or DDR4 SPD.
        blank = self.w.file("blank.bin")
        p = e.run(PROG, "-b", f"emu:ddr4@0x50={blank}", "write", self.mod, "--yes",
                  cwd=self.w.path)
        self.assertEqual(p.returncode, 4, p.stderr.decode())
        self.assertIn("DDR3 or DDR4", p.stderr.decode())
        self.assertFalse(os.path.exists(blank))  # never written back: nothing changed
        self.assert_untouched(p)

    def test_blank_module_written_with_type(self):
        # Restoring a backup onto a blank (all 0xFF) DDR4 SPD: the user names the type.
        blank = self.w.file("blank4.bin")
        p = e.run(PROG, "-b", f"emu:ddr4@0x50={blank}", "write", self.mod, "--yes",
                  "--type", "ddr4", "--backup", self.w.file("b.bin"), cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(blank), self.orig)
        self.assertEqual(e.read_bytes(self.w.file("b.bin")), b"\xff" * 512)
        # DDR3 the same way, through 0x50-0x57 only.
        blank3 = self.w.file("blank3.bin")
        ddr3 = e.sample("ddr3")
        rc, doc, err = e.run_json(PROG, "-b", f"emu:ddr3@0x51={blank3}", "-a", "0x51", "write",
                                  ddr3, "--yes", "--no-backup", "--type", "ddr3")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["type_asserted"], "ddr3")
        self.assertEqual(e.read_bytes(blank3), e.read_bytes(ddr3))

    def test_type_refused_when_contradicted_or_unconfirmed(self):
        # The module's contents say DDR4: --type ddr3 is refused, nothing written.
        p = e.run(PROG, "-b", self.bus, "write", e.sample("ddr3"), "--yes", "--type", "ddr3",
                  cwd=self.w.path)
        self.assertEqual(p.returncode, 4, p.stderr.decode())
        self.assertIn("not DDR3 as asserted", p.stderr.decode())
        self.assert_untouched(p)
        # A blank chip that answers no RPA (an EE1002) is not taken for DDR4.
        blank = self.w.file("blank-ee1002.bin")
        p = e.run(PROG, "-b", f"emu:ddr3@0x50={blank}", "write", self.mod, "--yes",
                  "--type", "ddr4", cwd=self.w.path)
        self.assertEqual(p.returncode, 4, p.stderr.decode())
        self.assertIn("RPA", p.stderr.decode())
        self.assertFalse(os.path.exists(blank))
        p = e.run(PROG, "-b", self.bus, "write", self.mod, "--type", "ddr5", "--yes")
        self.assertEqual(p.returncode, 2, p.stderr.decode())

    def test_unreadable_image_exit_3(self):
        p = e.run(PROG, "-b", self.bus, "write", self.w.file("none.bin"), "--yes")
        self.assertEqual(p.returncode, 3)
        garbage = self.w.put("garbage.txt", b"this is not a dump\n")
        p = e.run(PROG, "-b", self.bus, "write", garbage, "--yes", cwd=self.w.path)
        self.assertEqual(p.returncode, 3)
        self.assert_untouched(p)

    def test_bus_failure_during_write_exit_3_backup_kept(self):
        new = self.edited("new.bin", "part_number=VANISH", "serial=0x0BADBEEF")
        # Transfers before the write starts: what a dry run does.
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "write", new, "--dry-run")
        self.assertEqual(rc, 0, err)
        before = doc["bus_stats"]["transactions"]
        # The module disappears (NACKs everything) a few transfers into the write.
        bus = f"fault:vanish_nth={before + 3},vanish_addr=0x50:emu:ddr4@0x50={self.mod}"
        rc, doc, err = e.run_json(PROG, "-b", bus, "write", new, "--yes", cwd=self.w.path)
        self.assertEqual(rc, 3, err)
        self.assertIn("error", doc)
        backups = glob.glob(self.w.file("spd-0x50-*.bin"))
        self.assertEqual(len(backups), 1)
        self.assertEqual(e.read_bytes(backups[0]), self.orig)
        # The backup brings the module back.
        p = e.run(PROG, "-b", self.bus, "write", backups[0], "--yes", "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), self.orig)

    # --- fix-crc ---

    def test_fix_crc_writes_only_crc_pages(self):
        broken = bytearray(self.orig)
        broken[126] ^= 0x11
        broken[255] ^= 0x22
        e.write_bytes(self.mod, broken)
        rc, doc, err = e.run_json(PROG, "-b", self.bus, "fix-crc", "--yes", cwd=self.w.path)
        self.assertEqual(rc, 0, err)
        self.assertEqual(e.read_bytes(self.mod), self.orig)
        self.assertEqual(sorted(doc["pages_written"]), [0x70, 0xF0])
        self.assertEqual(doc["bus_stats"]["write_cycles"], 2)
        self.assertEqual(doc["crc_fixed"], 2)
        self.assertTrue(doc["verified"])
        self.assertEqual(e.read_bytes(self.w.file(doc["backup"])), bytes(broken))

    def test_fix_crc_nothing_to_do(self):
        p = e.run(PROG, "-b", self.bus, "fix-crc", "--yes", cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("already correct", p.stdout.decode())
        self.assert_untouched(p)

    def test_fix_crc_dry_run_and_confirmation(self):
        broken = bytearray(self.orig)
        broken[127] ^= 0x01
        e.write_bytes(self.mod, broken)
        p = e.run(PROG, "-b", self.bus, "fix-crc", "--dry-run", cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("0x070", p.stdout.decode())
        self.assertEqual(e.read_bytes(self.mod), bytes(broken))
        p = e.run(PROG, "-b", self.bus, "fix-crc", cwd=self.w.path)
        self.assertEqual(p.returncode, 4)
        self.assertEqual(e.read_bytes(self.mod), bytes(broken))


if __name__ == "__main__":
    e.main()
