// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `bpfsdt list --json` against an independent oracle (tests/oracle), which
 * derives each object's probe table from llvm-readelf, llvm-objdump, the
 * raw bytes and bpftool's BTF dump, without libbpfsdt: for every corpus
 * object at -mcpu=v3, v1 and v2, for the example, and for programs only the
 * oracle uses (tests/oracle/bpf, compiled here with clang -O2 -g -target bpf
 * -Iinclude). The oracle is also shown to fail: fake "bpfsdt" scripts that
 * misreport one detail, and a site whose NOP is gone.
 */
#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "helpers.h"
#include "mutate_elf.h"
#include "test.h"

#define ORACLE "tests/oracle/elf_oracle.py"
#define MAX_OBJECTS 64

static const char nop[8] = { 0x05 };

/* Runs the oracle over objects (NULL-terminated) with the given bpfsdt. */
static int oracle(const char *const *objects, const char *bpfsdt, struct cmd_result *r)
{
	char *argv[MAX_OBJECTS + 4];
	int n = 0;

	argv[n++] = "python3";
	argv[n++] = ORACLE;
	while (*objects && n < MAX_OBJECTS + 2)
		argv[n++] = (char *)*objects++;
	argv[n++] = (char *)bpfsdt;
	argv[n] = NULL;
	return run_cmd(argv, r);
}

static int oracle1(const char *object, const char *bpfsdt, struct cmd_result *r)
{
	const char *objects[] = { object, NULL };

	return oracle(objects, bpfsdt, r);
}

/* The oracle must agree with bpfsdt on every object; its report is printed
 * when it does not. */
static void expect_agreement(const char *const *objects, size_t cnt)
{
	struct cmd_result r;
	int status;

	ASSERT_EQ(oracle(objects, bpfsdt_bin(), &r), 0);
	status = r.status;
	if (status)
		fprintf(stdout, "%s%s", r.out, r.err);
	cmd_result_free(&r);
	if (status)
		FAIL("the ELF oracle exited %d on %zu object(s): bpfsdt and the ELF disagree (1) "
		     "or the oracle could not read one (2)", status, cnt);
}

static void expect_agreement_in(const char *dir)
{
	char pattern[512];
	const char *objects[MAX_OBJECTS + 1] = {};
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/*.bpf.o", dir);
	ASSERT_EQ(glob(pattern, 0, NULL, &g), 0);
	if (g.gl_pathc < 10 || g.gl_pathc > MAX_OBJECTS) {
		globfree(&g);
		FAIL("%s: %zu objects, expected the whole corpus (build it first)", dir,
		     (size_t)g.gl_pathc);
	}
	for (i = 0; i < g.gl_pathc; i++)
		objects[i] = g.gl_pathv[i];
	expect_agreement(objects, g.gl_pathc);
	globfree(&g);
}

UNIT_TEST(list_json_matches_elf_oracle_cpu_v3)
{
	expect_agreement_in(TEST_BUILD_DIR "/tests/bpf");
}

UNIT_TEST(list_json_matches_elf_oracle_cpu_v1)
{
	expect_agreement_in(TEST_BUILD_DIR "/tests/bpf/v1");
}

UNIT_TEST(list_json_matches_elf_oracle_cpu_v2)
{
	expect_agreement_in(TEST_BUILD_DIR "/tests/bpf/v2");
}

UNIT_TEST(list_json_matches_elf_oracle_for_the_example)
{
	const char *objects[] = { TEST_BUILD_DIR "/examples/xdp_filter.bpf.o", NULL };

	expect_agreement(objects, 1);
}

/* Compiles each tests/oracle/bpf program at -mcpu=cpu the way the issue's
 * acceptance check does, then compares. */
static void expect_agreement_on_oracle_programs(const char *cpu)
{
	char mcpu[32], dst[MAX_OBJECTS][256];
	const char *objects[MAX_OBJECTS + 1] = {};
	struct cmd_result r;
	glob_t g;
	size_t i;

	snprintf(mcpu, sizeof(mcpu), "-mcpu=%s", cpu);
	ASSERT_EQ(glob("tests/oracle/bpf/*.bpf.c", 0, NULL, &g), 0);
	if (g.gl_pathc < 2 || g.gl_pathc > MAX_OBJECTS) {
		globfree(&g);
		FAIL("tests/oracle/bpf: %zu programs", (size_t)g.gl_pathc);
	}
	for (i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		char name[128];
		char *argv[] = { TEST_CLANG, "-O2", "-g", "-target", "bpf", "-Iinclude",
				 "-I/usr/include/" TEST_MULTIARCH, mcpu, "-c", g.gl_pathv[i],
				 "-o", dst[i], NULL };

		snprintf(name, sizeof(name), "oracle-%s-%.*s.o", cpu, (int)(strlen(base) - 2),
			 base);
		snprintf(dst[i], sizeof(dst[i]), "%s", scratch_path(name));
		if (run_cmd(argv, &r) || r.status) {
			fprintf(stdout, "%s", r.err ? r.err : "");
			cmd_result_free(&r);
			globfree(&g);
			FAIL("clang could not compile tests/oracle/bpf/%s", base);
		}
		cmd_result_free(&r);
		objects[i] = dst[i];
	}
	expect_agreement(objects, g.gl_pathc);
	globfree(&g);
}

UNIT_TEST(list_json_matches_elf_oracle_for_oracle_programs_cpu_v3)
{
	expect_agreement_on_oracle_programs("v3");
}

UNIT_TEST(list_json_matches_elf_oracle_for_oracle_programs_cpu_v1)
{
	expect_agreement_on_oracle_programs("v1");
}

UNIT_TEST(list_json_matches_elf_oracle_for_oracle_programs_cpu_v2)
{
	expect_agreement_on_oracle_programs("v2");
}

/*
 * The oracle can fail. A fake "bpfsdt" runs the real one and edits its JSON
 * with a sed expression; the oracle must exit 1 and name the difference.
 * basic.bpf.o lists:
 *   my_trace(int, int) at xdp_prog insn 6 (xdp insn 6), regs r1, r0
 */
static void expect_oracle_notices(const char *fake_name, const char *sed_expr,
				  const char *report)
{
	const char *fake = scratch_path(fake_name);
	char *real = realpath(bpfsdt_bin(), NULL);
	FILE *f = fopen(fake, "w");
	struct cmd_result r;

	if (!f || !real) {
		if (f)
			fclose(f);
		free(real);
		FAIL("cannot write %s or find %s", fake, bpfsdt_bin());
	}
	fprintf(f, "#!/bin/sh\n\"%s\" \"$@\" | sed '%s'\n", real, sed_expr);
	fclose(f);
	free(real);
	ASSERT_EQ(chmod(fake, 0755), 0);
	ASSERT_EQ(oracle1(corpus_path("basic"), fake, &r), 0);
	if (r.status != 1 || !strstr(r.out, report))
		fprintf(stdout, "%s%s", r.out, r.err);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.out, "bpfsdt disagrees with the ELF");
	ASSERT_CONTAINS(r.out, report);
	cmd_result_free(&r);
}

UNIT_TEST(elf_oracle_notices_a_wrong_register)
{
	expect_oracle_notices("fake-bpfsdt-reg", "s/\"regs\": \\[\"r1\"/\"regs\": [\"r2\"/",
			      "probe my_trace: site xdp insn 6: regs: ELF [\"r1\", \"r0\"], "
			      "bpfsdt [\"r2\", \"r0\"]");
}

UNIT_TEST(elf_oracle_notices_a_wrong_argument_type)
{
	expect_oracle_notices("fake-bpfsdt-type", "s/{\"type\": \"int\"}/{\"type\": \"long\"}/",
			      "probe my_trace argument 1: ELF type \"int\", bpfsdt \"long\"");
}

UNIT_TEST(elf_oracle_notices_a_wrong_instruction_index)
{
	expect_oracle_notices("fake-bpfsdt-insn", "s/\"insn\": 6/\"insn\": 7/",
			      "probe my_trace: site xdp insn 6: insn: ELF 6, bpfsdt 7");
}

UNIT_TEST(elf_oracle_notices_a_wrong_function)
{
	expect_oracle_notices("fake-bpfsdt-func", "s/\"xdp_prog\"/null/",
			      "function: ELF \"xdp_prog\", bpfsdt null");
}

UNIT_TEST(elf_oracle_notices_a_missing_site)
{
	expect_oracle_notices("fake-bpfsdt-site", "s/\"sites\": \\[.*\\]}\\]}/\"sites\": []}]}/",
			      "probe my_trace: site xdp insn 6 (xdp_prog) in the ELF, not listed "
			      "by bpfsdt");
}

UNIT_TEST(elf_oracle_notices_a_missing_probe)
{
	expect_oracle_notices("fake-bpfsdt-probe", "s/\"probes\": \\[.*\\]}/\"probes\": []}/",
			      "probe my_trace: in the ELF, not listed by bpfsdt");
}

/* basic.bpf.o with its site's `goto +0` overwritten by `r0 = r0`. */
static const char *object_without_its_nop(void)
{
	struct mutant m;
	const char *path;
	long off;

	if (mutant_load(&m, corpus_path("basic")))
		return NULL;
	off = mutant_find_in_section(&m, "xdp", nop, sizeof(nop));
	if (off < 0) {
		mutant_free(&m);
		return NULL;
	}
	m.buf[off] = 0xbf;
	path = mutant_save(&m, "oracle-no-nop.bpf.o");
	mutant_free(&m);
	return path;
}

UNIT_TEST(elf_oracle_agrees_when_bpfsdt_refuses_a_site_without_its_nop)
{
	const char *path = object_without_its_nop();
	struct cmd_result r;

	ASSERT_TRUE(path != NULL);
	ASSERT_EQ(oracle1(path, bpfsdt_bin(), &r), 0);
	if (r.status)
		fprintf(stdout, "%s%s", r.out, r.err);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
}

UNIT_TEST(elf_oracle_notices_a_listed_site_without_its_nop)
{
	char path[256], script[1024];
	const char *fake = scratch_path("fake-bpfsdt-stale");
	char *real = realpath(bpfsdt_bin(), NULL), *orig = realpath(corpus_path("basic"), NULL);
	const char *mutant = object_without_its_nop();
	struct cmd_result r;
	FILE *f;

	/* a "bpfsdt" that lists the intact object's site for the mutant */
	if (!real || !orig || !mutant) {
		free(real);
		free(orig);
		FAIL("cannot prepare the mutant or find bpfsdt");
	}
	snprintf(path, sizeof(path), "%s", mutant);
	snprintf(script, sizeof(script), "#!/bin/sh\n\"%s\" list --json \"%s\" | sed 's|\"%s\"|\"%s\"|'\n",
		 real, orig, orig, path);
	free(real);
	free(orig);
	f = fopen(fake, "w");
	ASSERT_TRUE(f != NULL);
	fputs(script, f);
	fclose(f);
	ASSERT_EQ(chmod(fake, 0755), 0);
	ASSERT_EQ(oracle1(path, fake, &r), 0);
	if (r.status != 1)
		fprintf(stdout, "%s%s", r.out, r.err);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.out, "xdp insn 6 is not goto +0), yet bpfsdt exited 0");
	cmd_result_free(&r);
}
