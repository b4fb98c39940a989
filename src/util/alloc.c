// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"

void *sdt_calloc(size_t n, size_t size)
{
	/* calloc checks n * size itself; zero-sized tables still get a
	 * pointer so "NULL means failure" holds everywhere. */
	return calloc(n ? n : 1, size ? size : 1);
}

char *sdt_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int sdt_reserve(void **arr, size_t *cap, size_t cnt, size_t size, size_t first)
{
	size_t n;
	void *grown;

	if (cnt < *cap)
		return 0;
	n = *cap ? *cap * 2 : first;
	grown = reallocarray(*arr, n, size);
	if (!grown)
		return -ENOMEM;
	*arr = grown;
	*cap = n;
	return 0;
}
