// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Discovery on the corpus (tests/bpf): the exact probe and site tables.
 *
 * Instruction indices and registers are clang 14's code generation for the
 * corpus (the toolchain Debian 12 ships); tests/oracle cross-checks every
 * table against llvm-objdump independently of these expectations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf_mutate.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

static struct bpf_sdt_object *open_corpus(const char *name)
{
	return bpf_sdt_object__open_file(corpus_path(name), NULL);
}

/* "r1, r0, [r7+8]" */
static void format_regs(const struct bpf_sdt_site *s, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < bpf_sdt_site__arg_cnt(s) && len < size; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(s, i);

		if (a->kind == BPF_SDT_ARG_MEM)
			len += snprintf(buf + len, size - len, "%s[r%u%+d]", i ? ", " : "", a->reg,
					a->off);
		else
			len += snprintf(buf + len, size - len, "%sr%u", i ? ", " : "", a->reg);
	}
}

static void expect_site(const struct bpf_sdt_site *s, const char *function, const char *section,
			unsigned int insn, unsigned int section_insn, const char *regs)
{
	char got[256];

	ASSERT_TRUE(s != NULL);
	ASSERT_STREQ(bpf_sdt_site__function(s), function);
	ASSERT_STREQ(bpf_sdt_site__section(s), section);
	ASSERT_EQ(bpf_sdt_site__insn(s), insn);
	ASSERT_EQ(bpf_sdt_site__section_insn(s), section_insn);
	format_regs(s, got, sizeof(got));
	ASSERT_STREQ(got, regs);
}

static void expect_types(const struct bpf_sdt_probe *p, int n, const char *const *types)
{
	int i;

	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(bpf_sdt_probe__arg_cnt(p), n);
	for (i = 0; i < n; i++) {
		ASSERT_STREQ(bpf_sdt_probe__arg_type_name(p, i), types[i]);
		ASSERT_NE(bpf_sdt_probe__arg_type_id(p, i), 0);
	}
}

UNIT_TEST(discovers_rfc_example_probe_and_site)
{
	struct bpf_sdt_object *obj = open_corpus("basic");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_sdt_object__probe_cnt(obj), 1);
	ASSERT_EQ(bpf_sdt_object__site_cnt(obj), 1);
	p = bpf_sdt_object__probe(obj, 0);
	ASSERT_STREQ(bpf_sdt_probe__name(p), "my_trace");
	ASSERT_OK_HELPER(expect_types(p, 2, (const char *[]){ "int", "int" }));
	ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 1);
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "xdp_prog", "xdp", 6, 6, "r1, r0"));
	ASSERT_TRUE(bpf_sdt_site__probe(bpf_sdt_probe__site(p, 0)) == p);
	ASSERT_NE(bpf_sdt_probe__proto_type_id(p), 0);
	bpf_sdt_object__close(obj);
}

UNIT_TEST(spells_every_argument_type_class_in_c)
{
	struct bpf_sdt_object *obj = open_corpus("types");

	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_sdt_object__probe_cnt(obj), 4);
	ASSERT_OK_HELPER(expect_types(bpf_sdt_object__find_probe(obj, "ints_signed"), 5,
		(const char *[]){ "signed char", "short", "int", "long", "long long" }));
	ASSERT_OK_HELPER(expect_types(bpf_sdt_object__find_probe(obj, "ints_unsigned"), 5,
		(const char *[]){ "unsigned char", "unsigned short", "unsigned int", "unsigned long",
				  "unsigned long long" }));
	ASSERT_OK_HELPER(expect_types(bpf_sdt_object__find_probe(obj, "scalars_misc"), 5,
		(const char *[]){ "char", "_Bool", "enum xdp_action", "enum verdict", "__u16" }));
	ASSERT_OK_HELPER(expect_types(bpf_sdt_object__find_probe(obj, "pointers"), 5,
		(const char *[]){ "void *", "struct ethhdr *", "const void *", "struct xdp_md *",
				  "my_u32" }));
	bpf_sdt_object__close(obj);
}

UNIT_TEST(records_the_register_of_every_argument)
{
	struct bpf_sdt_object *obj = open_corpus("types");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	p = bpf_sdt_object__find_probe(obj, "pointers");
	/* data is passed twice: both arguments name the same register */
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "types_prog", "xdp", 35, 35,
				     "r2, r2, r3, r1, r4"));
	p = bpf_sdt_object__find_probe(obj, "ints_signed");
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "types_prog", "xdp", 12, 12,
				     "r4, r5, r0, r6, r7"));
	bpf_sdt_object__close(obj);
}

UNIT_TEST(discovers_probes_with_0_to_12_arguments)
{
	struct bpf_sdt_object *obj = open_corpus("arities");
	char name[8];
	int n;

	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_sdt_object__probe_cnt(obj), 13);
	for (n = 0; n <= 12; n++) {
		const struct bpf_sdt_probe *p;

		snprintf(name, sizeof(name), "a%d", n);
		p = bpf_sdt_object__find_probe(obj, name);
		ASSERT_TRUE(p != NULL);
		ASSERT_EQ(bpf_sdt_probe__arg_cnt(p), n);
		ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 1);
		ASSERT_EQ(bpf_sdt_site__arg_cnt(bpf_sdt_probe__site(p, 0)), n);
	}
	bpf_sdt_object__close(obj);
}

UNIT_TEST(passes_arguments_10_to_12_through_a_stack_block)
{
	struct bpf_sdt_object *obj = open_corpus("arities");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	p = bpf_sdt_object__find_probe(obj, "a9");
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "arities_prog", "xdp", 34, 34,
				     "r3, r4, r5, r0, r6, r1, r9, r8, r7"));
	p = bpf_sdt_object__find_probe(obj, "a12");
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "arities_prog", "xdp", 61, 61,
		"r3, r4, r5, r0, r6, r1, r9, r8, r7, [r2+0], [r2+8], [r2+16]"));
	ASSERT_STREQ(bpf_sdt_probe__arg_type_name(p, 9), "void *");
	ASSERT_STREQ(bpf_sdt_probe__arg_type_name(p, 11), "unsigned long long");
	bpf_sdt_object__close(obj);
}

UNIT_TEST(rolled_loop_has_one_site_and_unrolled_loop_one_per_copy)
{
	struct bpf_sdt_object *obj = open_corpus("loops");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	p = bpf_sdt_object__find_probe(obj, "iter");
	ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 4);
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "loops_prog", "xdp", 7, 7, "r4, r1"));
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 1), "loops_prog", "xdp", 13, 13, "r3, r2"));
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 2), "loops_prog", "xdp", 15, 15, "r3, r2"));
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 3), "loops_prog", "xdp", 17, 17, "r3, r2"));
	bpf_sdt_object__close(obj);
}

UNIT_TEST(reports_subprogram_sites_with_their_own_function)
{
	struct bpf_sdt_object *obj = open_corpus("subprogs");

	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_sdt_object__site_cnt(obj), 3);
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(bpf_sdt_object__find_probe(obj, "in_main"), 0),
				     "subprogs_prog", "xdp", 3, 3, "r6"));
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(bpf_sdt_object__find_probe(obj, "in_static"), 0),
				     "static_sub", ".text", 2, 10, "r1"));
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(bpf_sdt_object__find_probe(obj, "in_global"), 0),
				     "global_sub", ".text", 2, 5, "r1"));
	bpf_sdt_object__close(obj);
}

UNIT_TEST(discovers_site_in_bpf_loop_callback)
{
	struct bpf_sdt_object *obj = open_corpus("loop_callback");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	p = bpf_sdt_object__find_probe(obj, "loop_step");
	ASSERT_OK_HELPER(expect_types(p, 2, (const char *[]){ "__u32", "long" }));
	ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 1);
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "step", ".text", 4, 5, "r1, r3"));
	bpf_sdt_object__close(obj);
}

UNIT_TEST(every_inlined_copy_of_a_helper_is_its_own_site)
{
	struct bpf_sdt_object *obj = open_corpus("inline_helper");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	p = bpf_sdt_object__find_probe(obj, "check");
	ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 3);
	{
		/* where each copy is and which registers it uses is the
		 * compiler's choice: the oracle reads it from the ELF */
		char *sites = oracle_probe_sites(corpus_path("inline_helper"), "check"), *line;
		char regs[3][32];
		int insn[3], i;

		ASSERT_TRUE(sites != NULL);
		for (i = 0, line = sites; i < 3; i++, line = strchr(line, '\n') + 1)
			ASSERT_TRUE(sscanf(line, "%d %31[^\n]", &insn[i], regs[i]) == 2);
		free(sites);
		for (i = 0; i < 3; i++)
			ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, i), "inline_prog", "xdp",
						     insn[i], insn[i], regs[i]));
		/* three copies: three places */
		ASSERT_TRUE(insn[0] < insn[1] && insn[1] < insn[2]);
	}
	bpf_sdt_object__close(obj);
}

UNIT_TEST(one_probe_fires_from_several_programs_and_sections)
{
	struct bpf_sdt_object *obj = open_corpus("multi_prog");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_sdt_object__probe_cnt(obj), 3);
	p = bpf_sdt_object__find_probe(obj, "pkt_len");
	ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 3);
	/* sites are ordered by section name, then offset */
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "multi_socket", "socket", 1, 1, "r2"));
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 1), "multi_tc", "tc", 1, 1, "r2"));
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 2), "multi_xdp", "xdp", 3, 3, "r1"));
	p = bpf_sdt_object__find_probe(obj, "tc_seen");
	ASSERT_OK_HELPER(expect_site(bpf_sdt_probe__site(p, 0), "multi_tc", "tc", 4, 4, "r1, r2"));
	bpf_sdt_object__close(obj);
}

UNIT_TEST(declared_probe_without_sites_is_listed_with_none)
{
	struct bpf_sdt_object *obj = open_corpus("multi_prog");
	const struct bpf_sdt_probe *p;

	ASSERT_TRUE(obj != NULL);
	p = bpf_sdt_object__find_probe(obj, "never_fired");
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 0);
	ASSERT_TRUE(bpf_sdt_probe__site(p, 0) == NULL);
	bpf_sdt_object__close(obj);
}

UNIT_TEST(probes_are_sorted_by_name)
{
	struct bpf_sdt_object *obj = open_corpus("multi_prog");

	ASSERT_TRUE(obj != NULL);
	ASSERT_STREQ(bpf_sdt_probe__name(bpf_sdt_object__probe(obj, 0)), "never_fired");
	ASSERT_STREQ(bpf_sdt_probe__name(bpf_sdt_object__probe(obj, 1)), "pkt_len");
	ASSERT_STREQ(bpf_sdt_probe__name(bpf_sdt_object__probe(obj, 2)), "tc_seen");
	bpf_sdt_object__close(obj);
}

UNIT_TEST(object_without_probes_opens_with_empty_tables)
{
	struct bpf_sdt_object *obj = open_corpus("no_probes");

	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_sdt_object__probe_cnt(obj), 0);
	ASSERT_EQ(bpf_sdt_object__site_cnt(obj), 0);
	ASSERT_TRUE(bpf_sdt_object__probe(obj, 0) == NULL);
	ASSERT_TRUE(bpf_sdt_object__find_probe(obj, "my_trace") == NULL);
	bpf_sdt_object__close(obj);
}

static const char *const corpus_names[] = {
	"basic", "types", "arities", "loops", "subprogs", "loop_callback", "inline_helper",
	"multi_prog", "no_probes",
};

/* Register allocation differs between -mcpu levels; what the source
 * declares (probes, types, site counts, functions) must not. */
static void expect_same_declarations(const char *variant, const char *name)
{
	struct bpf_sdt_object *a = bpf_sdt_object__open_file(corpus_path(name), NULL);
	struct bpf_sdt_object *b = bpf_sdt_object__open_file(corpus_variant_path(variant, name), NULL);
	size_t i, j;
	int k;

	ASSERT_TRUE(a && b);
	ASSERT_EQ(bpf_sdt_object__probe_cnt(a), bpf_sdt_object__probe_cnt(b));
	for (i = 0; i < bpf_sdt_object__probe_cnt(a); i++) {
		const struct bpf_sdt_probe *pa = bpf_sdt_object__probe(a, i);
		const struct bpf_sdt_probe *pb = bpf_sdt_object__probe(b, i);

		ASSERT_STREQ(bpf_sdt_probe__name(pa), bpf_sdt_probe__name(pb));
		ASSERT_EQ(bpf_sdt_probe__arg_cnt(pa), bpf_sdt_probe__arg_cnt(pb));
		for (k = 0; k < bpf_sdt_probe__arg_cnt(pa); k++)
			ASSERT_STREQ(bpf_sdt_probe__arg_type_name(pa, k),
				     bpf_sdt_probe__arg_type_name(pb, k));
		ASSERT_EQ(bpf_sdt_probe__site_cnt(pa), bpf_sdt_probe__site_cnt(pb));
		for (j = 0; j < bpf_sdt_probe__site_cnt(pa); j++)
			ASSERT_STREQ(bpf_sdt_site__function(bpf_sdt_probe__site(pa, j)),
				     bpf_sdt_site__function(bpf_sdt_probe__site(pb, j)));
	}
	bpf_sdt_object__close(a);
	bpf_sdt_object__close(b);
}

UNIT_TEST(cpu_v1_objects_declare_the_same_probes_and_sites)
{
	size_t i;

	for (i = 0; i < sizeof(corpus_names) / sizeof(corpus_names[0]); i++)
		ASSERT_OK_HELPER(expect_same_declarations("v1", corpus_names[i]));
}

UNIT_TEST(cpu_v2_objects_declare_the_same_probes_and_sites)
{
	size_t i;

	for (i = 0; i < sizeof(corpus_names) / sizeof(corpus_names[0]); i++)
		ASSERT_OK_HELPER(expect_same_declarations("v2", corpus_names[i]));
}

UNIT_TEST(open_mem_finds_the_same_tables_as_open_file)
{
	LIBBPF_OPTS(bpf_sdt_open_opts, opts, .object_name = "embedded.o");
	struct bpf_sdt_object *f, *m;
	size_t size, i;
	void *buf;

	buf = read_whole_file(corpus_path("multi_prog"), &size);
	ASSERT_TRUE(buf != NULL);
	f = bpf_sdt_object__open_file(corpus_path("multi_prog"), NULL);
	m = bpf_sdt_object__open_mem(buf, size, &opts);
	memset(buf, 0, size); /* the object must not keep pointers into it */
	free(buf);
	ASSERT_TRUE(f && m);
	ASSERT_STREQ(bpf_sdt_object__name(m), "embedded.o");
	ASSERT_EQ(bpf_sdt_object__site_cnt(m), bpf_sdt_object__site_cnt(f));
	for (i = 0; i < bpf_sdt_object__site_cnt(f); i++) {
		const struct bpf_sdt_site *a = bpf_sdt_object__site(f, i);
		const struct bpf_sdt_site *b = bpf_sdt_object__site(m, i);

		ASSERT_STREQ(bpf_sdt_probe__name(bpf_sdt_site__probe(a)),
			     bpf_sdt_probe__name(bpf_sdt_site__probe(b)));
		ASSERT_STREQ(bpf_sdt_site__section(a), bpf_sdt_site__section(b));
		ASSERT_EQ(bpf_sdt_site__section_insn(a), bpf_sdt_site__section_insn(b));
	}
	bpf_sdt_object__close(f);
	bpf_sdt_object__close(m);
}

UNIT_TEST(open_rejects_options_with_unknown_nonzero_fields)
{
	struct {
		struct bpf_sdt_open_opts opts;
		long future_field;
	} newer = { .opts = { .sz = sizeof(newer) }, .future_field = 1 };

	diag_capture_begin();
	errno = 0;
	ASSERT_TRUE(bpf_sdt_object__open_file(corpus_path("basic"), &newer.opts) == NULL);
	ASSERT_EQ(errno, EINVAL);
	diag_capture_end();
}

UNIT_TEST(open_accepts_options_from_a_newer_caller_when_zero)
{
	struct {
		struct bpf_sdt_open_opts opts;
		long future_field;
	} newer = { .opts = { .sz = sizeof(newer) } };
	struct bpf_sdt_object *obj = bpf_sdt_object__open_file(corpus_path("basic"), &newer.opts);

	ASSERT_TRUE(obj != NULL);
	bpf_sdt_object__close(obj);
}

UNIT_TEST(open_reports_missing_file_with_errno)
{
	diag_capture_begin();
	errno = 0;
	ASSERT_TRUE(bpf_sdt_object__open_file("does/not/exist.o", NULL) == NULL);
	ASSERT_EQ(errno, ENOENT);
	ASSERT_STREQ(diag_captured(), "does/not/exist.o: cannot read: No such file or directory\n");
	diag_capture_end();
}

UNIT_TEST(accessors_return_null_out_of_range)
{
	struct bpf_sdt_object *obj = open_corpus("basic");
	const struct bpf_sdt_probe *p;
	const struct bpf_sdt_site *s;

	ASSERT_TRUE(obj != NULL);
	p = bpf_sdt_object__probe(obj, 0);
	s = bpf_sdt_object__site(obj, 0);
	ASSERT_TRUE(bpf_sdt_object__site(obj, 1) == NULL);
	ASSERT_TRUE(bpf_sdt_probe__arg_type_name(p, 2) == NULL);
	ASSERT_TRUE(bpf_sdt_probe__arg_type_name(p, -1) == NULL);
	ASSERT_EQ(bpf_sdt_probe__arg_type_id(p, 2), 0);
	ASSERT_TRUE(bpf_sdt_site__arg(s, 2) == NULL);
	ASSERT_TRUE(bpf_sdt_object__btf(obj) != NULL);
	bpf_sdt_object__close(obj);
}

/*
 * Function symbols may overlap (nothing in ELF forbids it): a site is named
 * by the first symbol in the table that covers it, however far before it
 * that symbol starts. Here the first of subprog_exits' .text functions is
 * made to cover all of them.
 */
TEST(sites_are_named_by_the_first_function_symbol_covering_them)
{
	struct bpf_sdt_object *obj;
	unsigned long long start;
	const char *path;
	struct mutant m;
	long sym;
	size_t i, n = 0;

	ASSERT_EQ(mutant_load(&m, corpus_path("subprog_exits")), 0);
	sym = mutant_symbol_entry(&m, "note_len");
	ASSERT_TRUE(sym > 0);
	ASSERT_TRUE(mutant_symbol_index(&m, "note_len") < mutant_symbol_index(&m, "classify"));
	start = mutant_get64(&m, sym + offsetof(Elf64_Sym, st_value));
	mutant_put64(&m, sym + offsetof(Elf64_Sym, st_size),
		     (unsigned long long)mutant_section_size(&m, ".text") - start);
	path = mutant_save(&m, "overlapping_functions.o");
	mutant_free(&m);
	ASSERT_TRUE(path != NULL);
	obj = bpf_sdt_object__open_file(path, NULL);
	ASSERT_TRUE(obj != NULL);
	for (i = 0; i < bpf_sdt_object__site_cnt(obj); i++) {
		const struct bpf_sdt_site *s = bpf_sdt_object__site(obj, i);

		if (strcmp(bpf_sdt_site__section(s), ".text"))
			continue;
		ASSERT_STREQ(bpf_sdt_site__function(s), "note_len");
		ASSERT_EQ(bpf_sdt_site__insn(s), bpf_sdt_site__section_insn(s) - start / 8);
		n++;
	}
	ASSERT_EQ(n, 4);
	bpf_sdt_object__close(obj);
}
