#!/usr/bin/env python3
"""Independent check of `bpfsdt list --json OBJECT`.

Computes the probe table an object must have from the tools' view of it and
compares it with what bpfsdt reports. It shares no code with libbpfsdt and
uses the Python standard library only:

  llvm-readelf -S -s -r --wide   sections, symbols, relocations
  the file's bytes               at the offsets llvm-readelf gives
  llvm-objdump -D -j ...         a second decoding of every site's NOP and of
                                 every note instruction, which must agree with
                                 the bytes (if not, the oracle gives up: 2)
  bpftool -j btf dump file       BTF. Argument types are spelled the way
                                 `bpftool btf dump file F format c` spells
                                 declarations (libbpf's btf_dump, ported), and
                                 that speller is checked on every object
                                 against each typedef and named struct/union
                                 definition `format c` prints

Probes: each DECL_TAG "bpf_sdt:<name>:<n>" on a FUNC (its FUNC_PROTO) or on a
VAR whose type is a pointer to a FUNC_PROTO. Sites: each ___sdt_jt_<probe>...
symbol in .bpf_sdt_notes starts an entry running to the next one: a quad
relocated by R_BPF_64_ABS64 against the code section (the NOP's byte offset is
the in-place addend), then one instruction per argument: `rD = rS` (opcode
0xbf, the argument is in rS) or `rD = *(u64 *)(rS + off)` (opcode 0x79, at
[rS+off]), with D = 1 + (i - 1) % 5 for argument i. Probes sort by name,
sites by section name, then offset.

Guards: each ___sdt_guard_<probe>... symbol in .bpf_sdt_guard_notes marks one
quad relocated like a site's, the byte offset of the guard's first
instruction: `r0 = <x> ll` (0x18) relocated by R_BPF_64_64 against
.rodata.bpf_sdt_guards at the byte ___bpf_sdt_guard__<probe>, then
`r0 = *(u8 *)(r0 + 0)` (0x71) and `if r0 != 0 goto +off` (0x55), the block
starting off + 1 instructions past the jump. Listed per probe (by section
name, then offset) only for probes that have guards; a probe whose name is
a global FUNC tagged "bpf_sdt_func:..." is a function probe.

An object that breaks those rules must be refused: then bpfsdt has to exit
with status 2.

usage: elf_oracle.py OBJECT... BPFSDT  compare each OBJECT's `BPFSDT list --json`
                                       with the ELF: exit 0 all agree, 1 some
                                       disagree, 2 the oracle can't read one
       elf_oracle.py --expected OBJECT print the oracle's document
"""
import json
import re
import subprocess
import sys

NOTES = ".bpf_sdt_notes"
ENTRY_PREFIX = "___sdt_jt_"
TAG_PREFIX = "bpf_sdt:"
MAX_ARGS = 12
NOP = bytes([0x05, 0, 0, 0, 0, 0, 0, 0])
R_BPF_64_ABS64 = 2
R_BPF_64_64 = 1
GUARD_NOTES = ".bpf_sdt_guard_notes"
GUARD_PREFIX = "___sdt_guard_"
GUARDS_SEC = ".rodata.bpf_sdt_guards"
GUARD_VAR_PREFIX = "___bpf_sdt_guard__"
FUNC_TAG_PREFIX = "bpf_sdt_func:"
SHN_LORESERVE = 0xFF00
PTR_SZ = 8


class OracleError(Exception):
    """The oracle cannot compute an answer (a tool failed, BTF it can't spell)."""


class Invalid(Exception):
    """The object breaks the probe ABI: bpfsdt must refuse it."""


def run(cmd):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise OracleError(f"cannot run {cmd[0]}: {e}") from e
    if proc.returncode:
        raise OracleError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


# --------------------------------------------------------------------------
# ELF, as llvm-readelf shows it

SEC_RE = re.compile(r"\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)"
                    r"\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")
SYM_RE = re.compile(r"\s*(\d+):\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+(\S+)\s+(\S+)\s+(\S+)"
                    r"\s+(\S+)\s?(.*)$")
RELSEC_RE = re.compile(r"Relocation section '(.*)' at offset 0x[0-9a-f]+ contains \d+ entr")
REL_RE = re.compile(r"([0-9a-f]{16})\s+([0-9a-f]{16})\s+(\S+)(?:\s+([0-9a-f]{16})\s+(.*?))?"
                    r"(?:\s+([+-])\s+([0-9a-f]+))?\s*$")


class Elf:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        self.sections = {}   # index -> {name, type, off, size, flags, info}
        self.symbols = []    # {num, value, size, type, bind, ndx, name}
        self.relocs = {}     # relocation section name -> [{offset, type, sym, addend}]
        part, rel_sec = None, None
        for line in run(["llvm-readelf", "-S", "-s", "-r", "--wide", path]).splitlines():
            if line.startswith("Section Headers:"):
                part = "S"
                continue
            if line.startswith("Symbol table '"):
                part = "s" if "'.symtab'" in line else None
                continue
            m = RELSEC_RE.match(line)
            if m:
                part, rel_sec = "r", m.group(1)
                self.relocs[rel_sec] = []
                continue
            if part == "S":
                m = SEC_RE.match(line)
                if m:
                    idx, name, typ, _a, off, size, _es, flags, _lk, info, _al = m.groups()
                    self.sections[int(idx)] = {
                        "idx": int(idx), "name": name, "type": typ, "off": int(off, 16),
                        "size": int(size, 16), "flags": flags, "info": int(info)}
            elif part == "s":
                m = SYM_RE.match(line)
                if m:
                    num, value, size, typ, bind, _vis, ndx, name = m.groups()
                    self.symbols.append({
                        "num": int(num), "value": int(value, 16),
                        "size": int(size, 16) if size.startswith("0x") else int(size),
                        "type": typ, "bind": bind, "ndx": ndx, "name": name.strip()})
            elif part == "r":
                m = REL_RE.match(line.strip())
                if m:
                    off, info, _tname, _v, _n, sign, addend = m.groups()
                    info = int(info, 16)
                    self.relocs[rel_sec].append({
                        "offset": int(off, 16), "type": info & 0xFFFFFFFF, "sym": info >> 32,
                        "addend": None if addend is None else
                        (-1 if sign == "-" else 1) * int(addend, 16)})
        if not self.sections:
            raise OracleError(f"llvm-readelf shows no sections in {path}")
        self.sym_by_num = {s["num"]: s for s in self.symbols}

    def section_by_name(self, name):
        for s in self.sections.values():
            if s["name"] == name:
                return s
        return None

    def section_data(self, sec):
        if sec["type"] == "NOBITS":
            return bytes(sec["size"])
        return self.data[sec["off"]:sec["off"] + sec["size"]]

    def relocs_for(self, sec):
        """Relocations applying to section sec (REL or RELA sections whose
        sh_info names it), with the RELA addend or None."""
        out = []
        for s in self.sections.values():
            if s["type"] in ("REL", "RELA") and s["info"] == sec["idx"]:
                out.extend(self.relocs.get(s["name"], []))
        return out


def objdump_rows(path, args):
    """{section name: {insn index: (bytes, text)}} from llvm-objdump."""
    out, sec = {}, None
    for line in run(["llvm-objdump"] + args + [path]).splitlines():
        m = re.match(r"Disassembly of section (.*):$", line)
        if m:
            sec = out.setdefault(m.group(1), {})
            continue
        m = re.match(r"\s*(\d+):\t((?:[0-9a-f]{2} )*[0-9a-f]{2})\s*\t?(.*)$", line)
        if m and sec is not None:
            sec[int(m.group(1))] = (bytes.fromhex(m.group(2).replace(" ", "")),
                                    m.group(3).strip())
    return out


# --------------------------------------------------------------------------
# BTF, as bpftool shows it, and C spelling the way libbpf's btf_dump does it

MODS = ("CONST", "VOLATILE", "RESTRICT")


class Btf:
    def __init__(self, path):
        doc = json.loads(run(["bpftool", "-j", "btf", "dump", "file", path]))
        self.types = {}
        for t in doc["types"]:
            # bpftool shows an empty name as "(anon)", which no C name can be
            for part in [t] + t.get("params", []) + t.get("members", []):
                if part.get("name") == "(anon)":
                    part["name"] = ""
            self.types[t["id"]] = t
        self.path = path

    def t(self, tid):
        if tid not in self.types:
            raise Invalid(f"BTF type [{tid}] does not exist")
        return self.types[tid]

    # btf__resolve_size() / btf__align_of() / btf_is_struct_packed()
    def resolve_size(self, tid):
        nelems = 1
        for _ in range(32):
            if tid == 0:
                return -1
            t = self.t(tid)
            k = t["kind"]
            if k in ("INT", "STRUCT", "UNION", "ENUM", "ENUM64", "DATASEC", "FLOAT"):
                return nelems * t["size"]
            if k == "PTR":
                return nelems * PTR_SZ
            if k in MODS + ("TYPEDEF", "VAR", "DECL_TAG", "TYPE_TAG"):
                tid = t["type_id"]
            elif k == "ARRAY":
                nelems *= t["nr_elems"]
                tid = t["type_id"]
            else:
                return -1
        return -1

    def align_of(self, tid, depth=0):
        if depth > 32 or tid == 0:
            return 0
        t = self.t(tid)
        k = t["kind"]
        if k in ("INT", "ENUM", "ENUM64", "FLOAT"):
            return min(PTR_SZ, t["size"])
        if k == "PTR":
            return PTR_SZ
        if k in MODS + ("TYPEDEF", "TYPE_TAG", "ARRAY"):
            return self.align_of(t["type_id"], depth + 1)
        if k in ("STRUCT", "UNION"):
            max_align = 1
            for m in t["members"]:
                a = self.align_of(m["type_id"], depth + 1)
                if a <= 0:
                    return a
                max_align = max(max_align, a)
                if not m.get("bitfield_size") and m["bits_offset"] % (8 * a):
                    return 1
            return 1 if t["size"] % max_align else max_align
        return 0

    def is_packed(self, t):
        max_align = 1
        for m in t["members"]:
            a = self.align_of(m["type_id"])
            if a and not m.get("bitfield_size") and m["bits_offset"] % (8 * a):
                return True
            max_align = max(max_align, a)
        return t["size"] % max_align != 0

    @staticmethod
    def pfx(lvl):
        return "\t" * min(lvl, 13)

    def spell(self, tid, fname="", lvl=0):
        """btf_dump_emit_type_decl(): the declaration of fname with type tid."""
        out = []
        self._decl(out, tid, fname, lvl, 0)
        return "".join(out)

    def _decl(self, out, tid, fname, lvl, depth):
        if depth > 32:
            raise OracleError("type chain too deep to spell")
        stack = []
        while True:
            stack.append(tid)
            if tid == 0:
                break
            t = self.t(tid)
            k = t["kind"]
            if k in MODS + ("PTR", "TYPE_TAG", "ARRAY"):
                tid = t["type_id"]
            elif k == "FUNC_PROTO":
                tid = t["ret_type_id"]
            elif k in ("INT", "ENUM", "ENUM64", "FWD", "STRUCT", "UNION", "TYPEDEF", "FLOAT"):
                break
            else:
                raise OracleError(f"BTF [{tid}] {k} in a type declaration")
            if len(stack) > 64:
                raise OracleError("cyclic type chain")
        self._chain(out, stack, fname, lvl, depth)

    def _emit_mods(self, out, stack):
        while stack and stack[-1] and self.t(stack[-1])["kind"] in MODS:
            out.append(self.t(stack.pop())["kind"].lower() + " ")

    def _drop_mods(self, stack):
        while stack and stack[-1] and self.t(stack[-1])["kind"] in MODS:
            stack.pop()

    @staticmethod
    def _name(out, fname, last_was_ptr):
        out.append((" " if fname and not last_was_ptr else "") + fname)

    def _chain(self, out, stack, fname, lvl, depth):
        last_was_ptr = True
        while stack:
            tid = stack.pop()
            if tid == 0:
                self._emit_mods(out, stack)
                out.append("void")
                last_was_ptr = False
                continue
            t = self.t(tid)
            k, name = t["kind"], t.get("name", "")
            if k in ("INT", "FLOAT", "TYPEDEF"):
                self._emit_mods(out, stack)
                out.append(name)
            elif k in ("STRUCT", "UNION"):
                self._emit_mods(out, stack)
                if not name:
                    self._struct_def(out, t, lvl, depth)
                else:
                    out.append(f"{k.lower()} {name}")
            elif k in ("ENUM", "ENUM64"):
                self._emit_mods(out, stack)
                if not name:
                    self._enum_def(out, t, lvl)
                else:
                    out.append(f"enum {name}")
            elif k == "FWD":
                self._emit_mods(out, stack)
                out.append(f"{t['fwd_kind']} {name}")
            elif k == "PTR":
                out.append("*" if last_was_ptr else " *")
            elif k in MODS:
                out.append(" " + k.lower())
            elif k == "TYPE_TAG":
                self._emit_mods(out, stack)
                out.append(f' __attribute__((btf_type_tag("{name}")))')
            elif k == "ARRAY":
                self._drop_mods(stack)
                if not stack:
                    self._name(out, fname, last_was_ptr)
                    out.append(f"[{t['nr_elems']}]")
                    return
                multidim = stack[-1] != 0 and self.t(stack[-1])["kind"] == "ARRAY"
                if fname and not last_was_ptr:
                    out.append(" ")
                if not multidim:
                    out.append("(")
                self._chain(out, stack, fname, lvl, depth)
                if not multidim:
                    out.append(")")
                out.append(f"[{t['nr_elems']}]")
                return
            elif k == "FUNC_PROTO":
                self._drop_mods(stack)
                if stack:
                    out.append(" (")
                    self._chain(out, stack, fname, lvl, depth)
                    out.append(")")
                else:
                    self._name(out, fname, last_was_ptr)
                out.append("(")
                params = t["params"]
                # no parameters: "(void)" -- libbpf 1.1.2 printed "()", which
                # libbpf fixed in 2024 ("Fix no-args func prototype BTF dumping
                # syntax"); bpftool's copy here has the fix
                if not params or (len(params) == 1 and params[0]["type_id"] == 0):
                    out.append("void)")
                    return
                for i, p in enumerate(params):
                    if i:
                        out.append(", ")
                    if i == len(params) - 1 and p["type_id"] == 0:
                        out.append("...")
                        break
                    self._decl(out, p["type_id"], p.get("name", ""), lvl, depth + 1)
                out.append(")")
                return
            else:
                raise OracleError(f"BTF [{tid}] {k} in a type declaration")
            last_was_ptr = k == "PTR"
        self._name(out, fname, last_was_ptr)

    def _enum_def(self, out, t, lvl):
        name = t.get("name", "")
        out.append("enum" + (" " + name if name else ""))
        values = t.get("values", [])
        if not values:
            return
        out.append(" {")
        signed = t.get("encoding") == "SIGNED"
        for v in values:
            if t["kind"] == "ENUM":
                val = v["val"] & 0xFFFFFFFF
                if signed and val >= 1 << 31:
                    val -= 1 << 32
                out.append(f"\n{self.pfx(lvl + 1)}{v['name']} = {val},")
            else:
                val = v["val"] & 0xFFFFFFFFFFFFFFFF
                if signed and val >= 1 << 63:
                    val -= 1 << 64
                out.append(f"\n{self.pfx(lvl + 1)}{v['name']} = {val}{'LL' if signed else 'ULL'},")
        out.append(f"\n{self.pfx(lvl)}}}")
        if t["size"] == 1:
            out.append(" __attribute__((mode(byte)))")
        elif t["size"] == 8:
            word = t["kind"] == "ENUM" or all((v["val"] & 0xFFFFFFFFFFFFFFFF) >> 32 == 0
                                               for v in values)
            if word:
                out.append(" __attribute__((mode(word)))")

    def _padding(self, out, cur, nxt, nxt_align, in_bitfield, lvl):
        pads = [("long", PTR_SZ * 8), ("int", 32), ("short", 16), ("char", 8)]
        if cur >= nxt:
            return
        if nxt_align <= 0:
            raise OracleError("member alignment undefined (btf_dump would divide by zero)")

        def roundup(x, y):
            return (x + y - 1) // y * y

        for pad_type, pad_bits in pads:
            new = roundup(cur, pad_bits)
            if new <= nxt:
                break
        if cur < new <= nxt:
            if (in_bitfield or (new == nxt and roundup(cur, nxt_align * 8) != new)
                    or (new != nxt and nxt - new <= new - cur)):
                out.append(f"\n{self.pfx(lvl)}{pad_type}: {new - cur if in_bitfield else 0};")
            cur = new
        while cur != nxt:
            bits = min(nxt - cur, pad_bits)
            if bits == pad_bits:
                out.append(f"\n{self.pfx(lvl)}{pad_type}: {pad_bits};")
                cur += bits
                continue
            for pad_type2, pad_bits2 in reversed(pads):
                if pad_bits2 < bits:
                    continue
                out.append(f"\n{self.pfx(lvl)}{pad_type2}: {bits};")
                cur += bits
                break

    def _struct_def(self, out, t, lvl, depth):
        is_struct = t["kind"] == "STRUCT"
        name = t.get("name", "")
        align = self.align_of(t["id"])
        packed = is_struct and self.is_packed(t)
        out.append(("struct" if is_struct else "union") + (" " + name if name else "") + " {")
        off, prev_bitfield = 0, False
        for m in t["members"]:
            m_sz = m.get("bitfield_size", 0)
            m_off = m["bits_offset"]
            m_align = 1 if packed else self.align_of(m["type_id"])
            in_bitfield = prev_bitfield and m_sz != 0
            self._padding(out, off, m_off, m_align, in_bitfield, lvl + 1)
            out.append(f"\n{self.pfx(lvl + 1)}")
            self._decl(out, m["type_id"], m.get("name", ""), lvl + 1, depth + 1)
            if m_sz:
                out.append(f": {m_sz}")
                off = m_off + m_sz
                prev_bitfield = True
            else:
                off = m_off + max(0, self.resolve_size(m["type_id"])) * 8
                prev_bitfield = False
            out.append(";")
        if is_struct:
            self._padding(out, off, t["size"] * 8, align, False, lvl + 1)
        if t["members"] or t["size"]:
            out.append(f"\n{self.pfx(lvl)}}}")
        else:
            out.append("}")
        if packed:
            out.append(" __attribute__((packed))")

    def _spell_def(self, t):
        out = []
        self._struct_def(out, t, 0, 0)
        return "".join(out)

    def check_speller(self):
        """Every typedef and named struct/union definition that `bpftool btf
        dump file F format c` prints must come out of the speller identically
        (except where btf_dump renamed a duplicate name to name___N)."""
        text = run(["bpftool", "btf", "dump", "file", self.path, "format", "c"])
        by_name = {}
        for t in self.types.values():
            if t["kind"] == "TYPEDEF":
                by_name.setdefault(t["name"], []).append(t)
        aggr = {}
        for t in self.types.values():
            if t["kind"] in ("STRUCT", "UNION") and t["name"]:
                aggr.setdefault((t["kind"].lower(), t["name"]), []).append(t)
        checked = 0
        for block in re.split(r"\n\n+", text):
            block = block.strip("\n")
            m = re.match(r"(struct|union) ([A-Za-z_][A-Za-z0-9_]*) \{", block)
            if m and block.endswith(";") and not re.search(r"___\d", block):
                ts = aggr.get(m.groups(), [])
                if len(ts) == 1:
                    mine = self._spell_def(ts[0])
                    if mine != block[:-1]:
                        raise OracleError("the oracle's C speller disagrees with bpftool "
                                          f"format c:\n  bpftool: {block}\n  oracle:  {mine};")
                    checked += 1
                continue
            if not block.startswith("typedef ") or not block.endswith(";") or \
                    re.search(r"___\d", block):
                continue
            # the declared name is one of the block's identifiers
            words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", block))
            if any(len(by_name.get(w, ())) > 1 for w in words):
                continue  # btf_dump numbers duplicate names: no telling which is meant
            cands = [by_name[w][0] for w in words if w in by_name]
            if not cands:
                continue
            want = block[len("typedef "):-1]
            if not any(self.spell(t["type_id"], t["name"]) == want for t in cands):
                mine = "".join(f"\n  oracle:  typedef {self.spell(t['type_id'], t['name'])};"
                               for t in cands)
                raise OracleError("the oracle's C speller disagrees with bpftool format c:\n"
                                  f"  bpftool: typedef {want};{mine}")
            checked += 1
        return checked


# --------------------------------------------------------------------------
# The expected table

TAG_RE = re.compile(r"bpf_sdt:([A-Za-z_][A-Za-z0-9_]*):([0-9]{1,3})$")
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


def skip_mods_typedefs(btf, tid):
    for _ in range(32):
        if tid == 0:
            return 0
        t = btf.t(tid)
        if t["kind"] not in MODS + ("TYPEDEF", "TYPE_TAG"):
            return tid
        tid = t["type_id"]
    return 0


def arg_type_problem(btf, tid):
    for _ in range(32):
        if tid == 0:
            return "is void"
        t = btf.t(tid)
        k = t["kind"]
        if k in MODS + ("TYPEDEF", "TYPE_TAG"):
            tid = t["type_id"]
        elif k == "PTR":
            return None
        elif k in ("INT", "ENUM", "ENUM64"):
            return "is wider than 64 bits" if t["size"] > 8 else None
        else:
            return "is not an integer, enum, _Bool or pointer"
    return "is a typedef/modifier chain that does not end"


def probe_decls(btf):
    """{probe: [arg C spellings]} from the DECL_TAGs."""
    decls = {}
    for tid in sorted(btf.types):
        tag = btf.types[tid]
        if tag["kind"] != "DECL_TAG" or not tag["name"].startswith(TAG_PREFIX):
            continue
        m = TAG_RE.match(tag["name"])
        if not m:
            raise Invalid(f'DECL_TAG [{tid}] "{tag["name"]}": not bpf_sdt:<probe>:<nargs>')
        name, nargs = m.group(1), int(m.group(2))
        if nargs > MAX_ARGS:
            raise Invalid(f"probe {name}: {nargs} arguments")
        if tag["component_idx"] != -1:
            raise Invalid(f"probe {name}: the tag is on a parameter")
        target = btf.t(tag["type_id"])
        proto = 0
        if target["kind"] == "FUNC":
            proto = target["type_id"]
        elif target["kind"] == "VAR":
            ptr = skip_mods_typedefs(btf, target["type_id"])
            if ptr and btf.t(ptr)["kind"] == "PTR":
                proto = skip_mods_typedefs(btf, btf.t(ptr)["type_id"])
        if not proto or btf.t(proto)["kind"] != "FUNC_PROTO":
            raise Invalid(f"probe {name}: tag not on a function or function-pointer variable")
        params = btf.t(proto)["params"]
        if len(params) != nargs:
            raise Invalid(f"probe {name}: tag says {nargs} arguments, prototype has {len(params)}")
        args = []
        for i, p in enumerate(params):
            if p["type_id"] == 0:
                raise Invalid(f"probe {name}: variadic prototype")
            spelling = btf.spell(p["type_id"])
            problem = arg_type_problem(btf, p["type_id"])
            if problem:
                raise Invalid(f"probe {name} argument {i + 1}: '{spelling}' {problem}")
            args.append(spelling)
        if name in decls and decls[name] != args:
            raise Invalid(f"probe {name}: conflicting declarations")
        decls[name] = args
    return decls


def decode_arg(raw, i):
    """Where note instruction raw puts argument i (0-based): "rS" or "[rS+off]"."""
    op, regs, off, imm = raw[0], raw[1], int.from_bytes(raw[2:4], "little", signed=True), \
        int.from_bytes(raw[4:8], "little", signed=True)
    dst, src = regs & 0xF, regs >> 4
    if op == 0xBF and off == 0 and imm == 0:
        loc = f"r{src}"
    elif op == 0x79 and imm == 0:
        loc = f"[r{src}{off:+d}]"
    else:
        raise Invalid(f"argument {i + 1}: note instruction opcode 0x{op:02x} is not a move")
    if src >= 10:
        raise Invalid(f"argument {i + 1}: r{src} cannot hold an argument")
    if dst != 1 + i % 5:
        raise Invalid(f"argument {i + 1}: dst_reg r{dst}, expected r{1 + i % 5}")
    return loc


def objdump_arg(text):
    """The argument location llvm-objdump's text of a note instruction names."""
    m = re.fullmatch(r"r(\d+) = r(\d+)", text)
    if m:
        return f"r{m.group(2)}"
    m = re.fullmatch(r"r(\d+) = \*\(u64 \*\)\(r(\d+) ([+-]) (\d+)\)", text)
    if m:
        off = int(m.group(4)) * (-1 if m.group(3) == "-" else 1)
        return f"[r{m.group(2)}{off:+d}]"
    return None


def sites(elf, problems):
    """[(probe, nargs, site)] from .bpf_sdt_notes; problems collects
    disagreements between the bytes and llvm-objdump."""
    notes = elf.section_by_name(NOTES)
    if not notes or not notes["size"]:
        return []
    if notes["size"] % 8:
        raise Invalid(f"{NOTES} size {notes['size']} is not a multiple of 8")
    data = elf.section_data(notes)
    entries = sorted((s["value"], s["name"]) for s in elf.symbols
                     if s["ndx"] == str(notes["idx"]) and s["name"].startswith(ENTRY_PREFIX))
    for value, sym in entries:
        if value % 8 or value >= notes["size"]:
            raise Invalid(f"entry symbol {sym} misaligned or outside {NOTES}")
    if not entries or entries[0][0] != 0:
        raise Invalid(f"{NOTES}+0x0: no entry symbol")
    for a, b in zip(entries, entries[1:]):
        if a[0] == b[0]:
            raise Invalid(f"{NOTES}+0x{a[0]:x}: two entry symbols")
    relocs = {}
    starts = {v for v, _ in entries}
    for r in elf.relocs_for(notes):
        if r["offset"] not in starts:
            raise Invalid(f"{NOTES}+0x{r['offset']:x}: relocation inside an entry")
        if r["offset"] in relocs:
            raise Invalid(f"{NOTES}+0x{r['offset']:x}: two relocations")
        relocs[r["offset"]] = r

    args = ["-D", "-j", NOTES]
    for sec in elf.sections.values():
        if sec["type"] == "PROGBITS" and "X" in sec["flags"]:
            args += ["-j", sec["name"]]
    code_rows = objdump_rows(elf.path, args)
    note_rows = code_rows.get(NOTES, {})
    out, seen = [], set()
    for k, (start, sym) in enumerate(entries):
        end = entries[k + 1][0] if k + 1 < len(entries) else notes["size"]
        probe = sym[len(ENTRY_PREFIX):].split(".", 1)[0]
        if not IDENT_RE.match(probe):
            raise Invalid(f"entry symbol {sym} names no probe")
        nargs = (end - start) // 8 - 1
        if nargs > MAX_ARGS:
            raise Invalid(f"probe {probe}: entry with {nargs} arguments")
        r = relocs.get(start)
        if not r:
            raise Invalid(f"probe {probe}: no relocation for the NOP offset")
        if r["type"] != R_BPF_64_ABS64:
            raise Invalid(f"probe {probe}: relocation type {r['type']}")
        target = elf.sym_by_num.get(r["sym"])
        if not target or not target["ndx"].isdigit() or int(target["ndx"]) >= SHN_LORESERVE:
            raise Invalid(f"probe {probe}: relocation against a symbol in no section")
        code = elf.sections.get(int(target["ndx"]))
        if not code or code["type"] != "PROGBITS" or "X" not in code["flags"]:
            raise Invalid(f"probe {probe}: relocation into a non-executable section")
        addend = r["addend"] if r["addend"] is not None else \
            int.from_bytes(data[start:start + 8], "little")
        nop = (target["value"] + addend) & 0xFFFFFFFFFFFFFFFF
        if nop >= code["size"] or nop % 8:
            raise Invalid(f"probe {probe}: NOP offset 0x{nop:x} outside or misaligned in "
                          f"{code['name']}")
        if elf.section_data(code)[nop:nop + 8] != NOP:
            raise Invalid(f"probe {probe}: {code['name']} insn {nop // 8} is not goto +0")
        row = code_rows.get(code["name"], {}).get(nop // 8)
        if not row or row[0] != NOP or not re.match(r"goto \+0\b", row[1]):
            problems.append(f"probe {probe}: llvm-objdump shows {row} at {code['name']} insn "
                            f"{nop // 8}, the bytes are goto +0")
        func = next((s for s in elf.symbols if s["type"] == "FUNC" and s["name"] and
                     s["ndx"] == str(code["idx"]) and s["value"] <= nop < s["value"] + s["size"]),
                    None)
        regs = []
        for i in range(nargs):
            at = start + 8 * (i + 1)
            raw = data[at:at + 8]
            regs.append(decode_arg(raw, i))
            row = note_rows.get(at // 8)
            # a quad that looks like ld_imm64 (0x18) hides the next row: no view then
            if row and (row[0] != raw or objdump_arg(row[1]) != regs[-1]):
                problems.append(f"probe {probe}: {NOTES}+0x{at:x}: llvm-objdump shows "
                                f"{row[0].hex(' ')} '{row[1]}', the bytes decode to {regs[-1]}")
        key = (code["idx"], nop)
        if key in seen:
            raise Invalid(f"{code['name']} insn {nop // 8}: two entries for one site")
        seen.add(key)
        out.append((probe, nargs, {
            "function": func["name"] if func else None,
            "section": code["name"],
            "insn": (nop - (func["value"] if func else 0)) // 8,
            "section_insn": nop // 8,
            "regs": regs,
            "id": k,    # the entry's position in .bpf_sdt_notes
        }))
    return out


def guards(elf, problems):
    """[(probe, guard)] from .bpf_sdt_guard_notes, each checked against the
    three instructions it points at and the byte they read."""
    notes = elf.section_by_name(GUARD_NOTES)
    if not notes or not notes["size"]:
        return []
    if notes["size"] % 8:
        raise Invalid(f"{GUARD_NOTES} size {notes['size']} is not a multiple of 8")
    data = elf.section_data(notes)
    entries = {s["value"]: s["name"] for s in elf.symbols
               if s["ndx"] == str(notes["idx"]) and s["name"].startswith(GUARD_PREFIX)}
    relocs = {r["offset"]: r for r in elf.relocs_for(notes)}
    if sorted(entries) != list(range(0, notes["size"], 8)) or sorted(relocs) != sorted(entries):
        raise Invalid(f"{GUARD_NOTES}: not one symbol and one relocation per 8-byte entry")
    byte_sec = elf.section_by_name(GUARDS_SEC)
    rows = objdump_rows(elf.path, ["-d"])
    out = []
    for start in sorted(entries):
        probe = entries[start][len(GUARD_PREFIX):].split(".", 1)[0]
        if not IDENT_RE.match(probe):
            raise Invalid(f"entry symbol {entries[start]} names no probe")
        r = relocs[start]
        target = elf.sym_by_num.get(r["sym"])
        if r["type"] != R_BPF_64_ABS64 or not target or not target["ndx"].isdigit():
            raise Invalid(f"guard of {probe}: bad relocation")
        code = elf.sections.get(int(target["ndx"]))
        if not code or code["type"] != "PROGBITS" or "X" not in code["flags"]:
            raise Invalid(f"guard of {probe}: relocation into a non-executable section")
        addend = r["addend"] if r["addend"] is not None else \
            int.from_bytes(data[start:start + 8], "little")
        at = (target["value"] + addend) & 0xFFFFFFFFFFFFFFFF
        text = elf.section_data(code)
        if at % 8 or at + 32 > code["size"]:
            raise Invalid(f"guard of {probe}: offset 0x{at:x} outside {code['name']}")
        insns = [text[at + 8 * i:at + 8 * i + 8] for i in range(4)]
        off = int.from_bytes(insns[3][2:4], "little", signed=True)
        if insns[0][:4] != bytes([0x18, 0, 0, 0]) or insns[1][:4] != bytes(4) or \
                insns[2] != bytes([0x71, 0, 0, 0, 0, 0, 0, 0]) or \
                insns[3][:2] != bytes([0x55, 0]) or insns[3][4:] != bytes(4) or \
                not 0 <= at // 8 + 4 + off < code["size"] // 8:
            raise Invalid(f"guard of {probe}: {code['name']} insn {at // 8} is not its three "
                          "instructions")
        lr = next((x for x in elf.relocs_for(code) if x["offset"] == at), None)
        lsym = elf.sym_by_num.get(lr["sym"]) if lr else None
        if not lr or lr["type"] != R_BPF_64_64 or not lsym or not byte_sec or \
                lsym["ndx"] != str(byte_sec["idx"]):
            raise Invalid(f"guard of {probe}: its load is not relocated against {GUARDS_SEC}")
        byte = lsym["value"] + (lr["addend"] if lr["addend"] is not None else
                                int.from_bytes(insns[0][4:8], "little"))
        if not any(s["ndx"] == str(byte_sec["idx"]) and s["type"] == "OBJECT" and
                   s["value"] == byte and s["name"] == GUARD_VAR_PREFIX + probe
                   for s in elf.symbols):
            raise Invalid(f"guard of {probe}: reads another byte than its probe's")
        row = rows.get(code["name"], {}).get(at // 8 + 3)
        if not row or not re.match(r"if r0 != 0 goto [+-]?%d\b" % off, row[1].replace("+-", "-")):
            problems.append(f"guard of {probe}: llvm-objdump shows {row} at {code['name']} "
                            f"insn {at // 8 + 3}, the bytes are if r0 != 0 goto {off:+d}")
        func = next((s for s in elf.symbols if s["type"] == "FUNC" and s["name"] and
                     s["ndx"] == str(code["idx"]) and s["value"] <= at < s["value"] + s["size"]),
                    None)
        insn = (at - (func["value"] if func else 0)) // 8
        out.append((probe, {
            "function": func["name"] if func else None,
            "section": code["name"],
            "insn": insn,
            "section_insn": at // 8,
            "block_insn": insn + 4 + off,
        }))
    return out


def function_probes(btf):
    """Names of global FUNCs tagged bpf_sdt_func:... (BPF_SDT_FUNCn)."""
    out = set()
    for tid in sorted(btf.types):
        tag = btf.types[tid]
        if tag["kind"] != "DECL_TAG" or not tag["name"].startswith(FUNC_TAG_PREFIX) or \
                tag["component_idx"] != -1:
            continue
        fn = btf.t(tag["type_id"])
        if fn["kind"] == "FUNC" and fn.get("linkage") == "global":
            out.add(fn["name"])
    return out


def expected(path, problems):
    """The document bpfsdt must print; raises Invalid for an object it must refuse."""
    elf = Elf(path)
    has_btf = elf.section_by_name(".BTF") is not None
    decls, funcs = {}, set()
    if has_btf:
        btf = Btf(path)
        btf.check_speller()
        decls = probe_decls(btf)
        funcs = function_probes(btf)
    found = sites(elf, problems)
    found_guards = guards(elf, problems)
    if found and not has_btf:
        raise Invalid(f"{NOTES} but no .BTF")
    probes = {name: {"name": name, "args": [{"type": a} for a in args], "sites": []}
              for name, args in decls.items()}
    for probe, nargs, site in found:
        if probe not in probes:
            raise Invalid(f"probe {probe} has a site but no declaration")
        if len(probes[probe]["args"]) != nargs:
            raise Invalid(f"probe {probe}: site passes {nargs} arguments, declared "
                          f"{len(probes[probe]['args'])}")
        probes[probe]["sites"].append(site)
    for probe, guard in found_guards:
        if probe not in probes:
            raise Invalid(f"probe {probe} has a guard but no declaration")
        probes[probe].setdefault("guards", []).append(guard)
    for p in probes.values():
        p["sites"].sort(key=lambda s: (s["section"].encode(), s["section_insn"]))
        if "guards" in p:
            p["guards"].sort(key=lambda g: (g["section"].encode(), g["section_insn"]))
        if p["name"] in funcs:
            p["function_probe"] = True
    return {"file": path, "probes": sorted(probes.values(), key=lambda p: p["name"].encode())}


# --------------------------------------------------------------------------
# Comparison

def show(v):
    return json.dumps(v)


def diff(want, got):
    """Readable differences between the ELF's document and bpfsdt's."""
    lines = []
    if not isinstance(got, dict) or set(got) != {"file", "probes"}:
        return [f"document: expected keys file, probes; bpfsdt printed {show(got)[:200]}"]
    if got["file"] != want["file"]:
        lines.append(f"file: ELF {show(want['file'])}, bpfsdt {show(got['file'])}")
    gp = {p.get("name"): p for p in got["probes"] if isinstance(p, dict)}
    wp = {p["name"]: p for p in want["probes"]}
    for name in sorted(set(wp) - set(gp)):
        lines.append(f"probe {name}: in the ELF, not listed by bpfsdt")
    for name in sorted(set(gp) - set(wp)):
        lines.append(f"probe {name}: listed by bpfsdt, not in the ELF")
    for name in sorted(set(wp) & set(gp)):
        w, g = wp[name], gp[name]
        before = len(lines)
        if set(g) != set(w):
            lines.append(f"probe {name}: keys {sorted(g)}, expected {', '.join(sorted(w))}")
            continue
        if g.get("guards") != w.get("guards"):
            lines.append(f"probe {name}: guards {show(g.get('guards'))}, ELF "
                         f"{show(w.get('guards'))}")
        wa, ga = [a["type"] for a in w["args"]], [a.get("type") if isinstance(a, dict) else a
                                                   for a in g["args"]]
        if len(wa) != len(ga):
            lines.append(f"probe {name}: ELF declares {len(wa)} arguments, bpfsdt lists "
                         f"{len(ga)}")
        for i, (a, b) in enumerate(zip(wa, ga)):
            if g["args"][i] != {"type": a}:
                lines.append(f"probe {name} argument {i + 1}: ELF type {show(a)}, bpfsdt "
                             f"{show(b if g['args'][i] == {'type': b} else g['args'][i])}")

        def where(s):
            return (s.get("section"), s.get("section_insn"))
        ws = {where(s): s for s in w["sites"]}
        gs = {where(s): s for s in g["sites"] if isinstance(s, dict)}
        for k in sorted(set(ws) - set(gs), key=str):
            lines.append(f"probe {name}: site {k[0]} insn {k[1]} ({ws[k]['function']}) in "
                         "the ELF, not listed by bpfsdt")
        for k in sorted(set(gs) - set(ws), key=str):
            lines.append(f"probe {name}: site {k[0]} insn {k[1]} listed by bpfsdt, not in "
                         "the ELF")
        for k in sorted(set(ws) & set(gs), key=str):
            for field in ("function", "insn", "regs", "id"):
                if ws[k].get(field) != gs[k].get(field):
                    lines.append(f"probe {name}: site {k[0]} insn {k[1]}: {field}: ELF "
                                 f"{show(ws[k].get(field))}, bpfsdt {show(gs[k].get(field))}")
            extra = set(gs[k]) - set(ws[k])
            if extra:
                lines.append(f"probe {name}: site {k[0]} insn {k[1]}: unexpected keys "
                             f"{sorted(extra)}")
        if len(lines) == before and g["sites"] != w["sites"]:
            lines.append(f"probe {name}: sites in order {[where(s) for s in g['sites']]}, "
                         f"expected {[where(s) for s in w['sites']]}")
    if not lines and [p.get("name") for p in got["probes"]] != [p["name"] for p in
                                                              want["probes"]]:
        lines.append(f"probes in order {[p.get('name') for p in got['probes']]}, expected "
                     f"{[p['name'] for p in want['probes']]} (by name, byte order)")
    if not lines:
        lines.append("documents differ: ELF " + show(want) + ", bpfsdt " + show(got))
    return lines


def check(path, bpfsdt):
    """0: bpfsdt agrees with the ELF, 1: it does not, 2: the oracle can't tell."""
    problems, invalid, want = [], None, None
    try:
        want = expected(path, problems)
    except Invalid as e:
        invalid = str(e)
    except (OracleError, OSError, KeyError, ValueError) as e:
        print(f"oracle: {path}: cannot read the object: {e}")
        return 2
    for p in problems:
        print(f"oracle: {path}: the bytes and llvm-objdump disagree: {p}")
    if problems:
        return 2
    try:
        proc = subprocess.run([bpfsdt, "list", "--json", path], capture_output=True, text=True)
    except OSError as e:
        print(f"oracle: cannot run {bpfsdt}: {e}")
        return 2
    if invalid is not None:
        if proc.returncode == 2 and proc.stderr.strip() and not proc.stdout.strip():
            return 0
        print(f"oracle: {path}: bpfsdt disagrees with the ELF: the object breaks the probe "
              f"ABI ({invalid}), yet bpfsdt exited {proc.returncode}")
        if proc.stdout:
            print("  bpfsdt says: " + proc.stdout.strip()[:2000])
        return 1
    if proc.returncode != 0:
        print(f"oracle: {path}: bpfsdt disagrees with the ELF: it failed "
              f"({proc.returncode}): {proc.stderr.strip()}")
        print("  ELF says:    " + show(want))
        return 1
    try:
        got = json.loads(proc.stdout)
    except ValueError as e:
        print(f"oracle: {path}: bpfsdt disagrees with the ELF: its output is not JSON ({e})")
        return 1
    # Source lines come from line info, which this oracle does not read;
    # tests/unit/test_cli_operator.c holds them to the source text.
    for p in got.get("probes", []) if isinstance(got, dict) else []:
        for site in p.get("sites", []) if isinstance(p, dict) else []:
            if isinstance(site, dict) and isinstance(site.get("line"), int) and \
                    (site.get("file") is None or isinstance(site.get("file"), str)):
                site.pop("file", None)
                site.pop("line", None)
    if got == want:
        return 0
    print(f"oracle: {path}: bpfsdt disagrees with the ELF:")
    for line in diff(want, got):
        print("  " + line)
    return 1


def main(argv):
    if len(argv) == 3 and argv[1] == "--expected":
        problems = []
        try:
            print(json.dumps(expected(argv[2], problems), indent=2))
        except Invalid as e:
            print(f"oracle: {argv[2]}: bpfsdt must refuse it: {e}")
        except (OracleError, OSError, KeyError, ValueError) as e:
            print(f"oracle: {argv[2]}: cannot read the object: {e}", file=sys.stderr)
            return 2
        for p in problems:
            print(f"oracle: {argv[2]}: the bytes and llvm-objdump disagree: {p}")
        return 2 if problems else 0
    if len(argv) < 3 or argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    results = [check(path, argv[-1]) for path in argv[1:-1]]
    sys.stdout.flush()
    return 1 if 1 in results else 2 if 2 in results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
