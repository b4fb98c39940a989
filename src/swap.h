/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Handing a program's new version to whatever runs it: the caller, by fd
 * (BPF_PROG_TEST_RUN through bpf_sdt_target__prog_fd()), or a live hook
 * (XDP netlink, bpf_links, cls_bpf filters, prog array slots), replaced
 * atomically and naming the program expected there.
 */
#ifndef __BPFSDT_SWAP_H
#define __BPFSDT_SWAP_H

#include "target.h"

/* Makes new_fd (an armed copy, or -1 for the original) the running version
 * of tp. On success takes ownership of new_fd and releases the previous
 * armed copy; on failure nothing changed and new_fd is still the caller's. */
int sdt_swap(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int new_fd);

#endif
