// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "insn/emit.h"
#include "insn/reg_fill.h"

#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif

enum ref_kind {
	REF_NONE,
	REF_ENTRY,	/* a BPF-to-BPF call or callback reference: imm, lands on the fills */
	REF_JUMP_OFF,	/* a jump: off, lands on the instruction itself */
	REF_JUMP_IMM,	/* gotol: imm, likewise */
};

static enum ref_kind ref_of(const struct bpf_insn *insn)
{
	__u8 cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	if (sdt_insn_is_ld_imm64(insn))
		return insn->src_reg == BPF_PSEUDO_FUNC ? REF_ENTRY : REF_NONE;
	if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_EXIT)
		return REF_NONE;
	if (op == BPF_CALL)
		return insn->src_reg == BPF_PSEUDO_CALL ? REF_ENTRY : REF_NONE;
	return cls == BPF_JMP32 && op == BPF_JA ? REF_JUMP_IMM : REF_JUMP_OFF;
}

/* Points the reference of insn (originally at old, now at at) where it
 * belongs in the filled program. */
static int retarget(const struct bpf_insn *orig, __u32 old, __u32 cnt, const struct sdt_filled *f,
		    struct bpf_insn *insn, __u32 at)
{
	enum ref_kind k = ref_of(orig);
	long long target, rel;

	if (k == REF_NONE)
		return 0;
	target = (long long)old + 1 + (k == REF_JUMP_OFF ? orig->off : orig->imm);
	if (target < 0 || target >= cnt)
		return -EINVAL;
	rel = (long long)(k == REF_ENTRY ? f->p.new_idx[target] : f->pos[target]) - (at + 1);
	if (k != REF_JUMP_OFF) {
		insn->imm = (__s32)rel;
		return 0;
	}
	if (rel < SHRT_MIN || rel > SHRT_MAX)
		return -ERANGE;
	insn->off = (__s16)rel;
	return 0;
}

static struct bpf_insn zero(__u8 reg)
{
	return BPF_MOV64_IMM(reg, 0);
}

int sdt_reg_fills_apply(const struct bpf_insn *insns, __u32 cnt, const struct sdt_reg_fills *fills,
			struct sdt_filled *out)
{
	__u32 *before = calloc((size_t)cnt + 1, sizeof(__u32));
	__u32 *after = calloc((size_t)cnt + 1, sizeof(__u32));
	struct sdt_patch *patches = NULL;
	struct bpf_insn *buf = NULL;
	__u32 i, np = 0, nb = 0;
	size_t k;
	int err = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!before || !after)
		goto out;
	for (k = 0; k < fills->cnt; k++) {
		if (fills->v[k].insn >= cnt) {
			err = -EINVAL;
			goto out;
		}
		if (fills->v[k].after)
			after[fills->v[k].insn]++;
		else
			before[fills->v[k].insn]++;
	}
	for (i = 0; i < cnt; i++)
		if (before[i] || after[i]) {
			np++;
			nb += before[i] + 1 + after[i];
		}
	patches = calloc(np ? np : 1, sizeof(*patches));
	buf = calloc(nb ? nb : 1, sizeof(*buf));
	if (!patches || !buf)
		goto out;
	for (i = 0, np = 0, nb = 0; i < cnt; i++) {
		struct bpf_insn *seq = &buf[nb];
		__u32 n = 0;

		if (!before[i] && !after[i])
			continue;
		for (k = 0; k < fills->cnt; k++)
			if (fills->v[k].insn == i && !fills->v[k].after)
				seq[n++] = zero(fills->v[k].reg);
		seq[n++] = insns[i];
		for (k = 0; k < fills->cnt; k++)
			if (fills->v[k].insn == i && fills->v[k].after)
				seq[n++] = zero(fills->v[k].reg);
		patches[np++] = (struct sdt_patch){ .at = i, .insns = seq, .cnt = n };
		nb += n;
	}
	err = sdt_insns_patch(insns, cnt, patches, np, &out->p);
	if (err)
		goto out;
	out->pos = calloc((size_t)cnt + 1, sizeof(__u32));
	if (!out->pos) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i <= cnt; i++)
		out->pos[i] = out->p.new_idx[i] + (i < cnt ? before[i] : 0);
	/* The patcher sent every reference to the start of a replacement and
	 * left the instructions inside replacements alone: every reference is
	 * pointed again, jumps past a function's fills, calls onto them. */
	for (i = 0; i < cnt && !err; i++)
		err = retarget(&insns[i], i, cnt, out, &out->p.insns[out->pos[i]], out->pos[i]);
out:
	if (err)
		sdt_filled_free(out);
	free(before);
	free(after);
	free(patches);
	free(buf);
	return err;
}

void sdt_filled_free(struct sdt_filled *f)
{
	sdt_patched_free(&f->p);
	free(f->pos);
	f->pos = NULL;
}
