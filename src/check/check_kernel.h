/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kernel-verified check (check_kernel.c): findings through findings.h. */
#ifndef __BPFSDT_CHECK_KERNEL_H
#define __BPFSDT_CHECK_KERNEL_H

#include "check/findings.h"

/* Kernel mode: findings of every site of t. 0, or -errno (said why). */
int sdt_check_kernel(struct bpf_sdt_target *t, struct bpf_sdt_check *c);
/* Before attaching: every site of the nprobes probes in tp must pass the
 * kernel check (cached per site; the unchecked ones are checked together).
 * 0, or -EACCES after one line per failing site. */
int sdt_check_probe_sites(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
			  const struct bpf_sdt_probe *const *probes, size_t nprobes);

#endif
