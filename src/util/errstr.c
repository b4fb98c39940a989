// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/libbpf.h>
#include <stdio.h>
#include "util/errstr.h"

const char *sdt_errstr(int err)
{
	static __thread char buf[128];

	if (libbpf_strerror(err < 0 ? err : -err, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "error %d", err < 0 ? -err : err);
	return buf;
}
