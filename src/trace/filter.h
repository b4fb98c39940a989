/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_FILTER_H
#define __BPFSDT_FILTER_H

#include <linux/bpf.h>
#include "discover/discover.h"
#include "insn/emit.h"

/*
 * Compiles filter expression expr for probe (types from btf) into code that
 * leaves 1 in r1 when an event passes and 0 when not, reading arguments
 * through r6 (the argument array) and using r1..r5, r7..r9, appended to b
 * (its jumps resolved). Returns 0, or a negative errno with a message in
 * err.
 */
int sdt_filter_compile(const char *expr, const struct btf *btf, const struct bpf_sdt_probe *probe,
		       struct sdt_insn_buf *b, char *err, size_t err_size);

/* The same filter parsed once (0, or a negative errno with a message in
 * err), for code at each site of the probe: */
struct sdt_filter;
int sdt_filter_parse(const char *expr, const struct btf *btf, const struct bpf_sdt_probe *probe,
		     struct sdt_filter **out, char *err, size_t err_size);
void sdt_filter_free(struct sdt_filter *f);

/* Emits argument arg of the site into reg, as its u64 slot would hold it. */
typedef void (*sdt_filter_load_arg_fn)(void *ctx, struct sdt_insn_buf *b, __u8 reg, int arg);
/* Appends code to b that falls through when an event passes the filter and
 * jumps to label fail (b's, placed by the caller) when it does not, using
 * only registers ra and rb (and whatever load_arg() does). 0 or -errno. */
int sdt_filter_emit_jumps(const struct sdt_filter *f, struct sdt_insn_buf *b, __u8 ra, __u8 rb,
			  int fail, sdt_filter_load_arg_fn load_arg, void *ctx);

#endif
