/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Jumps and helper calls for the tracer's generated code, and forward jumps
 * whose target is known only once the code after them is emitted. */
#ifndef __BPFSDT_GEN_JUMPS_H
#define __BPFSDT_GEN_JUMPS_H

#include "insn/emit.h"

#define SDT_JMP_IMM(OP, DST, IMM, OFF)						\
	BPF_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_K, DST, 0, OFF, IMM)
#define SDT_JMP_REG(OP, DST, SRC, OFF)						\
	BPF_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_X, DST, SRC, OFF, 0)
#define SDT_CALL_HELPER(ID) BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, ID)

/* Emits jump j (its offset to be set by sdt_land()) and returns where. */
static inline __u32 sdt_emit_fwd(struct sdt_insn_buf *b, struct bpf_insn j)
{
	sdt_emit(b, j);
	return b->cnt ? b->cnt - 1 : 0;
}

/* The jump at `at` lands on the next instruction emitted. */
static inline void sdt_land(struct sdt_insn_buf *b, __u32 at)
{
	if (!b->err && at < b->cnt)
		b->insns[at].off = (__s16)(b->cnt - at - 1);
}

#endif
