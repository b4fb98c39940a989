/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every stage of libbpfsdt uses: diagnostics, opts fields, checked
 * allocation, whole files, the clock. */
#ifndef __BPFSDT_UTIL_H
#define __BPFSDT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "libbpfsdt.h"

__attribute__((format(printf, 2, 3)))
void sdt_pr(enum bpf_sdt_print_level level, const char *fmt, ...);
/* Keeps the warnings of what runs until _end in buf (NUL-terminated,
 * truncated to size) instead of printing them: for trying something whose
 * failure is an answer, not an error (bpfsdt sweep narrowing down which
 * boundary the verifier refuses). Not nested, not thread-safe. */
void sdt_pr_capture_begin(char *buf, size_t size);
void sdt_pr_capture_end(void);
#define pr_warn(fmt, ...) sdt_pr(BPF_SDT_WARN, fmt "\n", ##__VA_ARGS__)
#define pr_info(fmt, ...) sdt_pr(BPF_SDT_INFO, fmt "\n", ##__VA_ARGS__)
#define pr_debug(fmt, ...) sdt_pr(BPF_SDT_DEBUG, fmt "\n", ##__VA_ARGS__)

/*
 * A caller's opts struct (libbpf's OPTS_VALID/OPTS_GET): its sz says how
 * much of it the caller knows. Every public entry point taking one checks
 * it first with SDT_OPTS_VALID(): a struct smaller than its sz field, or
 * one from a newer caller setting fields this library does not know (any
 * non-zero byte past type##__last_field), is refused with one line naming
 * the struct. SDT_OPTS_GET() then reads a field, or fallback when the
 * caller's struct predates it. An output struct (stats, status) is only
 * filled up to its sz: SDT_OPTS_VALID_OUT().
 */
bool sdt_opts_valid(const void *opts, size_t known, size_t user_sz, const char *type);
#define sdt_offsetofend(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define SDT_OPTS_VALID(opts, type)						\
	(!(opts) || sdt_opts_valid((opts), sdt_offsetofend(struct type, type##__last_field), \
				   (opts)->sz, #type))
#define SDT_OPTS_VALID_OUT(opts, type)						\
	((opts) && sdt_opts_valid((opts), (opts)->sz, (opts)->sz, #type))
#define SDT_OPTS_HAS(opts, field)						\
	((opts) && (opts)->sz >= sdt_offsetofend(__typeof__(*(opts)), field))
#define SDT_OPTS_GET(opts, field, fallback)					\
	(SDT_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* Checked size arithmetic for allocations driven by untrusted counts. */
void *sdt_calloc(size_t n, size_t size);
char *sdt_strdup(const char *s);
/* Room in *arr (of elements of size, *cap of them) for one more after its
 * cnt: a full array doubles, an empty one starts at first. 0 or -ENOMEM,
 * *arr and *cap untouched then. */
int sdt_reserve(void **arr, size_t *cap, size_t cnt, size_t size, size_t first);
/* A regular file's whole content (caller frees); NULL with *err set. */
void *sdt_read_file(const char *path, size_t *size, int *err);

/* clock.c: CLOCK_MONOTONIC in nanoseconds, for the arming statistics. */
__u64 sdt_now_ns(void);

#endif /* __BPFSDT_UTIL_H */
