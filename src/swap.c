// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <unistd.h>
#include "swap.h"

int sdt_swap(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int new_fd)
{
	int old = tp->armed_fd;

	(void)t;
	tp->armed_fd = new_fd;
	if (old >= 0)
		close(old);
	return 0;
}
