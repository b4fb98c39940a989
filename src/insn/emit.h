/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Building instruction sequences: the instruction macros under the names
 * the kernel's filter.h gives them (what a BPF developer already reads),
 * and a growing buffer to emit them into. An allocation failure is kept in
 * the buffer and returned once, at the end.
 */
#ifndef __BPFSDT_EMIT_H
#define __BPFSDT_EMIT_H

#include <linux/bpf.h>

#define BPF_RAW_INSN(CODE, DST, SRC, OFF, IMM)					\
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC),	\
			    .off = (OFF), .imm = (IMM) })

/* dst = dst OP imm, dst = dst OP src (64 bits) */
#define BPF_ALU64_IMM(OP, DST, IMM) BPF_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_K, DST, 0, 0, IMM)
#define BPF_ALU64_REG(OP, DST, SRC) BPF_RAW_INSN(BPF_ALU64 | BPF_OP(OP) | BPF_X, DST, SRC, 0, 0)
#define BPF_MOV64_IMM(DST, IMM) BPF_ALU64_IMM(BPF_MOV, DST, IMM)
#define BPF_MOV64_REG(DST, SRC) BPF_ALU64_REG(BPF_MOV, DST, SRC)

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

/* a call of a BPF-to-BPF function imm + 1 instructions on */
#define BPF_CALL_REL(IMM) BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, IMM)
#define BPF_EXIT_INSN() BPF_RAW_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define BPF_JMP_A(OFF) BPF_RAW_INSN(BPF_JMP | BPF_JA, 0, 0, OFF, 0)

struct sdt_insn_buf {
	struct bpf_insn *insns;
	__u32 cnt, cap;
	int err;		/* the first failure; nothing emitted after it */
};

void sdt_emit(struct sdt_insn_buf *b, struct bpf_insn insn);
/* dst = imm (the two halves of BPF_LD | BPF_IMM | BPF_DW), with src_reg
 * saying what imm is (0, BPF_PSEUDO_MAP_VALUE, ...) */
void sdt_emit_ld_imm64(struct sdt_insn_buf *b, __u8 dst, __u8 src, __u64 imm);
void sdt_insn_buf_free(struct sdt_insn_buf *b);

#endif
