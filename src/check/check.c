// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_sdt_target__check(): the findings of either check mode. The kernel
 * verifies a check copy of each program (check_kernel.h), or the value
 * analysis follows it without privileges (check_offline.h); both report
 * through findings.h, and neither depends on this file.
 */
#include <errno.h>
#include <stdlib.h>
#include "check/check_kernel.h"
#include "check/check_offline.h"

struct bpf_sdt_check *bpf_sdt_target__check(struct bpf_sdt_target *t,
					    const struct bpf_sdt_check_opts *opts)
{
	enum bpf_sdt_check_mode mode = SDT_OPTS_GET(opts, mode, 0) ?: BPF_SDT_CHECK_KERNEL;
	struct bpf_sdt_check *c;
	int err;

	if (!SDT_OPTS_VALID(opts, bpf_sdt_check_opts) || !t ||
	    (mode != BPF_SDT_CHECK_KERNEL && mode != BPF_SDT_CHECK_OFFLINE)) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	if (mode == BPF_SDT_CHECK_KERNEL && t->offline) {
		pr_warn("%s: opened offline (not loaded): only the offline check applies", t->name);
		err = -EOPNOTSUPP;
	} else {
		err = mode == BPF_SDT_CHECK_KERNEL ? sdt_check_kernel(t, c) : sdt_check_offline(t, c);
	}
	if (err) {
		bpf_sdt_check__free(c);
		errno = -err;
		return NULL;
	}
	return c;
}
