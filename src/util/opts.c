// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Callers' opts structs (util.h, SDT_OPTS_VALID). */
#include "util/util.h"

bool sdt_opts_valid(const void *opts, size_t known, size_t user_sz, const char *type)
{
	const char *p = opts;
	size_t i;

	if (user_sz < sizeof(size_t)) {
		pr_warn("libbpfsdt: struct %s: size %zu is too small", type, user_sz);
		return false;
	}
	/* a newer caller's fields: refused unless left zero (not set) */
	for (i = known; i < user_sz; i++) {
		if (p[i]) {
			pr_warn("libbpfsdt: struct %s: byte %zu is set, past the fields this libbpfsdt knows (%zu bytes)",
				type, i, known);
			return false;
		}
	}
	return true;
}
