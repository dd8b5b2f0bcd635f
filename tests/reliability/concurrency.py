#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Two spd-prog processes writing one module at the same time (Python 3 stdlib only).

They must serialise on the bus lock (include/ddrspd/open.hpp): both succeed one after the
other, or the one that waited too long says which lock file and which pid held it (exit 3),
and the module ends up equal to one of the two targets and verifies.

- emulated bus: both processes open the same image file (emu:ddr4@0x50=FILE), whose lock is
  DDRSPD_LOCK_DIR/ddrspd-emu-NAME-HASH.lock;
- fake /dev/i2c-1 (tests/fake-i2c): one fake-i2c-run serves both processes (children of one
  shell), which take DDRSPD_LOCK_DIR/ddrspd-i2c-1.lock; skipped without umockdev;
- a holder that keeps the lock (a write waiting at its confirmation prompt on a terminal)
  makes the other process give up after the lock timeout with a message naming the lock file
  and the holder's pid.
"""

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import prog_e2e as e2e  # noqa: E402

ROUNDS = 6


def variant(img, tag):
    """A valid DDR4 image differing from img outside the CRC-covered bytes (320-511)."""
    out = bytearray(img)
    for i in range(320, 512, 7):
        out[i] = (out[i] + tag * 31 + i) & 0xFF
    return bytes(out)


class Concurrency(unittest.TestCase):
    def setUp(self):
        self.w = e2e.Workdir()
        self.addCleanup(self.w.cleanup)
        self.prog = e2e.tool("spd-prog")
        self.base = e2e.read_bytes(e2e.sample("ddr4"))
        self.targets = [self.w.put(f"target{i}.bin", variant(self.base, i + 1))
                        for i in range(2)]
        self.lockdir = self.w.file("locks")
        os.mkdir(self.lockdir)
        self.env = dict(os.environ, DDRSPD_LOCK_DIR=self.lockdir)

    def spawn(self, bus, target, backup):
        return subprocess.Popen([self.prog, "-b", bus, "write", target, "--yes",
                                 "--backup", backup],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env)

    def check_outcome(self, results, module_bytes, verify):
        wanted = [e2e.read_bytes(t) for t in self.targets]
        for code, err in results:
            self.assertNotIn("terminate called", err)
            if code != 0:
                # The only acceptable failure: the lock, named with its holder.
                self.assertEqual(code, 3, err)
                self.assertRegex(err, r"lock", err)
                self.assertRegex(err, r"ddrspd-.*\.lock", err)
                self.assertRegex(err, r"pid \d+", err)
        self.assertTrue(any(code == 0 for code, _ in results), results)
        self.assertIn(module_bytes, wanted, "module equals neither target")
        self.assertEqual(verify(wanted.index(module_bytes)), 0)

    def test_emulated_same_image(self):
        module = self.w.copy(e2e.sample("ddr4"), "module.bin")
        bus = f"emu:ddr4@0x50={module}"
        for round_ in range(ROUNDS):
            procs = [self.spawn(bus, self.targets[i], self.w.file(f"b{round_}-{i}.bin"))
                     for i in (0, 1)]
            results = []
            for p in procs:
                out, err = p.communicate(timeout=60)
                results.append((p.returncode, err.decode(errors="replace")))
            with self.subTest(round=round_):
                self.check_outcome(results, e2e.read_bytes(module), lambda i: e2e.run(
                    self.prog, "-b", bus, "verify", self.targets[i], env=self.env).returncode)
                # Each backup is the module as that process found it: the original or a target.
                allowed = [self.base if round_ == 0 else None] + \
                    [e2e.read_bytes(t) for t in self.targets]
                for i in (0, 1):
                    b = self.w.file(f"b{round_}-{i}.bin")
                    if os.path.exists(b):
                        self.assertIn(e2e.read_bytes(b), allowed)
        self.assertEqual(os.listdir(self.lockdir), [], "lock files left behind")

    def test_lock_held_reports_file_and_pid(self):
        module = self.w.copy(e2e.sample("ddr4"), "module.bin")
        bus = f"emu:ddr4@0x50={module}"
        # Holder: a write waiting at its [y/N] prompt on a terminal, bus open and locked.
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["DDRSPD_LOCK_DIR"] = self.lockdir
            os.execv(self.prog, [self.prog, "-b", bus, "write", self.targets[0],
                                 "--backup", self.w.file("holder.bak")])
        try:
            seen = b""
            deadline = time.monotonic() + 30
            while b"[y/N]" not in seen and time.monotonic() < deadline:
                r, _, _ = select.select([fd], [], [], 0.5)
                if r:
                    try:
                        seen += os.read(fd, 4096)
                    except OSError:
                        break
            self.assertIn(b"[y/N]", seen, seen.decode(errors="replace"))
            t0 = time.monotonic()
            p = e2e.run(self.prog, "-b", bus, "write", self.targets[1], "--yes",
                        "--backup", self.w.file("waiter.bak"), env=self.env, timeout=60)
            waited = time.monotonic() - t0
            err = p.stderr.decode(errors="replace")
            self.assertEqual(p.returncode, 3, err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIn(self.lockdir, err)
            self.assertRegex(err, rf"pid {pid}\b")
            self.assertGreater(waited, 5, "gave up before the lock timeout")
            self.assertEqual(e2e.read_bytes(module), self.base, "the waiter wrote")
            self.assertFalse(os.path.exists(self.w.file("waiter.bak")))
            os.write(fd, b"y\n")
            _, status = os.waitpid(pid, 0)
            pid = 0
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
            self.assertEqual(e2e.read_bytes(module), e2e.read_bytes(self.targets[0]))
        finally:
            if pid:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            os.close(fd)

    def test_fake_i2c_dev_same_bus(self):
        run = os.path.join(e2e.build_dir(), "tests", "fake-i2c", "fake-i2c-run")
        if not os.access(run, os.X_OK):
            self.skipTest("fake-i2c-run is not built")
        module = self.w.copy(e2e.sample("ddr4"), "module.bin")
        script = (f"'{self.prog}' -b 1 write '{self.targets[0]}' --yes --backup "
                  f"'{self.w.file('f0.bak')}' 2>'{self.w.file('f0.err')}' & "
                  f"'{self.prog}' -b 1 write '{self.targets[1]}' --yes --backup "
                  f"'{self.w.file('f1.bak')}' 2>'{self.w.file('f1.err')}'; r1=$?; "
                  f"wait $!; r0=$?; echo $r0 $r1")
        p = subprocess.run([run, "--bus", "1", "--emu", f"emu:ddr4@0x50={module}", "--",
                            "sh", "-c", script], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                           timeout=120)
        if p.returncode == 77:
            self.skipTest("umockdev preload library unavailable: "
                          + p.stderr.decode(errors="replace").strip())
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        codes = [int(x) for x in p.stdout.split()[-2:]]
        results = [(codes[i], e2e.read_bytes(self.w.file(f"f{i}.err")).decode(errors="replace"))
                   for i in (0, 1)]
        self.check_outcome(results, e2e.read_bytes(module), lambda i: e2e.run(
            self.prog, "-b", f"emu:ddr4@0x50={module}", "verify", self.targets[i],
            env=self.env).returncode)
        self.assertFalse([f for f in os.listdir(self.lockdir) if f.startswith("ddrspd-i2c")],
                         "i2c lock file left behind")


if __name__ == "__main__":
    unittest.main(verbosity=2)
