#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every long option a tool shows in --help (and, for spd-prog, in each subcommand's --help)
must appear in its man page. Fails naming each missing option and page."""
import os
import re
import subprocess
import sys

TOOLS = {"spd-check": "spd-check.1", "spd-prog": "spd-prog.8", "eeprom-dump": "eeprom-dump.8"}
# An option line of CLI11's help: "  -b,--bus TEXT ...", "  --json ...".
OPTION_LINE = re.compile(r"^\s+(-[^\s]+)")
LONG = re.compile(r"--[A-Za-z0-9][A-Za-z0-9-]*")


def help_text(exe, args):
    res = subprocess.run([exe, *args, "--help"], capture_output=True, text=True, timeout=30)
    if res.returncode != 0:
        raise SystemExit(f"FAIL: {exe} {' '.join(args)} --help exited {res.returncode}: "
                         f"{res.stderr.strip()}")
    return res.stdout


def sections(text):
    """{section title: [lines]} for CLI11's 'Options:' / 'Subcommands:' blocks."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]*):\s*$", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        elif cur and line.strip() == "":
            cur = None
        elif cur:
            out[cur].append(line)
    return out


def long_options(text):
    opts = set()
    for line in sections(text).get("Options", []):
        m = OPTION_LINE.match(line)
        if m:
            opts.update(LONG.findall(m.group(1)))
    return opts


def subcommands(text):
    return [line.split()[0] for line in sections(text).get("Subcommands", []) if line.strip()]


def man_source_text(path):
    """The page's text with roff escapes for '-' and fonts removed."""
    with open(path, encoding="utf-8") as f:
        s = f.read()
    s = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", s)
    return s.replace("\\-", "-").replace("\\(hy", "-").replace("\\&", "").replace("\\%", "")


def documented(man, opt):
    return re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", man) is not None


def main():
    build = os.environ.get("DDRSPD_BUILD_DIR")
    source = os.environ.get("DDRSPD_SOURCE_DIR")
    if not build or not source:
        print("SKIP: DDRSPD_BUILD_DIR/DDRSPD_SOURCE_DIR not set (run through meson test)")
        return 77
    failed = 0
    for tool, page in TOOLS.items():
        exe = os.path.join(build, "tools", tool)
        man_path = os.path.join(source, "man", page)
        if not os.access(exe, os.X_OK):
            print(f"FAIL: {tool}: not built ({exe})")
            failed += 1
            continue
        if not os.path.isfile(man_path):
            print(f"FAIL: {tool}: no man page man/{page}")
            failed += 1
            continue
        man = man_source_text(man_path)
        # (command words, help text) for the tool and, recursively, its subcommands.
        todo, seen = [[]], []
        while todo:
            words = todo.pop(0)
            text = help_text(exe, words)
            seen.append((words, text))
            todo.extend(words + [s] for s in subcommands(text))
        for words, text in seen:
            where = " ".join([tool, *words])
            missing = sorted(o for o in long_options(text) if not documented(man, o))
            if missing:
                failed += 1
                print(f"FAIL: {where}: not in man/{page}: {', '.join(missing)}")
            else:
                print(f"PASS: {where}: {len(long_options(text))} long options documented")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
