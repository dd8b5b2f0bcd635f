# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared helpers for the spd-check end-to-end tests (Python 3 stdlib only).

The tests run the built binary exactly as a user would: files, standard input, pipes,
exit codes, JSON parsed with the json module. Images are built here byte by byte from the
JEDEC layouts (values in the comments), so the expected decode is known without asking the
code under test; CRCs come from binascii.crc_hqx (CRC-16/XMODEM, independent of libddrspd).
"""

import binascii
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

SKIP = 77


def binary():
    build = os.environ.get("DDRSPD_BUILD_DIR")
    if not build:
        print("DDRSPD_BUILD_DIR is not set (run through meson test)", file=sys.stderr)
        sys.exit(SKIP)
    path = os.path.join(build, "tools", "spd-check")
    if not os.access(path, os.X_OK):
        print(f"{path} is not built", file=sys.stderr)
        sys.exit(1)
    return path


SPD_CHECK = None


def run(*args, stdin=None, input_bytes=None, cwd=None, stdout=subprocess.PIPE):
    """Runs spd-check; returns CompletedProcess with bytes stdout/stderr."""
    global SPD_CHECK
    if SPD_CHECK is None:
        SPD_CHECK = binary()
    return subprocess.run([SPD_CHECK, *map(str, args)], input=input_bytes,
                          stdin=stdin if input_bytes is None else None,
                          stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, timeout=300)


def run_json(*args, **kw):
    """Runs spd-check --json ...; returns (exit code, parsed document, stderr text)."""
    p = run("--json", *args, **kw)
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        raise AssertionError(f"stdout is not one JSON document ({e}):\n{p.stdout[:2000]!r}")
    return p.returncode, doc, p.stderr.decode(errors="replace")


def crc16(data):
    return binascii.crc_hqx(bytes(data), 0)


def put_crc(img, first, last, at):
    c = crc16(img[first:last + 1])
    img[at] = c & 0xFF
    img[at + 1] = c >> 8
    return c


def ascii_field(text, length):
    return text.encode("ascii").ljust(length, b" ")


def ddr4_image():
    """DDR4-2400 UDIMM, 8192 MB, 1 rank, x8, CL 17; Micron; made 2015-W28; serial
    0x12345678; part number DDRSPD-E2E-DDR4. CRCs correct."""
    b = bytearray(512)
    b[0] = 0x23            # 384 bytes used, 512 total
    b[1] = 0x11            # SPD revision 1.1
    b[2] = 0x0C            # DDR4
    b[3] = 0x02            # UDIMM
    b[4] = 0x85            # 4 bank groups, 4 banks each, 8 Gb
    b[5] = 0x21            # 16 rows, 10 columns
    b[11] = 0x03           # 1.2 V operable and endurant
    b[12] = 0x01           # 1 package rank, x8
    b[13] = 0x03           # 64-bit bus, no ECC
    b[17] = 0x00           # MTB 125 ps, FTB 1 ps
    b[18], b[125] = 7, 0xD6     # tCKmin 0.875 - 0.042 = 0.833 ns (DDR4-2400)
    b[19], b[124] = 13, 0xE7    # tCKmax 1.625 - 0.025 = 1.600 ns
    b[20:24] = bytes([0xF8, 0x0F, 0x00, 0x00])  # CL 10..18
    b[24] = b[25] = b[26] = 110  # tAA = tRCD = tRP = 13.750 ns
    b[27], b[28], b[29] = 0x11, 0x00, 0x6E      # tRAS 32.000 ns, tRC 45.750 ns
    b[30:32] = (2800).to_bytes(2, "little")     # tRFC1 350 ns
    b[32:34] = (2080).to_bytes(2, "little")     # tRFC2 260 ns
    b[34:36] = (1280).to_bytes(2, "little")     # tRFC4 160 ns
    b[36], b[37] = 0x00, 168                    # tFAW 21 ns
    b[38], b[119] = 27, 0xB5    # tRRD_S 3.375 - 0.075 = 3.300 ns
    b[39], b[118] = 40, 0x9C    # tRRD_L 5.000 - 0.100 = 4.900 ns
    b[40], b[117] = 40, 0x00    # tCCD_L 5.000 ns
    b[41], b[42] = 0x00, 120    # tWR 15 ns
    b[43], b[44], b[45] = 0x00, 20, 60  # tWTR_S 2.5 ns, tWTR_L 7.5 ns
    put_crc(b, 0, 125, 126)
    b[128] = 0x11          # height
    b[129] = 0x11          # thickness 2/2 mm
    b[130] = 0x00          # raw card A
    put_crc(b, 128, 253, 254)
    b[320], b[321] = 0x80, 0x2C   # Micron Technology (bank 1, code 0x2C)
    b[322] = 0x01
    b[323], b[324] = 0x15, 0x28   # 2015, week 28 (BCD)
    b[325:329] = bytes([0x12, 0x34, 0x56, 0x78])
    b[329:349] = ascii_field("DDRSPD-E2E-DDR4", 20)
    b[350], b[351] = 0x80, 0x2C
    return b


def ddr3_image():
    """DDR3-1333 UDIMM, 4096 MB, 2 ranks, x8, CL 9; Micron; made 2014-W05; serial
    0xDEADBEEF; part number DDRSPD-E2E-DDR3. CRC over 0-116 correct."""
    b = bytearray(256)
    b[0] = 0x92            # CRC 0-116, 256 total, 176 used
    b[1] = 0x11
    b[2] = 0x0B            # DDR3
    b[3] = 0x02            # UDIMM
    b[4] = 0x03            # 8 banks, 2 Gb
    b[5] = 0x19            # 15 rows, 10 columns
    b[6] = 0x00            # 1.5 V
    b[7] = 0x09            # 2 ranks, x8
    b[8] = 0x03            # 64-bit bus
    b[9] = 0x52            # FTB 2.5 ps
    b[10], b[11] = 0x01, 0x08   # MTB 0.125 ns
    b[12] = 12             # tCKmin 1.5 ns (DDR3-1333)
    b[14], b[15] = 0x3C, 0x00   # CL 6, 7, 8, 9
    b[16] = 105            # tAA 13.125 ns
    b[17] = 120            # tWR 15 ns
    b[18] = 105            # tRCD
    b[19] = 48             # tRRD 6 ns
    b[20] = 105            # tRP
    b[21], b[22], b[23] = 0x11, 0x20, 0x89  # tRAS 36 ns, tRC 49.125 ns
    b[24], b[25] = 0x00, 0x05   # tRFC 160 ns
    b[26], b[27] = 60, 60       # tWTR, tRTP 7.5 ns
    b[28], b[29] = 0x00, 240    # tFAW 30 ns
    b[60], b[61], b[62] = 0x0F, 0x11, 0x00
    b[117], b[118] = 0x80, 0x2C   # Micron Technology
    b[119] = 0x01
    b[120], b[121] = 0x14, 0x05   # 2014, week 5
    b[122:126] = bytes([0xDE, 0xAD, 0xBE, 0xEF])
    put_crc(b, 0, 116, 126)
    b[128:146] = ascii_field("DDRSPD-E2E-DDR3", 18)
    b[148], b[149] = 0x80, 0x2C
    return b


def i2cdump_text(data):
    """The grid i2cdump prints (the header row, then one row of 16 bytes per line)."""
    lines = ["     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef"]
    for row in range(0, len(data), 16):
        chunk = data[row:row + 16]
        hexes = " ".join(f"{x:02x}" for x in chunk)
        text = "".join(chr(x) if 0x20 <= x < 0x7F else "." for x in chunk)
        lines.append(f"{row:02x}: {hexes}    {text}")
    return "\n".join(lines) + "\n"


def hexdump_c_text(data):
    """hexdump -C -v output."""
    lines = []
    for row in range(0, len(data), 16):
        chunk = data[row:row + 16]
        left = " ".join(f"{x:02x}" for x in chunk[:8])
        right = " ".join(f"{x:02x}" for x in chunk[8:])
        text = "".join(chr(x) if 0x20 <= x < 0x7F else "." for x in chunk)
        lines.append(f"{row:08x}  {left}  {right}  |{text}|")
    lines.append(f"{len(data):08x}")
    return "\n".join(lines) + "\n"


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="spdcheck-e2e-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)

    def file(self, name, data, mode=None):
        path = os.path.join(self.path, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else bytes(data))
        if mode is not None:
            os.chmod(path, mode)
        return path


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def expect_exit(p, code, what=""):
    out = p.stdout[:1500] if p.stdout is not None else "(not captured)"
    err = p.stderr[:1500] if p.stderr is not None else "(not captured)"
    check(p.returncode == code,
          f"{what}: exit {p.returncode}, expected {code}\nstdout: {out!r}\nstderr: {err!r}")


def corpus_dir():
    corpus = os.environ.get("DDRSPD_CORPUS", "")
    if not corpus or not os.path.isfile(os.path.join(corpus, "ORACLE.tsv")):
        print(f"SKIP: corpus not found (DDRSPD_CORPUS={corpus!r}); "
              "these tests need ../shared/corpus", file=sys.stderr)
        sys.exit(SKIP)
    return corpus


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def main(namespace):
    """Runs every test_* function of the calling module; exit 1 if any failed."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    failed = 0
    for name, func in tests:
        try:
            func()
            print(f"ok   {name}")
        except Exception:
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc(file=sys.stdout)
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
