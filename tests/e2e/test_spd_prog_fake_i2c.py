#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-prog and eeprom-dump through the Linux backend: a fake /dev/i2c-N (umockdev,
tests/fake-i2c/fake-i2c-run) with an emulated DDR4 module or 24xx chip behind it, driven
exactly as on a Raspberry Pi ("--bus N"). Exit 77 when umockdev is not available."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prog_e2e as e  # noqa: E402

PROG = e.tool("spd-prog")
DUMP = e.tool("eeprom-dump")
CHECK = e.tool("spd-check")
RUN = os.path.join(e.build_dir(), "tests", "fake-i2c", "fake-i2c-run")
BUS = 7
# The fake adapter keeps the emulator's simulated clock at least as far as wall time, but a
# long read (32 KiB at 100 kHz = 3 s simulated, a few ms of wall time) puts it far ahead, and
# ACK polling (a 25 ms wall-clock budget) then cannot see a 5 ms simulated write cycle end.
# Until the fake advances simulated time by wall-time deltas, writes through it use
# instantaneous write cycles; ACK polling itself is covered by the emulated-bus tests.
TWR = "twr_us=0,"


def fake(emu, *command, smbus=False, cwd=None):
    """Runs COMMAND with a fake /dev/i2c-BUS whose devices are `emu`."""
    args = [RUN, "--bus", str(BUS), "--emu", emu]
    if smbus:
        args.append("--smbus")
    return e.subprocess.run([*args, "--", *map(str, command)], stdin=e.subprocess.DEVNULL,
                            stdout=e.subprocess.PIPE, stderr=e.subprocess.PIPE, cwd=cwd,
                            timeout=120)


class FakeDevI2c(unittest.TestCase):
    def setUp(self):
        self.w = e.Workdir()
        os.environ["DDRSPD_LOCK_DIR"] = self.w.path
        self.mod = self.w.copy(e.sample("ddr4"), "mod.bin")
        self.orig = e.read_bytes(self.mod)
        self.emu = f"emu:{TWR}ddr4@0x50={self.mod}"

    def tearDown(self):
        self.w.cleanup()

    def test_detect(self):
        p = fake(self.emu, PROG, "-b", BUS, "--json", "detect")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        doc = json.loads(p.stdout)
        self.assertIn(f"/dev/i2c-{BUS}", doc["bus"])
        self.assertEqual([m["addr"] for m in doc["modules"]], ["0x50"])
        self.assertEqual(doc["modules"][0]["type"], "DDR4")
        self.assertTrue(doc["modules"][0]["crc_ok"])
        self.assertNotIn("bus_stats", doc)  # a real bus keeps no statistics

    def test_read_write_verify(self):
        new = self.w.file("new.bin")
        p = e.run(CHECK, "--set", "part_number=FAKE-I2C-DEV", "-o", new, self.mod)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        read = self.w.file("read.bin")
        p = fake(self.emu, PROG, "-b", BUS, "read", "-o", read)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(read), self.orig)
        p = fake(self.emu, PROG, "-b", f"/dev/i2c-{BUS}", "write", new, "--yes",
                 cwd=self.w.path)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("verified", p.stdout.decode())
        self.assertEqual(e.read_bytes(self.mod), e.read_bytes(new))
        p = fake(self.emu, PROG, "-b", BUS, "verify", new)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        p = fake(self.emu, PROG, "-b", BUS, "verify", read)
        self.assertEqual(p.returncode, 1)
        backups = [f for f in self.w.files() if f.startswith("spd-0x50-")]
        self.assertEqual(len(backups), 1)
        self.assertEqual(e.read_bytes(self.w.file(backups[0])), self.orig)

    def test_smbus_only_adapter(self):
        p = fake(self.emu, PROG, "-b", BUS, "read", smbus=True)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, self.orig)

    def test_pipeline_in_one_session(self):
        broken = bytearray(self.orig)
        broken[127] ^= 0x40
        e.write_bytes(self.mod, broken)
        path = os.path.join(e.build_dir(), "tools")
        script = (f"PATH={path}:$PATH; spd-prog -b {BUS} read | spd-check --fix - | "
                  f"spd-prog -b {BUS} write - --yes --no-backup && spd-prog -b {BUS} verify "
                  f"{self.w.file('orig.bin')}")
        e.write_bytes(self.w.file("orig.bin"), self.orig)
        p = fake(self.emu, "sh", "-c", script)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(self.mod), self.orig)

    def test_eeprom_dump_24c256(self):
        data = bytes((i * 5 + 1) & 0xFF for i in range(32768))
        chip = self.w.put("chip.bin", data)
        p = fake(f"emu:{TWR}24c256@0x50={chip}", DUMP, "-b", BUS, "--chip", "24c256")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout, data)
        new = self.w.put("new.bin", bytes(200))
        p = fake(f"emu:{TWR}24c256@0x50={chip}", DUMP, "-b", BUS, "--chip", "24c256", "--offset",
                 "0x4000", "--write", new, "--yes", "--no-backup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(e.read_bytes(chip), data[:0x4000] + bytes(200) + data[0x4000 + 200:])


if __name__ == "__main__":
    if not os.access(RUN, os.X_OK):
        print(f"{RUN} is not built (needs -Dtests=true and umockdev-1.0 when configuring): skipped")
        sys.exit(e.SKIP)
    probe = e.subprocess.run([RUN, "--emu", "emu:", "--", "true"], stdout=e.subprocess.DEVNULL,
                             stderr=e.subprocess.DEVNULL)
    if probe.returncode == e.SKIP:
        print("umockdev cannot be preloaded here: skipped")
        sys.exit(e.SKIP)
    e.main()
