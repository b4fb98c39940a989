// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfsdt list: output formats, exit codes and usage errors. */
#include "helpers.h"
#include "test.h"

static void run_bpfsdt(struct cmd_result *res, const char *a1, const char *a2, const char *a3,
		       const char *a4)
{
	char *argv[] = { (char *)bpfsdt_bin(), (char *)a1, (char *)a2, (char *)a3, (char *)a4,
			 NULL };

	ASSERT_EQ(run_cmd(argv, res), 0);
}

UNIT_TEST(list_json_is_the_documented_document)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", "--json", corpus_path("basic"), NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	ASSERT_STREQ(r.out,
		"{\"file\": \"" TEST_BUILD_DIR "/tests/bpf/basic.bpf.o\", \"probes\": ["
		"{\"name\": \"my_trace\", \"args\": [{\"type\": \"int\"}, {\"type\": \"int\"}], "
		"\"sites\": [{\"function\": \"xdp_prog\", \"section\": \"xdp\", \"insn\": 6, "
		"\"section_insn\": 6, \"regs\": [\"r1\", \"r0\"]}]}]}\n");
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

UNIT_TEST(list_text_shows_each_probe_signature_and_its_sites)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_bpfsdt(&r, "list", corpus_path("subprogs"), NULL, NULL));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out,
		TEST_BUILD_DIR "/tests/bpf/subprogs.bpf.o: 3 probes, 3 sites\n"
		"  in_global(int): 1 site\n"
		"    global_sub insn 2 (.text insn 5) args r1\n"
		"  in_main(int): 1 site\n"
		"    subprogs_prog insn 3 (xdp insn 3) args r6\n"
		"  in_static(int): 1 site\n"
		"    static_sub insn 2 (.text insn 10) args r1\n");
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
