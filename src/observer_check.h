/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_OBSERVER_CHECK_H
#define __BPFSDT_OBSERVER_CHECK_H

#include <linux/bpf.h>
#include "internal.h"

/* The helper whose calls the relinker turns into a load of the cookie slot. */
#define SDT_COOKIE_HELPER "bpf_get_attach_cookie"

struct sdt_observer_check {
	const char *file;		/* for diagnostics */
	const char *observer;
	const char *probe;
	const struct bpf_insn *insns;	/* the observer's final instructions */
	__u32 insn_cnt;
	__u32 main_end;			/* end of its main function */
	int nargs;			/* the probe's */
	__u32 ptr_args;			/* bit i: argument i is a pointer */
};

/* 0, or -EINVAL with one diagnostic naming the observer, probe and
 * instruction; see observer_check.c for the rules. */
int sdt_observer_check(const struct sdt_observer_check *req);

#endif
