/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A live hook (struct sdt_hook, target.h): what it runs, and replacing that
 * with a compare-and-replace. Nothing here prints: the callers say what a
 * failure means to them.
 */
#ifndef __BPFSDT_HOOK_H
#define __BPFSDT_HOOK_H

#include "target/target.h"

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
