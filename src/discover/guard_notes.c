// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Guard entries from .bpf_sdt_guard_notes (BPF_SDT_ENABLED in bpf_sdt.h).
 *
 * An entry is one 8-byte word at a local symbol ___sdt_guard_<probe>.<uid>:
 * the byte offset (R_BPF_64_ABS64 against the code section, addend in
 * place) of the guard's first instruction. The guard itself must be exactly
 *
 *   r0 = <byte> ll		relocated against .rodata.bpf_sdt_guards, at
 *				the byte ___bpf_sdt_guard__<probe>
 *   r0 = *(u8 *)(r0 + 0)
 *   if r0 != 0 goto +off	the guarded block
 *
 * because both what relinking does with it (a private copy of the byte's
 * map) and what a kernel with static branches does (the jump becomes one)
 * rely on that shape and on the byte being its probe's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "discover/elf_image.h"

#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif
#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2
#endif

struct guard_ctx {
	struct sdt_elf *elf;
	const char *file;
	struct sdt_elf_section notes;
	struct sdt_reloc *relocs;	/* of the notes */
	size_t reloc_cnt;
	struct sdt_elf_section guards;	/* .rodata.bpf_sdt_guards */
	bool have_guards;
	/* relocations of the code section last looked at */
	size_t code_idx;
	struct sdt_reloc *code_relocs;
	size_t code_reloc_cnt;
};

static struct bpf_insn read_insn(const void *base, __u64 off)
{
	struct bpf_insn insn;

	memcpy(&insn, (const char *)base + off, sizeof(insn));
	return insn;
}

static const struct sdt_reloc *reloc_at(const struct sdt_reloc *relocs, size_t cnt, __u64 off)
{
	size_t i;

	for (i = 0; i < cnt; i++)
		if (relocs[i].offset == off)
			return &relocs[i];
	return NULL;
}

/* "___sdt_guard_<probe>.<uid>" -> "<probe>", NULL if it names none. */
static char *probe_from_symbol(const char *sym)
{
	const char *name = sym + strlen(SDT_GUARD_ENTRY_SYM_PREFIX), *dot = strchr(name, '.');
	size_t len = dot ? (size_t)(dot - name) : strlen(name), i;

	if (!len || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return NULL;
	for (i = 0; i < len; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
			return NULL;
	return strndup(name, len);
}

static void find_function(struct guard_ctx *ctx, struct sdt_guard_note *g)
{
	size_t nsyms = sdt_elf_symbol_cnt(ctx->elf), i;
	struct sdt_elf_symbol s;

	for (i = 0; i < nsyms; i++) {
		if (sdt_elf_symbol(ctx->elf, i, &s) || GELF_ST_TYPE(s.sym.st_info) != STT_FUNC ||
		    s.sym.st_shndx != g->code_shndx || !*s.name)
			continue;
		if (g->insn_off >= s.sym.st_value && g->insn_off - s.sym.st_value < s.sym.st_size) {
			g->function = sdt_strdup(s.name);
			g->function_off = s.sym.st_value;
			return;
		}
	}
}

/* Whether ___bpf_sdt_guard__<probe> is the byte at off in the guards
 * section. */
static bool is_probe_byte(struct guard_ctx *ctx, const char *probe, __u64 off)
{
	size_t nsyms = sdt_elf_symbol_cnt(ctx->elf), i, plen = strlen(SDT_GUARD_VAR_PREFIX);
	struct sdt_elf_symbol s;

	for (i = 0; i < nsyms; i++) {
		if (sdt_elf_symbol(ctx->elf, i, &s) || s.sym.st_shndx != ctx->guards.idx ||
		    GELF_ST_TYPE(s.sym.st_info) != STT_OBJECT || s.sym.st_value != off)
			continue;
		if (!strncmp(s.name, SDT_GUARD_VAR_PREFIX, plen) && !strcmp(s.name + plen, probe))
			return true;
	}
	return false;
}

/* The byte the guard's ld_imm64 at g->insn_off reads: its relocation must be
 * against the guards section, at the probe's own byte. */
static int check_guard_byte(struct guard_ctx *ctx, struct sdt_guard_note *g,
			    const struct bpf_insn *ld)
{
	const char *file = ctx->file, *probe = g->probe_name, *sec = g->section;
	unsigned long long at = g->insn_off / SDT_INSN_SZ;
	const struct sdt_reloc *rel;
	struct sdt_elf_symbol sym;
	__u64 off;
	int err;

	if (ctx->code_idx != g->code_shndx) {
		free(ctx->code_relocs);
		ctx->code_relocs = NULL;
		ctx->code_idx = g->code_shndx;
		err = sdt_elf_relocs_for(ctx->elf, g->code_shndx, &ctx->code_relocs,
					 &ctx->code_reloc_cnt);
		if (err) {
			ctx->code_idx = 0;
			return err;
		}
	}
	rel = reloc_at(ctx->code_relocs, ctx->code_reloc_cnt, g->insn_off);
	if (rel && sdt_elf_symbol(ctx->elf, rel->sym, &sym))
		return -EINVAL; /* said why */
	if (!rel || rel->type != R_BPF_64_64 || !ctx->have_guards ||
	    sym.sym.st_shndx != ctx->guards.idx) {
		pr_warn("%s: guard of probe %s at %s insn %llu: its load is not relocated against %s",
			file, probe, sec, at, SDT_GUARDS_SEC);
		return -EINVAL;
	}
	off = sym.sym.st_value + (rel->rela ? (__u64)rel->addend : (__u64)(__u32)ld->imm);
	if (off >= ctx->guards.shdr.sh_size || !is_probe_byte(ctx, probe, off)) {
		pr_warn("%s: guard of probe %s at %s insn %llu: reads %s+0x%llx, which is not "
			SDT_GUARD_VAR_PREFIX "%s", file, probe, sec, at, SDT_GUARDS_SEC,
			(unsigned long long)off, probe);
		return -EINVAL;
	}
	return 0;
}

/* The three instructions at the entry's offset. */
static int check_guard_insns(struct guard_ctx *ctx, struct sdt_guard_note *g,
			     const struct sdt_elf_section *code)
{
	const char *file = ctx->file, *probe = g->probe_name, *sec = code->name;
	unsigned long long at = g->insn_off / SDT_INSN_SZ;
	struct bpf_insn ld, ld2, ldx, jne;
	__s64 target;

	if (g->insn_off % SDT_INSN_SZ || g->insn_off > code->size ||
	    code->size - g->insn_off < SDT_GUARD_INSNS * SDT_INSN_SZ) {
		pr_warn("%s: guard of probe %s: offset 0x%llx in section %s leaves no room for its %d instructions",
			file, probe, (unsigned long long)g->insn_off, sec, SDT_GUARD_INSNS);
		return -EINVAL;
	}
	ld = read_insn(code->data, g->insn_off);
	ld2 = read_insn(code->data, g->insn_off + SDT_INSN_SZ);
	ldx = read_insn(code->data, g->insn_off + 2 * SDT_INSN_SZ);
	jne = read_insn(code->data, g->insn_off + 3 * SDT_INSN_SZ);
	if (ld.code != (BPF_LD | BPF_IMM | BPF_DW) || ld.dst_reg || ld.src_reg || ld.off ||
	    ld2.code || ld2.dst_reg || ld2.src_reg || ld2.off) {
		pr_warn("%s: guard of probe %s at %s insn %llu: not 'r0 = <guard> ll' (code 0x%02x)",
			file, probe, sec, at, ld.code);
		return -EINVAL;
	}
	if (ldx.code != (BPF_LDX | BPF_MEM | BPF_B) || ldx.dst_reg || ldx.src_reg || ldx.off ||
	    ldx.imm) {
		pr_warn("%s: guard of probe %s at %s insn %llu: not 'r0 = *(u8 *)(r0 + 0)' (code 0x%02x)",
			file, probe, sec, at + 2, ldx.code);
		return -EINVAL;
	}
	target = (__s64)at + SDT_GUARD_INSNS + jne.off;
	if (jne.code != (BPF_JMP | BPF_JNE | BPF_K) || jne.dst_reg || jne.src_reg || jne.imm ||
	    target < 0 || (__u64)target >= code->size / SDT_INSN_SZ) {
		pr_warn("%s: guard of probe %s at %s insn %llu: not 'if r0 != 0 goto' a block in the section (code 0x%02x, off %d)",
			file, probe, sec, at + 3, jne.code, jne.off);
		return -EINVAL;
	}
	g->jump_off = jne.off;
	return check_guard_byte(ctx, g, &ld);
}

/* One entry: symbol, relocation, the guard it points at. */
static int parse_guard(struct guard_ctx *ctx, const struct sdt_elf_symbol *s,
		       struct sdt_guard_note *g)
{
	const struct sdt_reloc *rel = reloc_at(ctx->relocs, ctx->reloc_cnt, s->sym.st_value);
	struct sdt_elf_section code;
	struct sdt_elf_symbol sym;
	__u64 addend;

	g->note_off = s->sym.st_value;
	g->probe_name = probe_from_symbol(s->name);
	if (!g->probe_name) {
		pr_warn("%s: %s+0x%llx: entry symbol '%s' does not name a probe (expected "
			SDT_GUARD_ENTRY_SYM_PREFIX "<probe>.<n>)", ctx->file, SDT_GUARD_NOTES_SEC,
			(unsigned long long)s->sym.st_value, s->name);
		return -EINVAL;
	}
	if (rel && sdt_elf_symbol(ctx->elf, rel->sym, &sym))
		return -EINVAL; /* said why */
	if (rel && sym.sym.st_shndx != SHN_UNDEF && sym.sym.st_shndx < SHN_LORESERVE &&
	    sdt_elf_section(ctx->elf, sym.sym.st_shndx, &code))
		return -EINVAL;
	if (!rel || rel->type != R_BPF_64_ABS64 ||
	    sym.sym.st_shndx == SHN_UNDEF || sym.sym.st_shndx >= SHN_LORESERVE ||
	    code.shdr.sh_type != SHT_PROGBITS || !(code.shdr.sh_flags & SHF_EXECINSTR) ||
	    !code.data) {
		pr_warn("%s: guard of probe %s, %s+0x%llx: no R_BPF_64_ABS64 relocation into a code section",
			ctx->file, g->probe_name, SDT_GUARD_NOTES_SEC,
			(unsigned long long)g->note_off);
		return -EINVAL;
	}
	if (rel->rela)
		addend = (__u64)rel->addend;
	else
		memcpy(&addend, (const char *)ctx->notes.data + g->note_off, sizeof(addend));
	g->code_shndx = code.idx;
	g->insn_off = sym.sym.st_value + addend;
	g->section = sdt_strdup(code.name);
	if (!g->section)
		return -ENOMEM;
	find_function(ctx, g);
	return check_guard_insns(ctx, g, &code);
}

/* Entry symbols, in offset order; every entry one word, every word one entry. */
static int collect_entries(struct guard_ctx *ctx, struct sdt_elf_symbol **out, size_t *cnt)
{
	size_t nsyms = sdt_elf_symbol_cnt(ctx->elf), words = ctx->notes.size / SDT_INSN_SZ, i;
	struct sdt_elf_symbol s, *by_word;

	by_word = sdt_calloc(words ? words : 1, sizeof(*by_word));
	if (!by_word)
		return -ENOMEM;
	for (i = 0; i < nsyms; i++) {
		if (sdt_elf_symbol(ctx->elf, i, &s)) {
			free(by_word);
			return -EINVAL;
		}
		if (s.sym.st_shndx != ctx->notes.idx ||
		    strncmp(s.name, SDT_GUARD_ENTRY_SYM_PREFIX, strlen(SDT_GUARD_ENTRY_SYM_PREFIX)))
			continue;
		if (s.sym.st_value % SDT_INSN_SZ || s.sym.st_value >= ctx->notes.size ||
		    by_word[s.sym.st_value / SDT_INSN_SZ].name) {
			pr_warn("%s: %s: entry symbol %s at 0x%llx is misaligned, outside the section or not alone",
				ctx->file, SDT_GUARD_NOTES_SEC, s.name,
				(unsigned long long)s.sym.st_value);
			free(by_word);
			return -EINVAL;
		}
		by_word[s.sym.st_value / SDT_INSN_SZ] = s;
	}
	for (i = 0; i < words; i++) {
		if (!by_word[i].name) {
			pr_warn("%s: %s+0x%zx: no " SDT_GUARD_ENTRY_SYM_PREFIX "<probe> symbol marks this entry",
				ctx->file, SDT_GUARD_NOTES_SEC, i * SDT_INSN_SZ);
			free(by_word);
			return -EINVAL;
		}
	}
	*out = by_word;
	*cnt = words;
	return 0;
}

int sdt_guard_notes_parse(struct sdt_elf *elf, const char *name, struct sdt_guard_note **out,
			  size_t *cnt)
{
	struct guard_ctx ctx = { .elf = elf, .file = name };
	struct sdt_guard_note *notes = NULL;
	struct sdt_elf_symbol *entries = NULL;
	size_t n = 0, i;
	bool found;
	int err;

	*out = NULL;
	*cnt = 0;
	err = sdt_elf_section_by_name(elf, SDT_GUARD_NOTES_SEC, &ctx.notes, &found);
	if (err || !found)
		return err;
	err = sdt_elf_section_has_bytes(elf, &ctx.notes);
	if (!err && ctx.notes.size % SDT_INSN_SZ) {
		pr_warn("%s: %s: size %zu is not a multiple of 8 (truncated entry)", name,
			SDT_GUARD_NOTES_SEC, ctx.notes.size);
		err = -EINVAL;
	}
	if (!err)
		err = sdt_elf_section_by_name(elf, SDT_GUARDS_SEC, &ctx.guards, &ctx.have_guards);
	if (!err)
		err = collect_entries(&ctx, &entries, &n);
	if (!err)
		err = sdt_elf_relocs_for(elf, ctx.notes.idx, &ctx.relocs, &ctx.reloc_cnt);
	if (!err && ctx.reloc_cnt != n) {
		pr_warn("%s: %s: %zu relocations for %zu entries (one each)", name,
			SDT_GUARD_NOTES_SEC, ctx.reloc_cnt, n);
		err = -EINVAL;
	}
	if (!err) {
		notes = sdt_calloc(n ? n : 1, sizeof(*notes));
		err = notes ? 0 : -ENOMEM;
	}
	for (i = 0; i < n && !err; i++)
		err = parse_guard(&ctx, &entries[i], &notes[i]);
	if (err) {
		sdt_guard_notes_free(notes, n);
	} else {
		*out = notes;
		*cnt = n;
	}
	free(entries);
	free(ctx.relocs);
	free(ctx.code_relocs);
	return err;
}

void sdt_guard_notes_free(struct sdt_guard_note *notes, size_t cnt)
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
