#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-check --list-fields and --set NAME=VALUE: listing, editing with CRCs recomputed, the
three output modes, and bad names/values as usage errors (exit 2) naming them."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spdcheck_e2e import (TempDir, check, crc16, ddr3_image, ddr4_image,  # noqa: E402
                          expect_exit, main, run, run_json)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def fields_of(path):
    code, doc, err = run_json("--list-fields", path)
    check(code == 0, f"--list-fields exit {code}: {err}")
    return {f["name"]: f for f in doc["results"][0]["fields"]}


def test_list_fields_text_and_json():
    with TempDir() as d:
        f = d.file("ddr4.bin", ddr4_image())
        p = run("--list-fields", f)
        expect_exit(p, 0, "--list-fields")
        out = p.stdout.decode()
        check("== Editable fields" in out, out)
        check(any(line.split()[:2] == ["part_number", "DDRSPD-E2E-DDR4"]
                  for line in out.splitlines() if line.strip()), out)
        fields = fields_of(f)
        for name in ["part_number", "serial", "date", "manufacturer", "dram_manufacturer",
                     "speed", "tck", "cas_latencies", "tAA", "tRCD", "tRP", "tRAS", "tRC",
                     "tRFC1"]:
            check(name in fields, f"{name} not listed: {sorted(fields)}")
        check(fields["part_number"]["value"] == "DDRSPD-E2E-DDR4", fields["part_number"])
        check(int(fields["serial"]["value"], 0) == 0x12345678, fields["serial"])
        check(fields["date"]["value"] == "2015-W28", fields["date"])
        check(fields["tAA"]["unit"] == "ns" and float(fields["tAA"]["value"]) == 13.75,
              fields["tAA"])
        check(fields["speed"]["unit"] == "MT/s" and int(fields["speed"]["value"]) == 2400,
              fields["speed"])


def test_set_to_output_file():
    img = ddr4_image()
    with TempDir() as d:
        src = d.file("in.bin", img)
        out = os.path.join(d.path, "out.bin")
        p = run("--set", "part_number=NEW-PART-42", "--set", "tAA=15", "-o", out, src)
        expect_exit(p, 0, "--set -o")
        check("set       part_number = NEW-PART-42" in p.stdout.decode(), p.stdout)
        new = read(out)
        check(new[329:349] == b"NEW-PART-42".ljust(20, b" "), new[329:349])
        check(new[24] == 120 and new[123] == 0, f"tAA bytes {new[24]}, {new[123]}")
        check(int.from_bytes(new[126:128], "little") == crc16(new[0:126]), "base CRC")
        check(int.from_bytes(new[254:256], "little") == crc16(new[128:254]), "block1 CRC")
        changed = {i for i in range(512) if new[i] != img[i]}
        allowed = {24, 123, 126, 127} | set(range(329, 349))
        check(changed <= allowed, f"bytes changed outside the edited fields: {changed - allowed}")
        code, doc, _ = run_json("-d", out)
        r = doc["results"][0]
        check(code == 0 and r["module"]["part_number"] == "NEW-PART-42", r["module"])
        check(r["decode"]["timings"]["tAA"]["ns"] == 15.0, r["decode"]["timings"]["tAA"])
        check(read(src) == bytes(img), "input modified")


def test_set_in_place_and_stdin():
    with TempDir() as d:
        src = d.file("in.bin", ddr3_image(), mode=0o600)
        p = run("--set", "serial=0x0BADF00D", "--set", "date=2020-W07", "--in-place", src)
        expect_exit(p, 0, "--set --in-place")
        new = read(src)
        check(new[122:126] == bytes([0x0B, 0xAD, 0xF0, 0x0D]), new[122:126].hex())
        check(new[120:122] == bytes([0x20, 0x07]), new[120:122].hex())
        check(os.stat(src).st_mode & 0o777 == 0o600, "mode not kept")
        # stdin -> stdout
        p = run("--set", "part_number=PIPED", "-", input_bytes=bytes(ddr3_image()))
        expect_exit(p, 0, "--set -")
        check(p.stdout[128:146] == b"PIPED".ljust(18, b" "), p.stdout[128:146])
        check(len(p.stdout) == 256, len(p.stdout))


def test_listed_values_round_trip():
    """Every value --list-fields shows, given back to --set, leaves the image unchanged
    (fields shown with an empty value, such as XMP fields of an image without XMP, have
    nothing to give back)."""
    for make in (ddr4_image, ddr3_image):
        with TempDir() as d:
            src = d.file("in.bin", make())
            fields = fields_of(src)
            args = []
            for name, f in fields.items():
                if f["value"] != "":
                    args += ["--set", f"{name}={f['value']}"]
            check(len(args) >= 2 * 20, f"only {len(args) // 2} fields to round-trip")
            out = os.path.join(d.path, "out.bin")
            p = run(*args, "-o", out, src)
            expect_exit(p, 0, f"round trip {make.__name__}")
            old, new = read(src), read(out)
            diff = [i for i in range(len(old)) if old[i] != new[i]]
            check(not diff, f"{make.__name__}: bytes changed by a round trip: {diff[:20]}")


def test_bad_name_or_value_is_usage_error():
    with TempDir() as d:
        a = d.file("a.bin", ddr4_image())
        b = d.file("b.bin", ddr4_image())
        out = os.path.join(d.path, "out.bin")
        for arg in ["nosuchfield=1", "tAA=banana", "date=2015-W99", "speed=-5", "serial=0xZZ"]:
            p = run("--set", arg, "-o", out, a)
            expect_exit(p, 2, f"--set {arg}")
            err = p.stderr.decode()
            name, value = arg.split("=")
            check(f": {name}" in err or value in err,
                  f"--set {arg}: message names neither field nor value: {err}")
            check(err.startswith("spd-check: ") and len(err.splitlines()) == 1, err)
            check(not os.path.exists(out), f"--set {arg}: output written")
        # DDR4-only name on a DDR3 image
        c = d.file("c.bin", ddr3_image())
        p = run("--set", "tRRD_S=5", "-o", out, c)
        expect_exit(p, 2, "tRRD_S on DDR3")
        check("tRRD_S" in p.stderr.decode(), p.stderr)
        # Stops at the first file: the same mistake would repeat on every file.
        code, doc, err = run_json("--set", "nosuchfield=1", "--in-place", a, b)
        check(code == 2, f"exit {code}")
        check(len(doc["results"]) == 1 and "nosuchfield" in doc["results"][0]["error"], doc)
        check(doc["summary"]["exit_code"] == 2, doc["summary"])
        check(read(a) == bytes(ddr4_image()) and read(b) == bytes(ddr4_image()),
              "files modified by a rejected --set")


if __name__ == "__main__":
    main(globals())
