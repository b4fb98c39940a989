/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Building instruction sequences: the instruction macros under the names
 * the kernel's filter.h gives them (what a BPF developer already reads),
 * and a growing buffer to emit them into. An allocation failure is kept in
 * the buffer and returned once, at the end.
 *
 * Jumps name labels instead of counting instructions: make a label, emit
 * jumps to it, place it where it belongs, then resolve the buffer, which
 * writes every jump's offset (or tells why it cannot: a label never
 * placed, a distance a jump cannot span):
 *
 *	int out = sdt_label_new(b);
 *
 *	sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), out);
 *	...
 *	sdt_label_place(b, out);
 *	err = sdt_insn_buf_resolve(b);
 *
 * The macros are plain expressions, so fixed sequences can still be
 * written as arrays (BPF_LD_IMM64_RAW() is two instructions).
 */
#ifndef __BPFSDT_EMIT_H
#define __BPFSDT_EMIT_H

#include <linux/bpf.h>

#define BPF_RAW_INSN(CODE, DST, SRC, OFF, IMM)					\
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC),	\
			    .off = (OFF), .imm = (IMM) })

/* dst = dst OP imm, dst = dst OP src (64 and 32 bits) */
#define BPF_ALU64_IMM(OP, DST, IMM) BPF_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_K, DST, 0, 0, IMM)
#define BPF_ALU64_REG(OP, DST, SRC) BPF_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_X, DST, SRC, 0, 0)
#define BPF_ALU32_IMM(OP, DST, IMM) BPF_RAW_INSN(BPF_ALU | BPF_OP(OP) | BPF_K, DST, 0, 0, IMM)
#define BPF_ALU32_REG(OP, DST, SRC) BPF_RAW_INSN(BPF_ALU | BPF_OP(OP) | BPF_X, DST, SRC, 0, 0)
#define BPF_MOV64_IMM(DST, IMM) BPF_ALU64_IMM(BPF_MOV, DST, IMM)
#define BPF_MOV64_REG(DST, SRC) BPF_ALU64_REG(BPF_MOV, DST, SRC)
#define BPF_MOV32_IMM(DST, IMM) BPF_ALU32_IMM(BPF_MOV, DST, IMM)
#define BPF_MOV32_REG(DST, SRC) BPF_ALU32_REG(BPF_MOV, DST, SRC)

/* dst = imm64, src_reg saying what imm is (0, BPF_PSEUDO_MAP_FD,
 * BPF_PSEUDO_FUNC, ...): two instructions */
#define BPF_LD_IMM64_RAW(DST, SRC, IMM)						\
	BPF_RAW_INSN(BPF_LD | BPF_DW | BPF_IMM, DST, SRC, 0, (__s32)(__u32)(__u64)(IMM)), \
	BPF_RAW_INSN(0, 0, 0, 0, (__s32)(__u32)((__u64)(IMM) >> 32))
#define BPF_LD_IMM64(DST, IMM) BPF_LD_IMM64_RAW(DST, 0, IMM)
#define BPF_LD_MAP_FD(DST, MAP_FD) BPF_LD_IMM64_RAW(DST, BPF_PSEUDO_MAP_FD, MAP_FD)

/* dst = *(SIZE *)(src + off); *(SIZE *)(dst + off) = src or imm */
#define BPF_LDX_MEM(SIZE, DST, SRC, OFF)					\
	BPF_RAW_INSN(BPF_LDX | BPF_SIZE(SIZE) | BPF_MEM, DST, SRC, OFF, 0)
#define BPF_STX_MEM(SIZE, DST, SRC, OFF)					\
	BPF_RAW_INSN(BPF_STX | BPF_SIZE(SIZE) | BPF_MEM, DST, SRC, OFF, 0)
#define BPF_ST_MEM(SIZE, DST, OFF, IMM)						\
	BPF_RAW_INSN(BPF_ST | BPF_SIZE(SIZE) | BPF_MEM, DST, 0, OFF, IMM)
/* *(SIZE *)(dst + off) OP= src, atomically (OP: BPF_ADD, ...) */
#define BPF_ATOMIC_OP(SIZE, OP, DST, SRC, OFF)					\
	BPF_RAW_INSN(BPF_STX | BPF_SIZE(SIZE) | BPF_ATOMIC, DST, SRC, OFF, OP)

/* if (dst OP src/imm) goto pc + off + 1 (64 and 32 bits) */
#define BPF_JMP_REG(OP, DST, SRC, OFF) BPF_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_X, DST, SRC, OFF, 0)
#define BPF_JMP_IMM(OP, DST, IMM, OFF) BPF_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_K, DST, 0, OFF, IMM)
#define BPF_JMP32_REG(OP, DST, SRC, OFF)					\
	BPF_RAW_INSN(BPF_JMP32 | BPF_OP(OP) | BPF_X, DST, SRC, OFF, 0)
#define BPF_JMP32_IMM(OP, DST, IMM, OFF)					\
	BPF_RAW_INSN(BPF_JMP32 | BPF_OP(OP) | BPF_K, DST, 0, OFF, IMM)
/* goto pc + off + 1; gotol pc + imm + 1 (a 32-bit distance) */
#define BPF_JMP_A(OFF) BPF_RAW_INSN(BPF_JMP | BPF_JA, 0, 0, OFF, 0)
#define BPF_JMP32_A(IMM) BPF_RAW_INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, IMM)

/* a call of helper ID; of a BPF-to-BPF function imm + 1 instructions on */
#define BPF_EMIT_CALL(ID) BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, ID)
#define BPF_CALL_REL(IMM) BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, IMM)
#define BPF_EXIT_INSN() BPF_RAW_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

struct sdt_insn_fixup;

struct sdt_insn_buf {
	struct bpf_insn *insns;
	__u32 cnt, cap;
	int err;		/* the first failure; nothing emitted after it */
	/* labels: where each was placed (SDT_LABEL_UNPLACED until then),
	 * and the jumps waiting for their offsets */
	__u32 *labels;
	__u32 label_cnt;
	struct sdt_insn_fixup *fixups;
	__u32 fixup_cnt;
};

#define SDT_LABEL_UNPLACED 0xffffffffu

void sdt_emit(struct sdt_insn_buf *b, struct bpf_insn insn);
/* dst = imm (the two halves of BPF_LD | BPF_IMM | BPF_DW), with src_reg
 * saying what imm is (0, BPF_PSEUDO_MAP_VALUE, ...) */
void sdt_emit_ld_imm64(struct sdt_insn_buf *b, __u8 dst, __u8 src, __u64 imm);
/* Appends cnt instructions as they are. */
void sdt_emit_all(struct sdt_insn_buf *b, const struct bpf_insn *insns, __u32 cnt);

/* A new label, not placed yet (-ENOMEM is kept in the buffer). */
int sdt_label_new(struct sdt_insn_buf *b);
/* The label stands for the next instruction emitted. */
void sdt_label_place(struct sdt_insn_buf *b, int label);
/* Emits a jump (any BPF_JMP/BPF_JMP32 conditional, BPF_JMP_A, BPF_JMP32_A)
 * whose offset is the label's distance, written by sdt_insn_buf_resolve(). */
void sdt_emit_jmp(struct sdt_insn_buf *b, struct bpf_insn jmp, int label);
/* Writes every jump's offset. 0, or the buffer's first error; -EINVAL for
 * a label jumped to but never placed, -E2BIG for a distance the jump's
 * offset field cannot hold. */
int sdt_insn_buf_resolve(struct sdt_insn_buf *b);

void sdt_insn_buf_free(struct sdt_insn_buf *b);

#endif
