/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_OBSERVER_CHECK_H
#define __BPFSDT_OBSERVER_CHECK_H

#include <linux/bpf.h>
#include "discover/discover.h"
#include "insn/reg_analysis.h"

/* Iterations of a bpf_loop callback an observer may run per call, nested
 * loops multiplied (docs/isolation.md). */
#define SDT_OBSERVER_LOOP_MAX 4096

struct sdt_observer_check {
	const char *file;		/* for diagnostics */
	const char *observer;
	const char *probe;
	const struct bpf_insn *insns;	/* the observer's final instructions */
	__u32 insn_cnt;
	const struct sdt_func_span *funcs;	/* its functions, sorted by start */
	__u32 nfuncs;
	int nargs;			/* the probe's */
	__u32 scalar_args;		/* bit i: argument i is always a scalar */
	/* Kernel ids of the maps the observer's own object created (and the
	 * target does not use): the only maps it may name. */
	const __u32 *own_map_ids;
	size_t own_map_cnt;
	bool own_maps_known;		/* the caller named the observer's object */
};

/* attach.c: tests only -- attach observers unchecked. */
extern bool sdt_test_unchecked_observers;

/* 0, -EINVAL with one diagnostic naming the observer, probe and
 * instruction, or -ENOMEM; see observer_check.c for the rules. */
int sdt_observer_check(const struct sdt_observer_check *req);

#endif
