// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Sites of shapes the first checks got wrong (check_shapes.bpf.c), in both
 * modes: references held at the site, read-only data and packets, several
 * bad arguments in one site, a packet bounds test by difference; programs
 * of 60,000 instructions (big_program.bpf.c); sites that cannot be checked.
 */
#include "check_helpers.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define K BPF_SDT_CHECK_KERNEL
#define O BPF_SDT_CHECK_OFFLINE

/* Exactly the findings `says` (lines, in order) for program prog. */
static void expect_in(enum bpf_sdt_check_mode mode, const char *object, const char *prog,
		      size_t n, const char *says)
{
	size_t cnt, warnings;
	char text[4096];

	if (mode == K)
		REQUIRE_ROOT();
	ASSERT_OK_HELPER(check_object_prog(mode, object, prog, &cnt, &warnings, text,
					   sizeof(text)));
	ASSERT_EQ(cnt, n);
	ASSERT_EQ(warnings, 0);
	ASSERT_STREQ(text, says);
}

#define EXPECT_CLEAN(mode, prog) expect_in(mode, "check_shapes", prog, 0, "")

TEST(check_kernel_accepts_a_site_holding_a_ring_buffer_record)
{
	EXPECT_CLEAN(K, "good_ringbuf_record");
}

TEST(check_offline_accepts_a_site_holding_a_ring_buffer_record)
{
	EXPECT_CLEAN(O, "good_ringbuf_record");
}

TEST(check_kernel_accepts_a_site_holding_a_socket_reference)
{
	EXPECT_CLEAN(K, "good_socket_reference");
}

TEST(check_offline_accepts_a_site_holding_a_socket_reference)
{
	EXPECT_CLEAN(O, "good_socket_reference");
}

TEST(check_kernel_accepts_a_string_literal_for_a_char_pointer)
{
	EXPECT_CLEAN(K, "good_string_literal");
}

TEST(check_offline_accepts_a_string_literal_for_a_char_pointer)
{
	EXPECT_CLEAN(O, "good_string_literal");
}

TEST(check_kernel_accepts_a_pointer_to_read_only_global_data)
{
	EXPECT_CLEAN(K, "good_rodata_struct");
}

TEST(check_offline_accepts_a_pointer_to_read_only_global_data)
{
	EXPECT_CLEAN(O, "good_rodata_struct");
}

TEST(check_kernel_accepts_a_packet_pointer_of_a_program_that_may_only_read_packets)
{
	EXPECT_CLEAN(K, "good_read_only_packet");
}

TEST(check_offline_accepts_a_packet_pointer_of_a_program_that_may_only_read_packets)
{
	EXPECT_CLEAN(O, "good_read_only_packet");
}

TEST(check_kernel_reports_every_bad_argument_of_a_site)
{
	expect_in(K, "check_shapes", "bad_two_arguments", 2,
		  "check_shapes.bpf.c:91: probe three, argument 0 (unsigned long): r1 holds the "
		  "context pointer, a scalar is required (verifier: R1 is not a scalar)\n"
		  "check_shapes.bpf.c:91: probe three, argument 2 (unsigned long): r2 holds a "
		  "packet pointer, a scalar is required (verifier: R1 is not a scalar)\n");
}

TEST(check_offline_reports_every_bad_argument_of_a_site)
{
	expect_in(O, "check_shapes", "bad_two_arguments", 2,
		  "check_shapes.bpf.c:91: probe three, argument 0 (unsigned long): r1 holds the "
		  "context pointer, a scalar is required\n"
		  "check_shapes.bpf.c:91: probe three, argument 2 (unsigned long): r2 holds a "
		  "packet pointer, a scalar is required\n");
}

/* The verifier learns no packet range from `data_end - data < N`: the
 * kernel refuses the pointer, and the offline check must agree. */
TEST(check_kernel_refuses_a_packet_pointer_bounded_only_by_a_length_difference)
{
	expect_in(K, "check_shapes", "bad_length_checked_by_difference", 1,
		  "check_shapes.bpf.c:104: probe header, argument 0 (struct ethhdr *): r2 holds a "
		  "packet pointer, a non-NULL pointer to 14 readable bytes is required (verifier: "
		  "R2 offset is outside of the packet)\n");
}

TEST(check_offline_refuses_a_packet_pointer_bounded_only_by_a_length_difference)
{
	expect_in(O, "check_shapes", "bad_length_checked_by_difference", 1,
		  "check_shapes.bpf.c:104: probe header, argument 0 (struct ethhdr *): r2 holds a "
		  "packet pointer to 0 bytes proven in bounds, a non-NULL pointer to 14 readable "
		  "bytes is required\n");
}

/* Its level-2 log would run to megabytes: the check must not need it. */
TEST(check_kernel_finds_nothing_at_the_valid_site_of_a_60000_instruction_program)
{
	expect_in(K, "big_program", "big_good", 0, "");
}

TEST(check_kernel_explains_the_bad_site_of_a_60000_instruction_program)
{
	expect_in(K, "big_program", "big_bad", 1,
		  "big_program.bpf.c:33: probe big_sum, argument 0 (__u64): r1 holds a packet "
		  "pointer, a scalar is required (verifier: R1 is not a scalar)\n");
}

TEST(check_offline_agrees_on_a_60000_instruction_program)
{
	expect_in(O, "big_program", "big_good", 0, "");
	if (TEST_STOPPED())
		return;
	expect_in(O, "big_program", "big_bad", 1,
		  "big_program.bpf.c:33: probe big_sum, argument 0 (__u64): r1 holds a packet "
		  "pointer, a scalar is required\n");
}

/* No stack is left below the function's for the check's slots: the site
 * is reported as not checked, never as an error. */
TEST(check_kernel_reports_a_site_it_cannot_check_as_unchecked)
{
	struct bpf_sdt_target *t;
	struct bpf_sdt_check *c;
	const struct bpf_sdt_finding *f;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("stack_hog"), NULL);
	ASSERT_TRUE(t != NULL);
	c = bpf_sdt_target__check(t, NULL);
	ASSERT_TRUE(c != NULL);
	ASSERT_EQ(bpf_sdt_check__finding_cnt(c), 1);
	f = bpf_sdt_check__finding(c, 0);
	ASSERT_TRUE(f->unchecked);
	ASSERT_FALSE(f->warning);
	ASSERT_CONTAINS(f->message, "probe hog: could not check: checking needs ");
	ASSERT_CONTAINS(f->message, " its function uses (limit 512)");
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
}

TEST(cli_check_exits_3_when_a_site_could_not_be_checked_and_none_failed)
{
	char *argv[] = { (char *)bpfsdt_bin(), "check", "--kernel",
			 (char *)corpus_path("stack_hog"), NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 3);
	ASSERT_CONTAINS(r.out, "stack_hog.bpf.c:15: probe hog: could not check: ");
	ASSERT_CONTAINS(r.err, "1 site checked by the kernel verifier: 0 errors, 0 warnings, "
			"1 could not be checked\n");
	cmd_result_free(&r);
}

TEST(cli_check_json_gives_a_site_it_could_not_check_the_severity_unchecked)
{
	char *argv[] = { (char *)bpfsdt_bin(), "check", "--kernel", "--json",
			 (char *)corpus_path("stack_hog"), NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 3);
	ASSERT_CONTAINS(r.out, "\"severity\": \"unchecked\"");
	ASSERT_CONTAINS(r.out, "], \"unchecked\": 1}");
	cmd_result_free(&r);
}

TEST(cli_check_exits_1_when_errors_come_with_sites_it_could_not_check)
{
	char *argv[] = { (char *)bpfsdt_bin(), "check", "--kernel",
			 (char *)corpus_path("check_shapes"), NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 1);
	cmd_result_free(&r);
}
