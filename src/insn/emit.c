// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "insn/emit.h"

struct sdt_insn_fixup {
	__u32 insn;		/* the jump */
	__u32 label;
};

/* Room for one more element of size in *arr, which holds cnt: arrays
 * start at 16 elements and double when full. False (and -ENOMEM in the
 * buffer) when there is none. */
static bool reserve(struct sdt_insn_buf *b, void **arr, __u32 cnt, size_t size)
{
	bool full = !cnt || (cnt >= 16 && !(cnt & (cnt - 1)));
	void *n;

	if (b->err)
		return false;
	if (!full)
		return true;
	n = realloc(*arr, (cnt ? (size_t)cnt * 2 : 16) * size);
	if (!n) {
		b->err = -ENOMEM;
		return false;
	}
	*arr = n;
	return true;
}

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
	const struct bpf_insn ld[] = { BPF_LD_IMM64_RAW(dst, src, imm) };

	sdt_emit_all(b, ld, 2);
}

void sdt_emit_all(struct sdt_insn_buf *b, const struct bpf_insn *insns, __u32 cnt)
{
	__u32 i;

	for (i = 0; i < cnt; i++)
		sdt_emit(b, insns[i]);
}

int sdt_label_new(struct sdt_insn_buf *b)
{
	if (!reserve(b, (void **)&b->labels, b->label_cnt, sizeof(*b->labels)))
		return -1;
	b->labels[b->label_cnt] = SDT_LABEL_UNPLACED;
	return (int)b->label_cnt++;
}

void sdt_label_place(struct sdt_insn_buf *b, int label)
{
	if (b->err)
		return;
	if (label < 0 || (__u32)label >= b->label_cnt ||
	    b->labels[label] != SDT_LABEL_UNPLACED) {
		b->err = -EINVAL; /* a label is placed once */
		return;
	}
	b->labels[label] = b->cnt;
}

void sdt_emit_jmp(struct sdt_insn_buf *b, struct bpf_insn jmp, int label)
{
	__u8 class = BPF_CLASS(jmp.code), op = BPF_OP(jmp.code);

	if (b->err)
		return;
	if ((class != BPF_JMP && class != BPF_JMP32) || op == BPF_CALL || op == BPF_EXIT ||
	    label < 0 || (__u32)label >= b->label_cnt) {
		b->err = -EINVAL;
		return;
	}
	if (!reserve(b, (void **)&b->fixups, b->fixup_cnt, sizeof(*b->fixups)))
		return;
	b->fixups[b->fixup_cnt++] = (struct sdt_insn_fixup){ b->cnt, (__u32)label };
	sdt_emit(b, jmp);
}

int sdt_insn_buf_resolve(struct sdt_insn_buf *b)
{
	__u32 i;

	for (i = 0; i < b->fixup_cnt && !b->err; i++) {
		struct bpf_insn *jmp = &b->insns[b->fixups[i].insn];
		__u32 to = b->labels[b->fixups[i].label];
		long long dist = (long long)to - b->fixups[i].insn - 1;

		if (to == SDT_LABEL_UNPLACED)
			b->err = -EINVAL;
		else if (jmp->code == (BPF_JMP32 | BPF_JA))
			jmp->imm = (__s32)dist; /* gotol: distances fit, buffers are __u32 */
		else if (dist < -32768 || dist > 32767)
			b->err = -E2BIG;
		else
			jmp->off = (__s16)dist;
	}
	if (!b->err)
		b->fixup_cnt = 0; /* done: emitting more needs no second pass */
	return b->err;
}

void sdt_insn_buf_free(struct sdt_insn_buf *b)
{
	free(b->insns);
	free(b->labels);
	free(b->fixups);
	b->insns = NULL;
	b->labels = NULL;
	b->fixups = NULL;
	b->cnt = b->cap = b->label_cnt = b->fixup_cnt = 0;
}
