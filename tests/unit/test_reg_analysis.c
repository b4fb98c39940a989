// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What a call inserted at a site must preserve, and what it may read. */
#include <errno.h>
#include "insn/emit.h"
#include "insn/reg_analysis.h"
#include "test.h"

#define R(n) SDT_REG_BIT(n)

static const struct sdt_func_span main_only[] = { { 0, 1 } };

UNIT_TEST(regs_returned_value_is_live_at_a_site_before_exit)
{
	struct bpf_insn prog[] = { BPF_MOV64_IMM(0, 2), BPF_JMP_A(0), BPF_EXIT_INSN() };
	struct sdt_reg_state st[3];

	ASSERT_EQ(sdt_reg_analysis(prog, 3, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[1].live_in & SDT_CALLER_SAVED, R(0));
	ASSERT_TRUE(st[1].init_in & R(0));
}

UNIT_TEST(regs_helper_reads_only_its_declared_arguments)
{
	/* bpf_map_lookup_elem (id 1) takes two arguments: r3 is not live */
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(1, 0), BPF_MOV64_IMM(2, 0), BPF_MOV64_IMM(3, 0),
		BPF_JMP_A(0), BPF_EMIT_CALL(1), BPF_EXIT_INSN(),
	};
	struct sdt_reg_state st[6];

	ASSERT_EQ(sdt_reg_analysis(prog, 6, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[3].live_in & SDT_CALLER_SAVED, R(1) | R(2));
}

UNIT_TEST(regs_value_set_on_one_branch_only_is_not_initialised_at_the_join)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1),	/* skip the write */
		BPF_MOV64_IMM(0, 1),
		BPF_JMP_A(0),
		BPF_EXIT_INSN(),
	};
	struct sdt_reg_state st[4];

	ASSERT_EQ(sdt_reg_analysis(prog, 4, main_only, 1, NULL, st), 0);
	ASSERT_TRUE(st[2].live_in & R(0));
	ASSERT_FALSE(st[2].init_in & R(0));
	ASSERT_TRUE(st[2].init_in & R(1));
}

UNIT_TEST(regs_call_leaves_r1_to_r5_uninitialised_and_r6_to_r9_intact)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(6, 0), BPF_MOV64_IMM(2, 0), BPF_EMIT_CALL(5), BPF_JMP_A(0), BPF_EXIT_INSN(),
	};
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[3].init_in & (R(0) | R(1) | R(2) | R(6)), R(0) | R(6));
}

UNIT_TEST(regs_subprogram_parameters_are_initialised_at_its_entry)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(1, 0), BPF_MOV64_IMM(2, 0), BPF_CALL_REL(1), BPF_EXIT_INSN(),
		BPF_JMP_A(0), BPF_ALU64_REG(BPF_ADD, 1, 2), BPF_MOV64_REG(0, 1), BPF_EXIT_INSN(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 4, 2 } };
	struct sdt_reg_state st[8];

	ASSERT_EQ(sdt_reg_analysis(prog, 8, funcs, 2, NULL, st), 0);
	ASSERT_EQ(st[4].init_in & SDT_CALLER_SAVED, R(1) | R(2));
	ASSERT_EQ(st[4].live_in & SDT_CALLER_SAVED, R(1) | R(2));
	/* the caller passes two arguments: r1, r2 live before the call */
	ASSERT_EQ(st[2].live_in & SDT_CALLER_SAVED, R(1) | R(2));
}

UNIT_TEST(regs_loop_carries_liveness_around_its_back_edge)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(0, 0),
		BPF_JMP_A(0),			/* site inside the loop */
		BPF_ALU64_REG(BPF_ADD, 0, 1),
		BPF_JMP_IMM(BPF_JGT, 0, 100, -3),		/* back to the site */
		BPF_EXIT_INSN(),
	};
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, main_only, 1, NULL, st), 0);
	ASSERT_EQ(st[1].live_in & SDT_CALLER_SAVED, R(0) | R(1));
	ASSERT_EQ(st[1].init_in & SDT_CALLER_SAVED, R(0) | R(1));
}

UNIT_TEST(regs_analysis_rejects_jump_out_of_its_function)
{
	struct bpf_insn prog[] = { BPF_JMP_A(5), BPF_EXIT_INSN() };
	struct sdt_reg_state st[2];

	ASSERT_EQ(sdt_reg_analysis(prog, 2, main_only, 1, NULL, st), -EINVAL);
}

UNIT_TEST(regs_a_later_sites_arguments_are_live_at_an_earlier_site)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(2, 7), BPF_JMP_A(0), BPF_JMP_A(0), BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	__u16 uses[5] = { [2] = R(2) }; /* the second site passes r2 */
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, main_only, 1, uses, st), 0);
	ASSERT_EQ(st[1].live_in & SDT_CALLER_SAVED, R(2));
}

/* main: call sub (result ignored); sub: NOP site; exit without setting r0 */
UNIT_TEST(regs_exit_of_a_subprogram_whose_result_no_caller_reads_does_not_make_r0_live)
{
	struct bpf_insn prog[] = {
		BPF_CALL_REL(2), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
		BPF_JMP_A(0), BPF_EXIT_INSN(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 3, 0 } };
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, funcs, 2, NULL, st), 0);
	ASSERT_EQ(st[3].live_out & SDT_CALLER_SAVED, 0);
	/* and nothing set r0: it is not even maybe initialised */
	ASSERT_FALSE(st[3].maybe_init_in & R(0));
}

/* the caller returns what the subprogram returns */
UNIT_TEST(regs_exit_of_a_subprogram_whose_result_a_caller_reads_makes_r0_live)
{
	struct bpf_insn prog[] = {
		BPF_CALL_REL(1), BPF_EXIT_INSN(),
		BPF_MOV64_IMM(0, 1), BPF_JMP_A(0), BPF_EXIT_INSN(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 2, 0 } };
	struct sdt_reg_state st[5];

	ASSERT_EQ(sdt_reg_analysis(prog, 5, funcs, 2, NULL, st), 0);
	ASSERT_EQ(st[3].live_out & SDT_CALLER_SAVED, R(0));
	ASSERT_TRUE(st[3].init_in & R(0));
}

/* one caller ignores the result, another returns it: live */
UNIT_TEST(regs_r0_is_live_at_a_subprogram_exit_if_any_caller_reads_it)
{
	struct bpf_insn prog[] = {
		BPF_CALL_REL(4), BPF_CALL_REL(3), BPF_EXIT_INSN(),
		BPF_MOV64_IMM(0, 1), BPF_EXIT_INSN(),	/* unreachable filler */
		BPF_MOV64_IMM(0, 1), BPF_JMP_A(0), BPF_EXIT_INSN(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 5, 0 } };
	struct sdt_reg_state st[8];

	ASSERT_EQ(sdt_reg_analysis(prog, 8, funcs, 2, NULL, st), 0);
	ASSERT_EQ(st[6].live_out & SDT_CALLER_SAVED, R(0));
}

/* r0 after a call of a subprogram that never sets it is unset */
UNIT_TEST(regs_r0_after_a_call_of_a_void_subprogram_is_not_initialised)
{
	struct bpf_insn prog[] = {
		BPF_CALL_REL(2), BPF_JMP_A(0), BPF_EXIT_INSN(),
		BPF_EXIT_INSN(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 3, 0 } };
	struct sdt_reg_state st[4];

	ASSERT_EQ(sdt_reg_analysis(prog, 4, funcs, 2, NULL, st), 0);
	ASSERT_FALSE(st[1].init_in & R(0));
	ASSERT_FALSE(st[1].maybe_init_in & R(0));
}

/* bpf_tail_call() returns only when it fails, and leaves r0 unset */
UNIT_TEST(regs_r0_after_a_void_helper_is_not_initialised)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(2, 0), BPF_MOV64_IMM(3, 0), BPF_EMIT_CALL(12), BPF_JMP_A(0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct sdt_reg_state st[6];

	ASSERT_EQ(sdt_reg_analysis(prog, 6, main_only, 1, NULL, st), 0);
	ASSERT_FALSE(st[3].maybe_init_in & R(0));
}

UNIT_TEST(regs_value_set_on_one_branch_is_maybe_initialised_at_the_join)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1),
		BPF_MOV64_IMM(0, 1),
		BPF_JMP_A(0),
		BPF_EXIT_INSN(),
	};
	struct sdt_reg_state st[4];

	ASSERT_EQ(sdt_reg_analysis(prog, 4, main_only, 1, NULL, st), 0);
	ASSERT_TRUE(st[2].maybe_init_in & R(0));
	ASSERT_FALSE(st[2].init_in & R(0));
}

/* the site's own argument is read by the site, not after it */
UNIT_TEST(regs_a_sites_arguments_are_not_live_after_it)
{
	struct bpf_insn prog[] = { BPF_MOV64_IMM(2, 7), BPF_JMP_A(0), BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN() };
	__u16 uses[4] = { [1] = R(2) };
	struct sdt_reg_state st[4];

	ASSERT_EQ(sdt_reg_analysis(prog, 4, main_only, 1, uses, st), 0);
	ASSERT_EQ(st[1].live_in & SDT_CALLER_SAVED, R(2));
	ASSERT_EQ(st[1].live_out & SDT_CALLER_SAVED, 0);
}

/* --- fills ------------------------------------------------------------------- */

static int fill_for(const struct bpf_insn *prog, __u32 cnt, const struct sdt_func_span *funcs,
		    __u32 nfuncs, __u32 site, int reg, struct sdt_reg_fills *fills)
{
	struct sdt_reg_state st[32];

	if (cnt > 32 || sdt_reg_analysis(prog, cnt, funcs, nfuncs, NULL, st))
		return -1;
	return sdt_reg_fill_for(prog, cnt, funcs, nfuncs, st, site, reg, fills);
}

UNIT_TEST(fill_of_r0_set_on_one_path_is_at_the_function_entry)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1), BPF_MOV64_IMM(0, 1), BPF_JMP_A(0), BPF_EXIT_INSN(),
	};
	struct sdt_reg_fills fills = {};

	ASSERT_EQ(fill_for(prog, 4, main_only, 1, 2, 0, &fills), 0);
	ASSERT_EQ(fills.cnt, 1);
	ASSERT_EQ(fills.v[0].insn, 0);
	ASSERT_FALSE(fills.v[0].after);
	ASSERT_EQ(fills.v[0].reg, 0);
	sdt_reg_fills_free(&fills);
}

UNIT_TEST(fill_of_an_argument_register_is_right_after_the_call_that_unset_it)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(2, 5),		/* set, then unset by the call */
		BPF_EMIT_CALL(7),
		BPF_JMP_IMM(BPF_JGT, 0, 0, 1),
		BPF_MOV64_IMM(2, 1),
		BPF_JMP_A(0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct sdt_reg_fills fills = {};

	ASSERT_EQ(fill_for(prog, 7, main_only, 1, 4, 2, &fills), 0);
	ASSERT_EQ(fills.cnt, 1);
	ASSERT_EQ(fills.v[0].insn, 1);
	ASSERT_TRUE(fills.v[0].after);
	ASSERT_EQ(fills.v[0].reg, 2);
	sdt_reg_fills_free(&fills);
}

UNIT_TEST(fill_of_r0_a_subprogram_returns_unset_is_inside_the_subprogram)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 2),
		BPF_CALL_REL(4),		/* to 6 */
		BPF_JMP_A(1),
		BPF_MOV64_IMM(0, 1),
		BPF_JMP_A(0),			/* 4: site */
		BPF_EXIT_INSN(),
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1),		/* 6: sub sets r0 on one path */
		BPF_MOV64_IMM(0, 3),
		BPF_EXIT_INSN(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 6, 1 } };
	struct sdt_reg_fills fills = {};

	ASSERT_EQ(fill_for(prog, 9, funcs, 2, 4, 0, &fills), 0);
	ASSERT_EQ(fills.cnt, 1);
	ASSERT_EQ(fills.v[0].insn, 6);
	ASSERT_FALSE(fills.v[0].after);
	sdt_reg_fills_free(&fills);
}

UNIT_TEST(fill_refuses_a_register_a_callback_gets_unset_from_the_kernel)
{
	struct bpf_insn prog[] = {
		BPF_LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, 6),	/* the callback at 7 */
		BPF_MOV64_IMM(1, 1), BPF_MOV64_IMM(3, 0), BPF_MOV64_IMM(4, 0),
		BPF_EMIT_CALL(181),			/* bpf_loop */
		BPF_EXIT_INSN(),
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1),			/* 7: the callback */
		BPF_MOV64_IMM(3, 1),
		BPF_JMP_A(0),				/* 9: site */
		BPF_MOV64_IMM(0, 0),
		BPF_EXIT_INSN(),
	};
	static const struct sdt_func_span funcs[] = { { 0, 1 }, { 7, 2 } };
	struct sdt_reg_fills fills = {};

	ASSERT_EQ(fill_for(prog, 12, funcs, 2, 9, 3, &fills), -ENOENT);
	sdt_reg_fills_free(&fills);
}
