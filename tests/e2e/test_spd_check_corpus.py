#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""spd-check on the shared corpus ($DDRSPD_CORPUS; exit 77 when absent).

- broken/: every file of BROKEN.tsv gets the verdict and exit code written below (derived
  from its expected_verdict column, with JEDEC ranges; where decode-dimms 4.3 is wrong the
  row says so).
- main corpus: the CRC verdicts and ranges in the JSON equal ORACLE.tsv's indep_* columns
  (an independent CRC-16/XMODEM check), the memory type equals indep_type, and the
  identity fields equal decode-dimms' where decode-dimms decodes the file correctly.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spdcheck_e2e import check, corpus_dir, main, read_tsv, run, run_json  # noqa: E402

CORPUS = corpus_dir()

# file -> (exit code, memory_type, [(range, ok) per CRC block, None = block missing],
#          required finding code or None). Exit 1 = check failed, 3 = could not be parsed.
BROKEN = {
    "ddr3-crc-stored-bitflip": (1, "DDR3", [((0, 116), False)], "crc-mismatch"),
    "ddr3-data-bitflip-byte62": (1, "DDR3", [((0, 116), False)], "crc-mismatch"),
    # positive control: byte 122 is outside CRC coverage 0-116
    "ddr3-serial-bitflip-uncovered": (0, "DDR3", [((0, 116), True)], None),
    "ddr4-crc-stored-bitflip": (1, "DDR4", [((0, 125), False), ((128, 253), True)],
                                "crc-mismatch"),
    "ddr4-data-bitflip-byte20": (1, "DDR4", [((0, 125), False), ((128, 253), True)],
                                 "crc-mismatch"),
    # decode-dimms exits 0 here (only the base CRC decides for it); block 1 is JEDEC-covered.
    "ddr4-block1-bitflip-byte128": (1, "DDR4", [((0, 125), True), ((128, 253), False)],
                                    "crc-mismatch"),
    # positive control: 320-383 is not CRC-protected
    "ddr4-mfg-bitflip-byte330": (0, "DDR4", [((0, 125), True), ((128, 253), True)], None),
    # decode-dimms has no DDR5 decoder and checks 0-125 vs 126-127: its verdict is wrong.
    "ddr5-crc-stored-bitflip": (1, "DDR5", [((0, 509), False)], "crc-mismatch"),
    "ddr5-data-bitflip-byte230": (1, "DDR5", [((0, 509), False)], "crc-mismatch"),
    # Truncated files: decode-dimms pads with zeros and exits 0; the data is incomplete.
    "ddr3-truncated-128": (1, "DDR3", [((0, 116), True)], "truncated"),
    "ddr3-truncated-100": (1, "DDR3", [None], "truncated"),
    "ddr4-truncated-256": (1, "DDR4", [((0, 125), True), ((128, 253), True)], "truncated"),
    "ddr4-truncated-128": (1, "DDR4", [((0, 125), True), None], "truncated"),
    "ddr4-truncated-383": (1, "DDR4", [((0, 125), True), ((128, 253), True)], "truncated"),
    "ddr5-truncated-512": (1, "DDR5", [((0, 509), True)], "truncated"),
    "ddr5-truncated-200": (1, "DDR5", [None], "truncated"),
    "ddr3-real-truncated-126-rigred": (1, "DDR3", [None], "truncated"),
    # Type byte says DDR4 over DDR3 data: the DDR4 base CRC (0-125) fails either way.
    "ddr3-type-says-ddr4-crcbad": (1, "DDR4", [((0, 125), False), ((128, 253), False)],
                                   "crc-mismatch"),
    "ddr3-type-says-ddr4-crcfixed": (1, "DDR4", [((0, 125), False), ((128, 253), False)],
                                     "crc-mismatch"),
    # DDR4 bytes read as DDR3: the CRC (0-125, byte 0 bit 7 clear) matches, but the DDR3
    # time base bytes are garbage.
    "ddr4-type-says-ddr3-crcfixed": (1, "DDR3", [((0, 125), True)], "invalid-timebase"),
    # DDR5 bytes read as DDR4 (decode-dimms dies with a division by zero).
    "ddr5-type-says-ddr4-crcfixed": (1, "DDR4", [((0, 125), False), ((128, 253), False)],
                                     "crc-mismatch"),
    "ddr4-type-0xff-crcfixed": (1, "unknown", [], "unknown-memory-type"),
    "ddr4-type-0x0d-reserved-crcfixed": (1, "unknown", [], "unknown-memory-type"),
    "blank-ff-256": (1, "unknown", [], "blank-image"),
    "blank-00-512": (1, "unknown", [], "blank-image"),
    # An empty file is not a dump at all (decode-dimms: "Unable to parse any data").
    "empty-0": (3, None, None, None),
}


def name_of(path):
    return os.path.splitext(os.path.basename(path))[0]


def test_broken_table_covers_broken_tsv():
    rows = read_tsv(os.path.join(CORPUS, "broken", "BROKEN.tsv"))
    names = {name_of(r["file"]) for r in rows}
    check(names == set(BROKEN), f"BROKEN.tsv and this test differ: {names ^ set(BROKEN)}")


def test_broken_files():
    rows = read_tsv(os.path.join(CORPUS, "broken", "BROKEN.tsv"))
    failures = []
    for row in rows:
        name = name_of(row["file"])
        code, mtype, crcs, finding = BROKEN[name]
        for variant in ("bin", "hex"):
            path = os.path.join(CORPUS, "broken", variant, f"{name}.{variant}")
            if variant == "hex" and not os.path.exists(path):
                continue
            got, doc, err = run_json(path)
            r = doc["results"][0]
            where = f"{name}.{variant} ({row['expected_verdict']})"
            if got != code:
                failures.append(f"{where}: exit {got}, expected {code}; {err.strip()}")
                continue
            q = run("-q", path)
            if q.returncode != code:
                failures.append(f"{where}: -q exit {q.returncode}, expected {code}")
            if code == 3:
                if "error" not in r:
                    failures.append(f"{where}: no error in JSON")
                continue
            if r["memory_type"] != mtype:
                failures.append(f"{where}: memory_type {r['memory_type']}, expected {mtype}")
            if r["ok"] != (code == 0):
                failures.append(f"{where}: ok {r['ok']}")
            got_crcs = [None if not c["present"] else (tuple(c["range"]), c["ok"])
                        for c in r["crc"]]
            if got_crcs != crcs:
                failures.append(f"{where}: crc {got_crcs}, expected {crcs}")
            codes = {f["code"] for f in r["findings"] if f["severity"] == "error"}
            if finding and finding not in codes:
                failures.append(f"{where}: no error finding {finding} in {sorted(codes)}")
            if code == 0 and codes:
                failures.append(f"{where}: error findings {sorted(codes)} on a passing file")
    check(not failures, "\n".join(failures))


def test_broken_part_number_control():
    path = os.path.join(CORPUS, "broken", "bin", "ddr4-mfg-bitflip-byte330.bin")
    code, doc, _ = run_json(path)
    check(doc["results"][0]["module"]["part_number"] == "M278A2K43EB1-CWE", doc["results"][0])


def indep_expectation(row):
    """[(range, ok), ...] from indep_crc ("OK (0-116)") and indep_crc_block1 ("OK"/"BAD")."""
    verdict, rng = row["indep_crc"].split(" ", 1)
    first, last = rng.strip("()").split("-")
    expected = [((int(first), int(last)), verdict == "OK")]
    if row["indep_crc_block1"]:
        expected.append(((128, 253), row["indep_crc_block1"] == "OK"))
    return expected


def test_oracle_crc_verdicts():
    rows = read_tsv(os.path.join(CORPUS, "ORACLE.tsv"))
    check(len(rows) >= 80, f"only {len(rows)} rows in ORACLE.tsv")
    paths = [os.path.join(CORPUS, r["file"]) for r in rows]
    # All files in one call, as a user would; the results come back in order.
    code, doc, err = run_json(*paths)
    results = doc["results"]
    check(len(results) == len(rows), f"{len(results)} results for {len(rows)} files")
    failures = []
    any_bad = False
    for row, r in zip(rows, results):
        expected = indep_expectation(row)
        got = [(tuple(c["range"]), c["ok"]) for c in r.get("crc", [])]
        if r.get("memory_type") != row["indep_type"]:
            failures.append(f"{row['file']}: type {r.get('memory_type')} vs {row['indep_type']}")
        if got != expected:
            failures.append(f"{row['file']}: crc {got}, expected {expected}")
        crc_ok = all(ok for _, ok in expected)
        any_bad |= not crc_ok
        if not crc_ok and r.get("ok"):
            failures.append(f"{row['file']}: ok although a CRC is bad")
        for c in r.get("crc", []):
            if c["ok"] != (c["stored"] == c["computed"]):
                failures.append(f"{row['file']}: {c['name']} ok={c['ok']} but stored "
                                f"{c['stored']} computed {c['computed']}")
    check(not failures, "\n".join(failures))
    check(code == 1 if any_bad else code in (0, 1), f"exit {code}: {err}")


def dd_capacity(text):
    return int(text.split()[0]) if text.endswith(" MB") else None


def test_oracle_identity_fields():
    """Part number, serial, date, capacity, speed grade, module type against decode-dimms
    for the DDR3/DDR4 files it decodes (it has no DDR5 decoder). decode-dimms prints
    "Undefined" for an empty part number, and reads a non-BCD date as plain binary when that
    makes sense, as spd-check does (with date_encoding "binary")."""
    rows = [r for r in read_tsv(os.path.join(CORPUS, "ORACLE.tsv"))
            if r["indep_type"] in ("DDR3", "DDR4")]
    code, doc, _ = run_json(*[os.path.join(CORPUS, r["file"]) for r in rows])
    failures = []
    for row, r in zip(rows, doc["results"]):
        m = r["module"]
        f = row["file"]
        part = "" if row["dd_part_number"] == "Undefined" else row["dd_part_number"]
        if m["part_number"] != part:
            failures.append(f"{f}: part {m['part_number']!r} vs {row['dd_part_number']!r}")
        if row["dd_serial"] and m["serial"] != row["dd_serial"]:
            failures.append(f"{f}: serial {m['serial']} vs {row['dd_serial']}")
        # An empty dd_mfg_date: decode-dimms printed no date at all (byte 0 < 4 sends it to
        # its Rambus/SDR path), nothing to compare. "0x...." is its "not a date".
        dd_date = row["dd_mfg_date"] if re.fullmatch(r"\d{4}-W\d{2}", row["dd_mfg_date"]) else None
        if row["dd_mfg_date"] and m["date"] != dd_date:
            failures.append(f"{f}: date {m['date']} vs {row['dd_mfg_date']!r}")
        cap = dd_capacity(row["dd_size"])
        if cap is not None and m["capacity_mb"] != cap:
            failures.append(f"{f}: capacity {m['capacity_mb']} vs {row['dd_size']}")
        if row["dd_max_speed"]:
            speed = int(row["dd_max_speed"].split()[0])
            if m["speed_mts"] != speed:
                failures.append(f"{f}: speed {m['speed_mts']} vs {row['dd_max_speed']}")
        if row["dd_module_type"] and m["module_type"] != row["dd_module_type"]:
            failures.append(f"{f}: module type {m['module_type']} vs {row['dd_module_type']}")
    check(not failures, "\n".join(failures))


def test_text_report_for_every_file():
    rows = read_tsv(os.path.join(CORPUS, "ORACLE.tsv"))
    paths = [os.path.join(CORPUS, r["file"].replace("bin/", "hex/").replace(".bin", ".hex"))
             for r in rows]
    p = run("-d", *paths)
    check(p.returncode in (0, 1), f"exit {p.returncode}: {p.stderr[:500]!r}")
    out = p.stdout.decode()
    for path in paths:
        check(f"{path}: " in out, f"{path} not reported")


if __name__ == "__main__":
    main(globals())
