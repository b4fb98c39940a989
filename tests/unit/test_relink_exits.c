// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Sites whose caller-saved registers are live after the site only for some
 * callers or paths (subprogram exits, registers set on some paths): they
 * arm, and the program computes what it computed unarmed, under an
 * observer returning a value of its own.
 */
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

#define SHORT 64
#define LONG 200

/* Arms probe of target's program prog with observer obs (clobberers.bpf.c)
 * and checks that the program returns the same for short and long packets
 * as it did unarmed, and that the observer ran on each. */
static void expect_same_results_armed(const char *target, const char *prog, const char *probe,
				      const char *obs)
{
	struct bpf_sdt_target *t;
	struct bpf_object *o;
	int before_short, before_long, fd;
	char hits[32];

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path(target), NULL);
	o = observer_open("clobberers");
	ASSERT_TRUE(t && o);
	fd = bpf_sdt_target__prog_fd(t, prog);
	before_short = run_packet(fd, SHORT);
	before_long = run_packet(fd, LONG);
	ASSERT_NE(before_short, -1);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(o, obs), probe,
					   observer_opts(o)) != NULL);
	fd = bpf_sdt_target__prog_fd(t, prog);
	ASSERT_EQ(run_packet(fd, SHORT), before_short);
	ASSERT_EQ(run_packet(fd, LONG), before_long);
	snprintf(hits, sizeof(hits), "%s_hits", obs);
	ASSERT_EQ(observer_var(o, hits), 2);
	bpf_sdt_target__close(t);
	bpf_object__close(o);
}

TEST(site_before_a_void_subprograms_return_arms)
{
	expect_same_results_armed("subprog_exits", "void_subprog", "void_exit", "junk1");
}

TEST(site_before_the_return_of_a_subprogram_whose_result_is_ignored_arms)
{
	expect_same_results_armed("subprog_exits", "ignored_result", "ignored_exit", "junk1");
}

TEST(site_before_the_return_of_a_subprogram_whose_result_is_used_keeps_the_result)
{
	expect_same_results_armed("subprog_exits", "used_result", "used_exit", "junk1");
}

TEST(site_in_a_subprogram_one_program_ignores_and_another_reads_arms_in_both)
{
	expect_same_results_armed("subprog_exits", "ignored_result", "shared_exit", "junk1");
	if (TEST_STOPPED())
		return;
	expect_same_results_armed("subprog_exits", "shared_result", "shared_exit", "junk1");
}

TEST(site_where_r0_is_set_on_some_paths_only_arms_and_keeps_it)
{
	expect_same_results_armed("r0_partial", "r0_partial", "r0_probe", "junk0");
}

TEST(site_where_r0_comes_unset_from_a_subprograms_entry_arms_and_keeps_it)
{
	expect_same_results_armed("partial_regs", "r0_partial_in_subprog", "r0_in_subprog",
				  "junk0");
}

TEST(site_where_r0_comes_unset_from_a_void_helper_arms_and_keeps_it)
{
	expect_same_results_armed("partial_regs", "r0_after_void_helper", "r0_after_void_helper",
				  "junk0");
}

TEST(site_where_an_argument_register_comes_unset_from_a_helper_call_arms_and_keeps_it)
{
	expect_same_results_armed("partial_regs", "r2_after_helper", "r2_after_helper", "junk0");
}

/* The kernel check goes on into the program after the site, so it needs
 * the same preservation: none of these sites may come out as a finding or
 * as unchecked. */
static void expect_all_clean(const char *target)
{
	struct bpf_sdt_target *t;
	struct bpf_sdt_check *c;
	size_t i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path(target), NULL);
	ASSERT_TRUE(t != NULL);
	c = bpf_sdt_target__check(t, NULL);
	ASSERT_TRUE(c != NULL);
	for (i = 0; i < bpf_sdt_check__finding_cnt(c); i++)
		FAIL("%s: %s", target, bpf_sdt_check__finding(c, i)->message);
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
}

TEST(check_kernel_passes_sites_before_subprogram_returns)
{
	expect_all_clean("subprog_exits");
}

TEST(check_kernel_passes_sites_with_registers_set_on_some_paths)
{
	expect_all_clean("partial_regs");
	if (TEST_STOPPED())
		return;
	expect_all_clean("r0_partial");
}
