/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Applying register fills (reg_analysis.h: why they are needed and why they
 * change nothing the program can observe) to a program's instructions. Each
 * fill is one `rN = 0`:
 *  - before a function's first instruction: a call of the function (or a
 *    callback reference) lands on it, a jump back to the function's first
 *    instruction lands after it;
 *  - after a call: only the call's fall-through runs it, a jump to the next
 *    instruction lands after it.
 */
#ifndef __BPFSDT_REG_FILL_H
#define __BPFSDT_REG_FILL_H

#include "insn/insn_patch.h"
#include "insn/reg_analysis.h"

struct sdt_filled {
	/* the program with its fills; new_idx[i]: where instruction i, or
	 * the fills before it, now start (a function's start, for func_info) */
	struct sdt_patched p;
	__u32 *pos;	/* pos[i]: where instruction i itself now is */
};

/* 0, -EINVAL (a fill at no function start or call), -ERANGE (a jump no
 * longer fits its field), -ENOMEM. With no fills, a copy. */
int sdt_reg_fills_apply(const struct bpf_insn *insns, __u32 cnt, const struct sdt_reg_fills *fills,
			struct sdt_filled *out);
void sdt_filled_free(struct sdt_filled *f);

#endif
