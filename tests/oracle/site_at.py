#!/usr/bin/env python3
"""Instruction indices of probe sites, from the compiler's own records.

Tests that name a site (`"insn": 90`) pin one compiler's numbering; this
derives it from the object instead, without libbpfsdt: the sites come from
elf_oracle.py, and the one a test means is picked by where it is in the
source, as the DWARF the compiler wrote says.

usage: site_at.py OBJECT PROBE
           print "insn regs" of every site of PROBE, in the oracle's order
           (regs as bpfsdt list prints them: "r1, r2")
       site_at.py OBJECT PROBE SOURCE MARKER
           print the insn of the one site of PROBE that MARKER (text found
           once in SOURCE) produces: a site inlined from the call MARKER
           starts (DWARF inlined_subroutine call line and column), or one
           on MARKER's line. Exit 1 unless exactly one site matches.
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def oracle_sites(obj, probe):
    out = subprocess.run([sys.executable, os.path.join(HERE, "elf_oracle.py"), "--expected", obj],
                         capture_output=True, text=True, check=True).stdout
    for p in json.loads(out)["probes"]:
        if p["name"] == probe:
            return p["sites"]
    return []


def marker_position(source, marker):
    hits = []
    with open(source) as f:
        for n, line in enumerate(f, 1):
            col = line.find(marker)
            if col >= 0:
                hits.append((n, col + 1))
    if len(hits) != 1:
        sys.exit(f"site_at: '{marker}' occurs {len(hits)} times in {source}")
    return hits[0]


def inlined_ranges(obj, line, col):
    """Address ranges of inlined calls made at line:col."""
    text = subprocess.run(["llvm-dwarfdump-14" if tool_exists("llvm-dwarfdump-14") else
                           "llvm-dwarfdump", "--debug-info", obj],
                          capture_output=True, text=True, check=True).stdout
    ranges = []
    for block in re.split(r"\n(?=0x[0-9a-f]+:\s+DW_TAG_)", text):
        if "DW_TAG_inlined_subroutine" not in block.split("\n")[0]:
            continue
        cl = re.search(r"DW_AT_call_line\s+\((\d+)\)", block)
        cc = re.search(r"DW_AT_call_column\s+\((0x[0-9a-f]+|\d+)\)", block)
        if not cl or int(cl.group(1)) != line or not cc or int(cc.group(1), 0) != col:
            continue
        lo = re.search(r"DW_AT_low_pc\s+\((0x[0-9a-f]+)\)", block)
        hi = re.search(r"DW_AT_high_pc\s+\((0x[0-9a-f]+)\)", block)
        if lo and hi:
            ranges.append((int(lo.group(1), 16), int(hi.group(1), 16)))
        for a, b in re.findall(r"\[(0x[0-9a-f]+), (0x[0-9a-f]+)\)", block):
            ranges.append((int(a, 16), int(b, 16)))
    return ranges


def site_lines(obj, section):
    """Source line of each instruction offset of section (llvm-objdump)."""
    tool = "llvm-objdump-14" if tool_exists("llvm-objdump-14") else "llvm-objdump"
    text = subprocess.run([tool, "-d", "--line-numbers", "-j", section, obj],
                          capture_output=True, text=True, check=True).stdout
    lines, cur = {}, None
    for row in text.splitlines():
        m = re.match(r"; .*:(\d+)$", row)
        if m:
            cur = int(m.group(1))
            continue
        m = re.match(r"\s*(\d+):\s", row)
        if m and cur is not None:
            lines[int(m.group(1))] = cur
    return lines


def tool_exists(name):
    return any(os.access(os.path.join(d, name), os.X_OK) for d in os.environ["PATH"].split(":"))


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    obj, probe = sys.argv[1], sys.argv[2]
    sites = oracle_sites(obj, probe)
    if len(sys.argv) == 3:
        print("\n".join(f"{s['insn']} {', '.join(s['regs'])}" for s in sites))
        return
    line, col = marker_position(sys.argv[3], sys.argv[4])
    ranges = inlined_ranges(obj, line, col)
    found = []
    for s in sites:
        off = 8 * s["section_insn"]
        if any(a <= off < b for a, b in ranges) or \
           (not ranges and site_lines(obj, s["section"]).get(s["section_insn"]) == line):
            found.append(s["insn"])
    if len(found) != 1:
        sys.exit(f"site_at: {len(found)} sites of {probe} match '{sys.argv[4]}'")
    print(found[0])


main()
