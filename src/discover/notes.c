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
#define _GNU_SOURCE /* qsort_r */
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

/* A function symbol, for finding the function around a NOP. */
struct func_sym {
	size_t shndx;
	__u64 value, size;
	__u64 max_end;		/* the furthest end of this and every function
				 * before it in its section, in address order */
	size_t idx;		/* in the symbol table: the first of two that
				 * cover an offset names it */
	const char *name;
};

struct notes_ctx {
	struct sdt_elf *elf;
	const char *file;
	struct sdt_elf_section notes;
	struct sdt_reloc *relocs;
	size_t reloc_cnt;
	struct sdt_reloc *relocs_by_off;	/* the same, sorted by offset */
	struct func_sym *funcs;		/* by section, then address */
	size_t func_cnt;
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

static int cmp_reloc_off(const void *a, const void *b)
{
	const struct sdt_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The relocation at off; check_relocs_placement() made them unique. */
static const struct sdt_reloc *reloc_at(const struct notes_ctx *ctx, __u64 off)
{
	struct sdt_reloc key = { .offset = off };

	return bsearch(&key, ctx->relocs_by_off, ctx->reloc_cnt, sizeof(key), cmp_reloc_off);
}

struct reloc_ref {
	__u64 off;
	size_t idx;
};

static int cmp_reloc_ref(const void *a, const void *b)
{
	const struct reloc_ref *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Every relocation must sit on an entry's NOP-offset slot, once. Checked
 * in the order of the relocation table; sorting finds the duplicates. */
static int check_relocs_placement(struct notes_ctx *ctx, const struct entry_sym *syms,
				  size_t nsyms)
{
	struct reloc_ref *refs = sdt_calloc(ctx->reloc_cnt ? ctx->reloc_cnt : 1, sizeof(*refs));
	bool *dup_later = sdt_calloc(ctx->reloc_cnt ? ctx->reloc_cnt : 1, sizeof(*dup_later));
	int err = 0;
	size_t i;

	ctx->relocs_by_off = sdt_calloc(ctx->reloc_cnt ? ctx->reloc_cnt : 1,
					sizeof(*ctx->relocs_by_off));
	if (!refs || !dup_later || !ctx->relocs_by_off) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ctx->reloc_cnt; i++)
		refs[i] = (struct reloc_ref){ ctx->relocs[i].offset, i };
	qsort(refs, ctx->reloc_cnt, sizeof(*refs), cmp_reloc_ref);
	for (i = 0; i + 1 < ctx->reloc_cnt; i++)
		if (refs[i].off == refs[i + 1].off)
			dup_later[refs[i].idx] = true;
	for (i = 0; i < ctx->reloc_cnt; i++) {
		__u64 off = ctx->relocs[i].offset;
		const struct entry_sym *e = bsearch(&(struct entry_sym){ .off = off }, syms, nsyms,
						    sizeof(*syms), cmp_entry_sym);

		if (!e) {
			pr_warn("%s: %s+0x%llx: relocation inside an entry (only the NOP offset is relocated)",
				ctx->file, SDT_NOTES_SEC, (unsigned long long)off);
			err = -EINVAL;
			goto out;
		}
		if (dup_later[i]) {
			pr_warn("%s: %s+0x%llx: probe entry %s has two relocations",
				ctx->file, SDT_NOTES_SEC, (unsigned long long)off, e->name);
			err = -EINVAL;
			goto out;
		}
	}
	if (ctx->reloc_cnt) /* no table at all: relocs is NULL */
		memcpy(ctx->relocs_by_off, ctx->relocs, ctx->reloc_cnt * sizeof(*ctx->relocs));
	qsort(ctx->relocs_by_off, ctx->reloc_cnt, sizeof(*ctx->relocs_by_off), cmp_reloc_off);
out:
	free(refs);
	free(dup_later);
	return err;
}

static int cmp_func_sym(const void *a, const void *b)
{
	const struct func_sym *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The named function symbols, once, by section and address. */
static int index_functions(struct notes_ctx *ctx)
{
	size_t nsyms = sdt_elf_symbol_cnt(ctx->elf), i, n = 0;
	struct sdt_elf_symbol s;
	__u64 end;

	ctx->funcs = sdt_calloc(nsyms ? nsyms : 1, sizeof(*ctx->funcs));
	if (!ctx->funcs)
		return -ENOMEM;
	for (i = 0; i < nsyms; i++) {
		if (sdt_elf_symbol(ctx->elf, i, &s) || GELF_ST_TYPE(s.sym.st_info) != STT_FUNC ||
		    !*s.name)
			continue;
		ctx->funcs[n++] = (struct func_sym){ .shndx = s.sym.st_shndx,
						     .value = s.sym.st_value,
						     .size = s.sym.st_size, .idx = i,
						     .name = s.name };
	}
	qsort(ctx->funcs, n, sizeof(*ctx->funcs), cmp_func_sym);
	for (i = 0; i < n; i++) {
		struct func_sym *f = &ctx->funcs[i];

		end = f->value + f->size < f->value ? ~0ull : f->value + f->size;
		f->max_end = i && ctx->funcs[i - 1].shndx == f->shndx &&
			     ctx->funcs[i - 1].max_end > end ? ctx->funcs[i - 1].max_end : end;
	}
	ctx->func_cnt = n;
	return 0;
}

/* The function covering the NOP: of those that do, the first in the
 * symbol table. The ones starting at or before it, walked back while any
 * earlier one could still reach it. */
static void find_function(struct notes_ctx *ctx, struct sdt_note *note)
{
	const struct func_sym *best = NULL;
	size_t lo = 0, hi = ctx->func_cnt, mid;

	while (lo < hi) { /* the first function starting past the NOP */
		mid = lo + (hi - lo) / 2;
		if (ctx->funcs[mid].shndx < note->code_shndx ||
		    (ctx->funcs[mid].shndx == note->code_shndx &&
		     ctx->funcs[mid].value <= note->nop_off))
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0) {
		const struct func_sym *f = &ctx->funcs[lo];

		if (f->shndx != note->code_shndx || f->max_end <= note->nop_off)
			break;
		if (note->nop_off - f->value < f->size && (!best || f->idx < best->idx))
			best = f;
	}
	if (best) {
		note->function = sdt_strdup(best->name);
		note->function_off = best->value;
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

static int cmp_note_site(const void *a, const void *b, void *arg)
{
	const struct sdt_note *notes = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (notes[i].code_shndx != notes[j].code_shndx)
		return notes[i].code_shndx < notes[j].code_shndx ? -1 : 1;
	if (notes[i].nop_off != notes[j].nop_off)
		return notes[i].nop_off < notes[j].nop_off ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* No two entries describe one NOP: sorted by place, twins are neighbours.
 * Reports the pair whose first entry comes first, as a scan would. */
static int check_unique_sites(const struct notes_ctx *ctx, const struct sdt_note *notes, size_t cnt)
{
	size_t *order = sdt_calloc(cnt ? cnt : 1, sizeof(*order)), i, a = cnt, b = cnt;

	if (!order)
		return -ENOMEM;
	for (i = 0; i < cnt; i++)
		order[i] = i;
	qsort_r(order, cnt, sizeof(*order), cmp_note_site, (void *)notes);
	for (i = 0; i + 1 < cnt; i++) {
		if (notes[order[i]].code_shndx != notes[order[i + 1]].code_shndx ||
		    notes[order[i]].nop_off != notes[order[i + 1]].nop_off)
			continue;
		if (order[i] < a) {
			a = order[i];
			b = order[i + 1];
		}
		while (i + 1 < cnt && notes[order[i]].code_shndx == notes[order[i + 1]].code_shndx &&
		       notes[order[i]].nop_off == notes[order[i + 1]].nop_off)
			i++;
	}
	free(order);
	if (a == cnt)
		return 0;
	pr_warn("%s: %s insn %llu: two notes entries (probes %s and %s) describe one site",
		ctx->file, notes[a].section, (unsigned long long)(notes[a].nop_off / SDT_INSN_SZ),
		notes[a].probe_name, notes[b].probe_name);
	return -EINVAL;
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
	if (!err)
		err = index_functions(&ctx);
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
	free(ctx.relocs_by_off);
	free(ctx.funcs);
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
