#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Figures for spd-check (a benchmark, not a timed test: it prints, it does not judge).

1. spd-check and `decode-dimms -x` (i2c-tools) over the same hexdump files, as one call
   over all files, as one process per file, and as one call over 1,000 files (symlinks to
   the same files, start-up amortised): wall and CPU time per file for each, and the ratio.
2. spd-check over 10,000 files in one call (symlinks to the same files): wall time and peak
   RSS of the spd-check process (os.wait4 rusage), in text, --json and --json -d modes.

Inputs: $DDRSPD_CORPUS/hex/*.hex when the corpus is there, else the project's dumps/*.bin
written out as hexdump -C text. Targets from the project issue: at least 50x faster per file
than decode-dimms, peak RSS under 16 MiB. Exit 77 when neither input set nor decode-dimms
is available; exit 1 only when a run itself fails (crash, unexpected exit code).
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
COUNT = 10000
RSS_TARGET_KIB = 16 * 1024
SPEED_TARGET = 50.0


def spd_check_binary():
    build = os.environ.get("DDRSPD_BUILD_DIR", "")
    path = os.path.join(build, "tools", "spd-check")
    if not os.access(path, os.X_OK):
        print(f"SKIP: {path} not built (run through meson test --benchmark)")
        sys.exit(SKIP)
    return path


def hexdump_c(data):
    lines = []
    for row in range(0, len(data), 16):
        chunk = data[row:row + 16]
        left = " ".join(f"{x:02x}" for x in chunk[:8])
        right = " ".join(f"{x:02x}" for x in chunk[8:])
        text = "".join(chr(x) if 0x20 <= x < 0x7F else "." for x in chunk)
        lines.append(f"{row:08x}  {left:<23}  {right:<23}  |{text}|")
    lines.append(f"{len(data):08x}")
    return "\n".join(lines) + "\n"


def input_files(tmp):
    corpus = os.environ.get("DDRSPD_CORPUS", "")
    files = sorted(glob.glob(os.path.join(corpus, "hex", "*.hex"))) if corpus else []
    if files:
        return files, f"corpus ({corpus}/hex)"
    dumps = sorted(glob.glob(os.path.join(os.environ.get("DDRSPD_DUMPS", ""), "*.bin")))
    out = []
    for path in dumps:
        with open(path, "rb") as f:
            data = f.read()
        dest = os.path.join(tmp, os.path.basename(path) + ".hex")
        with open(dest, "w") as f:
            f.write(hexdump_c(data))
        out.append(dest)
    return out, "dumps/ (as hexdump -C)"


def run(cmd, ok_codes=(0, 1)):
    """(wall seconds, CPU seconds user+sys) of cmd alone, from os.wait4's rusage. CPU time
    is the fairer figure on a loaded machine; wall time is printed too."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        print(f"ERROR: {' '.join(cmd[:3])} ... exited {code}")
        sys.exit(1)
    return wall, usage.ru_utime + usage.ru_stime


def best_of(n, cmd, ok_codes=(0, 1)):
    runs = [run(cmd, ok_codes) for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def peak_rss_kib(cmd):
    """Peak RSS through GNU time, which forks from its own small process: an RSS taken from
    Python would include Python's memory, inherited across fork and exec. None without it."""
    gnu_time = "/usr/bin/time"
    if not os.access(gnu_time, os.X_OK):
        return None
    p = subprocess.run([gnu_time, "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    try:
        return int(p.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def show(label, wall, cpu, n):
    print(f"  {label:<13} wall {wall / n * 1e6:9.1f} us/file   CPU {cpu / n * 1e6:9.1f} us/file")


def main():
    spd_check = spd_check_binary()
    decode_dimms = shutil.which("decode-dimms")
    if decode_dimms is None:
        print("SKIP: decode-dimms (i2c-tools) is not installed")
        sys.exit(SKIP)
    tmp = tempfile.mkdtemp(prefix="bench-spd-check-")
    try:
        files, source = input_files(tmp)
        if not files:
            print("SKIP: no input files (no corpus, no dumps/*.bin)")
            sys.exit(SKIP)
        n = len(files)
        print(f"inputs: {n} hexdump files from {source}")

        # 1a. One call over all files.
        ours = best_of(5, [spd_check, *files])
        theirs = best_of(3, [decode_dimms, "-x", *files], ok_codes=(0,))
        print("\none call over all files (best of 5 / 3; start-up included):")
        show("spd-check", *ours, n)
        show("decode-dimms", *theirs, n)
        batch = (theirs[0] / ours[0], theirs[1] / ours[1])
        print(f"  ratio         wall {batch[0]:9.1f}x          CPU {batch[1]:9.1f}x")

        # 1b. One process per file, as in a shell loop.
        ours1 = [run([spd_check, f]) for f in files]
        theirs1 = [run([decode_dimms, "-x", f], ok_codes=(0,)) for f in files]
        print("\none process per file (mean):")
        show("spd-check", sum(r[0] for r in ours1), sum(r[1] for r in ours1), n)
        show("decode-dimms", sum(r[0] for r in theirs1), sum(r[1] for r in theirs1), n)
        single = (sum(r[0] for r in theirs1) / sum(r[0] for r in ours1),
                  sum(r[1] for r in theirs1) / sum(r[1] for r in ours1))
        print(f"  ratio         wall {single[0]:9.1f}x          CPU {single[1]:9.1f}x")
        # What starting any process costs here: it bounds the ratio of this mode.
        true = shutil.which("true")
        if true is not None:
            floor = [run([true]) for _ in files]
            floor_cpu = sum(r[1] for r in floor) / n
            theirs_cpu = sum(r[1] for r in theirs1) / n
            print(f"  (an empty process, {true}: CPU {floor_cpu * 1e6:9.1f} us, so no program "
                  f"started once per file can beat decode-dimms by more than "
                  f"{theirs_cpu / floor_cpu:.0f}x here)" if floor_cpu > 0 else "")

        many = os.path.join(tmp, "many")
        os.mkdir(many)
        paths = []
        for i in range(COUNT):
            path = os.path.join(many, f"{i:05d}.hex")
            os.symlink(files[i % n], path)
            paths.append(path)

        # 1c. Throughput: 1,000 files in one call, start-up amortised.
        k = 1000
        ours_k = best_of(3, [spd_check, *paths[:k]])
        theirs_k = best_of(1, [decode_dimms, "-x", *paths[:k]], ok_codes=(0,))
        print(f"\n{k} files in one call (start-up amortised):")
        show("spd-check", *ours_k, k)
        show("decode-dimms", *theirs_k, k)
        steady = (theirs_k[0] / ours_k[0], theirs_k[1] / ours_k[1])
        print(f"  ratio         wall {steady[0]:9.1f}x          CPU {steady[1]:9.1f}x")

        # 2. 10,000 files in one call.
        print(f"\n{COUNT} files in one call:")
        worst_rss = None
        for label, args in [("text", []), ("-q", ["-q"]), ("--json", ["--json"]),
                            ("--json -d", ["--json", "-d"])]:
            wall, cpu = run([spd_check, *args, *paths])
            rss = peak_rss_kib([spd_check, *args, *paths])
            if rss is not None:
                worst_rss = max(worst_rss or 0, rss)
            rss_text = f"{rss / 1024:6.2f} MiB" if rss is not None else "n/a (no GNU time)"
            print(f"  {label:<10} wall {wall:6.2f} s  CPU {cpu / COUNT * 1e6:6.1f} us/file  "
                  f"peak RSS {rss_text}")

        print("\ntargets:")
        for what, ratio in [("one call", batch[1]), ("one process per file", single[1]),
                            (f"{k} files in one call", steady[1])]:
            print(f"  >= {SPEED_TARGET:.0f}x faster per file than decode-dimms ({what}, CPU): "
                  f"{ratio:.1f}x -> {'met' if ratio >= SPEED_TARGET else 'MISSED'}")
        if worst_rss is None:
            print("  peak RSS: not measured (install GNU time)")
        else:
            print(f"  peak RSS < {RSS_TARGET_KIB // 1024} MiB for {COUNT} files: "
                  f"{worst_rss / 1024:.2f} MiB -> "
                  f"{'met' if worst_rss < RSS_TARGET_KIB else 'MISSED'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
