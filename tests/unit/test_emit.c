// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The instruction emitter: jumps to labels get their offsets computed. */
#include <errno.h>
#include "insn/emit.h"
#include "test.h"

UNIT_TEST(emit_resolves_forward_and_backward_jumps_to_labels)
{
	struct sdt_insn_buf b __cleanup(sdt_insn_buf_free) = {};
	int top, out;

	top = sdt_label_new(&b);
	out = sdt_label_new(&b);
	sdt_label_place(&b, top);
	sdt_emit(&b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));			/* 0 */
	sdt_emit_jmp(&b, BPF_JMP_IMM(BPF_JGT, BPF_REG_1, 9, 0), out);		/* 1 */
	sdt_emit_jmp(&b, BPF_JMP_A(0), top);					/* 2 */
	sdt_label_place(&b, out);
	sdt_emit(&b, BPF_EXIT_INSN());						/* 3 */
	ASSERT_EQ(sdt_insn_buf_resolve(&b), 0);
	ASSERT_EQ(b.cnt, 4);
	ASSERT_EQ(b.insns[1].off, 1);
	ASSERT_EQ(b.insns[2].off, -3);
	ASSERT_EQ(b.insns[1].imm, 9);
}

UNIT_TEST(emit_puts_a_long_jumps_distance_in_imm)
{
	struct sdt_insn_buf b __cleanup(sdt_insn_buf_free) = {};
	int far = sdt_label_new(&b), i;

	sdt_emit_jmp(&b, BPF_JMP32_A(0), far);
	for (i = 0; i < 40000; i++)
		sdt_emit(&b, BPF_MOV64_IMM(BPF_REG_0, i));
	sdt_label_place(&b, far);
	sdt_emit(&b, BPF_EXIT_INSN());
	ASSERT_EQ(sdt_insn_buf_resolve(&b), 0);
	ASSERT_EQ(b.insns[0].imm, 40000);
	ASSERT_EQ(b.insns[0].off, 0);
}

UNIT_TEST(emit_refuses_a_distance_a_jump_offset_cannot_hold)
{
	struct sdt_insn_buf b __cleanup(sdt_insn_buf_free) = {};
	int far = sdt_label_new(&b), i;

	sdt_emit_jmp(&b, BPF_JMP_A(0), far);
	for (i = 0; i < 32768; i++)
		sdt_emit(&b, BPF_MOV64_IMM(BPF_REG_0, i));
	sdt_label_place(&b, far);
	ASSERT_EQ(sdt_insn_buf_resolve(&b), -E2BIG);
}

UNIT_TEST(emit_refuses_a_jump_to_a_label_never_placed)
{
	struct sdt_insn_buf b __cleanup(sdt_insn_buf_free) = {};
	int nowhere = sdt_label_new(&b);

	sdt_emit_jmp(&b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), nowhere);
	sdt_emit(&b, BPF_EXIT_INSN());
	ASSERT_EQ(sdt_insn_buf_resolve(&b), -EINVAL);
}

UNIT_TEST(emit_refuses_a_label_placed_twice_and_a_call_as_a_jump)
{
	struct sdt_insn_buf b __cleanup(sdt_insn_buf_free) = {};
	struct sdt_insn_buf c __cleanup(sdt_insn_buf_free) = {};
	int l = sdt_label_new(&b), m = sdt_label_new(&c);

	sdt_label_place(&b, l);
	sdt_label_place(&b, l);
	ASSERT_EQ(sdt_insn_buf_resolve(&b), -EINVAL);
	sdt_emit_jmp(&c, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem), m);
	ASSERT_EQ(sdt_insn_buf_resolve(&c), -EINVAL);
}
