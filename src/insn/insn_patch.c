// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "insn/insn_patch.h"

#ifndef BPF_JCOND
#define BPF_JCOND 0xe0 /* may_goto */
#endif

enum ref_field { REF_NONE, REF_OFF, REF_IMM };

/* Which field of insn holds a pc-relative reference, if any. */
static enum ref_field pc_ref(const struct bpf_insn *insn)
{
	__u8 cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	if (sdt_insn_is_ld_imm64(insn))
		return insn->src_reg == BPF_PSEUDO_FUNC ? REF_IMM : REF_NONE;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return REF_NONE;
	if (op == BPF_EXIT)
		return REF_NONE;
	if (op == BPF_CALL)
		return insn->src_reg == BPF_PSEUDO_CALL ? REF_IMM : REF_NONE;
	if (cls == BPF_JMP32 && op == BPF_JA)
		return REF_IMM; /* gotol */
	return REF_OFF; /* conditional jumps, ja, may_goto */
}

static int check_patches(const struct bpf_insn *insns, const struct sdt_patch *patches,
			 __u32 npatch, __u32 cnt)
{
	__u32 i;

	for (i = 0; i < npatch; i++) {
		if (patches[i].at >= cnt || (i && patches[i].at <= patches[i - 1].at))
			return -EINVAL;
		if (patches[i].cnt && !patches[i].insns)
			return -EINVAL;
		/* the middle of a 16-byte load is no instruction boundary
		 * (its second half's code is 0, never a first half's) */
		if (patches[i].at && sdt_insn_is_ld_imm64(&insns[patches[i].at - 1]))
			return -EINVAL;
	}
	return 0;
}

/* Instructions a patch puts in place of the one it is at. */
static __u32 patch_len(const struct sdt_patch *p)
{
	return p->cnt + (p->insert ? 1 : 0);
}

static int remap(const struct bpf_insn *old, __u32 old_pos, __u32 cnt, const __u32 *new_idx,
		 struct bpf_insn *insn, __u32 new_pos)
{
	enum ref_field f = pc_ref(old);
	long long target, rel;

	if (f == REF_NONE)
		return 0;
	target = (long long)old_pos + 1 + (f == REF_OFF ? old->off : old->imm);
	if (target < 0 || target > cnt)
		return -EINVAL;
	rel = (long long)new_idx[target] - (new_pos + 1);
	if (f == REF_OFF) {
		if (rel < SHRT_MIN || rel > SHRT_MAX)
			return -ERANGE;
		insn->off = (__s16)rel;
	} else {
		insn->imm = (__s32)rel;
	}
	return 0;
}

int sdt_insns_patch(const struct bpf_insn *insns, __u32 cnt, const struct sdt_patch *patches,
		    __u32 npatch, struct sdt_patched *out)
{
	__u32 i, p, pos, new_cnt = cnt;
	int err;

	memset(out, 0, sizeof(*out));
	err = check_patches(insns, patches, npatch, cnt);
	if (err)
		return err;
	for (p = 0; p < npatch; p++)
		new_cnt += patch_len(&patches[p]) - 1;
	out->new_idx = calloc((size_t)cnt + 1, sizeof(*out->new_idx));
	out->insns = calloc(new_cnt ? new_cnt : 1, sizeof(*out->insns));
	if (!out->new_idx || !out->insns) {
		sdt_patched_free(out);
		return -ENOMEM;
	}
	for (i = 0, p = 0, pos = 0; i < cnt; i++) {
		out->new_idx[i] = pos;
		if (p < npatch && patches[p].at == i)
			pos += patch_len(&patches[p++]);
		else
			pos++;
	}
	out->new_idx[cnt] = pos;
	out->cnt = new_cnt;

	for (i = 0, p = 0; i < cnt; i++) {
		__u32 at = out->new_idx[i];

		if (p < npatch && patches[p].at == i) {
			const struct sdt_patch *pt = &patches[p++];

			if (pt->cnt)
				memcpy(&out->insns[at], pt->insns, pt->cnt * sizeof(struct bpf_insn));
			if (!pt->insert)
				continue;
			at += pt->cnt; /* the original, after what was inserted */
		}
		out->insns[at] = insns[i];
		err = remap(&insns[i], i, cnt, out->new_idx, &out->insns[at], at);
		if (err) {
			sdt_patched_free(out);
			return err;
		}
	}
	return 0;
}

void sdt_patched_free(struct sdt_patched *p)
{
	free(p->insns);
	free(p->new_idx);
	memset(p, 0, sizeof(*p));
}
