/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The maps an observer may use: those its own object created, bound by the
 * kernel's map ids, never by fd numbers or names (docs/isolation.md).
 */
#ifndef __BPFSDT_OBSERVER_MAPS_H
#define __BPFSDT_OBSERVER_MAPS_H

#include <bpf/libbpf.h>
#include "target/target.h"

/* Kernel ids of the maps obj (NULL: none) created that no program of t
 * uses -- a map the observer's object reused from a pin or an fd of the
 * target's is not its own. 0 or -errno; *ids is malloc'ed. */
int sdt_observer_own_maps(const struct bpf_sdt_target *t, const struct bpf_object *obj,
			  __u32 **ids, size_t *cnt);

/* Makes the maps an observer's ld_imm64 instructions name by fd its own:
 * each fd that is a map is replaced by a duplicate held in *fds (close them
 * with sdt_observer_release_maps()), so that what the check proves about a
 * map stays true whatever the process does with its fds later. An fd that
 * is no map is left for the check to refuse. 0 or -ENOMEM. */
int sdt_observer_bind_maps(struct bpf_insn *insns, __u32 cnt, int **fds, size_t *nfds);
void sdt_observer_release_maps(int *fds, size_t nfds);

#endif
