# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared helpers for the spd-prog and eeprom-dump end-to-end tests (Python 3 stdlib only).

The tests drive the built binaries as a user would, on emulated buses ("emu:ddr4@0x50=FILE"):
the module's contents live in a copy of a dumps/ image inside a temporary directory, so what
a command did to the "hardware" is checked by reading that file back. dumps/ is never
modified. JSON output is parsed with the json module; prompts are answered through a
pseudo-terminal (pty).
"""

import binascii
import glob
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SKIP = 77


def build_dir():
    build = os.environ.get("DDRSPD_BUILD_DIR")
    if not build:
        print("DDRSPD_BUILD_DIR is not set (run through meson test)", file=sys.stderr)
        sys.exit(SKIP)
    return build


def tool(name):
    path = os.path.join(build_dir(), "tools", name)
    if not os.access(path, os.X_OK):
        print(f"{path} is not built", file=sys.stderr)
        sys.exit(1)
    return path


def dumps_dir():
    d = os.environ.get("DDRSPD_DUMPS") or os.path.join(
        os.environ.get("DDRSPD_SOURCE_DIR", "."), "dumps")
    return d


def sample(kind):
    """Path of a committed sample image: kind 'ddr4' or 'ddr3' (dumps/<kind>-*.bin)."""
    preferred = {"ddr4": "ddr4-udimm-2666-16g.bin"}
    d = dumps_dir()
    if kind in preferred and os.path.exists(os.path.join(d, preferred[kind])):
        return os.path.join(d, preferred[kind])
    found = sorted(glob.glob(os.path.join(d, f"{kind}-*.bin")))
    if not found:
        raise AssertionError(f"no {kind} sample image in {d} (dumps/{kind}-*.bin)")
    return found[0]


def crc16(data):
    return binascii.crc_hqx(bytes(data), 0)


def crc_ok(img):
    """JEDEC CRCs of a DDR3/DDR4 image, computed here independently of libddrspd."""
    img = bytes(img)
    if img[2] == 0x0C:  # DDR4: 0-125 -> 126/127, 128-253 -> 254/255
        return (crc16(img[0:126]) == img[126] | img[127] << 8 and
                crc16(img[128:254]) == img[254] | img[255] << 8)
    if img[2] == 0x0B:  # DDR3: byte 0 bit 7 selects 0-116 or 0-125
        last = 116 if img[0] & 0x80 else 125
        return crc16(img[0:last + 1]) == img[126] | img[127] << 8
    raise AssertionError(f"not a DDR3/DDR4 image (byte 2 = {img[2]:#x})")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(bytes(data))


class Workdir:
    """A temporary directory holding module images; emu() builds bus specs over them."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="ddrspd-prog-")
        self.path = self._tmp.name

    def cleanup(self):
        self._tmp.cleanup()

    def file(self, name):
        return os.path.join(self.path, name)

    def copy(self, src, name):
        dst = self.file(name)
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o644)
        return dst

    def put(self, name, data):
        dst = self.file(name)
        write_bytes(dst, data)
        return dst

    def files(self):
        return sorted(os.listdir(self.path))


def run(exe, *args, input_bytes=None, cwd=None, env=None, timeout=120):
    """Runs a tool; returns CompletedProcess (bytes stdout/stderr). stdin is /dev/null unless
    input_bytes is given, so nothing ever waits for a terminal."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([exe, *map(str, args)], input=input_bytes,
                          stdin=None if input_bytes is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                          env=full_env, timeout=timeout)


def run_json(exe, *args, **kw):
    """Runs EXE --json ...; returns (exit code, parsed document, stderr text)."""
    p = run(exe, "--json", *args, **kw)
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        raise AssertionError(f"stdout is not one JSON document ({e}):\n{p.stdout[:2000]!r}\n"
                             f"stderr: {p.stderr.decode(errors='replace')}")
    return p.returncode, doc, p.stderr.decode(errors="replace")


def shell(command, cwd=None, timeout=120):
    """Runs a shell pipeline (sh -c) with the build's tools on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.path.join(build_dir(), "tools") + os.pathsep + env.get("PATH", "")
    return subprocess.run(["sh", "-c", command], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                          timeout=timeout)


def run_pty(exe, *args, answer=None, cwd=None, timeout=60):
    """Runs a tool with stdin, stdout and stderr on a pseudo-terminal. When the output shows
    '[y/N]', sends `answer` + newline (answer None: never answers). Returns (exit code,
    everything the terminal showed, as text)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            if cwd:
                os.chdir(cwd)
            os.execv(exe, [exe, *map(str, args)])
        finally:
            os._exit(127)
    out = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                raise AssertionError(f"timeout; terminal showed:\n{out.decode(errors='replace')}")
            if not select.select([fd], [], [], 0.1)[0]:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child is gone and the terminal closed
                break
            if not chunk:
                break
            out += chunk
            if not answered and answer is not None and b"[y/N]" in out:
                os.write(fd, answer.encode() + b"\n")
                answered = True
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def main():
    """unittest main that exits 0/1 (meson reads the status)."""
    unittest.main(verbosity=2)
