// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel check as a caller meets it: the example is clean, attaching
 * to a probe with a failing site is refused, and the CLI reports findings
 * in compiler style. The verdict of each case (check_cases.bpf.c) is
 * annotated in the source and checked by test_check_verdicts.c.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

TEST(check_kernel_finds_nothing_in_the_example_firewall)
{
	struct bpf_sdt_target *t;
	struct bpf_sdt_check *c;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(TEST_BUILD_DIR "/examples/xdp_filter.bpf.o", NULL);
	ASSERT_TRUE(t != NULL);
	c = bpf_sdt_target__check(t, NULL);
	ASSERT_TRUE(c != NULL);
	ASSERT_EQ(bpf_sdt_check__finding_cnt(c), 0);
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
}

TEST(attach_refuses_a_probe_whose_site_fails_the_kernel_check)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int orig, err;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("check_cases"), NULL);
	ASSERT_TRUE(t != NULL);
	orig = bpf_sdt_target__prog_fd(t, "bad_maybe_null");
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr != NULL);
	diag_capture_begin();
	err = bpf_sdt_tracer__add_probe(tr, "counted");
	diag_capture_end();
	ASSERT_EQ(err, -EACCES);
	/* the first program with a failing site of the probe stops it */
	ASSERT_CONTAINS(diag_captured(), "probe counted, argument 0 (struct counter *): r1 holds "
			"a scalar, a non-NULL pointer to 8 readable bytes is required");
	ASSERT_CONTAINS(diag_captured(), "probe counted: 1 site in program bad_scalar_as_pointer "
			"fails the kernel's argument check: not attaching (see bpfsdt check)\n");
	ASSERT_EQ(bpf_sdt_target__prog_fd(t, "bad_maybe_null"), orig); /* nothing armed */
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "scalars"), 0); /* its one site is good */
	diag_capture_begin();
	err = bpf_sdt_tracer__add_probe(tr, "number");
	diag_capture_end();
	ASSERT_EQ(err, -EACCES);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(cli_check_prints_findings_in_compiler_style_and_exits_1)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd((char *[]){ (char *)bpfsdt_bin(), "check", "--kernel",
				      (char *)corpus_path("check_cases"), NULL }, &r), 0);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.out, "check_cases.bpf.c:147: probe number, argument 0 (unsigned long): "
			"r4 is not initialized on some path to the site\n");
	ASSERT_CONTAINS(r.err, "18 sites checked by the kernel verifier: 8 errors, 0 warnings\n");
	cmd_result_free(&r);
}

TEST(cli_check_exits_0_on_a_clean_object_and_says_which_check_ran)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd((char *[]){ (char *)bpfsdt_bin(), "check",
				      (char *)corpus_path("basic"), NULL }, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, TEST_BUILD_DIR "/tests/bpf/basic.bpf.o: 1 site checked by the kernel "
		     "verifier: 0 errors, 0 warnings\n");
	cmd_result_free(&r);
}

TEST(cli_check_json_names_the_mode_and_each_finding)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd((char *[]){ (char *)bpfsdt_bin(), "check", "--json", "--kernel",
				      (char *)corpus_path("check_cases"), NULL }, &r), 0);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.out, "\"mode\": \"kernel\", \"sites\": 18, \"findings\": [");
	ASSERT_CONTAINS(r.out, "{\"severity\": \"error\", \"file\": \"check_cases.bpf.c\", "
			"\"line\": 147, \"program\": \"bad_uninitialized\", \"function\": "
			"\"bad_uninitialized\", \"insn\": 0, \"probe\": \"number\", \"arg\": 0, ");
	cmd_result_free(&r);
}

UNIT_TEST(cli_check_refuses_both_modes_at_once)
{
	struct cmd_result r;

	ASSERT_EQ(run_cmd((char *[]){ (char *)bpfsdt_bin(), "check", "--kernel", "--offline",
				      "x.bpf.o", NULL }, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: check: --kernel and --offline exclude each other\n");
	cmd_result_free(&r);
}
