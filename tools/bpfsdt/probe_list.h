/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The probes a command arms: named on the command line or, by default, every
 * probe with sites in the program. Grows as needed (an object can declare
 * more probes than the command line has arguments) and holds each name once
 * (a probe armed twice would report every event twice).
 */
#ifndef __BPFSDT_PROBE_LIST_H
#define __BPFSDT_PROBE_LIST_H

#include <stddef.h>
#include "libbpfsdt.h"

struct probe_list {
	const char **names;	/* borrowed strings */
	size_t n, cap;
};

/* 0, or -ENOMEM. A name already listed is not added again. */
int probe_list_add(struct probe_list *l, const char *name);
/* Adds every probe of t with sites in program prog (NULL: in the program
 * on a live target's hook, or in any program). */
int probe_list_add_defaults(struct probe_list *l, const struct bpf_sdt_target *t,
			    const char *prog);
void probe_list_free(struct probe_list *l);

#endif
