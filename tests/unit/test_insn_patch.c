// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Replacing a site NOP with a sequence keeps every pc-relative reference. */
#include <errno.h>
#include "insn/emit.h"
#include "insn/insn_patch.h"
#include "test.h"

static const struct bpf_insn three_movs[] = {
	BPF_MOV64_IMM(1, 1), BPF_MOV64_IMM(2, 2), BPF_MOV64_IMM(3, 3),
};

UNIT_TEST(patch_moves_forward_jump_over_the_grown_site)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 2),	/* -> 3 */
		BPF_JMP_A(0),		/* site */
		BPF_MOV64_IMM(0, 1),
		BPF_EXIT_INSN(),
	};
	struct sdt_patch p = { .at = 1, .insns = three_movs, .cnt = 3 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 4, &p, 1, &out), 0);
	ASSERT_EQ(out.cnt, 6);
	ASSERT_EQ(out.insns[0].off, 4); /* still lands on exit, now at 5 */
	ASSERT_EQ(out.insns[1].imm, 1);
	ASSERT_EQ(out.insns[5].code, BPF_JMP | BPF_EXIT);
	ASSERT_EQ(out.new_idx[3], 5);
	ASSERT_EQ(out.new_idx[4], 6);
	sdt_patched_free(&out);
}

UNIT_TEST(patch_jump_to_the_site_lands_on_the_start_of_its_replacement)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1),	/* -> 2: the site */
		BPF_MOV64_IMM(0, 0),
		BPF_JMP_A(0),
		BPF_EXIT_INSN(),
	};
	struct sdt_patch p = { .at = 2, .insns = three_movs, .cnt = 3 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 4, &p, 1, &out), 0);
	ASSERT_EQ(out.insns[0].off, 1);
	ASSERT_EQ(out.insns[2].imm, 1);
	sdt_patched_free(&out);
}

UNIT_TEST(patch_moves_backward_jump_across_the_grown_site)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(0, 0),
		BPF_JMP_A(0),
		BPF_JMP_IMM(BPF_JGT, 0, 5, -3),	/* -> 0 */
		BPF_EXIT_INSN(),
	};
	struct sdt_patch p = { .at = 1, .insns = three_movs, .cnt = 3 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 4, &p, 1, &out), 0);
	ASSERT_EQ(out.insns[4].off, -5);
	sdt_patched_free(&out);
}

UNIT_TEST(patch_remaps_subprogram_calls_and_callback_addresses)
{
	struct bpf_insn prog[] = {
		BPF_JMP_A(0),
		BPF_CALL_REL(3),	/* -> 5 */
		BPF_LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, 2),	/* -> 5 (two instructions) */
		BPF_EXIT_INSN(),
		BPF_MOV64_IMM(0, 0),	/* subprogram */
		BPF_EXIT_INSN(),
	};
	struct sdt_patch p = { .at = 0, .insns = three_movs, .cnt = 3 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 7, &p, 1, &out), 0);
	ASSERT_EQ(out.insns[3].imm, 3);
	ASSERT_EQ(out.insns[4].imm, 2);
	ASSERT_EQ(out.insns[5].imm, 0); /* second half of ld_imm64 untouched */
	sdt_patched_free(&out);
}

UNIT_TEST(patch_remaps_gotol_through_its_imm)
{
	struct bpf_insn prog[] = { BPF_JMP32_A(1), BPF_JMP_A(0), BPF_EXIT_INSN() };
	struct sdt_patch p = { .at = 1, .insns = three_movs, .cnt = 3 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 3, &p, 1, &out), 0);
	ASSERT_EQ(out.insns[0].imm, 3);
	ASSERT_EQ(out.insns[0].off, 0);
	sdt_patched_free(&out);
}

UNIT_TEST(patch_with_empty_replacement_deletes_the_site)
{
	struct bpf_insn prog[] = { BPF_JMP_IMM(BPF_JGT, 1, 0, 1), BPF_JMP_A(0), BPF_EXIT_INSN() };
	struct sdt_patch p = { .at = 1, .insns = NULL, .cnt = 0 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 3, &p, 1, &out), 0);
	ASSERT_EQ(out.cnt, 2);
	ASSERT_EQ(out.insns[0].off, 0);
	sdt_patched_free(&out);
}

UNIT_TEST(patch_applies_several_sites_in_one_pass)
{
	struct bpf_insn prog[] = { BPF_JMP_A(0), BPF_JMP_IMM(BPF_JGT, 1, 0, 1), BPF_JMP_A(0), BPF_EXIT_INSN() };
	struct sdt_patch p[] = {
		{ .at = 0, .insns = three_movs, .cnt = 3 },
		{ .at = 2, .insns = three_movs, .cnt = 2 },
	};
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 4, p, 2, &out), 0);
	ASSERT_EQ(out.cnt, 7);
	ASSERT_EQ(out.insns[3].off, 2);
	ASSERT_EQ(out.insns[6].code, BPF_JMP | BPF_EXIT);
	sdt_patched_free(&out);
}

UNIT_TEST(patch_rejects_unsorted_or_out_of_range_patch_lists)
{
	struct bpf_insn prog[] = { BPF_JMP_A(0), BPF_JMP_A(0), BPF_EXIT_INSN() };
	struct sdt_patch unsorted[] = { { .at = 1, .insns = three_movs, .cnt = 1 },
					{ .at = 0, .insns = three_movs, .cnt = 1 } };
	struct sdt_patch outside = { .at = 3, .insns = three_movs, .cnt = 1 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 3, unsorted, 2, &out), -EINVAL);
	ASSERT_EQ(sdt_insns_patch(prog, 3, &outside, 1, &out), -EINVAL);
}

UNIT_TEST(patch_refuses_jump_that_no_longer_fits_16_bits)
{
	static struct bpf_insn big[40000];
	struct bpf_insn prog[] = { BPF_JMP_IMM(BPF_JGT, 1, 0, 1), BPF_JMP_A(0), BPF_EXIT_INSN() };
	struct sdt_patch p = { .at = 1, .insns = big, .cnt = 40000 };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 3, &p, 1, &out), -ERANGE);
}

UNIT_TEST(insert_puts_code_before_the_instruction_and_jumps_to_it_land_on_the_code)
{
	struct bpf_insn prog[] = {
		BPF_JMP_IMM(BPF_JGT, 1, 0, 1),	/* -> 2 */
		BPF_MOV64_IMM(0, 0),
		BPF_MOV64_IMM(0, 7),	/* insertion point */
		BPF_EXIT_INSN(),
	};
	struct sdt_patch p = { .at = 2, .insns = three_movs, .cnt = 3, .insert = true };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 4, &p, 1, &out), 0);
	ASSERT_EQ(out.cnt, 7);
	ASSERT_EQ(out.new_idx[2], 2);		/* the inserted code */
	ASSERT_EQ(out.insns[0].off, 1);		/* lands on it */
	ASSERT_EQ(out.insns[2].imm, 1);
	ASSERT_EQ(out.insns[5].imm, 7);		/* then the original */
	ASSERT_EQ(out.new_idx[3], 6);
	sdt_patched_free(&out);
}

UNIT_TEST(insert_before_a_jump_remaps_the_jump_from_its_new_place)
{
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(0, 0),
		BPF_JMP_IMM(BPF_JGT, 0, 5, -2),	/* insertion point, -> 0 */
		BPF_EXIT_INSN(),
	};
	struct sdt_patch p = { .at = 1, .insns = three_movs, .cnt = 3, .insert = true };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 3, &p, 1, &out), 0);
	ASSERT_EQ(out.insns[4].code, BPF_JMP | BPF_JGT | BPF_K);
	ASSERT_EQ(out.insns[4].off, -5);	/* still to 0 */
	sdt_patched_free(&out);
}

UNIT_TEST(insert_refuses_the_second_half_of_a_16_byte_load)
{
	struct bpf_insn prog[] = {
		BPF_LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, 2),	/* two instructions */
		BPF_EXIT_INSN(),
		BPF_MOV64_IMM(0, 0),
		BPF_EXIT_INSN(),
	};
	struct sdt_patch p = { .at = 1, .insns = three_movs, .cnt = 3, .insert = true };
	struct sdt_patched out;

	ASSERT_EQ(sdt_insns_patch(prog, 5, &p, 1, &out), -EINVAL);
}
