/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Dynamic sites: probes at instruction boundaries of a loaded program that
 * has no compiled-in NOP there. Each is a zero-argument site whose event
 * carries the registers r0..r9 (the ones no path initialises there are
 * BPF_SDT_ARG_NONE and read as 0); arming inserts its code before the
 * instruction instead of replacing a `goto +0`.
 */
#ifndef __BPFSDT_DYNAMIC_SITES_H
#define __BPFSDT_DYNAMIC_SITES_H

#include "target/target.h"

/* Dynamic site ids start here, far above any .bpf_sdt_notes position. */
#define SDT_DYNAMIC_SITE_ID_BASE 0x40000000u
#define SDT_DYNAMIC_NARGS 10	/* r0..r9 */

/* The probe named spec ("PROG+INSN" or "FILE:LINE"), created with its sites
 * on first use. NULL with errno: ENOENT when spec is not of either form,
 * else after one diagnostic naming spec (EINVAL: no such boundary). */
const struct bpf_sdt_probe *sdt_dynamic_probe(struct bpf_sdt_target *t, const char *spec);
/* A dynamic site by id, or NULL. */
const struct bpf_sdt_site *sdt_dynamic_site_by_id(const struct bpf_sdt_target *t, __u32 id);
bool sdt_probe_is_dynamic(const struct bpf_sdt_target *t, const struct bpf_sdt_probe *probe);
/* Every boundary of tp where a site can go: fills idx (tp->cap.insn_cnt
 * entries at most) and returns the count. */
__u32 sdt_prog_boundaries(const struct sdt_target_prog *tp, __u32 *idx);
void sdt_dynamic_free(struct bpf_sdt_target *t);

#endif
