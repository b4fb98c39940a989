/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Handing a program's new version to whatever runs it: the caller, by fd
 * (BPF_PROG_TEST_RUN through bpf_sdt_target__prog_fd()), or a live hook
 * (XDP netlink, bpf_links, cls_bpf filters, prog array slots), replaced
 * atomically and naming the program expected there.
 */
#ifndef __BPFSDT_SWAP_H
#define __BPFSDT_SWAP_H

#include "arm/hook.h"

/* Makes new_fd (an armed copy, or -1 for the original) the running version
 * of tp. On success takes ownership of new_fd and releases the previous
 * armed copy; on failure new_fd is still the caller's, and either nothing
 * changed (our version still runs) or the hook is no longer ours
 * (t->hook.lost: someone else's program runs there, or none, or the hook is
 * gone; -EEXIST or -ENODEV): then it is left as it is, the previous armed
 * copy released, and every later swap of tp fails without touching it.
 * Either way one line says why. */
int sdt_swap(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int new_fd);

#endif
