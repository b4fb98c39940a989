// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The observer check on hand-assembled observers: shapes a compiler would
 * rarely emit but an adversary can, where a weaker analysis would lose a
 * value or skip a path. No kernel needed: the check runs before anything
 * is loaded.
 */
#include <errno.h>
#include <string.h>
#include "helpers.h"
#include "insn/emit.h"
#include "check/observer_check.h"
#include "test.h"

/* an indirect jump (gotox, BPF_JA | BPF_X): emit.h has no name for it */
#define BPF_JMP_A_X(DST) BPF_RAW_INSN(BPF_JMP | BPF_JA | BPF_X, DST, 0, 0, 0)

#define HELPER_PROBE_READ_KERNEL BPF_FUNC_probe_read_kernel
#define HELPER_GET_ATTACH_COOKIE BPF_FUNC_get_attach_cookie
#define HELPER_LOOP BPF_FUNC_loop

struct obs {
	const struct bpf_insn *insns;
	__u32 cnt;
	struct sdt_func_span funcs[4];
	__u32 nfuncs;
	int nargs;
	__u32 scalar_args;
};

/* The check's verdict on o; its diagnostic in diag_captured(). */
static int check(const struct obs *o)
{
	struct sdt_observer_check req = {
		.file = "hand.o",
		.observer = "hand",
		.probe = "p",
		.insns = o->insns,
		.insn_cnt = o->cnt,
		.funcs = o->funcs,
		.nfuncs = o->nfuncs ? o->nfuncs : 1,
		.nargs = o->nargs,
		.scalar_args = o->scalar_args,
	};
	int err;

	diag_capture_begin();
	err = sdt_observer_check(&req);
	diag_capture_end();
	return err;
}

#define OBS(prog) .insns = prog, .cnt = sizeof(prog) / sizeof(prog[0])

#define EXPECT_REFUSED(o, msg) do {					\
	ASSERT_EQ(check(o), -EINVAL);					\
	ASSERT_STREQ(diag_captured(), "hand.o: observer hand (probe p): " msg "\n"); \
} while (0)

UNIT_TEST(observer_check_sees_a_callees_store_into_its_callers_frame)
{
	struct bpf_insn prog[] = {
		BPF_ST_MEM(BPF_DW, 10, -8, 0),		/* fp-8 = 0 */
		BPF_MOV64_REG(2, 1),		/* r2 = the argument array */
		BPF_MOV64_REG(1, 10),
		BPF_ALU64_IMM(BPF_ADD, 1, -8),
		BPF_CALL_REL(4),		/* put(&fp-8, array) */
		BPF_LDX_MEM(BPF_DW, 3, 10, -8),		/* the array, back */
		BPF_ST_MEM(BPF_DW, 3, -8, 0),		/* below it */
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
		/* put: */
		BPF_STX_MEM(BPF_DW, 1, 2, 0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog), .funcs = { { 0, 1 }, { 9, 2 } }, .nfuncs = 2 };

	EXPECT_REFUSED(&o, "insn 6: writes through r3 into its argument array, which is on the target's stack");
}

/* A helper overwrote the 0 the branch tests: the store after it runs. */
UNIT_TEST(observer_check_follows_the_branch_a_helper_write_opens)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_REG(6, 2),		/* the target's r2 at the site */
		BPF_ST_MEM(BPF_DW, 10, -8, 0),
		BPF_MOV64_REG(1, 10),
		BPF_ALU64_IMM(BPF_ADD, 1, -8),
		BPF_MOV64_IMM(2, 8),
		BPF_MOV64_IMM(3, 0),
		BPF_EMIT_CALL(HELPER_PROBE_READ_KERNEL),
		BPF_LDX_MEM(BPF_DW, 1, 10, -8),
		BPF_JMP_IMM(BPF_JEQ, 1, 0, 1),
		BPF_ST_MEM(BPF_B, 6, 0, 0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog) };

	EXPECT_REFUSED(&o, "insn 9: writes through r6, which may point into the target's memory");
}

/* A store at a variable offset may overwrite the 0 the branch tests. */
UNIT_TEST(observer_check_follows_the_branch_a_variable_offset_store_opens)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_REG(6, 2),
		BPF_ST_MEM(BPF_DW, 10, -8, 0),
		BPF_ST_MEM(BPF_DW, 10, -16, 0),
		BPF_LDX_MEM(BPF_W, 3, 1, 0),		/* a narrow argument */
		BPF_ALU64_IMM(BPF_AND, 3, 8),
		BPF_MOV64_REG(4, 10),
		BPF_ALU64_IMM(BPF_ADD, 4, -16),
		BPF_ALU64_REG(BPF_ADD, 4, 3),		/* fp-16 or fp-8 */
		BPF_ST_MEM(BPF_DW, 4, 0, 1),
		BPF_LDX_MEM(BPF_DW, 5, 10, -8),
		BPF_JMP_IMM(BPF_JEQ, 5, 0, 1),
		BPF_ST_MEM(BPF_B, 6, 0, 0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog), .nargs = 1, .scalar_args = 1 };

	EXPECT_REFUSED(&o, "insn 11: writes through r6, which may point into the target's memory");
}

/* The verifier hands an observer r2..r5 as they were at the site. */
UNIT_TEST(observer_check_treats_r2_to_r5_at_entry_as_the_targets)
{
	struct bpf_insn prog[] = {
		BPF_ST_MEM(BPF_B, 3, 0, 0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog) };

	EXPECT_REFUSED(&o, "insn 0: writes through r3, which may point into the target's memory");
}

/* The relinker makes the call a load through r1: r1 still is the array. */
UNIT_TEST(observer_check_knows_bpf_get_attach_cookie_keeps_r1)
{
	struct bpf_insn prog[] = {
		BPF_EMIT_CALL(HELPER_GET_ATTACH_COOKIE),
		BPF_ST_MEM(BPF_DW, 1, -8, 0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog) };

	EXPECT_REFUSED(&o, "insn 1: writes through r1 into its argument array, which is on the target's stack");
}

UNIT_TEST(observer_check_refuses_bpf_get_attach_cookie_on_anything_but_its_context)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_REG(1, 10),
		BPF_ALU64_IMM(BPF_ADD, 1, -24),
		BPF_EMIT_CALL(HELPER_GET_ATTACH_COOKIE),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog) };

	EXPECT_REFUSED(&o, "insn 2: calls bpf_get_attach_cookie with r1 other than its context");
}

/* store-release moves a value like a store but is encoded as an atomic */
UNIT_TEST(observer_check_refuses_atomics_it_does_not_follow)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_REG(2, 10),
		BPF_ATOMIC_OP(BPF_DW, 0x110, 10, 2, -8),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog) };

	EXPECT_REFUSED(&o, "insn 1: uses an atomic operation bpfsdt does not follow (imm 0x110)");
}

UNIT_TEST(observer_check_refuses_jumps_through_a_register)
{
	struct bpf_insn prog[] = {
		BPF_JMP_A_X(1),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog) };

	EXPECT_REFUSED(&o, "insn 0: jumps or calls through a register");
}

UNIT_TEST(observer_check_refuses_a_function_calling_itself_through_a_callback)
{
	struct bpf_insn prog[] = {
		BPF_CALL_REL(2),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
		/* f: bpf_loop(1, f, 0, 0) */
		BPF_MOV64_IMM(1, 1),
		BPF_LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, -2),
		BPF_MOV64_IMM(3, 0),
		BPF_MOV64_IMM(4, 0),
		BPF_EMIT_CALL(HELPER_LOOP),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog), .funcs = { { 0, 1 }, { 3, 2 } }, .nfuncs = 2 };

	EXPECT_REFUSED(&o, "insn 3: the function starting here may call itself (through calls or callbacks)");
}

/* if (n > 64) n = 64: the bound holds on every path to bpf_loop */
UNIT_TEST(observer_check_bounds_bpf_loop_by_a_clamped_narrow_argument)
{
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 1, 1, 0),
		BPF_JMP_IMM(BPF_JGT, 1, 64, 5),
		BPF_LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, 8),
		BPF_MOV64_IMM(3, 0),
		BPF_MOV64_IMM(4, 0),
		BPF_EMIT_CALL(HELPER_LOOP),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
		BPF_JMP_A(0), BPF_JMP_A(0),
		/* cb */
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog), .funcs = { { 0, 1 }, { 11, 2 } }, .nfuncs = 2, .nargs = 1,
			 .scalar_args = 1 };

	ASSERT_EQ(check(&o), 0);
}

/* own pointer + a value from the target: pointer + pointer is refused by
 * the verifier, so this is still the observer's own stack */
UNIT_TEST(observer_check_accepts_its_own_stack_offset_by_a_value_from_the_target)
{
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_DW, 3, 1, 0),		/* a u64 argument: maybe a pointer */
		BPF_MOV64_REG(4, 10),
		BPF_ALU64_IMM(BPF_ADD, 4, -16),
		BPF_ALU64_REG(BPF_ADD, 4, 3),
		BPF_ST_MEM(BPF_B, 4, 0, 0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog), .nargs = 1 };

	ASSERT_EQ(check(&o), 0);
}

/* ...but the target's value offset by the observer's scalar is not */
UNIT_TEST(observer_check_refuses_a_value_from_the_target_offset_by_a_scalar)
{
	struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_DW, 3, 1, 0),
		BPF_MOV64_IMM(4, 16),
		BPF_ALU64_REG(BPF_ADD, 4, 3),
		BPF_ST_MEM(BPF_B, 4, 0, 0),
		BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN(),
	};
	struct obs o = { OBS(prog), .nargs = 1 };

	EXPECT_REFUSED(&o, "insn 3: writes through r4, which may point into the target's memory");
}
