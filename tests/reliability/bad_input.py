#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad input as a user meets it: a table of commands for spd-prog, eeprom-dump and spd-check
(Python 3 stdlib only).

Every row runs one command and asserts:
- the documented exit status (see each tool's --help "Exit status");
- one error line on stderr naming the culprit (file, bus, address or option);
- no crash: no signal, no "terminate called", no sanitizer or assertion report;
- for commands that could write: the emulated module's image is unchanged, byte for byte.

Rows needing a fake /dev/i2c-N (permission denied, EBUSY, absent module) go through
tests/fake-i2c/fake-i2c-run and are skipped without umockdev; rows about file permissions
run the tool as user nobody (setpriv) because root ignores them.
"""

import os
import pty
import select
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import prog_e2e as e2e  # noqa: E402

USAGE, FAILED, IO, REFUSED = 2, 1, 3, 4


class Env:
    """Files a row may refer to, in a fresh directory: {ddr4}, {ddr3}, {mod4}, {mod3}
    (module images behind the emulated buses), {eep} (a 24c32's image), {dir}, {missing},
    {empty}, {big}, {garbage}, {halfhex}, {trunc}, {badcrc}, {hex4}, {secret} (mode 000)."""

    def __init__(self):
        self.w = e2e.Workdir()
        p = self.w.path
        ddr4 = e2e.read_bytes(e2e.sample("ddr4"))
        ddr3 = e2e.read_bytes(e2e.sample("ddr3"))
        other4 = bytearray(ddr4)
        other4[400] ^= 0xFF  # outside the CRC-covered bytes: still a valid image
        self.vars = {"dir": p, "missing": f"{p}/missing.bin", "subdir": f"{p}/sub",
                     "ddr4": self.w.put("ddr4.bin", ddr4), "ddr3": self.w.put("ddr3.bin", ddr3),
                     "other4": self.w.put("other4.bin", other4),
                     "mod4": self.w.put("mod4.bin", bytes(b ^ 0 for b in ddr4)),
                     "mod3": self.w.put("mod3.bin", ddr3),
                     "eep": self.w.put("eep.bin", bytes(range(256)) * 16),
                     "empty": self.w.put("empty.bin", b""),
                     "big": self.w.put("big.bin", ddr4 * 8 + b"\x00"),
                     "garbage": self.w.put("garbage.txt", b"this is not an SPD dump\n\x01\x02"),
                     "trunc": self.w.put("trunc.bin", ddr4[:300]),
                     "secret": self.w.put("secret.bin", ddr4)}
        os.mkdir(self.vars["subdir"])
        os.chmod(self.vars["secret"], 0)
        bad = bytearray(ddr4)
        bad[126] ^= 0xFF
        self.vars["badcrc"] = self.w.put("badcrc.bin", bad)
        lines = ["     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef"]
        for row in range(4):
            cells = " ".join(f"{b:02x}" for b in ddr4[row * 16:row * 16 + 16])
            lines.append(f"{row * 16:02x}: {cells}")
        lines.append("40: 11 22 zz 44")
        self.vars["halfhex"] = self.w.put("halfhex.txt", ("\n".join(lines) + "\n").encode())
        self.vars["bus4"] = f"emu:ddr4@0x50={self.vars['mod4']}"
        self.vars["bus3"] = f"emu:ddr3@0x50={self.vars['mod3']}"
        self.vars["buseep"] = f"emu:24c32@0x50={self.vars['eep']}"
        self.images = {k: e2e.read_bytes(self.vars[k]) for k in ("mod4", "mod3", "eep")}

    def fmt(self, s):
        return s.format(**self.vars)


# Each row: (name, tool, args, exit status, culprit substrings on stderr, options)
# options: stdin=bytes, pty=True (stdout on a terminal), fake=dict(fake-i2c-run options),
# nobody=True (run as user nobody), no_stderr_line=True (the verdict goes to stdout).
P, D, C = "spd-prog", "eeprom-dump", "spd-check"
ROWS = [
    # --- spd-prog: image files
    ("prog write missing file", P, "-b {bus4} write {missing} --yes", IO, ["missing.bin"], {}),
    ("prog write a directory", P, "-b {bus4} write {subdir} --yes", IO, ["sub"], {}),
    ("prog write unreadable (/proc/self/mem)", P, "-b {bus4} write /proc/self/mem --yes", IO,
     ["/proc/self/mem"], {}),
    ("prog write file without permission", P, "-b {bus4} write {secret} --yes", IO,
     ["secret.bin"], {"nobody": True}),
    ("prog write empty file", P, "-b {bus4} write {empty} --yes", IO, ["empty.bin"], {}),
    ("prog write oversized file", P, "-b {bus4} write {big} --yes", IO, ["big.bin"], {}),
    ("prog write garbage text", P, "-b {bus4} write {garbage} --yes", REFUSED, ["garbage.txt"],
     {}),
    ("prog write half-valid hex", P, "-b {bus4} write {halfhex} --yes", IO, ["halfhex.txt"], {}),
    ("prog write truncated image", P, "-b {bus4} write {trunc} --yes", REFUSED, ["trunc.bin"],
     {}),
    ("prog write bad CRC", P, "-b {bus4} write {badcrc} --yes", REFUSED, ["badcrc.bin", "CRC"],
     {}),
    ("prog write DDR3 image to DDR4", P, "-b {bus4} write {ddr3} --yes", REFUSED,
     ["ddr3.bin", "DDR3"], {}),
    ("prog write DDR4 image to DDR3", P, "-b {bus3} write {ddr4} --yes", REFUSED,
     ["ddr4.bin", "DDR4"], {}),
    ("prog write empty stdin", P, "-b {bus4} write - --yes", IO, ["stdin"],
     {"stdin": b""}),
    ("prog write no confirmation", P, "-b {bus4} write {other4}", REFUSED, ["--yes"], {}),
    ("prog verify missing file", P, "-b {bus4} verify {missing}", IO, ["missing.bin"], {}),
    ("prog read -o into missing dir", P, "-b {bus4} read -o {dir}/no/such/out.bin", IO,
     ["no/such/out.bin"], {}),
    ("prog read -o a directory", P, "-b {bus4} read -o {subdir}", IO, ["sub"], {}),
    ("prog read raw to a terminal", P, "-b {bus4} read", USAGE, ["-o"], {"pty": True}),
    # --- spd-prog: addresses, buses, options
    ("prog address out of range", P, "-b {bus4} -a 0x60 read -o {dir}/o.bin", USAGE, ["0x60"],
     {}),
    ("prog address malformed", P, "-b {bus4} -a 0xZZ read -o {dir}/o.bin", USAGE, ["0xZZ"], {}),
    ("prog slot out of range", P, "-b {bus4} -s 9 read -o {dir}/o.bin", USAGE, ["9"], {}),
    ("prog addr and slot", P, "-b {bus4} -a 0x50 -s 1 detect", USAGE, ["--slot"], {}),
    ("prog missing /dev/i2c-99", P, "-b 99 detect", IO, ["/dev/i2c-99"], {}),
    ("prog malformed emu spec", P, "-b emu:ddr9@0x50 detect", USAGE, ["ddr9"], {}),
    ("prog emu address out of range", P, "-b emu:ddr4@0x90 detect", USAGE, ["0x90"], {}),
    ("prog unknown fault option", P, "-b fault:bogus=1:{bus4} detect", USAGE, ["bogus"], {}),
    ("prog absent module", P, "-b {bus4} -a 0x52 write {ddr4} --yes", IO, ["0x52"], {}),
    ("prog backup and no-backup", P, "-b {bus4} write {ddr4} --yes --backup {dir}/b.bin "
     "--no-backup", USAGE, ["--no-backup"], {}),
    ("prog verbose and quiet", P, "-b {bus4} -v -q detect", USAGE, ["--quiet"], {}),
    ("prog unknown subcommand", P, "-b {bus4} frobnicate", USAGE, ["frobnicate"], {}),
    ("prog unknown wp subcommand", P, "-b {bus4} wp frob", USAGE, ["frob"], {}),
    ("prog wp block out of range", P, "-b {bus4} wp set 7 --vhv --yes", USAGE, ["7"], {}),
    ("prog read bad format", P, "-b {bus4} read --format png -o {dir}/o.bin", USAGE, ["png"],
     {}),
    ("prog fake: permission denied", P, "-b 1 write {ddr4} --yes", IO, ["/dev/i2c-1"],
     {"fake": ["--deny"], "nobody": True}),
    ("prog fake: address busy", P, "-b 1 write {ddr4} --yes", IO, ["0x50"],
     {"fake": ["--busy", "0x50:ee1004"]}),
    ("prog fake: absent module", P, "-b 1 -a 0x53 write {ddr4} --yes", IO, ["0x53"],
     {"fake": []}),
    # --- eeprom-dump
    ("dump unknown chip", D, "-b {buseep} --chip 24c99 -o {dir}/o.bin", USAGE, ["24c99"], {}),
    ("dump write missing file", D, "-b {buseep} --chip 24c32 --write {missing} --yes", IO,
     ["missing.bin"], {}),
    ("dump write a directory", D, "-b {buseep} --chip 24c32 --write {subdir} --yes", IO,
     ["sub"], {}),
    ("dump write empty file", D, "-b {buseep} --chip 24c32 --write {empty} --yes", IO,
     ["empty.bin"], {}),
    ("dump write larger than chip", D, "-b {buseep} --chip 24c32 --write {big} --yes", IO,
     ["big.bin"], {}),
    ("dump write past the end", D, "-b {buseep} --chip 24c32 --offset 4000 --write {ddr4} "
     "--yes", USAGE, ["ddr4.bin"], {}),
    ("dump offset malformed", D, "-b {buseep} --chip 24c32 --offset 0xZZ -o {dir}/o.bin", USAGE,
     ["0xZZ"], {}),
    ("dump offset beyond chip", D, "-b {buseep} --chip 24c32 --offset 5000 -o {dir}/o.bin",
     USAGE, ["--offset"], {}),
    ("dump write and verify", D, "-b {buseep} --chip 24c32 --write {ddr4} --verify {ddr4} "
     "--yes", USAGE, ["--verify"], {}),
    ("dump missing /dev/i2c-99", D, "-b 99 --chip 24c32 -o {dir}/o.bin", IO, ["/dev/i2c-99"],
     {}),
    ("dump address out of range", D, "-b {buseep} --chip 24c32 -a 0x80 -o {dir}/o.bin", USAGE,
     ["0x80"], {}),
    ("dump absent chip", D, "-b {buseep} --chip 24c32 -a 0x57 --write {ddr4} --yes", IO,
     ["0x57"], {}),
    ("dump raw to a terminal", D, "-b {buseep} --chip 24c32 --format raw", USAGE, ["-o"],
     {"pty": True}),
    ("dump bank without size", D, "-b {buseep} --chip 24c32 --bank 1 -o {dir}/o.bin", USAGE,
     ["--bank"], {}),
    ("dump write no confirmation", D, "-b {buseep} --chip 24c32 --write {ddr4}", REFUSED,
     ["--yes"], {}),
    ("dump write unreadable", D, "-b {buseep} --chip 24c32 --write {secret} --yes", IO,
     ["secret.bin"], {"nobody": True}),
    # --- spd-check
    ("check missing file", C, "{missing}", IO, ["missing.bin"], {}),
    ("check a directory", C, "{subdir}", IO, ["sub"], {}),
    ("check unreadable (/proc/self/mem)", C, "/proc/self/mem", IO, ["/proc/self/mem"], {}),
    ("check empty file", C, "{empty}", IO, ["empty.bin"], {}),
    ("check garbage text", C, "{garbage}", FAILED, [], {"no_stderr_line": True}),
    ("check half-valid hex", C, "{halfhex}", IO, ["halfhex.txt"], {}),
    ("check bad CRC", C, "{badcrc}", FAILED, [], {"no_stderr_line": True}),
    ("check -o and --in-place", C, "--fix -o {dir}/x.bin --in-place {badcrc}", USAGE,
     ["--in-place"], {}),
    ("check unknown --set field", C, "--set no_such_field=1 -o {dir}/x.bin {ddr4}", USAGE,
     ["no_such_field"], {}),
    ("check --fix into missing dir", C, "--fix -o {dir}/no/such/x.bin {badcrc}", IO,
     ["no/such/x.bin"], {}),
    ("check bad --format", C, "--format png {ddr4}", USAGE, ["png"], {}),
    ("check --fix garbage", C, "--fix -o {dir}/x.bin {garbage}", IO, ["garbage.txt"], {}),
]


def fake_run():
    run = os.path.join(e2e.build_dir(), "tests", "fake-i2c", "fake-i2c-run")
    return run if os.access(run, os.X_OK) else None


def run_on_pty(argv, env):
    """argv with stdout and stderr on a terminal; returns (exit code, output text)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    out = b""
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            os.kill(pid, 9)
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


class BadInput(unittest.TestCase):
    maxDiff = None


def make_test(row):
    name, tool, args, code, culprits, opts = row

    def test(self):
        env_files = Env()
        self.addCleanup(env_files.w.cleanup)
        lockdir = env_files.w.file("locks")
        os.mkdir(lockdir)
        env = {"DDRSPD_LOCK_DIR": lockdir}
        argv = [e2e.tool(tool)] + [env_files.fmt(a) for a in args.split()]
        if "fake" in opts:
            run = fake_run()
            if run is None:
                self.skipTest("fake-i2c-run is not built")
            argv = [run, "--bus", "1", "--emu", env_files.vars["bus4"], *opts["fake"],
                    "--"] + argv
        if opts.get("nobody"):
            if os.geteuid() != 0:
                if "fake" not in opts:
                    pass  # already unprivileged: permissions apply as they are
            else:
                if shutil.which("setpriv") is None:
                    self.skipTest("running as root without setpriv: permissions do not apply")
                # nobody must reach the tools and the work directory.
                os.chmod(env_files.w.path, 0o777)
                os.chmod(lockdir, 0o777)
                exe = e2e.tool(tool)
                if not nobody_can_run(exe):
                    self.skipTest(f"user nobody cannot run {exe}")
                if "fake" in opts:
                    # The launcher stays root; only the tool runs as nobody.
                    i = argv.index("--")
                    argv = argv[:i + 1] + nobody_prefix() + argv[i + 1:]
                else:
                    argv = nobody_prefix() + argv
        if opts.get("pty"):
            status, out = run_on_pty(argv, env)
            err = out
        else:
            full_env = dict(os.environ, **env)
            p = subprocess.run(argv, input=opts.get("stdin"),
                               stdin=None if "stdin" in opts else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
                               timeout=60)
            status, err = p.returncode, p.stderr.decode(errors="replace")
        if "fake" in opts and status == 77:
            self.skipTest("umockdev preload unavailable: " + err.strip())
        self.assertGreaterEqual(status, 0, f"killed by signal {-status}: {err}")
        for bad in ("terminate called", "Assertion", "Sanitizer", "Segmentation"):
            self.assertNotIn(bad, err)
        self.assertEqual(status, code, f"exit status\nstderr: {err}")
        # A usage error may add CLI11's hint line "Run with --help for more information.".
        lines = [ln for ln in err.splitlines()
                 if ln.strip() and not ln.rstrip().endswith("Run with --help for more information.")]
        if not opts.get("no_stderr_line"):
            self.assertEqual(len(lines), 1, f"expected one error line, got:\n{err}")
            for c in culprits:
                self.assertIn(env_files.fmt(c), lines[0], "culprit not named")
        for key, before in env_files.images.items():
            self.assertEqual(e2e.read_bytes(env_files.vars[key]), before,
                             f"{key} changed by a failed command")

    test.__doc__ = name
    if "known_bug" in opts:
        # Reported, not fixed here: the row documents the wanted behaviour.
        return unittest.expectedFailure(test)
    return test


_nobody_ok = {}


def nobody_prefix():
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


def nobody_can_run(exe):
    if exe not in _nobody_ok:
        p = subprocess.run(nobody_prefix() + [exe, "--version"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        _nobody_ok[exe] = p.returncode == 0
    return _nobody_ok[exe]


for i, row in enumerate(ROWS):
    slug = "".join(c if c.isalnum() else "_" for c in row[0])
    setattr(BadInput, f"test_{i:02d}_{slug}", make_test(row))


if __name__ == "__main__":
    if len(ROWS) < 40:
        raise SystemExit("bad_input: the table must have at least 40 rows")
    unittest.main(verbosity=2)
