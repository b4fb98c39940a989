/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Attachments of a target (attach.c), for what builds on arming: the
 * tracer and the sweep attach generated code, open.c detaches on close. */
#ifndef __BPFSDT_ATTACH_H
#define __BPFSDT_ATTACH_H

#include "target/target.h"

struct sdt_site_cond;

/* Attaches instructions libbpfsdt generated (trusted: no
 * observer checks, no BTF of their own). */
struct sdt_generated {
	const struct bpf_sdt_probe *probe;
	const char *name;
	const struct bpf_insn *insns;	/* none for an inline counter */
	__u32 insn_cnt;
	const char *target_prog;
	/* an inline counter instead of code (relink.h, struct sdt_arm_obs) */
	bool inline_count;
	int counter_fd;
	__u32 (*counter_slot)(void *ctx, const struct bpf_sdt_site *site);
	void *counter_ctx;
	bool counter_percpu;
	const struct sdt_site_cond *cond;
};
/* All n in one re-arming (each affected program swapped once); links[k]
 * for g[k]. 0 or -errno, nothing attached then. */
int sdt_target_attach_generated_all(struct bpf_sdt_target *t, const struct sdt_generated *g,
				    size_t n, struct bpf_sdt_link **links);
struct bpf_sdt_link *sdt_target_attach_generated(struct bpf_sdt_target *t,
						 const struct bpf_sdt_probe *probe,
						 const char *name, const struct bpf_insn *insns,
						 __u32 insn_cnt, const char *target_prog);
/* Puts every original back, each program in one swap; the
 * attachments stay as links to destroy, observing nothing. 0, or the first
 * failure (said in one line). */
int sdt_target_disarm(struct bpf_sdt_target *t);
/* Detaches n links of t in one re-arming (each affected program
 * swapped once); they are gone even when that fails (then said why). */
int sdt_target_detach_links(struct bpf_sdt_target *t, struct bpf_sdt_link *const *links,
			    size_t n);
/* Disarms and drops every attachment. */
int sdt_target_detach_all(struct bpf_sdt_target *t);

#endif
