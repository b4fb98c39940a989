/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Findings of checking probe sites against their declared types: the
 * result shared by the kernel-verified check (check_kernel.c) and the
 * offline one (check_offline.c), and the wording both use.
 */
#ifndef __BPFSDT_FINDINGS_H
#define __BPFSDT_FINDINGS_H

#include <bpf/btf.h>
#include "insn/prog_ctx.h"
#include "target/target.h"

struct bpf_sdt_check {
	struct bpf_sdt_finding *findings;
	size_t cnt;
};

void sdt_check_free_findings(struct bpf_sdt_check *c);

/* What a declared argument type requires of the value at a site. */
enum sdt_requirement {
	SDT_REQ_SCALAR,		/* integer, enum, bool */
	SDT_REQ_CTX,		/* pointer to the program's context type */
	SDT_REQ_PTR,		/* any other pointer: non-NULL */
};

struct sdt_arg_requirement {
	enum sdt_requirement req;
	__u32 mem_size;		/* SDT_REQ_PTR: bytes the pointee has, 0 if unsized */
	int width;		/* SDT_REQ_SCALAR: bits */
	bool is_signed;
};

void sdt_arg_requirement(const struct btf *btf, __u32 type_id, enum bpf_prog_type type,
			 struct sdt_arg_requirement *out);
/* "a scalar", "the program's context (struct xdp_md *)", "a non-NULL pointer
 * to 16 bytes" */
const char *sdt_requirement_text(const struct sdt_arg_requirement *r, enum bpf_prog_type type,
				 char *buf, size_t size);

/* Adds a finding about site ps of program tp: message is what follows
 * "probe P, argument N (T): " (arg >= 0) or "probe P: " (arg < 0). */
__attribute__((format(printf, 6, 7)))
int sdt_check_add(struct bpf_sdt_check *c, const struct bpf_sdt_target *t,
		  const struct sdt_target_prog *tp, const struct sdt_prog_site *ps, int arg,
		  const char *fmt, ...);
/* Marks the last finding added as a warning. */
void sdt_check_last_is_warning(struct bpf_sdt_check *c);
/* Adds "probe P: could not check: <why>" about site ps, an outcome of its
 * own: a check that could not be completed is never an error. */
__attribute__((format(printf, 5, 6)))
int sdt_check_add_unchecked(struct bpf_sdt_check *c, const struct bpf_sdt_target *t,
			    const struct sdt_target_prog *tp, const struct sdt_prog_site *ps,
			    const char *fmt, ...);
/* "r3", or "the stack block at r1-16" for arguments 10..12 */
const char *sdt_arg_location(const struct bpf_sdt_site *site, int arg, char *buf, size_t size);

#endif
