/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * An abstract interpretation of a final (relocated) BPF program: for every
 * instruction, what each register and each 8-byte slot of the function's
 * stack frame holds on all paths reaching it (see abstract_value.h). It
 * follows every path, joins at merge points (widening scalar ranges in
 * loops), tracks spills and fills, NULL checks (copies share an id),
 * packet bounds checks (the verifier's ranges), subprogram calls
 * (context-insensitive: a static function's entry joins every call, its
 * exits give the call's r0; a global function starts from its BTF
 * prototype), helper results and the callbacks of bpf_loop and friends.
 *
 * States are kept at basic block starts only; the state before any other
 * instruction is recomputed from its block's start on demand.
 *
 * Observers are analysed for provenance instead (struct sdt_va_observer):
 * the question is no longer what the verifier will say but what a value
 * may be at run time, so every rule errs towards "may derive from the
 * target" (SDT_AK_FOREIGN) and towards "may be a scalar":
 *  - r1 of the main function is the argument array (SDT_AK_CTX); an
 *    argument is FOREIGN unless it is a narrow integer, which the relinker
 *    re-extends (the verifier refuses that shift on a pointer);
 *  - a load through FOREIGN gives FOREIGN; a 64-bit add or subtract keeps
 *    every pointer kind an operand may have (pointer + pointer is refused
 *    by the verifier, so an own pointer plus a FOREIGN value is still an
 *    own pointer); every other operation gives a scalar, as it does in the
 *    verifier or is refused there;
 *  - stack memory is followed across frames: each function's frame has a
 *    flow-insensitive summary of what other functions (callees, callbacks)
 *    and imprecise stores (joined or variable offsets) put there, joined
 *    into its own loads, and loads through pointers into other frames see
 *    everything ever stored into them; the analysis iterates until these
 *    summaries are stable;
 *  - a helper may write every byte a written memory argument can reach
 *    (helper_effects.h): those slots may hold any scalar afterwards;
 *  - global functions start from their calls, like static ones (what runs
 *    is what the caller passes).
 */
#ifndef __BPFSDT_VALUE_ANALYSIS_H
#define __BPFSDT_VALUE_ANALYSIS_H

#include <linux/bpf.h>
#include "insn/abstract_value.h"
#include "insn/reg_analysis.h"

#define SDT_VA_STACK 512		/* MAX_BPF_STACK, not in the UAPI */
#define SDT_VA_SLOTS (SDT_VA_STACK / 8)

/* The stack slot fp-8*(i+1)..fp-8*i-1 is stack[i]. part_*: a constant a
 * narrower store left in the slot (array map keys are usually u32). */
struct sdt_va_state {
	struct sdt_aval regs[MAX_BPF_REG];
	struct sdt_aval stack[SDT_VA_SLOTS];
	__u32 part_val[SDT_VA_SLOTS];
	__u8 part_off[SDT_VA_SLOTS];	/* byte offset in the slot */
	__u8 part_size[SDT_VA_SLOTS];	/* 0: none */
};

struct sdt_va_map {
	int fd;			/* -1 when the object was not loaded */
	enum bpf_map_type type;
	__u32 value_size, max_entries;
};

/* An observer's argument array: nargs u64 arguments, then the calling
 * site's id and the attachment's cookie (relink.h). */
struct sdt_va_observer {
	int nargs;
	__u32 scalar_args;	/* bit i: argument i is always a scalar */
};

struct sdt_va_input {
	const struct bpf_insn *insns;
	__u32 insn_cnt;
	const struct sdt_func_span *funcs;	/* sorted by start, funcs[0].start == 0 */
	__u32 nfuncs;
	/* Per function: NULL for a static one (its entry comes from its calls),
	 * else the values of r1..r5 its BTF prototype gives a global function. */
	const struct sdt_aval *const *global_args;
	enum bpf_prog_type prog_type;
	/* ld_imm64 map references: by index (src_reg 5, 6: libbpf's gen
	 * loader) or by fd (src_reg 1, 2: a loaded object). */
	const struct sdt_va_map *maps;
	__u32 map_cnt;
	__u64 step_budget;	/* instructions interpreted at most; 0: 20 million */
	/* Non-NULL: the code is an observer, analysed for provenance (above);
	 * global_args must then be NULL and prog_type is ignored. */
	const struct sdt_va_observer *observer;
};

struct sdt_va;

/* 0, -EINVAL (a jump or call leaving its function or the program, an
 * unknown instruction class), -E2BIG (no fixpoint within the step budget),
 * -ENOMEM. */
int sdt_va_run(const struct sdt_va_input *in, struct sdt_va **out);
/* The state before instruction idx; false when no path reaches it. */
bool sdt_va_state_at(const struct sdt_va *va, __u32 idx, struct sdt_va_state *out);
/* Calls visit(ctx, idx, state before idx) for every instruction some path
 * reaches, in order; stops at and returns visit's first non-zero result. */
int sdt_va_walk(const struct sdt_va *va,
		int (*visit)(void *ctx, __u32 idx, const struct sdt_va_state *st), void *ctx);
/* The function holding instruction idx (an index into the input's funcs). */
__u32 sdt_va_func_of(const struct sdt_va *va, __u32 idx);
/* The map an abstract value's aux names, or NULL. */
const struct sdt_va_map *sdt_va_map(const struct sdt_va *va, __u32 aux);
void sdt_va_free(struct sdt_va *va);

#endif
