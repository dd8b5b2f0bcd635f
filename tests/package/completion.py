#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Bash completion scripts (tools/completion/): source each one in bash, set COMP_WORDS and
COMP_CWORD as readline would, call the function and check COMPREPLY. Also: every long option
of each --help (spd-prog: of each subcommand) is offered after '-'."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FUNCS = {"spd-prog": "_spd_prog", "spd-check": "_spd_check", "eeprom-dump": "_eeprom_dump"}
failed = 0


def complete(tool, line, cwd=None):
    """Completions for `line` (the cursor at its end; a trailing space starts a new word)."""
    # readline splits at COMP_WORDBREAKS: "--addr=0x5" is "--addr" "=" "0x5".
    words = [t for w in line.split() for t in re.split(r"(=)", w) if t]
    if line.endswith(" "):
        words.append("")
    script = os.path.join(os.environ["DDRSPD_SOURCE_DIR"], "tools", "completion", tool)
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    prog = (f'source "$1" || exit 3\n'
            f'COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n'
            f'COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}\n'
            f'{FUNCS[tool]} "{tool}" "${{COMP_WORDS[COMP_CWORD]}}" '
            f'"${{COMP_WORDS[COMP_CWORD-1]}}"\n'
            f'printf "%s\\n" "${{COMPREPLY[@]}}"\n')
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog, "bash", script],
                         capture_output=True, text=True, cwd=cwd, timeout=30)
    if res.returncode != 0:
        raise SystemExit(f"FAIL: {tool}: bash exited {res.returncode}: {res.stderr.strip()}")
    return [w for w in res.stdout.splitlines() if w]


def expect(tool, line, want, exact=False, cwd=None):
    global failed
    got = complete(tool, line, cwd)
    ok = sorted(got) == sorted(want) if exact else all(w in got for w in want)
    print(f"{'PASS' if ok else 'FAIL'}: {line!r} -> {' '.join(got)!r}"
          + ("" if ok else f" (expected {'exactly ' if exact else ''}{' '.join(want)!r})"))
    failed += not ok


def help_long_options(exe, words):
    text = subprocess.run([exe, *words, "--help"], capture_output=True, text=True,
                          timeout=30).stdout
    opts, subs, section = set(), [], None
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]*):\s*$", line)
        if m:
            section = m.group(1)
        elif not line.strip():
            section = None
        elif section == "Options" and re.match(r"^\s+-", line):
            opts.update(re.findall(r"--[A-Za-z0-9][A-Za-z0-9-]*", line.split()[0]))
        elif section == "Subcommands":
            subs.append(line.split()[0])
    return opts, subs


def main():
    global failed
    if "DDRSPD_SOURCE_DIR" not in os.environ:
        print("SKIP: DDRSPD_SOURCE_DIR not set (run through meson test)")
        return 77
    if not shutil.which("bash"):
        print("SKIP: bash not installed")
        return 77
    addrs = [f"0x{a:02x}" for a in range(0x50, 0x58)]
    buses = sorted(p[len("/dev/i2c-"):] for p in glob.glob("/dev/i2c-[0-9]*"))

    expect("spd-prog", "spd-prog wr", ["write"], exact=True)
    expect("spd-prog", "spd-prog ", ["detect", "read", "write", "verify", "diff", "fix-crc",
                                      "wp"], exact=True)
    expect("spd-prog", "spd-prog -a ", addrs, exact=True)
    expect("spd-prog", "spd-prog --addr=0x5", addrs, exact=True)
    expect("spd-prog", "spd-prog -b ", buses + ["emu:"], exact=True)
    expect("spd-prog", "spd-prog -b 1 wp ", ["status", "set", "clear"], exact=True)
    expect("spd-prog", "spd-prog wp set --", ["--vhv", "--dry-run"])
    expect("spd-prog", "spd-prog read --f", ["--format"], exact=True)
    expect("spd-prog", "spd-prog read --format ", ["raw", "hex"], exact=True)
    expect("spd-check", "spd-check --output-format ", ["raw", "i2cdump"], exact=True)
    expect("spd-check", "spd-check --de", ["--decode"], exact=True)
    expect("eeprom-dump", "eeprom-dump --chip 24c25", ["24c256"], exact=True)
    expect("eeprom-dump", "eeprom-dump -a ", addrs, exact=True)
    with tempfile.TemporaryDirectory() as d:
        for name in ("module.bin", "other.txt"):
            open(os.path.join(d, name), "w").close()
        expect("spd-prog", "spd-prog -s 1 write mo", ["module.bin"], exact=True, cwd=d)
        expect("spd-check", "spd-check --json ot", ["other.txt"], exact=True, cwd=d)
        expect("eeprom-dump", "eeprom-dump --write ", ["module.bin", "other.txt"], exact=True,
               cwd=d)

    build = os.environ.get("DDRSPD_BUILD_DIR", "")
    exe = os.path.join(build, "tools", "eeprom-dump")
    if os.access(exe, os.X_OK):
        # Every model eeprom-dump knows (first column of --list-chips) is offered for --chip.
        out = subprocess.run([exe, "--list-chips"], capture_output=True, text=True).stdout
        models = [m.group(1) for m in re.finditer(r"^\s*(24[a-z0-9]+)\b", out, re.M)]
        if not models:
            print(f"FAIL: no chip model found in eeprom-dump --list-chips:\n{out}")
            failed += 1
        else:
            expect("eeprom-dump", "eeprom-dump --chip ", models)
    # Every long option of --help is offered after '-' (spd-prog: in each subcommand).
    for tool in FUNCS:
        exe = os.path.join(build, "tools", tool)
        if not os.access(exe, os.X_OK):
            print(f"SKIP: {tool} not built, --help comparison skipped")
            continue
        todo = [[]]
        while todo:
            words = todo.pop(0)
            opts, subs = help_long_options(exe, words)
            todo.extend(words + [s] for s in subs)
            expect(tool, " ".join([tool, *words, "-"]), sorted(opts))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
