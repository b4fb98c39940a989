/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The context struct of each program type libbpfsdt knows: one list for the
 * argument checks (check.c) and the offline interpreter (value_analysis.c). */
#ifndef BPFSDT_PROG_CTX_H
#define BPFSDT_PROG_CTX_H

#include <stdbool.h>
#include <linux/bpf.h>

/* Whether programs of this type get a struct __sk_buff as their context. */
bool sdt_ctx_is_sk_buff(enum bpf_prog_type type);
/* The context struct programs of type `type` get ("xdp_md", "__sk_buff"),
 * NULL when libbpfsdt does not know it. */
const char *sdt_ctx_struct_name(enum bpf_prog_type type);

#endif
