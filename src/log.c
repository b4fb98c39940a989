// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Diagnostics go through one replaceable callback, as in libbpf. */
#include <stdarg.h>
#include <stdio.h>
#include "internal.h"

static int default_print(enum bpf_sdt_print_level level, const char *fmt, va_list args)
{
	if (level != BPF_SDT_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bpf_sdt_print_fn_t print_fn = default_print;

bpf_sdt_print_fn_t bpf_sdt_set_print(bpf_sdt_print_fn_t fn)
{
	bpf_sdt_print_fn_t old = print_fn;

	print_fn = fn;
	return old;
}

void sdt_pr(enum bpf_sdt_print_level level, const char *fmt, ...)
{
	va_list args;

	if (!print_fn)
		return;
	va_start(args, fmt);
	print_fn(level, fmt, args);
	va_end(args);
}
