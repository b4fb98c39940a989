// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What a call inserted at a site must preserve, and what it may read. */
#include <errno.h>
#include "insn_build.h"
#include "reg_analysis.h"
#include "test.h"

#define R(n) SDT_REG_BIT(n)

static const struct sdt_func_span main_only[] = { { 0, 1 } };

TEST(regs_returned_value_is_live_at_a_site_before_exit)
{
	struct bpf_insn prog[] = { I_MOV64_IMM(0, 2), I_NOP(), I_EXIT() };
	struct sdt_reg_state st[3];

	ASSERT_EQ(sdt_reg_analysis(prog, 3, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[1].live_in & SDT_CALLER_SAVED, R(0));
	ASSERT_TRUE(st[1].init_in & R(0));
}

TEST(regs_helper_reads_only_its_declared_arguments)
{
	/* bpf_map_lookup_elem (id 1) takes two arguments: r3 is not live */
	struct bpf_insn prog[] = {
		I_MOV64_IMM(1, 0), I_MOV64_IMM(2, 0), I_MOV64_IMM(3, 0),
		I_NOP(), I_CALL_HELPER(1), I_EXIT(),
	};
	struct sdt_reg_state st[6];

	ASSERT_EQ(sdt_reg_analysis(prog, 6, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[3].live_in & SDT_CALLER_SAVED, R(1) | R(2));
}

TEST(regs_value_set_on_one_branch_only_is_not_initialised_at_the_join)
{
	struct bpf_insn prog[] = {
		I_JGT_IMM(1, 0, 1),	/* skip the write */
		I_MOV64_IMM(0, 1),
		I_NOP(),
		I_EXIT(),
	};
	struct sdt_reg_state st[4];

	ASSERT_EQ(sdt_reg_analysis(prog, 4, main_only, 1, NULL, st), 0);
	ASSERT_TRUE(st[2].live_in & R(0));
	ASSERT_FALSE(st[2].init_in & R(0));
	ASSERT_TRUE(st[2].init_in & R(1));
}

TEST(regs_call_leaves_r1_to_r5_uninitialised_and_r6_to_r9_intact)
{
	struct bpf_insn prog[] = {
		I_MOV64_IMM(6, 0), I_MOV64_IMM(2, 0), I_CALL_HELPER(5), I_NOP(), I_EXIT(),
	};
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[3].init_in & (R(0) | R(1) | R(2) | R(6)), R(0) | R(6));
}

TEST(regs_subprogram_parameters_are_initialised_at_its_entry)
{
	struct bpf_insn prog[] = {
		I_MOV64_IMM(1, 0), I_MOV64_IMM(2, 0), I_CALL_PSEUDO(1), I_EXIT(),
		I_NOP(), I_ADD64_REG(1, 2), I_MOV64_REG(0, 1), I_EXIT(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 4, 2 } };
	struct sdt_reg_state st[8];

	ASSERT_EQ(sdt_reg_analysis(prog, 8, funcs, 2, NULL, st), 0);
	ASSERT_EQ(st[4].init_in & SDT_CALLER_SAVED, R(1) | R(2));
	ASSERT_EQ(st[4].live_in & SDT_CALLER_SAVED, R(1) | R(2));
	/* the caller passes two arguments: r1, r2 live before the call */
	ASSERT_EQ(st[2].live_in & SDT_CALLER_SAVED, R(1) | R(2));
}

TEST(regs_loop_carries_liveness_around_its_back_edge)
{
	struct bpf_insn prog[] = {
		I_MOV64_IMM(0, 0),
		I_NOP(),			/* site inside the loop */
		I_ADD64_REG(0, 1),
		I_JGT_IMM(0, 100, -3),		/* back to the site */
		I_EXIT(),
	};
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[1].live_in & SDT_CALLER_SAVED, R(0) | R(1));
	ASSERT_EQ(st[1].init_in & SDT_CALLER_SAVED, R(0) | R(1));
}

TEST(regs_analysis_rejects_jump_out_of_its_function)
{
	struct bpf_insn prog[] = { I_JA(5), I_EXIT() };
	struct sdt_reg_state st[2];

	ASSERT_EQ(sdt_reg_analysis(prog, 2, main_only, 1, NULL, st), -EINVAL);
}

TEST(regs_a_later_sites_arguments_are_live_at_an_earlier_site)
{
	struct bpf_insn prog[] = {
		I_MOV64_IMM(2, 7), I_NOP(), I_NOP(), I_MOV64_IMM(0, 0), I_EXIT(),
	};
	__u16 uses[5] = { [2] = R(2) }; /* the second site passes r2 */
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, main_only, 1, uses, st), 0);
	ASSERT_EQ(st[1].live_in & SDT_CALLER_SAVED, R(2));
}
