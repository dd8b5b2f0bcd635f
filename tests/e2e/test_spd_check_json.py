#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-check --json: one document on stdout, keys and values checked against the images
built in spdcheck_e2e (expected values written here from the JEDEC encodings)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spdcheck_e2e import (TempDir, check, crc16, ddr3_image, ddr4_image, main,  # noqa: E402
                          run, run_json)


def hexs(v):
    return f"0x{v:04X}"


def test_ddr4_document():
    img = ddr4_image()
    with TempDir() as d:
        f = d.file("ddr4.bin", img)
        code, doc, err = run_json(f)
        check(code == 0, f"exit {code}: {err}")
        check(doc["version"] == 1, doc)
        check(len(doc["results"]) == 1, doc)
        r = doc["results"][0]
        check(r["file"] == f and r["ok"] is True, r)
        check(r["memory_type"] == "DDR4" and r["bytes"] == 512, r)
        check("error" not in r, r)
        base, block1 = r["crc"]
        check(base["name"] == "base" and base["range"] == [0, 125], base)
        check(base["stored"] == base["computed"] == hexs(crc16(img[0:126])), base)
        check(base["ok"] is True, base)
        check(block1["name"] == "block1" and block1["range"] == [128, 253], block1)
        check(block1["stored"] == hexs(crc16(img[128:254])) and block1["ok"] is True, block1)
        check(not [x for x in r["findings"] if x["severity"] == "error"], r["findings"])
        m = r["module"]
        expected = {
            "part_number": "DDRSPD-E2E-DDR4", "serial": "0x12345678", "date": "2015-W28",
            "module_type": "UDIMM", "capacity_mb": 8192, "speed_mts": 2400, "ranks": 1,
            "manufacturer_id": "0x802C", "device_width": 8, "bus_width": 64, "ecc": False,
            "cl": 17,
        }
        for k, v in expected.items():
            check(m[k] == v, f"module.{k} = {m[k]!r}, expected {v!r}")
        check("Micron" in m["manufacturer"], m)
        check(r["xmp"] == [], r["xmp"])
        check(doc["summary"] == {"files": 1, "ok": 1, "failed": 0, "errors": 0,
                                 "exit_code": 0}, doc["summary"])


def test_ddr3_speed_grade_is_jedec():
    with TempDir() as d:
        f = d.file("ddr3.bin", ddr3_image())
        code, doc, _ = run_json(f)
        m = doc["results"][0]["module"]
        check(code == 0, code)
        check(m["speed_mts"] == 1333 and isinstance(m["speed_mts"], int), m)
        check(m["capacity_mb"] == 4096 and m["ranks"] == 2 and m["date"] == "2014-W05", m)
        check(m["serial"] == "0xDEADBEEF", m)
        base = doc["results"][0]["crc"][0]
        check(base["range"] == [0, 116] and base["ok"], base)


def test_failures_and_errors_appear_in_results():
    bad = ddr4_image()
    bad[200] ^= 0xFF  # inside block 1 (128-253)
    with TempDir() as d:
        good = d.file("good.bin", ddr4_image())
        badf = d.file("bad.bin", bad)
        missing = os.path.join(d.path, "missing.bin")
        code, doc, err = run_json(good, badf, missing)
        check(code == 3, f"exit {code}")
        files = [r["file"] for r in doc["results"]]
        check(files == [good, badf, missing], files)
        r = doc["results"][1]
        check(r["ok"] is False and r["crc"][0]["ok"] is True and r["crc"][1]["ok"] is False, r)
        mism = [x for x in r["findings"] if x["code"] == "crc-mismatch"]
        check(mism and mism[0]["severity"] == "error" and mism[0]["offset"] == 254, r["findings"])
        e = doc["results"][2]
        check(e["ok"] is False and "missing.bin" in e["error"], e)
        check(doc["summary"]["failed"] == 1 and doc["summary"]["errors"] == 1, doc["summary"])
        check("missing.bin" in err, "the unreadable file is also named on stderr")


def test_unknown_type_and_truncated():
    unknown = ddr4_image()
    unknown[2] = 0xFF
    with TempDir() as d:
        fu = d.file("unknown.bin", unknown)
        ft = d.file("short.bin", ddr4_image()[:200])
        code, doc, _ = run_json(fu, ft)
        check(code == 1, f"exit {code}")
        u, t = doc["results"]
        check(u["memory_type"] == "unknown" and u["ok"] is False and u["crc"] == [], u)
        check(u["module"] is None, u)
        check(any(x["code"] == "unknown-memory-type" and x["offset"] == 2
                  for x in u["findings"]), u["findings"])
        check(t["memory_type"] == "DDR4" and t["bytes"] == 200 and t["ok"] is False, t)
        check(t["crc"][0]["ok"] is True, t["crc"])
        check(t["crc"][1]["present"] is False and t["crc"][1]["stored"] is None, t["crc"])
        check(any(x["code"] == "truncated" and x["severity"] == "error"
                  for x in t["findings"]), t["findings"])


def test_decode_json():
    with TempDir() as d:
        f = d.file("ddr4.bin", ddr4_image())
        code, doc, _ = run_json("-d", f)
        check(code == 0, code)
        dec = doc["results"][0]["decode"]
        for key in ["module", "organisation", "speed", "timings", "voltages", "thermal",
                    "mechanical", "register", "manufacturing"]:
            check(key in dec, f"decode lacks {key}")
        t = dec["timings"]
        # Clocks at tCK on the JEDEC grid (2000/2400 ns), DDR4 rounding ceil(t/tCK - 0.025):
        # tRFC1 350 ns is the datasheet's 420 clocks at DDR4-2400.
        expected = {"tAA": (13.75, 17), "tRCD": (13.75, 17), "tRP": (13.75, 17),
                    "tRAS": (32.0, 39), "tRC": (45.75, 55), "tRFC1": (350.0, 420),
                    "tFAW": (21.0, 26), "tRRD_S": (3.3, 4), "tRRD_L": (4.9, 6)}
        for name, (ns, clocks) in expected.items():
            check(abs(t[name]["ns"] - ns) < 1e-9, f"{name} ns {t[name]}")
            check(t[name]["clocks"] == clocks, f"{name} clocks {t[name]}, expected {clocks}")
        s = dec["speed"]
        check(s["tck_ns"] == 0.833 and s["speed_mts"] == 2400 and s["cl"] == 17, s)
        check(s["cas_latencies"] == list(range(10, 19)), s)
        o = dec["organisation"]
        check(o["bank_groups"] == 4 and o["rows"] == 16 and o["columns"] == 10, o)
        check(o["die_density_mbit"] == 8192, o)
        check(dec["manufacturing"]["date"] == "2015-W28", dec["manufacturing"])


def test_json_without_files_read_is_still_one_document():
    with TempDir() as d:
        code, doc, _ = run_json(os.path.join(d.path, "nope"))
        check(code == 3 and len(doc["results"]) == 1 and "error" in doc["results"][0], doc)
        p = run("--json", d.path)  # a directory
        check(p.returncode == 3, p.returncode)
        check(p.stdout.decode().count('"version"') == 1, p.stdout)


if __name__ == "__main__":
    main(globals())
