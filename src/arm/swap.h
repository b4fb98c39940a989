/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Handing a program's new version to whatever runs it: the caller, by fd
 * (BPF_PROG_TEST_RUN through bpf_sdt_target__prog_fd()), or a live hook
 * (XDP netlink, bpf_links, cls_bpf filters, prog array slots), replaced
 * atomically and naming the program expected there.
 */
#ifndef __BPFSDT_SWAP_H
#define __BPFSDT_SWAP_H

#include "target/target.h"

/* Makes new_fd (an armed copy, or -1 for the original) the running version
 * of tp. On success takes ownership of new_fd and releases the previous
 * armed copy; on failure new_fd is still the caller's, and either nothing
 * changed (our version still runs) or the hook is no longer ours
 * (t->hook.lost: someone else's program runs there, or none, or the hook is
 * gone; -EEXIST or -ENODEV): then it is left as it is, the previous armed
 * copy released, and every later swap of tp fails without touching it.
 * Either way one line says why. */
int sdt_swap(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int new_fd);

/* The one replacement path, also the guardian's: old_fd for new_fd on h,
 * failing (-EEXIST) if h does not run old_fd. Nothing printed. */
int sdt_hook_replace(const struct sdt_hook *h, int old_fd, int new_fd);
/* The id of the program h runs now (0: none): 0, -ENODEV when its
 * interface is gone, -ENOLINK when its link is detached, or -errno. */
int sdt_hook_running(const struct sdt_hook *h, __u32 *id);
/* sdt_hook_running()'s answer in words, for a diagnostic line. */
void sdt_hook_state_text(int err, __u32 running, char *buf, size_t size);
/* The kernel's id of the program fd refers to; 0 if none. */
__u32 sdt_prog_id(int fd);

#endif
