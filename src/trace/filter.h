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

#endif
