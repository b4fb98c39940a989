#!/usr/bin/env python3
"""Independent check of `bpfsdt list --json FILE`.

Computes what the probe table must be from LLVM's and bpftool's view of the
object -- llvm-readelf for sections, symbols and relocations, the file's raw
bytes for notes and instructions, bpftool's JSON dump for BTF -- and compares
it with what bpfsdt reports. Shares no code with libbpfsdt.

usage: elf_oracle.py OBJECT BPFSDT   (exit 0: same, 1: different, 2: error)
"""
import json
import re
import struct
import subprocess
import sys

NOP = bytes([0x05, 0, 0, 0, 0, 0, 0, 0])


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def sections(path):
    out = {}
    for line in run("llvm-readelf", "-S", "--wide", path).splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m:
            idx, name, _type, _addr, off, size = m.groups()
            out[int(idx)] = {"name": name, "off": int(off, 16), "size": int(size, 16)}
    return out


def symbols(path):
    out = []
    for line in run("llvm-readelf", "-s", "--wide", path).splitlines():
        m = re.match(r"\s*(\d+):\s+([0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(\S*)", line)
        if m:
            num, value, size, typ, _bind, _vis, ndx, name = m.groups()
            out.append({"num": int(num), "value": int(value, 16), "size": int(size),
                        "type": typ, "ndx": ndx, "name": name})
    return out


def notes_relocs(path):
    """{offset in .bpf_sdt_notes: (type, symbol index)}"""
    out, inside = {}, False
    for line in run("llvm-readelf", "-r", "--wide", path).splitlines():
        if line.startswith("Relocation section"):
            inside = "'.rel.bpf_sdt_notes'" in line
            continue
        m = re.match(r"\s*([0-9a-f]{16})\s+([0-9a-f]{16})\s+(\S+)", line)
        if inside and m:
            info = int(m.group(2), 16)
            out[int(m.group(1), 16)] = (m.group(3), info >> 32)
    return out


class Btf:
    def __init__(self, path):
        doc = json.loads(run("bpftool", "-j", "btf", "dump", "file", path))
        self.types = {t["id"]: t for t in doc["types"]}

    def spell(self, tid):
        if tid == 0:
            return "void"
        t = self.types[tid]
        kind, name = t["kind"], t.get("name", "(anon)")
        if kind in ("INT", "TYPEDEF", "FLOAT"):
            return name
        if kind in ("STRUCT", "UNION", "ENUM", "ENUM64", "FWD"):
            word = {"STRUCT": "struct", "UNION": "union", "ENUM": "enum", "ENUM64": "enum",
                    "FWD": "struct"}[kind]
            return f"{word} {name}"
        if kind == "PTR":
            inner = self.spell(t["type_id"])
            return inner + ("*" if inner.endswith("*") else " *")
        if kind in ("CONST", "VOLATILE", "RESTRICT"):
            inner = self.spell(t["type_id"])
            word = kind.lower()
            return f"{inner} {word}" if inner.endswith("*") else f"{word} {inner}"
        raise ValueError(f"cannot spell BTF kind {kind}")

    def probes(self):
        out = {}
        for t in self.types.values():
            if t["kind"] != "DECL_TAG" or not t["name"].startswith("bpf_sdt:"):
                continue
            _, name, nargs = t["name"].split(":")
            target = self.types[t["type_id"]]
            if target["kind"] == "FUNC":
                proto = self.types[target["type_id"]]
            else:  # VAR -> PTR -> FUNC_PROTO
                proto = self.types[self.types[target["type_id"]]["type_id"]]
            assert proto["kind"] == "FUNC_PROTO" and len(proto["params"]) == int(nargs)
            out[name] = [{"type": self.spell(p["type_id"])} for p in proto["params"]]
        return out


def expected(path):
    data = open(path, "rb").read()
    secs = sections(path)
    syms = symbols(path)
    relocs = notes_relocs(path)
    by_name = {s["name"]: i for i, s in secs.items()}
    probes = {name: {"name": name, "args": args, "sites": []}
              for name, args in Btf(path).probes().items()}
    if ".bpf_sdt_notes" not in by_name:
        return {"file": path, "probes": sorted(probes.values(), key=lambda p: p["name"].encode())}
    notes_idx = by_name[".bpf_sdt_notes"]
    notes = secs[notes_idx]
    entries = sorted((s["value"], s["name"]) for s in syms
                     if s["ndx"] == str(notes_idx) and s["name"].startswith("___sdt_jt_"))
    for k, (start, sym) in enumerate(entries):
        end = entries[k + 1][0] if k + 1 < len(entries) else notes["size"]
        probe = sym[len("___sdt_jt_"):].split(".")[0]
        raw = data[notes["off"] + start:notes["off"] + end]
        rtype, rsym = relocs[start]
        assert rtype == "R_BPF_64_ABS64", rtype
        target = next(s for s in syms if s["num"] == rsym)
        code_idx = int(target["ndx"])
        nop = target["value"] + struct.unpack_from("<Q", raw, 0)[0]
        code = secs[code_idx]
        assert data[code["off"] + nop:code["off"] + nop + 8] == NOP, f"{probe}: no NOP at {nop}"
        func = next((s for s in syms if s["type"] == "FUNC" and s["ndx"] == str(code_idx)
                     and s["value"] <= nop < s["value"] + s["size"]), None)
        regs = []
        for a in range(1, len(raw) // 8):
            op, regbyte, off = struct.unpack_from("<BBh", raw, 8 * a)
            src = regbyte >> 4
            regs.append(f"r{src}" if op == 0xBF else f"[r{src}{off:+d}]")
        probes[probe]["sites"].append({
            "function": func["name"] if func else None,
            "section": code["name"],
            "insn": (nop - (func["value"] if func else 0)) // 8,
            "section_insn": nop // 8,
            "regs": regs,
        })
    for p in probes.values():
        p["sites"].sort(key=lambda s: (s["section"].encode(), s["section_insn"]))
    return {"file": path, "probes": sorted(probes.values(), key=lambda p: p["name"].encode())}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, bpfsdt = sys.argv[1:]
    try:
        want = expected(path)
    except (subprocess.CalledProcessError, AssertionError, KeyError, StopIteration) as e:
        print(f"oracle: {path}: cannot read the object: {e!r}", file=sys.stderr)
        return 2
    proc = subprocess.run([bpfsdt, "list", "--json", path], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"oracle: bpfsdt failed ({proc.returncode}): {proc.stderr.strip()}")
        return 1
    got = json.loads(proc.stdout)
    if got == want:
        return 0
    print(f"oracle: {path}: bpfsdt disagrees with the ELF")
    print("  ELF says:    " + json.dumps(want, sort_keys=True))
    print("  bpfsdt says: " + json.dumps(got, sort_keys=True))
    return 1


if __name__ == "__main__":
    sys.exit(main())
