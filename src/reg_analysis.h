/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Register dataflow over a final (relocated) BPF program, for deciding what
 * an inserted call must preserve:
 *  - live: registers some path from here reads before writing (backward,
 *    union at joins), with helper/subprogram argument counts taken exactly;
 *  - init: registers written on every path from the function entry (forward,
 *    intersection at joins), as the verifier requires of a register it
 *    reads.
 * Analysed per function: a call ends at the callee's exit, r6..r9 survive it,
 * r0 is its result and r1..r5 are dead afterwards.
 */
#ifndef __BPFSDT_REG_ANALYSIS_H
#define __BPFSDT_REG_ANALYSIS_H

#include <linux/bpf.h>
#include <linux/types.h>

#define SDT_REG_BIT(r) ((__u16)(1u << (r)))
#define SDT_CALLER_SAVED (SDT_REG_BIT(0) | SDT_REG_BIT(1) | SDT_REG_BIT(2) | \
			  SDT_REG_BIT(3) | SDT_REG_BIT(4) | SDT_REG_BIT(5))

struct sdt_func_span {
	__u32 start;	/* first instruction */
	int nargs;	/* parameters (r1..rN initialised at entry) */
};

struct sdt_reg_state {
	__u16 live_in;	/* live before the instruction */
	__u16 init_in;	/* initialised on every path to the instruction */
};

/* Control-flow successors of instruction i: 0 (exit), 1 or 2; an ld_imm64
 * continues at i + 2. */
int sdt_insn_successors(const struct bpf_insn *insns, __u32 i, __u32 succ[2]);

/*
 * funcs: the program's functions sorted by start (funcs[0].start == 0), as
 * func_info describes them. extra_use (NULL or cnt entries): registers an
 * instruction reads beyond what its encoding says -- a probe site's `goto
 * +0` reads its argument registers once armed. states: cnt entries, filled.
 * Returns 0, -EINVAL for a jump or call leaving its function or the
 * program, -ENOMEM.
 */
int sdt_reg_analysis(const struct bpf_insn *insns, __u32 cnt, const struct sdt_func_span *funcs,
		     __u32 nfuncs, const __u16 *extra_use, struct sdt_reg_state *states);

#endif
