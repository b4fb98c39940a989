// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * More malformed objects (test_list_malformed.c has the first classes):
 * entry symbols, relocation placement and symbols, argument notes, BTF
 * declarations and layout, ELF structure. Each damaged object is a compiled
 * corpus object with a few bytes changed here; `bpfsdt list` must refuse it
 * with exactly one line naming the damage, exit code 2 and no output. Last,
 * every single-byte change of a corpus object must be accepted or refused
 * with one line, never crash.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include "elf_mutate.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define NOTES ".bpf_sdt_notes"
#define REL_NOTES ".rel.bpf_sdt_notes"
#define ENTRY_PREFIX "___sdt_jt_"

static void load(struct mutant *m, const char *corpus)
{
	ASSERT_EQ(mutant_load(m, corpus_path(corpus)), 0);
}

/* The entry symbol of `probe` (its .<uid> suffix comes from the compiler):
 * name copied into buf, notes offset returned; -1 if none. */
static long entry_of(struct mutant *m, const char *probe, char *buf, size_t size)
{
	long notes_size = mutant_section_size(m, NOTES), off;
	size_t len = strlen(probe);

	for (off = 0; off < notes_size; off += 8) {
		const char *sym = mutant_symbol_at(m, NOTES, (unsigned long long)off);

		if (sym && !strncmp(sym, ENTRY_PREFIX, strlen(ENTRY_PREFIX)) &&
		    !strncmp(sym + strlen(ENTRY_PREFIX), probe, len) &&
		    sym[strlen(ENTRY_PREFIX) + len] == '.') {
			snprintf(buf, size, "%s", sym);
			return off;
		}
	}
	return -1;
}

/* File offset of the relocation of the NOP offset of the first entry. */
static long first_reloc(struct mutant *m)
{
	return mutant_reloc_entry(m, REL_NOTES, 0);
}

/* --- entry symbols --- */

UNIT_TEST(list_rejects_misaligned_entry_symbol)
{
	char msg[256];
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	ASSERT_TRUE(mutant_set_symbol_value(&m, "___sdt_jt_my_trace.0", 4));
	snprintf(msg, sizeof(msg), NOTES ": entry symbol ___sdt_jt_my_trace.0 at 0x4 is misaligned "
		 "or outside the section (0x%lx bytes)", mutant_section_size(&m, NOTES));
	mutant_expect_refused(&m, "entry_misaligned.o", msg);
}

UNIT_TEST(list_rejects_entry_symbol_outside_notes)
{
	long size;
	char msg[256];
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	size = mutant_section_size(&m, NOTES);
	ASSERT_TRUE(mutant_set_symbol_value(&m, "___sdt_jt_my_trace.0", (unsigned long long)size));
	snprintf(msg, sizeof(msg), NOTES ": entry symbol ___sdt_jt_my_trace.0 at 0x%lx is "
		 "misaligned or outside the section (0x%lx bytes)", size, size);
	mutant_expect_refused(&m, "entry_outside.o", msg);
}

UNIT_TEST(list_rejects_two_entry_symbols_on_one_entry)
{
	char a0[64], a1[64], msg[256];
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "arities"));
	ASSERT_EQ(entry_of(&m, "a0", a0, sizeof(a0)), 0);
	ASSERT_EQ(entry_of(&m, "a1", a1, sizeof(a1)), 8);
	ASSERT_TRUE(mutant_set_symbol_value(&m, a1, 0));
	snprintf(msg, sizeof(msg), NOTES "+0x0: two entry symbols (%s and %s) mark one entry", a0, a1);
	mutant_expect_refused(&m, "entry_twins.o", msg);
}

UNIT_TEST(list_rejects_notes_that_do_not_start_with_an_entry_symbol)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	ASSERT_TRUE(mutant_set_symbol_value(&m, "___sdt_jt_my_trace.0", 8));
	mutant_expect_refused(&m, "entry_unmarked.o", NOTES "+0x0: no ___sdt_jt_<probe> symbol marks this entry");
}

/* --- relocations --- */

UNIT_TEST(list_rejects_relocation_inside_an_entry)
{
	struct mutant m;
	long rel;

	ASSERT_OK_HELPER(load(&m, "basic"));
	rel = first_reloc(&m);
	ASSERT_TRUE(rel > 0);
	mutant_put64(&m, rel + offsetof(Elf64_Rel, r_offset), 8);
	mutant_expect_refused(&m, "reloc_inside.o",
		NOTES "+0x8: relocation inside an entry (only the NOP offset is relocated)");
}

UNIT_TEST(list_rejects_entry_with_two_relocations)
{
	char a0[64], a1[64], msg[256];
	struct mutant m;
	long rel;

	ASSERT_OK_HELPER(load(&m, "arities"));
	ASSERT_EQ(entry_of(&m, "a0", a0, sizeof(a0)), 0);
	ASSERT_EQ(entry_of(&m, "a1", a1, sizeof(a1)), 8);
	rel = mutant_reloc_entry(&m, REL_NOTES, 8);
	ASSERT_TRUE(rel > 0);
	mutant_put64(&m, rel + offsetof(Elf64_Rel, r_offset), 0);
	snprintf(msg, sizeof(msg), NOTES "+0x0: probe entry %s has two relocations", a0);
	mutant_expect_refused(&m, "reloc_twice.o", msg);
}

/* r_info = symbol << 32 | type: the symbol is the upper half. */
static void set_reloc_symbol(struct mutant *m, long rel, unsigned int sym)
{
	mutant_put32(m, rel + offsetof(Elf64_Rel, r_info) + 4, sym);
}

UNIT_TEST(list_rejects_relocation_against_symbol_in_no_section)
{
	struct mutant m;
	long rel, file_sym;

	ASSERT_OK_HELPER(load(&m, "basic"));
	rel = first_reloc(&m);
	file_sym = mutant_symbol_index(&m, "basic.bpf.c"); /* STT_FILE, SHN_ABS */
	ASSERT_TRUE(rel > 0 && file_sym > 0);
	set_reloc_symbol(&m, rel, (unsigned int)file_sym);
	mutant_expect_refused(&m, "reloc_abs.o", "probe my_trace, " NOTES "+0x0: NOP offset relocation is "
				   "against symbol 'basic.bpf.c', which is in no section");
}

UNIT_TEST(list_rejects_relocation_against_missing_symbol)
{
	struct mutant m;
	long rel;

	ASSERT_OK_HELPER(load(&m, "basic"));
	rel = first_reloc(&m);
	ASSERT_TRUE(rel > 0);
	set_reloc_symbol(&m, rel, 1000);
	mutant_expect_refused(&m, "reloc_nosym.o", "corrupt ELF: no symbol 1000");
}

UNIT_TEST(list_rejects_relocation_against_symbol_of_missing_section)
{
	struct mutant m;
	long rel, sym;

	ASSERT_OK_HELPER(load(&m, "basic"));
	rel = first_reloc(&m);
	ASSERT_TRUE(rel > 0);
	sym = mutant_get32(&m, rel + offsetof(Elf64_Rel, r_info) + 4);
	mutant_put16(&m, mutant_section_offset(&m, ".symtab") + sym * (long)sizeof(Elf64_Sym) +
			 (long)offsetof(Elf64_Sym, st_shndx), 100);
	mutant_expect_refused(&m, "reloc_nosec.o", "corrupt ELF: no section 100");
}

UNIT_TEST(list_rejects_notes_relocations_that_target_another_section)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	ASSERT_TRUE(mutant_set_shdr32(&m, REL_NOTES, offsetof(Elf64_Shdr, sh_info),
				      (unsigned int)mutant_section_index(&m, "xdp")));
	mutant_expect_refused(&m, "reloc_info.o", "probe my_trace, " NOTES "+0x0: no relocation for the NOP offset");
}

/* --- entries and argument notes --- */

UNIT_TEST(list_rejects_argument_note_with_wrong_dst_reg)
{
	struct mutant m;
	long regs;

	ASSERT_OK_HELPER(load(&m, "basic"));
	regs = mutant_section_offset(&m, NOTES) + 8 + 1; /* argument 1: src << 4 | dst */
	m.buf[regs] = (unsigned char)((m.buf[regs] & 0xf0) | 3);
	mutant_expect_refused(&m, "arg_dst.o", "probe my_trace at xdp insn 6: argument 1: note has dst_reg r3, "
				 "expected r1");
}

UNIT_TEST(list_rejects_entry_with_more_than_12_arguments)
{
	char a11[64], a12[64], hidden[64], msg[256];
	long at11, at12, size;
	struct mutant m;

	/* a12's entry loses its symbol and relocation: a11's runs on to the end */
	ASSERT_OK_HELPER(load(&m, "arities"));
	at11 = entry_of(&m, "a11", a11, sizeof(a11));
	at12 = entry_of(&m, "a12", a12, sizeof(a12));
	ASSERT_TRUE(at11 > 0 && at12 > at11);
	snprintf(hidden, sizeof(hidden), "%s", a12);
	memcpy(hidden, "___sdt_xx_", 10);
	ASSERT_TRUE(mutant_replace_string(&m, ".strtab", a12, hidden));
	ASSERT_TRUE(mutant_drop_reloc(&m, REL_NOTES, (unsigned long long)at12));
	size = mutant_section_size(&m, NOTES);
	snprintf(msg, sizeof(msg), "probe a11, " NOTES "+0x%lx: entry describes %ld arguments, "
		 "at most 12 are supported", at11, (size - at11) / 8 - 1);
	mutant_expect_refused(&m, "entry_13.o", msg);
}

UNIT_TEST(list_rejects_two_entries_for_one_site)
{
	char name[64], msg[256];
	unsigned long long nop;
	struct mutant m;
	long notes;

	ASSERT_OK_HELPER(load(&m, "arities"));
	ASSERT_EQ(entry_of(&m, "a0", name, sizeof(name)), 0);
	ASSERT_EQ(entry_of(&m, "a1", name, sizeof(name)), 8);
	notes = mutant_section_offset(&m, NOTES);
	nop = mutant_get64(&m, notes); /* a0's NOP (REL: the addend is in place) */
	mutant_put64(&m, notes + 8, nop);
	snprintf(msg, sizeof(msg), "xdp insn %llu: two notes entries (probes a0 and a1) describe "
		 "one site", nop / 8);
	mutant_expect_refused(&m, "one_site.o", msg);
}

/* --- BTF declarations --- */

/* The DECL_TAG of basic.bpf.o's probe and the FUNC_PROTO it declares. */
static void basic_decl(struct mutant *m, int *tag, long *tag_rec, long *proto_rec)
{
	ASSERT_OK_HELPER(load(m, "basic"));
	*tag = mutant_btf_find(m, "bpf_sdt:my_trace:2", BTF_KIND_DECL_TAG);
	ASSERT_TRUE(*tag > 0);
	*tag_rec = mutant_btf_type(m, (unsigned int)*tag);
	*proto_rec = mutant_btf_type(m, mutant_btf_ref(m, mutant_btf_ref(m, (unsigned int)*tag)));
	ASSERT_TRUE(*tag_rec > 0 && *proto_rec > 0);
	/* the prototype: name_off, info (kind 13, vlen 2), return type void */
	ASSERT_EQ(mutant_get32(m, *proto_rec + 4), BTF_KIND_FUNC_PROTO << 24 | 2);
}

/* struct btf_type is 12 bytes; a FUNC_PROTO's parameters and a DECL_TAG's
 * component_idx follow it. */
#define BTF_TYPE_FIELD_TYPE 8
#define BTF_PARAM_TYPE(i) (12 + 8 * (i) + 4)
#define BTF_DECL_TAG_COMPONENT 12

UNIT_TEST(list_rejects_tag_declaring_more_than_12_arguments)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "arities"));
	ASSERT_TRUE(mutant_replace_string(&m, ".BTF", "bpf_sdt:a10:10", "bpf_sdt:a10:13"));
	mutant_expect_refused(&m, "tag_13.o", "probe a10: tag declares 13 arguments, at most 12 are supported");
}

UNIT_TEST(list_rejects_decl_tag_on_a_parameter)
{
	long tag_rec, proto_rec;
	char msg[256];
	struct mutant m;
	int tag;

	ASSERT_OK_HELPER(basic_decl(&m, &tag, &tag_rec, &proto_rec));
	mutant_put32(&m, tag_rec + BTF_DECL_TAG_COMPONENT, 0);
	snprintf(msg, sizeof(msg), "probe my_trace: DECL_TAG [%d] tags parameter 0, not the "
		 "declaration", tag);
	mutant_expect_refused(&m, "tag_param.o", msg);
}

UNIT_TEST(list_rejects_decl_tag_not_on_a_function)
{
	long tag_rec, proto_rec;
	char msg[256];
	struct mutant m;
	int tag, int_id;

	ASSERT_OK_HELPER(basic_decl(&m, &tag, &tag_rec, &proto_rec));
	int_id = mutant_btf_find(&m, "int", BTF_KIND_INT);
	ASSERT_TRUE(int_id > 0);
	mutant_put32(&m, tag_rec + BTF_TYPE_FIELD_TYPE, (unsigned int)int_id);
	snprintf(msg, sizeof(msg), "probe my_trace: DECL_TAG [%d] is not on a function or a "
		 "function-pointer variable", tag);
	mutant_expect_refused(&m, "tag_on_int.o", msg);
}

UNIT_TEST(list_rejects_variadic_prototype)
{
	long tag_rec, proto_rec;
	struct mutant m;
	int tag;

	ASSERT_OK_HELPER(basic_decl(&m, &tag, &tag_rec, &proto_rec));
	mutant_put32(&m, proto_rec + BTF_PARAM_TYPE(1), 0); /* (int, ...) */
	mutant_expect_refused(&m, "variadic.o", "probe my_trace: prototype is variadic");
}

UNIT_TEST(list_rejects_argument_of_aggregate_type)
{
	long tag_rec, proto_rec;
	struct mutant m;
	int tag, st;

	ASSERT_OK_HELPER(basic_decl(&m, &tag, &tag_rec, &proto_rec));
	st = mutant_btf_find(&m, "xdp_md", BTF_KIND_STRUCT);
	ASSERT_TRUE(st > 0);
	mutant_put32(&m, proto_rec + BTF_PARAM_TYPE(0), (unsigned int)st);
	mutant_expect_refused(&m, "arg_struct.o", "probe my_trace argument 1: type 'struct xdp_md' is not an "
				    "integer, enum, _Bool or pointer");
}

UNIT_TEST(list_rejects_btf_type_reference_out_of_range)
{
	long tag_rec, proto_rec;
	char msg[256];
	struct mutant m;
	int tag;

	ASSERT_OK_HELPER(basic_decl(&m, &tag, &tag_rec, &proto_rec));
	mutant_put32(&m, tag_rec + BTF_TYPE_FIELD_TYPE, 9999);
	snprintf(msg, sizeof(msg), ".BTF: type [%d]: referenced type id out of range", tag);
	mutant_expect_refused(&m, "btf_ref.o", msg);
}

/* --- BTF layout --- */

UNIT_TEST(list_rejects_btf_with_bad_magic)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	mutant_put16(&m, mutant_section_offset(&m, ".BTF"), 0);
	mutant_expect_refused(&m, "btf_magic.o", ".BTF: invalid BTF (Invalid argument)");
}

UNIT_TEST(list_rejects_byte_swapped_btf)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	mutant_put16(&m, mutant_section_offset(&m, ".BTF"), 0x9feb);
	mutant_expect_refused(&m, "btf_swapped.o", ".BTF: byte-swapped BTF is not supported");
}

/* The last BTF type of basic.bpf.o: DATASEC "license" with one variable. */
static long last_btf_type(struct mutant *m, int *id)
{
	*id = mutant_btf_find(m, "license", BTF_KIND_DATASEC);
	if (*id <= 0 || mutant_btf_type(m, (unsigned int)*id + 1) >= 0)
		return -1;
	return mutant_btf_type(m, (unsigned int)*id);
}

/* libbpf 1.1 reports this through its own print callback: the second line
 * of a refusal, before discovery checked the layout itself. */
UNIT_TEST(list_rejects_btf_type_running_past_the_type_section)
{
	char msg[256];
	struct mutant m;
	long rec;
	int id;

	ASSERT_OK_HELPER(load(&m, "basic"));
	rec = last_btf_type(&m, &id);
	ASSERT_TRUE(rec > 0);
	mutant_put32(&m, rec + 4, mutant_get32(&m, rec + 4) + 1); /* vlen 1 -> 2 */
	snprintf(msg, sizeof(msg), ".BTF: type [%d] runs past the end of the type section", id);
	mutant_expect_refused(&m, "btf_overrun.o", msg);
}

UNIT_TEST(list_rejects_btf_type_section_ending_inside_a_record)
{
	struct mutant m;
	long btf;

	/* the last record is 24 bytes: cut 20 and 4 remain, too few for one */
	ASSERT_OK_HELPER(load(&m, "basic"));
	btf = mutant_section_offset(&m, ".BTF");
	mutant_put32(&m, btf + offsetof(struct btf_header, type_len),
		     mutant_get32(&m, btf + offsetof(struct btf_header, type_len)) - 20);
	mutant_expect_refused(&m, "btf_stray.o", ".BTF: type section ends with 4 bytes that are no type record");
}

/* --- ELF structure --- */

UNIT_TEST(list_rejects_big_endian_object)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	m.buf[EI_DATA] = ELFDATA2MSB;
	m.buf[offsetof(Elf64_Ehdr, e_machine)] = 0; /* EM_BPF, big-endian */
	m.buf[offsetof(Elf64_Ehdr, e_machine) + 1] = EM_BPF;
	mutant_expect_refused(&m, "big_endian.o", "big-endian BPF objects are not supported");
}

UNIT_TEST(list_rejects_two_symbol_tables)
{
	struct mutant m;
	long symtab, other;

	ASSERT_OK_HELPER(load(&m, "basic"));
	symtab = mutant_section_header(&m, ".symtab");
	other = mutant_section_header(&m, ".debug_frame");
	ASSERT_TRUE(symtab > 0 && other > 0);
	/* .debug_frame's header, but for its name, becomes a copy of .symtab's */
	memcpy(m.buf + other + offsetof(Elf64_Shdr, sh_type),
	       m.buf + symtab + offsetof(Elf64_Shdr, sh_type),
	       sizeof(Elf64_Shdr) - offsetof(Elf64_Shdr, sh_type));
	mutant_expect_refused(&m, "two_symtabs.o", "corrupt ELF: more than one symbol table");
}

UNIT_TEST(list_rejects_symbol_table_linking_to_missing_section)
{
	char msg[256];
	struct mutant m;
	size_t shnum;

	ASSERT_OK_HELPER(load(&m, "basic"));
	ASSERT_EQ(elf_getshdrnum(m.elf, &shnum), 0);
	ASSERT_TRUE(mutant_set_shdr32(&m, ".symtab", offsetof(Elf64_Shdr, sh_link), 200));
	snprintf(msg, sizeof(msg), "corrupt ELF: symbol table links to section 200 of %zu", shnum);
	mutant_expect_refused(&m, "symtab_link.o", msg);
}

UNIT_TEST(list_rejects_two_notes_sections)
{
	struct mutant m;
	long notes;

	ASSERT_OK_HELPER(load(&m, "basic"));
	notes = mutant_section_header(&m, NOTES);
	ASSERT_TRUE(notes > 0);
	ASSERT_TRUE(mutant_set_shdr32(&m, "license", offsetof(Elf64_Shdr, sh_name),
				      mutant_get32(&m, notes + offsetof(Elf64_Shdr, sh_name))));
	mutant_expect_refused(&m, "two_notes.o", "more than one " NOTES " section");
}

UNIT_TEST(list_rejects_notes_data_outside_the_file)
{
	char msg[256];
	struct mutant m;
	long idx, size;

	ASSERT_OK_HELPER(load(&m, "basic"));
	idx = mutant_section_index(&m, NOTES);
	size = mutant_section_size(&m, NOTES);
	ASSERT_TRUE(idx > 0 && size > 0);
	ASSERT_TRUE(mutant_set_shdr64(&m, NOTES, offsetof(Elf64_Shdr, sh_offset), m.size + 4096));
	snprintf(msg, sizeof(msg), "corrupt ELF: section %ld (" NOTES ") of %ld bytes at offset %zu "
		 "runs past the end of the file (%zu bytes)", idx, size, m.size + 4096, m.size);
	mutant_expect_refused(&m, "notes_beyond.o", msg);
}

UNIT_TEST(list_rejects_directory_given_as_object)
{
	char *argv[] = { (char *)bpfsdt_bin(), "list", "tests/unit", NULL };
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, "bpfsdt: tests/unit: cannot read: not a regular file\n");
	cmd_result_free(&r);
}

/* --- the library --- */

static char libbpf_said[4096];

static int capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	size_t len = strlen(libbpf_said);

	if (level != LIBBPF_WARN)
		return 0;
	return vsnprintf(libbpf_said + len, sizeof(libbpf_said) - len, fmt, args);
}

UNIT_TEST(open_of_malformed_btf_prints_one_line_and_libbpf_stays_quiet)
{
	libbpf_print_fn_t saved;
	struct bpf_sdt_object *obj;
	char expected[512];
	const char *path;
	struct mutant m;
	long rec;
	int id;

	ASSERT_OK_HELPER(load(&m, "basic"));
	rec = last_btf_type(&m, &id);
	ASSERT_TRUE(rec > 0);
	mutant_put32(&m, rec + 4, mutant_get32(&m, rec + 4) + 1);
	path = mutant_save(&m, "api_btf_overrun.o");
	mutant_free(&m);
	ASSERT_TRUE(path != NULL);

	libbpf_said[0] = '\0';
	saved = libbpf_set_print(capture_libbpf);
	diag_capture_begin();
	errno = 0;
	obj = bpf_sdt_object__open_file(path, NULL);
	diag_capture_end();
	libbpf_set_print(saved);
	ASSERT_TRUE(obj == NULL);
	ASSERT_EQ(errno, EINVAL);
	snprintf(expected, sizeof(expected), "%s: .BTF: type [%d] runs past the end of the type "
		 "section\n", path, id);
	ASSERT_STREQ(diag_captured(), expected);
	ASSERT_STREQ(libbpf_said, "");
}

/* Opens every variant of `corpus` with one byte replaced: each is accepted
 * silently or refused with errno set and exactly one line (and nothing from
 * libbpf). Returns the number of refusals, -1 on a failed check. */
static long sweep_bytes(const char *corpus, const unsigned char *values, size_t nvalues)
{
	size_t size, i, v;
	unsigned char *orig = read_whole_file(corpus_path(corpus), &size), *buf;
	libbpf_print_fn_t saved;
	long refusals = 0;

	buf = orig ? malloc(size) : NULL;
	if (!buf) {
		free(orig);
		return -1;
	}
	saved = libbpf_set_print(capture_libbpf);
	for (i = 0; i < size && refusals >= 0; i++) {
		for (v = 0; v < nvalues && refusals >= 0; v++) {
			struct bpf_sdt_object *obj;
			const char *said, *nl;

			if (orig[i] == values[v])
				continue;
			memcpy(buf, orig, size);
			buf[i] = values[v];
			libbpf_said[0] = '\0';
			diag_capture_begin();
			errno = 0;
			obj = bpf_sdt_object__open_mem(buf, size, NULL);
			diag_capture_end();
			said = diag_captured();
			nl = strchr(said, '\n');
			if (obj ? *said != '\0' : !errno || !nl || nl[1] || *libbpf_said) {
				fprintf(stdout, "    %s: byte 0x%zx = 0x%02x: %s, errno %d, said \"%s\", "
					"libbpf said \"%s\"\n", corpus, i, values[v],
					obj ? "accepted" : "refused", errno, said, libbpf_said);
				refusals = -1;
			} else if (!obj) {
				refusals++;
			}
			bpf_sdt_object__close(obj);
		}
	}
	libbpf_set_print(saved);
	free(buf);
	free(orig);
	return refusals;
}

UNIT_TEST(open_of_any_single_byte_change_is_accepted_or_refused_with_one_line)
{
	static const unsigned char values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	const char *corpora[] = { "basic", "multi_prog", "guards_check" };
	size_t i;

	for (i = 0; i < sizeof(corpora) / sizeof(corpora[0]); i++) {
		long refusals = sweep_bytes(corpora[i], values, sizeof(values));

		ASSERT_TRUE(refusals > 0);
	}
}
