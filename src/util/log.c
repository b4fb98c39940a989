// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Diagnostics go through one replaceable callback, as in libbpf. */
#include <stdarg.h>
#include <stdio.h>
#include "util/util.h"

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

/* While a capture is on, warnings are kept for the caller instead. */
static struct {
	char *buf;
	size_t size, len;
} capture;

void sdt_pr(enum bpf_sdt_print_level level, const char *fmt, ...)
{
	va_list args;
	int n;

	if (capture.buf) {
		if (level != BPF_SDT_WARN || capture.len + 1 >= capture.size)
			return;
		va_start(args, fmt);
		n = vsnprintf(capture.buf + capture.len, capture.size - capture.len, fmt, args);
		va_end(args);
		if (n > 0)
			capture.len += (size_t)n < capture.size - capture.len ?
				       (size_t)n : capture.size - capture.len - 1;
		return;
	}
	if (!print_fn)
		return;
	va_start(args, fmt);
	print_fn(level, fmt, args);
	va_end(args);
}

void sdt_pr_capture_begin(char *buf, size_t size)
{
	capture.buf = size ? buf : NULL;
	capture.size = size;
	capture.len = 0;
	if (size)
		buf[0] = '\0';
}

void sdt_pr_capture_end(void)
{
	capture.buf = NULL;
}
