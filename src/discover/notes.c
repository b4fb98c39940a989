// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Site entries from .bpf_sdt_notes.
 *
 * An entry starts at a local symbol ___sdt_jt_<probe>[.<uid>] and runs to the
 * next entry symbol (or the section end): 8 bytes holding the NOP's byte
 * offset (R_BPF_64_ABS64 against the code section, addend in place), then one
 * 8-byte instruction per argument. Argument count therefore comes from the
 * spacing of the symbols; it is cross-checked against the BTF declaration by
 * the caller.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "discover/elf_image.h"

#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2
#endif

struct entry_sym {
	__u64 off;
	const char *name;
};

struct notes_ctx {
	struct sdt_elf *elf;
	const char *file;
	struct sdt_elf_section notes;
	struct sdt_reloc *relocs;
	size_t reloc_cnt;
};

/* Section data may sit at any file offset: copy instead of casting. */
static struct bpf_insn read_insn(const void *base, __u64 off)
{
	struct bpf_insn insn;

	memcpy(&insn, (const char *)base + off, sizeof(insn));
	return insn;
}

static int cmp_entry_sym(const void *a, const void *b)
{
	const struct entry_sym *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	/* qsort is not stable: order twins by name so diagnostics are too */
	return x->name && y->name ? strcmp(x->name, y->name) : 0;
}

static bool is_identifier(const char *s, size_t len)
{
	size_t i;

	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/* "___sdt_jt_<probe>" or "___sdt_jt_<probe>.<uid>" -> "<probe>" */
static char *probe_name_from_symbol(const char *sym)
{
	const char *name = sym + strlen(SDT_ENTRY_SYM_PREFIX);
	const char *dot = strchr(name, '.');
	size_t len = dot ? (size_t)(dot - name) : strlen(name);
	char *out;

	if (!is_identifier(name, len))
		return NULL;
	out = malloc(len + 1);
	if (out) {
		memcpy(out, name, len);
		out[len] = '\0';
	}
	return out;
}

/* Entry symbols of the notes section, sorted by offset. */
static int collect_entry_syms(struct notes_ctx *ctx, struct entry_sym **out, size_t *cnt)
{
	size_t nsyms = sdt_elf_symbol_cnt(ctx->elf), i, n = 0;
	struct entry_sym *syms;
	struct sdt_elf_symbol s;

	syms = sdt_calloc(nsyms ? nsyms : 1, sizeof(*syms));
	if (!syms)
		return -ENOMEM;
	for (i = 0; i < nsyms; i++) {
		if (sdt_elf_symbol(ctx->elf, i, &s))
			goto inval;
		if (s.sym.st_shndx != ctx->notes.idx ||
		    strncmp(s.name, SDT_ENTRY_SYM_PREFIX, strlen(SDT_ENTRY_SYM_PREFIX)))
			continue;
		if (s.sym.st_value % SDT_INSN_SZ || s.sym.st_value >= ctx->notes.size) {
			pr_warn("%s: %s: entry symbol %s at 0x%llx is misaligned or outside the section (0x%zx bytes)",
				ctx->file, SDT_NOTES_SEC, s.name,
				(unsigned long long)s.sym.st_value, ctx->notes.size);
			goto inval;
		}
		syms[n].off = s.sym.st_value;
		syms[n].name = s.name;
		n++;
	}
	qsort(syms, n, sizeof(*syms), cmp_entry_sym);
	for (i = 0; i + 1 < n; i++) {
		if (syms[i].off == syms[i + 1].off) {
			pr_warn("%s: %s+0x%llx: two entry symbols (%s and %s) mark one entry",
				ctx->file, SDT_NOTES_SEC, (unsigned long long)syms[i].off,
				syms[i].name, syms[i + 1].name);
			goto inval;
		}
	}
	if (!n || syms[0].off != 0) {
		pr_warn("%s: %s+0x0: no " SDT_ENTRY_SYM_PREFIX "<probe> symbol marks this entry",
			ctx->file, SDT_NOTES_SEC);
		goto inval;
	}
	*out = syms;
	*cnt = n;
	return 0;
inval:
	free(syms);
	return -EINVAL;
}

static const struct sdt_reloc *reloc_at(const struct notes_ctx *ctx, __u64 off)
{
	size_t i;

	for (i = 0; i < ctx->reloc_cnt; i++)
		if (ctx->relocs[i].offset == off)
			return &ctx->relocs[i];
	return NULL;
}

/* Every relocation must sit on an entry's NOP-offset slot, once. */
static int check_relocs_placement(const struct notes_ctx *ctx, const struct entry_sym *syms,
				  size_t nsyms)
{
	size_t i, j;

	for (i = 0; i < ctx->reloc_cnt; i++) {
		__u64 off = ctx->relocs[i].offset;
		const struct entry_sym *e = bsearch(&(struct entry_sym){ .off = off }, syms, nsyms,
						    sizeof(*syms), cmp_entry_sym);

		if (!e) {
			pr_warn("%s: %s+0x%llx: relocation inside an entry (only the NOP offset is relocated)",
				ctx->file, SDT_NOTES_SEC, (unsigned long long)off);
			return -EINVAL;
		}
		for (j = i + 1; j < ctx->reloc_cnt; j++) {
			if (ctx->relocs[j].offset == off) {
				pr_warn("%s: %s+0x%llx: probe entry %s has two relocations",
					ctx->file, SDT_NOTES_SEC, (unsigned long long)off, e->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static void find_function(struct notes_ctx *ctx, struct sdt_note *note)
{
	size_t nsyms = sdt_elf_symbol_cnt(ctx->elf), i;
	struct sdt_elf_symbol s;

	for (i = 0; i < nsyms; i++) {
		if (sdt_elf_symbol(ctx->elf, i, &s) || GELF_ST_TYPE(s.sym.st_info) != STT_FUNC ||
		    s.sym.st_shndx != note->code_shndx || !*s.name)
			continue;
		if (note->nop_off >= s.sym.st_value &&
		    note->nop_off - s.sym.st_value < s.sym.st_size) {
			note->function = sdt_strdup(s.name);
			note->function_off = s.sym.st_value;
			return;
		}
	}
}

/* Resolve the entry's NOP: relocation -> code section + byte offset. */
static int resolve_nop(struct notes_ctx *ctx, struct sdt_note *note)
{
	const struct sdt_reloc *rel = reloc_at(ctx, note->note_off);
	const char *file = ctx->file, *probe = note->probe_name;
	struct sdt_elf_section code;
	struct sdt_elf_symbol sym;
	struct bpf_insn insn;
	__u64 addend, off;

	if (!rel) {
		pr_warn("%s: probe %s, %s+0x%zx: no relocation for the NOP offset",
			file, probe, SDT_NOTES_SEC, note->note_off);
		return -EINVAL;
	}
	if (rel->type != R_BPF_64_ABS64) {
		pr_warn("%s: probe %s, %s+0x%zx: NOP offset relocation has type %u, expected R_BPF_64_ABS64 (%u)",
			file, probe, SDT_NOTES_SEC, note->note_off, rel->type, R_BPF_64_ABS64);
		return -EINVAL;
	}
	if (sdt_elf_symbol(ctx->elf, rel->sym, &sym))
		return -EINVAL;
	if (sym.sym.st_shndx == SHN_UNDEF || sym.sym.st_shndx >= SHN_LORESERVE) {
		pr_warn("%s: probe %s, %s+0x%zx: NOP offset relocation is against symbol '%s', which is in no section",
			file, probe, SDT_NOTES_SEC, note->note_off, sym.name);
		return -EINVAL;
	}
	if (sdt_elf_section(ctx->elf, sym.sym.st_shndx, &code))
		return -EINVAL;
	if (code.shdr.sh_type != SHT_PROGBITS || !(code.shdr.sh_flags & SHF_EXECINSTR)) {
		pr_warn("%s: probe %s, %s+0x%zx: NOP offset relocates into section %s, which is not executable",
			file, probe, SDT_NOTES_SEC, note->note_off, code.name);
		return -EINVAL;
	}
	if (rel->rela)
		addend = (__u64)rel->addend;
	else
		memcpy(&addend, (const char *)ctx->notes.data + note->note_off, sizeof(addend));
	off = sym.sym.st_value + addend;
	if (off >= code.size) {
		pr_warn("%s: probe %s: NOP offset 0x%llx is outside section %s (0x%zx bytes)",
			file, probe, (unsigned long long)off, code.name, code.size);
		return -EINVAL;
	}
	if (off % SDT_INSN_SZ) {
		pr_warn("%s: probe %s: NOP offset 0x%llx in section %s is not instruction-aligned",
			file, probe, (unsigned long long)off, code.name);
		return -EINVAL;
	}
	insn = read_insn(code.data, off);
	if (insn.code != (BPF_JMP | BPF_JA) || insn.dst_reg || insn.src_reg || insn.off ||
	    insn.imm) {
		pr_warn("%s: probe %s at %s insn %llu: instruction is not 'goto +0' (code 0x%02x, off %d, imm %d)",
			file, probe, code.name, (unsigned long long)(off / SDT_INSN_SZ), insn.code,
			insn.off, insn.imm);
		return -EINVAL;
	}
	note->code_shndx = code.idx;
	note->nop_off = off;
	note->section = sdt_strdup(code.name);
	if (!note->section)
		return -ENOMEM;
	find_function(ctx, note);
	return 0;
}

/*
 * Argument i (1-based) is described by an instruction with dst_reg
 * r(1 + (i-1) % 5): `rD = rS` (value in rS) or `rD = *(u64 *)(rS + off)`
 * (value in memory, used for arguments 10..12).
 */
static int parse_arg(struct notes_ctx *ctx, struct sdt_note *note, int i)
{
	struct bpf_insn insn = read_insn(ctx->notes.data, note->note_off + SDT_INSN_SZ * (i + 1));
	unsigned int want_dst = 1 + i % 5;
	struct bpf_sdt_arg_loc *loc = &note->args[i];
	const char *file = ctx->file, *probe = note->probe_name, *sec = note->section;
	unsigned long long at = note->nop_off / SDT_INSN_SZ;

	if (insn.code == (BPF_ALU64 | BPF_MOV | BPF_X) && !insn.off && !insn.imm) {
		loc->kind = BPF_SDT_ARG_REG;
	} else if (insn.code == (BPF_LDX | BPF_MEM | BPF_DW) && !insn.imm) {
		loc->kind = BPF_SDT_ARG_MEM;
		loc->off = insn.off;
	} else {
		pr_warn("%s: probe %s at %s insn %llu: argument %d: note instruction is not a register move (code 0x%02x)",
			file, probe, sec, at, i + 1, insn.code);
		return -EINVAL;
	}
	if (insn.src_reg >= BPF_REG_10) {
		pr_warn("%s: probe %s at %s insn %llu: argument %d: note names r%u, only r0..r9 can hold an argument",
			file, probe, sec, at, i + 1, insn.src_reg);
		return -EINVAL;
	}
	if (insn.dst_reg != want_dst) {
		pr_warn("%s: probe %s at %s insn %llu: argument %d: note has dst_reg r%u, expected r%u",
			file, probe, sec, at, i + 1, insn.dst_reg, want_dst);
		return -EINVAL;
	}
	loc->reg = insn.src_reg;
	return 0;
}

static int parse_entry(struct notes_ctx *ctx, const struct entry_sym *sym, __u64 end,
		       struct sdt_note *note)
{
	__u64 size = end - sym->off;
	int i, err;

	note->note_off = sym->off;
	note->probe_name = probe_name_from_symbol(sym->name);
	if (!note->probe_name) {
		pr_warn("%s: %s+0x%llx: entry symbol '%s' does not name a probe (expected "
			SDT_ENTRY_SYM_PREFIX "<probe>.<n>)",
			ctx->file, SDT_NOTES_SEC, (unsigned long long)sym->off, sym->name);
		return -EINVAL;
	}
	if (size < SDT_INSN_SZ) {
		pr_warn("%s: probe %s, %s+0x%llx: truncated entry (%llu bytes)", ctx->file,
			note->probe_name, SDT_NOTES_SEC, (unsigned long long)sym->off,
			(unsigned long long)size);
		return -EINVAL;
	}
	note->nargs = (int)(size / SDT_INSN_SZ - 1);
	if (size / SDT_INSN_SZ - 1 > BPF_SDT_MAX_ARGS) {
		pr_warn("%s: probe %s, %s+0x%llx: entry describes %llu arguments, at most %d are supported",
			ctx->file, note->probe_name, SDT_NOTES_SEC, (unsigned long long)sym->off,
			(unsigned long long)(size / SDT_INSN_SZ - 1), BPF_SDT_MAX_ARGS);
		return -EINVAL;
	}
	err = resolve_nop(ctx, note);
	for (i = 0; !err && i < note->nargs; i++)
		err = parse_arg(ctx, note, i);
	return err;
}

static int check_unique_sites(const struct notes_ctx *ctx, const struct sdt_note *notes, size_t cnt)
{
	size_t i, j;

	for (i = 0; i < cnt; i++) {
		for (j = i + 1; j < cnt; j++) {
			if (notes[i].code_shndx == notes[j].code_shndx &&
			    notes[i].nop_off == notes[j].nop_off) {
				pr_warn("%s: %s insn %llu: two notes entries (probes %s and %s) describe one site",
					ctx->file, notes[i].section,
					(unsigned long long)(notes[i].nop_off / SDT_INSN_SZ),
					notes[i].probe_name, notes[j].probe_name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int sdt_notes_parse(struct sdt_elf *elf, const char *name, struct sdt_note **out, size_t *cnt)
{
	struct notes_ctx ctx = { .elf = elf, .file = name };
	struct entry_sym *syms = NULL;
	struct sdt_note *notes = NULL;
	size_t nsyms = 0, i;
	bool found;
	int err;

	*out = NULL;
	*cnt = 0;
	err = sdt_elf_section_by_name(elf, SDT_NOTES_SEC, &ctx.notes, &found);
	if (err || !found)
		return err;
	err = sdt_elf_section_has_bytes(elf, &ctx.notes);
	if (err)
		return err;
	if (ctx.notes.size % SDT_INSN_SZ) {
		pr_warn("%s: %s: size %zu is not a multiple of 8 (truncated entry)", name,
			SDT_NOTES_SEC, ctx.notes.size);
		return -EINVAL;
	}
	err = collect_entry_syms(&ctx, &syms, &nsyms);
	if (err)
		return err;
	err = sdt_elf_relocs_for(elf, ctx.notes.idx, &ctx.relocs, &ctx.reloc_cnt);
	if (err)
		goto out;
	err = check_relocs_placement(&ctx, syms, nsyms);
	if (err)
		goto out;
	notes = sdt_calloc(nsyms, sizeof(*notes));
	if (!notes) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nsyms && !err; i++)
		err = parse_entry(&ctx, &syms[i], i + 1 < nsyms ? syms[i + 1].off : ctx.notes.size,
				  &notes[i]);
	if (!err)
		err = check_unique_sites(&ctx, notes, nsyms);
out:
	if (err) {
		sdt_notes_free(notes, nsyms);
	} else {
		*out = notes;
		*cnt = nsyms;
	}
	free(syms);
	free(ctx.relocs);
	return err;
}

void sdt_notes_free(struct sdt_note *notes, size_t cnt)
{
	size_t i;

	if (!notes)
		return;
	for (i = 0; i < cnt; i++) {
		free(notes[i].probe_name);
		free(notes[i].section);
		free(notes[i].function);
	}
	free(notes);
}
