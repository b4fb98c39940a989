// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the offline check's abstract interpreter knows at an instruction,
 * on hand-assembled XDP programs (r1 = struct xdp_md *). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "insn/emit.h"
#include "test.h"
#include "insn/value_analysis.h"

static const struct sdt_func_span main_only[] = { { 0, 1 } };
static const struct sdt_va_map hash_map[] = {
	{ .fd = -1, .type = BPF_MAP_TYPE_HASH, .value_size = 8, .max_entries = 1 },
};
static const struct sdt_va_map array_map[] = {
	{ .fd = -1, .type = BPF_MAP_TYPE_ARRAY, .value_size = 8, .max_entries = 4 },
};

/* The state before instruction at of a one-function program; false when
 * the analysis fails or nothing reaches it. */
static bool state_at(const struct bpf_insn *prog, __u32 cnt, __u32 at,
		     const struct sdt_va_map *maps, struct sdt_va_state *st)
{
	struct sdt_va_input in = { .insns = prog, .insn_cnt = cnt, .funcs = main_only,
				   .nfuncs = 1, .prog_type = BPF_PROG_TYPE_XDP, .maps = maps,
				   .map_cnt = maps ? 1 : 0 };
	struct sdt_va *va;
	bool reached;

	if (sdt_va_run(&in, &va))
		return false;
	reached = sdt_va_state_at(va, at, st);
	sdt_va_free(va);
	return reached;
}

#define STATE_AT(prog, at, maps, st) \
	ASSERT_TRUE(state_at(prog, sizeof(prog) / sizeof(prog[0]), at, maps, &st))

#define NO_MAPS ((const struct sdt_va_map *)NULL)

UNIT_TEST(va_context_fields_give_packet_pointers)
{
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 2, 1, offsetof(struct xdp_md, data)),
		BPF_LDX_MEM(BPF_W, 3, 1, offsetof(struct xdp_md, data_end)),
		BPF_LDX_MEM(BPF_W, 4, 1, offsetof(struct xdp_md, ingress_ifindex)),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 3, NO_MAPS, st);
	ASSERT_EQ(st.regs[1].kind, SDT_AK_CTX);
	ASSERT_EQ(st.regs[2].kind, SDT_AK_PKT);
	ASSERT_EQ(st.regs[3].kind, SDT_AK_PKT_END);
	ASSERT_EQ(st.regs[4].kind, SDT_AK_SCALAR);
	ASSERT_EQ(st.regs[4].smax, UINT32_MAX);
	ASSERT_EQ(st.regs[5].kind, SDT_AK_UNINIT);
}

UNIT_TEST(va_strict_bounds_check_proves_one_byte_more)
{
	/* r4 = data + 14; if r4 < data_end: data .. data + 14 readable (15 bytes) */
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 2, 1, offsetof(struct xdp_md, data)),
		BPF_LDX_MEM(BPF_W, 3, 1, offsetof(struct xdp_md, data_end)),
		BPF_MOV64_REG(4, 2), BPF_ALU64_IMM(BPF_ADD, 4, 14),
		BPF_JMP_REG(BPF_JLT, 4, 3, 2),
		BPF_MOV64_IMM(0, 1), BPF_EXIT_INSN(),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 7, NO_MAPS, st);
	ASSERT_EQ(st.regs[2].range, 15);
	ASSERT_EQ(st.regs[4].range, 15);
	ASSERT_EQ(st.regs[4].off, 14);
	STATE_AT(prog, 5, NO_MAPS, st);
	ASSERT_EQ(st.regs[2].range, 0);
}

UNIT_TEST(va_null_check_clears_every_copy_of_a_map_value)
{
	struct bpf_insn prog[] = {
		BPF_ST_MEM(BPF_W, 10, -4, 0), BPF_MOV64_REG(2, 10), BPF_ALU64_IMM(BPF_ADD, 2, -4),
		BPF_LD_IMM64_RAW(1, BPF_PSEUDO_MAP_IDX, 0),
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
		BPF_MOV64_REG(6, 0), BPF_STX_MEM(BPF_DW, 10, 0, -16),
		BPF_JMP_IMM(BPF_JEQ, 0, 0, 2),
		BPF_JMP_A(0), BPF_LDX_MEM(BPF_DW, 7, 10, -16),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 9, hash_map, st);
	ASSERT_EQ(st.regs[6].kind, SDT_AK_MAP_VALUE);
	ASSERT_EQ(st.regs[6].flags & SDT_AV_MAYBE_NULL, 0);
	ASSERT_EQ(st.stack[1].flags & SDT_AV_MAYBE_NULL, 0);
	/* at the join with the NULL path, it may be NULL again */
	STATE_AT(prog, 11, hash_map, st);
	ASSERT_EQ(st.regs[6].kind, SDT_AK_MIXED);
}

UNIT_TEST(va_array_lookup_with_a_constant_key_in_range_is_never_null)
{
	struct bpf_insn prog[] = {
		BPF_ST_MEM(BPF_W, 10, -4, 3), BPF_MOV64_REG(2, 10), BPF_ALU64_IMM(BPF_ADD, 2, -4),
		BPF_LD_IMM64_RAW(1, BPF_PSEUDO_MAP_IDX, 0),
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 6, array_map, st);
	ASSERT_EQ(st.regs[0].kind, SDT_AK_MAP_VALUE);
	ASSERT_EQ(st.regs[0].flags & SDT_AV_MAYBE_NULL, 0);
	prog[0].imm = 4; /* out of range: may be NULL */
	STATE_AT(prog, 6, array_map, st);
	ASSERT_TRUE(st.regs[0].flags & SDT_AV_MAYBE_NULL);
}

UNIT_TEST(va_value_written_on_one_branch_is_maybe_uninitialized_at_the_join)
{
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 2, 1, offsetof(struct xdp_md, ingress_ifindex)),
		BPF_JMP_IMM(BPF_JGT, 2, 5, 1),
		BPF_MOV64_IMM(3, 7),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 3, NO_MAPS, st);
	ASSERT_EQ(st.regs[3].kind, SDT_AK_SCALAR);
	ASSERT_TRUE(st.regs[3].flags & SDT_AV_MAYBE_UNINIT);
}

UNIT_TEST(va_branch_on_a_constant_narrows_the_range)
{
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 2, 1, offsetof(struct xdp_md, ingress_ifindex)),
		BPF_JMP_IMM(BPF_JGT, 2, 200, 2),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 2, NO_MAPS, st);
	ASSERT_EQ(st.regs[2].smin, 0);
	ASSERT_EQ(st.regs[2].smax, 200);
}

UNIT_TEST(va_loop_counter_widens_and_the_analysis_ends)
{
	/* r2 = 0; loop: r2 += 1; if r2 != 1000 goto loop */
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(2, 0),
		BPF_ALU64_IMM(BPF_ADD, 2, 1),
		BPF_JMP_IMM(BPF_JNE, 2, 1000, -2),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 3, NO_MAPS, st);
	ASSERT_EQ(st.regs[2].kind, SDT_AK_SCALAR);
	ASSERT_EQ(st.regs[2].smin, 1000);
	ASSERT_EQ(st.regs[2].smax, 1000);
}

UNIT_TEST(va_static_function_returns_what_its_exits_return)
{
	/* main: call f; site; exit.  f: r0 = r1 (the context); exit */
	static const struct sdt_func_span two[] = { { 0, 1 }, { 4, 1 } };
	struct bpf_insn prog[] = {
		BPF_CALL_REL(3),
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
		BPF_MOV64_REG(0, 1), BPF_EXIT_INSN(),
	};
	struct sdt_va_input in = { .insns = prog, .insn_cnt = 6, .funcs = two, .nfuncs = 2,
				   .prog_type = BPF_PROG_TYPE_XDP };
	struct sdt_va_state st;
	struct sdt_va *va;

	ASSERT_EQ(sdt_va_run(&in, &va), 0);
	ASSERT_TRUE(sdt_va_state_at(va, 1, &st));
	ASSERT_EQ(st.regs[0].kind, SDT_AK_CTX);
	ASSERT_EQ(st.regs[1].kind, SDT_AK_UNINIT);
	ASSERT_TRUE(sdt_va_state_at(va, 5, &st));
	ASSERT_EQ(st.regs[0].kind, SDT_AK_CTX);
	sdt_va_free(va);
}

UNIT_TEST(va_unreachable_instruction_has_no_state)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
		BPF_JMP_A(0), BPF_EXIT_INSN(),
	};
	struct sdt_va_input in = { .insns = prog, .insn_cnt = 4, .funcs = main_only, .nfuncs = 1,
				   .prog_type = BPF_PROG_TYPE_XDP };
	struct sdt_va_state st;
	struct sdt_va *va;

	ASSERT_EQ(sdt_va_run(&in, &va), 0);
	ASSERT_FALSE(sdt_va_state_at(va, 2, &st));
	sdt_va_free(va);
}

UNIT_TEST(va_jump_out_of_the_program_is_refused)
{
	struct bpf_insn prog[] = { BPF_JMP_A(5), BPF_EXIT_INSN() };
	struct sdt_va_input in = { .insns = prog, .insn_cnt = 2, .funcs = main_only, .nfuncs = 1,
				   .prog_type = BPF_PROG_TYPE_XDP };
	struct sdt_va *va;

	ASSERT_EQ(sdt_va_run(&in, &va), -EINVAL);
	ASSERT_TRUE(va == NULL);
}

/* `if (data_end - data < 14)` narrows the difference, a scalar, and proves
 * nothing about the packet pointers: the 6.18 verifier (pointer minus
 * pointer is an unknown scalar; only pointer comparisons give ranges)
 * refuses a 14-byte read after it, and so must the interpreter. */
UNIT_TEST(va_length_difference_test_bounds_no_packet_pointer)
{
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 2, 1, offsetof(struct xdp_md, data)),
		BPF_LDX_MEM(BPF_W, 3, 1, offsetof(struct xdp_md, data_end)),
		BPF_MOV64_REG(4, 3),
		{ BPF_ALU64 | BPF_SUB | BPF_X, 4, 2, 0, 0 },		/* r4 -= r2 */
		{ BPF_JMP | BPF_JSLT | BPF_K, 4, 0, 2, 14 },		/* if r4 s< 14 */
		BPF_JMP_A(0), BPF_MOV64_IMM(0, 2), BPF_EXIT_INSN(),
		BPF_MOV64_IMM(0, 1), BPF_EXIT_INSN(),
	};
	struct sdt_va_state st;

	STATE_AT(prog, 5, NO_MAPS, st);
	ASSERT_EQ(st.regs[2].kind, SDT_AK_PKT);
	ASSERT_EQ(st.regs[2].range, 0);
	ASSERT_EQ(st.regs[4].kind, SDT_AK_SCALAR);
	ASSERT_EQ(st.regs[4].smin, 14);
}
