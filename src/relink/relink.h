/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_RELINK_H
#define __BPFSDT_RELINK_H

#include "insn/emit.h"
#include "target/target.h"

/*
 * One observer called from a program's sites of one probe. It is called with
 * r1 pointing at u64 slots: the probe's nargs arguments, then the calling
 * site's id (SDT_SLOT_SITE, bpf_sdt_site__id(): what the kernel's SDT
 * trampolines pass there too), then the link's cookie (SDT_SLOT_COOKIE; read
 * by bpf_get_attach_cookie(), which the relinker rewrites into that load:
 * the checker keeps compiled observers to the arguments and the site id).
 */
#define SDT_SLOT_SITE(nargs) (nargs)
#define SDT_SLOT_COOKIE(nargs) ((nargs) + 1)
#define SDT_SLOTS(nargs) ((nargs) + 2)

/* The helper whose calls the relinker turns into a load of the cookie slot. */
#define SDT_COOKIE_HELPER "bpf_get_attach_cookie"

struct sdt_arm_obs {
	const struct bpf_sdt_probe *probe;
	__u64 cookie;
	const char *name;			/* observer program name */
	const struct sdt_prog_capture *code;	/* its final instructions */
	const struct btf *btf;			/* its object's BTF; NULL for
						 * code libbpfsdt generated */
	/* Instead of code to call: add one to the u64 at slot
	 * counter_slot(counter_ctx, site) of the single value of array map
	 * counter_fd, inlined in the site (no call, no spilled arguments:
	 * it works where calls are not allowed, inside bpf_spin_lock). */
	bool inline_count;
	int counter_fd;
	__u32 (*counter_slot)(void *ctx, const struct bpf_sdt_site *site);
	void *counter_ctx;
	/* ...or, with counter_percpu, add one to this CPU's u64 at key
	 * counter_slot() of BPF_MAP_TYPE_PERCPU_ARRAY counter_fd, without an
	 * atomic (no other CPU writes it): the map lookup it takes is a helper
	 * call to the verifier (inlined by it into a few instructions), so
	 * the caller-saved registers live there are saved around it. */
	bool counter_percpu;
	/* per-CPU counting only: count only the hits this holds for */
	const struct sdt_site_cond *cond;
};

/*
 * A condition inlined before a site's counter (the tracer's filter). emit()
 * appends code that falls through when the site's event passes and jumps
 * to label fail (b's) when it does not, using only registers ra and rb,
 * and load_arg() to put the site's argument arg into a register as its u64
 * slot would hold it (widened by its declared type).
 */
struct sdt_site_cond {
	int (*emit)(const struct sdt_site_cond *c, struct sdt_insn_buf *b, __u8 ra, __u8 rb,
		    int fail, void (*load_arg)(void *ctx, struct sdt_insn_buf *b, __u8 reg, int arg),
		    void *ctx);
};

/*
 * Builds the armed copy of tp in which each site of an observed probe calls
 * that probe's observers (in array order), and loads it. Returns the new
 * program's fd, or a negative errno after one diagnostic (plus the
 * verifier's relevant lines when the kernel refused the copy).
 */
int sdt_relink(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
	       const struct sdt_arm_obs *obs, size_t nobs);

#define MAX_BPF_STACK 512

/*
 * The copy builder's hook: a copy whose sites run other code than observer
 * calls. The kernel check's copy (check/check_copy.h) checks each site's
 * arguments there. The builder does the rest as for an armed copy -- the
 * register fills, the patching around the grown sites, the merged BTF, the
 * func and line info, the load -- and the emitter's sequences may call
 * global functions it declares, each appended as `return 0`: their BTF
 * signature is what the verifier checks each call against.
 */
struct sdt_relink;

struct sdt_site_emitter {
	const char *name;		/* of the copy, in reasons: "check copy" */
	/* Whether site ps gets a sequence; the others keep their NOP. */
	bool (*selects)(struct sdt_site_emitter *e, const struct sdt_prog_site *ps);
	/* Emits ps's sequence into sdt_relink_code(r). 0 or -errno. */
	int (*emit)(struct sdt_site_emitter *e, struct sdt_relink *r,
		    const struct sdt_prog_site *ps);
	/* Once the copy is assembled: where site's sequence starts in it. */
	void (*placed)(struct sdt_site_emitter *e, const struct bpf_sdt_site *site, __u32 start);
	/* The global functions sequences call (sdt_relink_call()): how many,
	 * and add_func() declares function k in the copy's BTF (the FUNC's
	 * id, or -errno); func_line is their line_info text. */
	size_t func_cnt;
	int (*add_func)(struct sdt_site_emitter *e, struct btf *btf, size_t k);
	const char *func_line;
	char *log;			/* NULL: verify without a log; else level 1 */
	__u32 log_size;
	/* results */
	bool rejected;			/* BPF_PROG_LOAD itself failed */
	char reason[256];		/* why no copy could be made or loaded */
};

/* Builds tp's copy with e's sequences at the sites it selects and loads it:
 * the copy's fd, or a negative errno with e->rejected or e->reason saying
 * why (nothing printed). */
int sdt_relink_emitted(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
		       struct sdt_site_emitter *e);

/* For an emitter's emit(): the sequence being built; a call of its global
 * function k in it. */
struct sdt_insn_buf *sdt_relink_code(struct sdt_relink *r);
void sdt_relink_call(struct sdt_relink *r, size_t k);
/* The caller-saved registers live after ps that a call there must save, as
 * for an observer call: 0, or -errno after sdt_relink_refuse(). */
int sdt_relink_saves(struct sdt_relink *r, const struct sdt_prog_site *ps, __u16 *spill);
/* The stack ps's function uses, in whole u64 slots: what is below is free. */
__u32 sdt_relink_stack_depth(const struct sdt_relink *r, const struct sdt_prog_site *ps);
/* Saves (restores) the registers of spill in the u64 slots below offset
 * base of the frame pointer. */
void sdt_relink_save_regs(struct sdt_insn_buf *b, __u16 spill, __u32 base);
void sdt_relink_restore_regs(struct sdt_insn_buf *b, __u16 spill, __u32 base);
/* Why ps cannot have its sequence: e->reason when emitting, else a warning
 * naming the site. */
__attribute__((format(printf, 3, 4)))
void sdt_relink_refuse(struct sdt_relink *r, const struct sdt_prog_site *ps, const char *fmt, ...);

#endif
