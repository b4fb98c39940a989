// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include "insn/emit.h"

void sdt_emit(struct sdt_insn_buf *b, struct bpf_insn insn)
{
	if (b->err)
		return;
	if (b->cnt == b->cap) {
		__u32 cap = b->cap ? b->cap * 2 : 64;
		struct bpf_insn *n = realloc(b->insns, cap * sizeof(*n));

		if (!n) {
			b->err = -ENOMEM;
			return;
		}
		b->insns = n;
		b->cap = cap;
	}
	b->insns[b->cnt++] = insn;
}

void sdt_emit_ld_imm64(struct sdt_insn_buf *b, __u8 dst, __u8 src, __u64 imm)
{
	sdt_emit(b, BPF_RAW_INSN(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, (__s32)(__u32)imm));
	sdt_emit(b, BPF_RAW_INSN(0, 0, 0, 0, (__s32)(__u32)(imm >> 32)));
}

void sdt_insn_buf_free(struct sdt_insn_buf *b)
{
	free(b->insns);
	b->insns = NULL;
	b->cnt = b->cap = 0;
}
