/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Register dataflow over a final (relocated) BPF program, for deciding what
 * an inserted call must preserve:
 *  - live: registers some path from here reads before writing (backward,
 *    union at joins), with helper/subprogram argument counts taken exactly;
 *  - init: registers written on every path from the function entry (forward,
 *    intersection at joins), as the verifier requires of a register it
 *    reads;
 *  - maybe_init: registers written on some path from the function entry
 *    (forward, union at joins). A register outside it is uninitialized on
 *    every path: nothing can read it, so nothing needs to preserve it.
 * Analysed per function, joined over the call graph: a call ends at the
 * callee's exit, r6..r9 survive it, r1..r5 are dead afterwards and r0 is
 * the callee's result -- live at the callee's exit only if some caller reads
 * it after some call (the program's entry and callbacks always return a
 * value: their r0 is read by the kernel), initialized after a call only if
 * the callee sets it on its way out (a void subprogram or helper leaves r0
 * unset, as the verifier sees it).
 */
#ifndef __BPFSDT_REG_ANALYSIS_H
#define __BPFSDT_REG_ANALYSIS_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#define SDT_REG_BIT(r) ((__u16)(1u << (r)))
#define SDT_CALLER_SAVED (SDT_REG_BIT(0) | SDT_REG_BIT(1) | SDT_REG_BIT(2) | \
			  SDT_REG_BIT(3) | SDT_REG_BIT(4) | SDT_REG_BIT(5))

struct sdt_func_span {
	__u32 start;	/* first instruction */
	int nargs;	/* parameters (r1..rN initialised at entry) */
};

struct sdt_reg_state {
	__u16 live_in;		/* live before the instruction */
	__u16 live_out;		/* live after it: what a call inserted at a
				 * `goto +0` site must preserve */
	__u16 init_in;		/* initialised on every path to the instruction */
	__u16 maybe_init_in;	/* initialised on some path to it */
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

/*
 * Raises each subprogram's argument count to the registers it reads before
 * writing them: the verifier hands a static callee all of r1..r5, whatever
 * its BTF prototype says (a __naked asm function is `void f(void)` and
 * reads r1 and r2). A callee of a program that verified reads only what
 * its callers set, so those registers are set at its entry too.
 * 0, or what sdt_reg_analysis() returns.
 */
int sdt_reg_args_read(const struct bpf_insn *insns, __u32 cnt, struct sdt_func_span *funcs,
		      __u32 nfuncs);

/*
 * Making a register that is live after a site, but initialized on only some
 * paths to it, preservable. Saving it means reading it, and the verifier
 * refuses to read a register on a path where nothing wrote it -- although
 * the program itself never reads it there (it verified). No placement of
 * the save at the site can tell those paths apart: they may differ only in
 * values the verifier tracks. What can be told apart statically are the
 * points where the register *becomes* undefined on every path through them:
 * a function's entry (r0 always; r2..r5 of the program's entry), right
 * after a call (r1..r5; r0 after a void helper) or a legacy packet load
 * (r1..r5). Writing 0 there changes nothing the program can observe -- no
 * path reads that undefined value, or the program would not have verified --
 * and makes the register initialized on every path to the site, so the
 * ordinary save and restore apply. Only such points reaching the site
 * without an intervening write are filled: the search walks backwards from
 * the site (into a callee's exits for an r0 a static call returns unset,
 * out to the callers for an argument register unset at a subprogram's
 * entry).
 */
struct sdt_reg_fill {
	__u32 insn;	/* a function's first instruction, or a call */
	bool after;	/* false: before insn, on entry to its function only
			 * (jumps back to the entry skip it); true: right
			 * after the call, on its fall-through only */
	__u8 reg;
};

struct sdt_reg_fills {
	struct sdt_reg_fill *v;
	size_t cnt, cap;
};

/*
 * Adds to fills (deduplicated) what makes reg initialized on every path to
 * instruction site, given states from sdt_reg_analysis(). Returns 0,
 * -ENOENT when some path gets the register undefined from where no write
 * can be placed (a callback's entry: its arguments are the kernel's),
 * -EINVAL, -ENOMEM.
 */
int sdt_reg_fill_for(const struct bpf_insn *insns, __u32 cnt, const struct sdt_func_span *funcs,
		     __u32 nfuncs, const struct sdt_reg_state *states, __u32 site, int reg,
		     struct sdt_reg_fills *fills);
void sdt_reg_fills_free(struct sdt_reg_fills *fills);

#endif
