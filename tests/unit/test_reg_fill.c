// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Register fills in a program: who runs them and who jumps past them. */
#include "insn/emit.h"
#include "insn/reg_fill.h"
#include "test.h"

static struct sdt_reg_fill fill_v[4];

static struct sdt_reg_fills fills_of(size_t n)
{
	return (struct sdt_reg_fills){ .v = fill_v, .cnt = n, .cap = n };
}

UNIT_TEST(fill_before_a_function_runs_on_calls_and_jumps_back_to_the_start_skip_it)
{
	struct bpf_insn prog[] = {
		BPF_CALL_REL(1), BPF_EXIT_INSN(),
		BPF_ALU64_IMM(BPF_ADD, 1, 1),		/* 2: sub, a loop from its start */
		BPF_JMP_IMM(BPF_JGT, 1, 10, -2),
		BPF_EXIT_INSN(),
	};
	struct sdt_reg_fills fills;
	struct sdt_filled out;

	fill_v[0] = (struct sdt_reg_fill){ 2, false, 0 };
	fills = fills_of(1);
	ASSERT_EQ(sdt_reg_fills_apply(prog, 5, &fills, &out), 0);
	ASSERT_EQ(out.p.cnt, 6);
	ASSERT_EQ(out.p.insns[2].code, BPF_ALU64 | BPF_MOV | BPF_K); /* r0 = 0 */
	ASSERT_EQ(out.p.insns[2].dst_reg, 0);
	ASSERT_EQ(0 + 1 + out.p.insns[0].imm, 2);	/* the call: onto the fill */
	ASSERT_EQ(4 + 1 + out.p.insns[4].off, 3);	/* the loop: past it */
	ASSERT_EQ(out.p.new_idx[2], 2);			/* the function starts there */
	ASSERT_EQ(out.pos[2], 3);
	sdt_filled_free(&out);
}

UNIT_TEST(fill_after_a_call_runs_on_its_fall_through_only)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1),		/* to the NOP, past the call */
		BPF_EMIT_CALL(7),
		BPF_JMP_A(0),
		BPF_EXIT_INSN(),
	};
	struct sdt_reg_fills fills;
	struct sdt_filled out;

	fill_v[0] = (struct sdt_reg_fill){ 1, true, 2 };
	fills = fills_of(1);
	ASSERT_EQ(sdt_reg_fills_apply(prog, 4, &fills, &out), 0);
	ASSERT_EQ(out.p.cnt, 5);
	ASSERT_EQ(out.p.insns[1].imm, 7);		/* the call, unchanged */
	ASSERT_EQ(out.p.insns[2].dst_reg, 2);		/* r2 = 0 right after it */
	ASSERT_EQ(0 + 1 + out.p.insns[0].off, 3);	/* the jump: past the fill */
	sdt_filled_free(&out);
}

UNIT_TEST(fill_keeps_a_call_it_follows_pointed_at_its_callee_and_the_callees_fill)
{
	struct bpf_insn prog[] = {
		BPF_CALL_REL(2), BPF_JMP_A(0), BPF_EXIT_INSN(),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),	/* 3: sub */
	};
	struct sdt_reg_fills fills;
	struct sdt_filled out;

	fill_v[0] = (struct sdt_reg_fill){ 0, true, 1 };
	fill_v[1] = (struct sdt_reg_fill){ 3, false, 0 };
	fills = fills_of(2);
	ASSERT_EQ(sdt_reg_fills_apply(prog, 5, &fills, &out), 0);
	ASSERT_EQ(out.p.cnt, 7);
	ASSERT_EQ(out.p.insns[1].dst_reg, 1);		/* r1 = 0 after the call */
	ASSERT_EQ(0 + 1 + out.p.insns[0].imm, 4);	/* the call: onto sub's fill */
	ASSERT_EQ(out.p.new_idx[3], 4);
	sdt_filled_free(&out);
}

UNIT_TEST(fill_list_without_fills_copies_the_program)
{
	struct bpf_insn prog[] = { BPF_JMP_IMM(BPF_JGT, 1, 0, 1), BPF_MOV64_IMM(0, 1), BPF_EXIT_INSN() };
	struct sdt_reg_fills fills = {};
	struct sdt_filled out;

	ASSERT_EQ(sdt_reg_fills_apply(prog, 3, &fills, &out), 0);
	ASSERT_EQ(out.p.cnt, 3);
	ASSERT_EQ(memcmp(out.p.insns, prog, sizeof(prog)), 0);
	sdt_filled_free(&out);
}
