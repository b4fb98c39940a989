/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Replacing single instructions of a BPF program with instruction sequences
 * while keeping every pc-relative reference right.
 */
#ifndef __BPFSDT_INSN_PATCH_H
#define __BPFSDT_INSN_PATCH_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <stdbool.h>

struct sdt_patch {
	__u32 at;			/* index of the instruction replaced */
	const struct bpf_insn *insns;	/* its replacement (may be empty) */
	__u32 cnt;
	/* Insert insns before instruction `at` instead of replacing it: the
	 * original follows them (its own references remapped), and every
	 * reference to `at` lands on the inserted code, so it runs on every
	 * path that reached the instruction (a dynamic site). */
	bool insert;
};

struct sdt_patched {
	struct bpf_insn *insns;
	__u32 cnt;
	/* new_idx[i]: where original instruction i (or the start of its
	 * replacement) now is; new_idx[old cnt] is the new count. */
	__u32 *new_idx;
};

/*
 * Applies patches (sorted by `at`, distinct; never the second half of an
 * ld_imm64) to insns. Remapped: off of
 * JMP/JMP32 jumps (imm of the JMP32 `gotol`), imm of BPF-to-BPF calls and of
 * ld_imm64 BPF_PSEUDO_FUNC. A reference to a replaced instruction lands on
 * the start of its replacement. Instructions inside replacements are copied
 * as they are: their pc-relative fields are the caller's business.
 * Returns 0, -EINVAL (bad patch list or a reference out of the program),
 * -ERANGE (a jump no longer fits its field) or -ENOMEM.
 */
int sdt_insns_patch(const struct bpf_insn *insns, __u32 cnt, const struct sdt_patch *patches,
		    __u32 npatch, struct sdt_patched *out);
void sdt_patched_free(struct sdt_patched *p);

/* Is insn the first half of a 16-byte ld_imm64? */
static inline int sdt_insn_is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* Bytes a load or store of opcode code moves (BPF_B, _H, _W or _DW). */
static inline int sdt_insn_mem_size(__u8 code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

#endif
