// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfsdt list: output formats, exit codes and usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "test.h"

static void run_bpfsdt(struct cmd_result *res, const char *a1, const char *a2, const char *a3,
		       const char *a4)
{
	char *argv[] = { (char *)bpfsdt_bin(), (char *)a1, (char *)a2, (char *)a3, (char *)a4,
			 NULL };

	ASSERT_EQ(run_cmd(argv, res), 0);
}

/* The line of the first line of source that contains marker, 0 if none:
 * where line info must place a site, found without libbpfsdt. */
static unsigned int source_line(const char *source, const char *marker)
{
	char *text = read_text_file(source), *at, *p;
	unsigned int line = 1;

	at = text ? strstr(text, marker) : NULL;
	for (p = text; at && p < at; p++)
		line += *p == '\n';
	free(text);
	return at ? line : 0;
}

UNIT_TEST(list_json_is_the_documented_document)
{
	char *src = realpath("tests/bpf/basic.bpf.c", NULL);
	struct cmd_result r;
	char want[1024];

	ASSERT_TRUE(src != NULL);
	snprintf(want, sizeof(want),
		 "{\"file\": \"" TEST_BUILD_DIR "/tests/bpf/basic.bpf.o\", \"probes\": ["
		 "{\"name\": \"my_trace\", \"args\": [{\"type\": \"int\"}, {\"type\": \"int\"}], "
		 "\"sites\": [{\"function\": \"xdp_prog\", \"section\": \"xdp\", \"insn\": 6, "
		 "\"section_insn\": 6, \"regs\": [\"r1\", \"r0\"], \"id\": 0, \"file\": \"%s\", "
		 "\"line\": %u}]}]}\n", src, source_line(src, "BPF_SDT_PROBE2(my_trace"));
	free(src);
	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", "--json", corpus_path("basic"), NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	ASSERT_STREQ(r.out, want);
	cmd_result_free(&r);
}

UNIT_TEST(list_json_spells_memory_arguments_as_register_plus_offset)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", "--json", corpus_path("arities"), NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"regs\": [\"r3\", \"r4\", \"r5\", \"r0\", \"r6\", \"r1\", \"r9\", "
			       "\"r8\", \"r7\", \"[r2+0]\", \"[r2+8]\", \"[r2+16]\"]");
	cmd_result_free(&r);
}

UNIT_TEST(list_json_of_several_files_is_one_array)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "--json", "list", corpus_path("no_probes"),
				    corpus_path("no_probes")));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out,
		"[{\"file\": \"" TEST_BUILD_DIR "/tests/bpf/no_probes.bpf.o\", \"probes\": []}, "
		"{\"file\": \"" TEST_BUILD_DIR "/tests/bpf/no_probes.bpf.o\", \"probes\": []}]\n");
	cmd_result_free(&r);
}

/* The id `list --json` gives the first site of probe (the ELF oracle holds
 * those ids to the notes' order). */
static unsigned int json_site_id(const char *json, const char *probe)
{
	char key[128];
	const char *at;

	snprintf(key, sizeof(key), "{\"name\": \"%s\"", probe);
	at = strstr(json, key);
	at = at ? strstr(at, "\"id\": ") : NULL;
	return at ? (unsigned int)strtoul(at + 6, NULL, 10) : ~0u;
}

UNIT_TEST(list_text_shows_each_probe_signature_and_its_sites)
{
	char *src = realpath("tests/bpf/subprogs.bpf.c", NULL);
	struct cmd_result r;
	char want[1024];

	ASSERT_TRUE(src != NULL);
	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", "--json", corpus_path("subprogs"), NULL));
	ASSERT_EQ(r.status, 0);
	snprintf(want, sizeof(want),
		 TEST_BUILD_DIR "/tests/bpf/subprogs.bpf.o: 3 probes, 3 sites\n"
		 "  in_global(int): 1 site\n"
		 "    site %5$u: global_sub insn 2 (.text insn 5) at %1$s:%2$u args r1\n"
		 "  in_main(int): 1 site\n"
		 "    site %6$u: subprogs_prog insn 3 (xdp insn 3) at %1$s:%3$u args r6\n"
		 "  in_static(int): 1 site\n"
		 "    site %7$u: static_sub insn 2 (.text insn 10) at %1$s:%4$u args r1\n", src,
		 source_line(src, "BPF_SDT_PROBE1(in_global"), source_line(src, "BPF_SDT_PROBE1(in_main"),
		 source_line(src, "BPF_SDT_PROBE1(in_static"), json_site_id(r.out, "in_global"),
		 json_site_id(r.out, "in_main"), json_site_id(r.out, "in_static"));
	free(src);
	cmd_result_free(&r);
	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", corpus_path("subprogs"), NULL, NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out, want);
	cmd_result_free(&r);
}

UNIT_TEST(list_prints_nothing_when_any_file_is_invalid)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", corpus_path("basic"), "tests/bpf/basic.bpf.c",
				    NULL));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, "bpfsdt: tests/bpf/basic.bpf.c: not an ELF file\n");
	cmd_result_free(&r);
}

UNIT_TEST(list_without_file_is_a_usage_error)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", NULL, NULL, NULL));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: list: missing FILE (try 'bpfsdt list --help')\n");
	cmd_result_free(&r);
}

UNIT_TEST(list_of_missing_file_names_it)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", "no/such.o", NULL, NULL));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: no/such.o: cannot read: No such file or directory\n");
	cmd_result_free(&r);
}

UNIT_TEST(list_help_describes_the_command)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", "--help", NULL, NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "Usage: bpfsdt list [--json] FILE...");
	cmd_result_free(&r);
}

UNIT_TEST(unknown_command_is_a_usage_error)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "frobnicate", NULL, NULL, NULL));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: unknown command 'frobnicate' (try 'bpfsdt --help')\n");
	cmd_result_free(&r);
}

UNIT_TEST(help_lists_the_commands)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "--help", NULL, NULL, NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "  list ");
	cmd_result_free(&r);
}

UNIT_TEST(version_prints_the_version)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "--version", NULL, NULL, NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "bpfsdt 0.");
	cmd_result_free(&r);
}
