/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Finding the program that runs on a live hook, and how to replace it
 * there (into the target's struct sdt_hook, which swap.c uses).
 */
#ifndef __BPFSDT_LIVE_HOOKS_H
#define __BPFSDT_LIVE_HOOKS_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "target/target.h"

/* A program the kernel runs, with its map ids. */
struct running_prog {
	int fd;
	struct bpf_prog_info info;
	__u32 *map_ids;
};

void sdt_running_prog_put(struct running_prog *rp);

/* obj's program with the running program's name and type, or NULL. */
struct bpf_program *sdt_running_twin(struct bpf_object *obj, const struct bpf_prog_info *info);

/* The program on hook h (when a hook runs several, the one obj has a twin
 * of) into *rp, and how to replace it into t->hook. One line on failure. */
int sdt_hook_find(struct bpf_sdt_target *t, const struct bpf_sdt_hook *h,
		  struct bpf_object *obj, struct running_prog *rp);

/* The ids of the programs on hook h, in the order they run (0 when none
 * runs there; *ids is the caller's to free). name prefixes the one line
 * said on failure. */
int sdt_hook_prog_ids(const char *name, const struct bpf_sdt_hook *h, __u32 **ids);

/* For a live rebuild: the typeless twins of the programs running on hook get
 * their running program's type (what the kernel says it is, so the rebuild
 * can be the running program); other typeless programs are not loaded. */
void sdt_type_unknown_sections_live(struct bpf_object *obj, const char *name,
				    const struct bpf_sdt_hook *hook);

#endif
