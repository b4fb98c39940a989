#!/usr/bin/env python3
"""summarize.py TIMING DIR...: the corpus in numbers, as Markdown.

Each DIR is a build/corpus/clang-N directory holding build.tsv (compile.sh)
and manifest.tsv (corpus-classify). Prints what docs/corpus.md reports:
how many sources, objects and network programs; how many load; the
failures by category, each with a count and one example line.
"""
import collections
import csv
import os
import re
import sys


def read_tsv(path, header):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if header:
        names = rows[0]
        return [dict(zip(names, r)) for r in rows[1:]]
    return rows


# Why a source does not compile, from clang's first error line.
COMPILE_CATEGORIES = [
    (r"no member named", "the running kernel's vmlinux.h lacks a 6.12 field"),
    (r"discards qualifiers", "a kernel function takes a const pointer since 6.12 (-Werror)"),
    (r"invalid operand for instruction", "clang 14's BPF assembler rejects the inline asm"),
    (r"set but not used", "clang 14 warns where 19 does not (-Werror)"),
]

# Why a program never reached the verifier, from libbpf's line.
NEEDS_CATEGORIES = [
    (r"extern .*'bpf_(kfunc_call_test|kfunc_call_int|kfunc_dynptr_test|test_modorder|"
     r"iter_testmod|testmod)\w*': not found",
     "a kfunc or ksym of bpf_testmod.ko, the selftests' kernel module"),
    (r"extern .*: not found", "a kfunc this kernel does not have (its config)"),
    (r"incompatible with kernel", "a kfunc whose prototype differs from this kernel's"),
    (r"CO-RE relocation", "a CO-RE relocation against a BTF the test supplies (__btf_path)"),
    (r"failed to (create|initialize)", "a map the kernel will not create"),
]


def categorize(line, table):
    for pattern, name in table:
        if re.search(pattern, line):
            return name
    return "other"


# The sections libbpfsdt registers handlers for (src/capture.c): only their
# programs are captured at load, so only they can be armed today.
LIBBPFSDT_SECTIONS = {"xdp", "xdp.frags", "tc", "classifier", "action", "socket",
                      "cgroup_skb/ingress", "cgroup_skb/egress"}


def fail_object(obj):
    """The selftests load these objects expecting refusals (their
    prog_tests hold the expected messages, not BTF tags)."""
    return "fail" in obj


def network_summary(rows):
    c = collections.Counter()
    for r in rows:
        res = r["result"]
        if res == "refused":
            if r["expect"] == "failure":
                res = "refused-expected"
            elif fail_object(r["object"]):
                res = "refused-fail-object"
            else:
                res = "refused-other"
        c[res] += 1
    return c


def main():
    timing = read_tsv(sys.argv[1], header=False)
    dirs = sys.argv[2:]
    names = [os.path.basename(d.rstrip("/")) for d in dirs]
    builds = {n: read_tsv(os.path.join(d, "build.tsv"), header=False) for n, d in zip(names, dirs)}
    manifests = {n: read_tsv(os.path.join(d, "manifest.tsv"), header=True)
                 for n, d in zip(names, dirs)}
    out = []
    w = out.append

    def row(label, values):
        w("| %s | %s |" % (label, " | ".join(str(v) for v in values)))

    w("| | " + " | ".join(names) + " |")
    w("|---|" + "---|" * len(names))
    row("sources (progs/*.c)", [len(builds[n]) for n in names])
    row("objects built", [sum(1 for b in builds[n] if b[1] == "ok") for n in names])
    row("objects with network programs",
        [len({r["object"] for r in manifests[n]}) for n in names])
    row("network programs (XDP, tc, socket filter, cgroup_skb)", [len(manifests[n]) for n in names])
    sums = {n: network_summary(manifests[n]) for n in names}
    row("**load on this kernel**", ["**%d**" % sums[n]["loads"] for n in names])
    row("... of which in a section libbpfsdt registers (armable today)",
        [sum(1 for r in manifests[n] if r["result"] == "loads" and
             r["section"] in LIBBPFSDT_SECTIONS) for n in names])
    row("refused, as the selftest states (`__failure`)",
        [sums[n]["refused-expected"] for n in names])
    row("refused, in `*fail*` objects (expected by their prog_tests)",
        [sums[n]["refused-fail-object"] for n in names])
    row("refused otherwise", [sums[n]["refused-other"] for n in names])
    row("need what this kernel or libbpf 1.1.2 lacks", [sums[n]["needs"] for n in names])
    row("in objects libbpf 1.1.2 cannot open", [sums[n]["open-failed"] for n in names])
    if any(sums[n]["crashed"] for n in names):
        row("objects on which libbpf crashed", [sums[n]["crashed"] for n in names])
    row("loaded although the selftest expects a refusal",
        [sum(1 for r in manifests[n] if r["result"] == "loads" and r["expect"] == "failure")
         for n in names])
    if len(names) > 1:
        keys = [{(r["object"], r["program"]) for r in manifests[n] if r["result"] == "loads"}
                for n in names]
        both = set.intersection(*keys)
        w("")
        w("Programs that load with every compiler: **%d**." % len(both))
    w("")

    w("Loading programs by type, and what they use:")
    w("")
    types = sorted({r["type"] for n in names for r in manifests[n]})
    w("| | " + " | ".join(names) + " |")
    w("|---|" + "---|" * len(names))
    for t in types:
        row(t, [sum(1 for r in manifests[n] if r["result"] == "loads" and r["type"] == t)
                for n in names])
    feats = sorted({f for n in names for r in manifests[n] for f in r["features"].split(",")
                    if f != "-"})
    for f in feats:
        row("uses " + f, [sum(1 for r in manifests[n] if r["result"] == "loads" and
                              f in r["features"].split(",")) for n in names])
    row("with subprograms",
        [sum(1 for r in manifests[n] if r["result"] == "loads" and int(r["subprogs"]) > 1)
         for n in names])
    row("instructions, largest",
        [max([int(r["insns"]) for r in manifests[n] if r["result"] == "loads"] or [0])
         for n in names])
    row("instructions, all loading programs",
        [sum(int(r["insns"]) for r in manifests[n] if r["result"] == "loads") for n in names])
    row("with a selftest `__retval` (runs on 64 zero bytes)",
        [sum(1 for r in manifests[n] if r["result"] == "loads" and r["retval"] != "-")
         for n in names])
    row("not loaded by default (`SEC(\"?...\")`)",
        [sum(1 for r in manifests[n] if r["result"] == "loads" and r["autoload"] == "0")
         for n in names])
    w("")

    def categories(title, items, classify, limit=None):
        """items: (compiler, line) pairs; classify(line) names its category."""
        cats = collections.OrderedDict()
        for n, line in items:
            entry = cats.setdefault(classify(line),
                                    {"count": collections.Counter(), "example": line})
            entry["count"][n] += 1
        if not cats:
            return
        w(title)
        w("")
        w("| category | " + " | ".join(names) + " | example |")
        w("|---|" + "---|" * len(names) + "---|")
        ordered = sorted(cats.items(), key=lambda kv: -sum(kv[1]["count"].values()))
        for cat, e in ordered[:limit]:
            w("| %s | %s | `%s` |" % (cat.replace("|", "\\|"),
                                     " | ".join(str(e["count"][n]) for n in names),
                                     e["example"].replace("|", "\\|")))
        if limit and len(ordered) > limit:
            rest = collections.Counter()
            for _, e in ordered[limit:]:
                rest.update(e["count"])
            w("| %d other messages | %s | |" % (len(ordered) - limit,
                                               " | ".join(str(rest[n]) for n in names)))
        w("")

    categories("Sources that do not compile:",
               [(n, b[3]) for n in names for b in builds[n] if b[1] != "ok"],
               lambda line: categorize(line, COMPILE_CATEGORIES))
    categories("Network programs that never reach the verifier:",
               [(n, r["reason"]) for n in names for r in manifests[n]
                if r["result"] in ("needs", "open-failed")],
               lambda line: categorize(line, NEEDS_CATEGORIES))
    categories("Refused without a selftest tag saying so, by the verifier's first error "
               "line (numbers made N; most are negative tests whose prog_tests hold the "
               "expected message):",
               [(n, "%s: %s" % (r["program"], r["reason"])) for n in names for r in manifests[n]
                if r["result"] == "refused" and r["expect"] != "failure"
                and not fail_object(r["object"])],
               lambda line: re.sub(r"\d+", "N", line.split(": ", 1)[1]), limit=12)

    w("Time (seconds, %d CPUs):" % os.cpu_count())
    w("")
    w("| step | s |")
    w("|---|---|")
    for name, secs in timing:
        w("| %s | %s |" % (name, secs))
    print("\n".join(out))


if __name__ == "__main__":
    main()
