// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Checking probe sites against their declared types. check_cases.bpf.c has
 * one XDP program per case: good_* must come out clean, bad_* with exactly
 * one finding saying what the site passes and what the probe requires.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "check_helpers.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define K BPF_SDT_CHECK_KERNEL

TEST(check_kernel_accepts_scalars_for_integer_enum_and_narrow_arguments)
{
	expect_clean(K, "good_scalars");
}

TEST(check_kernel_accepts_the_context_for_a_context_pointer)
{
	expect_clean(K, "good_context");
}

TEST(check_kernel_accepts_a_bounds_checked_packet_pointer)
{
	expect_clean(K, "good_checked_packet");
}

TEST(check_kernel_accepts_a_null_checked_map_value)
{
	expect_clean(K, "good_map_value");
}

TEST(check_kernel_accepts_a_pointer_to_an_initialized_stack_struct)
{
	expect_clean(K, "good_stack");
}

TEST(check_kernel_refuses_a_packet_pointer_for_an_integer)
{
	expect_finding(K, "bad_packet_as_scalar", "probe number, argument 0 (unsigned long): "
		       "r1 holds a packet pointer, a scalar is required");
}

TEST(check_kernel_refuses_the_context_for_an_integer)
{
	expect_finding(K, "bad_context_as_scalar", "probe number, argument 0 (unsigned long): "
		       "r1 holds the context pointer, a scalar is required");
}

TEST(check_kernel_refuses_a_scalar_for_a_struct_pointer)
{
	expect_finding(K, "bad_scalar_as_pointer", "probe counted, argument 0 (struct counter *): "
		       "r1 holds a scalar, a non-NULL pointer to 8 readable bytes is required");
}

TEST(check_kernel_refuses_a_map_value_that_may_be_null)
{
	expect_finding(K, "bad_maybe_null", "probe counted, argument 0 (struct counter *): "
		       "r0 may be NULL, a non-NULL pointer to 8 readable bytes is required");
}

TEST(check_kernel_refuses_a_packet_pointer_for_the_context)
{
	expect_finding(K, "bad_packet_as_context", "probe context, argument 0 (struct xdp_md *): "
		       "r1 holds a packet pointer, the program's context (struct xdp_md *) is "
		       "required");
}

TEST(check_kernel_refuses_a_packet_pointer_without_bounds_for_a_sized_struct)
{
	expect_finding(K, "bad_unchecked_packet", "probe header, argument 0 (struct ethhdr *): "
		       "r1 holds a packet pointer, a non-NULL pointer to 14 readable bytes is "
		       "required");
}

TEST(check_kernel_refuses_an_uninitialized_register)
{
	expect_finding(K, "bad_uninitialized", "probe number, argument 0 (unsigned long): "
		       "r4 is not initialized on some path to the site");
}

TEST(check_kernel_accepts_a_pointer_filled_back_from_a_stack_slot)
{
	expect_clean(K, "good_spilled_across_call");
}

TEST(check_kernel_accepts_a_variable_offset_packet_pointer_checked_through_a_copy)
{
	expect_clean(K, "good_variable_packet");
}

TEST(check_kernel_accepts_a_packet_pointer_checked_by_the_caller_of_a_static_function)
{
	expect_clean(K, "good_static_subprog_packet");
}

TEST(check_kernel_accepts_a_callback_site_passing_the_callers_stack)
{
	expect_clean(K, "good_callback_stack");
}

TEST(check_kernel_refuses_a_scalar_that_reaches_a_pointer_argument_on_one_path)
{
	expect_finding(K, "bad_scalar_on_one_path", "probe counted, argument 0 (struct counter *): "
		       "r2 holds a scalar, a non-NULL pointer to 8 readable bytes is required");
}

TEST(check_kernel_leaves_scalar_ranges_alone)
{
	expect_clean(K, "warn_out_of_range");
}

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
	ASSERT_CONTAINS(r.out, "check_cases.bpf.c:131: probe number, argument 0 (unsigned long): "
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
			"\"line\": 131, \"program\": \"bad_uninitialized\", \"function\": "
			"\"bad_uninitialized\", \"insn\": 0, \"probe\": \"number\", \"arg\": 0, ");
	cmd_result_free(&r);
}

TEST(cli_check_refuses_both_modes_at_once)
{
	struct cmd_result r;

	ASSERT_EQ(run_cmd((char *[]){ (char *)bpfsdt_bin(), "check", "--kernel", "--offline",
				      "x.bpf.o", NULL }, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: check: --kernel and --offline exclude each other\n");
	cmd_result_free(&r);
}
