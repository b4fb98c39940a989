#!/usr/bin/env python3
"""summarize-sweep.py DIR...: the corpus sweep in numbers, as Markdown.

Each DIR is a build/corpus/clang-N directory holding sweep.tsv (sweep.sh).
Prints per compiler: programs swept, boundaries, armed, identical, the
programs at 100%, and every program that is not, with why (grouped by the
reason's first words, each group with its programs).
"""
import collections
import csv
import os
import re
import sys


def rows(path):
    with open(path, newline="") as f:
        r = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [dict(zip(r[0], x)) for x in r[1:]]


def num(s):
    return int(s) if s else 0


def reason_key(failures):
    """The kind of a program's first failure, without its numbers."""
    first = failures.split("; ")[0]
    first = re.sub(r"^insn \d+: ", "", first)
    first = re.sub(r"input \d+: ", "", first)
    first = re.sub(r"\b\d+\b", "N", first)
    first = re.sub(r"\(id N\)|0x[0-9a-f]+", "", first)
    return first[:110]


def main():
    print("| compiler | programs | boundaries | armed | identical | programs at 100% |")
    print("|---|---:|---:|---:|---:|---:|")
    details = []
    for d in sys.argv[1:]:
        clang = os.path.basename(d.rstrip("/"))
        rs = rows(os.path.join(d, "sweep.tsv"))
        b = sum(num(r["boundaries"]) for r in rs)
        a = sum(num(r["armed"]) for r in rs)
        i = sum(num(r["identical"]) for r in rs)
        full = [r for r in rs if r["boundaries"] and num(r["armed"]) == num(r["boundaries"])
                and num(r["identical"]) == num(r["boundaries"])]
        print("| %s | %d | %d | %d (%.2f%%) | %d (%.2f%%) | %d |" % (
            clang, len(rs), b, a, 100.0 * a / max(b, 1), i, 100.0 * i / max(b, 1), len(full)))
        groups = collections.OrderedDict()
        for r in rs:
            if r in full:
                continue
            key = reason_key(r["failures"]) or "status " + r["status"]
            groups.setdefault(key, []).append(r)
        details.append((clang, groups, [r for r in rs if r["notes"]]))
    for clang, groups, noted in details:
        print("\n%s: programs not at 100%%, by reason\n" % clang)
        for key, rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            progs = ", ".join("%s %s%s" % (r["object"], r["program"],
                              " (%s/%s/%s)" % (r["armed"], r["identical"], r["boundaries"])
                              if r["boundaries"] else "") for r in rs[:6])
            more = " and %d more" % (len(rs) - 6) if len(rs) > 6 else ""
            print("- %d: %s -- %s%s" % (len(rs), key, progs, more))
        print("\n%s: %d programs compared with something left out (their notes)" % (
            clang, len(noted)))


if __name__ == "__main__":
    main()
