/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel's own SDT mechanism (kernel/patches/: sites passed at
 * BPF_PROG_LOAD, BPF_TRACE_SDT observer programs, SDT links that text-poke
 * each site's NOP into a call of its trampoline). Where the kernel has it,
 * a program loaded with its sites is observed without being swapped: each
 * observer is loaded as a BPF_TRACE_SDT program for the probe of that
 * program and linked. Programs the kernel cannot take that way (no such
 * kernel, a probe with more than 5 arguments, a program loaded elsewhere
 * without its sites) keep being armed by relinking.
 */
#ifndef __BPFSDT_NATIVE_H
#define __BPFSDT_NATIVE_H

#include "target/target.h"

/* Values of the kernel patches' UAPI that Debian 12's headers lack. */
#define SDT_BPF_TRACE_SDT 57		/* enum bpf_attach_type */
#define SDT_BPF_LINK_TYPE_SDT 15	/* enum bpf_link_type */

/* Whether BPF_PROG_LOAD takes SDT sites here (probed once with a one-site
 * program). BPFSDT_NATIVE=0 in the environment says no, to force
 * relinking. */
bool sdt_native_available(void);

/* Programs libbpfsdt loaded itself: reloads each program whose sites the
 * kernel can take with those sites, in place (the program's fd, libbpf's
 * included, then refers to the new load) and marks it native. A refusal is
 * reported and leaves the program to relinking. */
void sdt_native_adopt(struct bpf_sdt_target *t);

/* A program loaded by someone else (tp->orig_fd): marks it native if the
 * kernel holds its sites. */
void sdt_native_detect(struct bpf_sdt_target *t, struct sdt_target_prog *tp);

/* Code to run at a probe's sites, as a BPF_TRACE_SDT program. */
struct sdt_native_code {
	const char *name;
	const struct sdt_prog_capture *code;	/* insns (+ BTF, func/line info) */
	bool has_btf;				/* code's BTF describes it */
	const char *license;
	__u64 cookie;
};

/* Loads code for probe's sites in tp and links it: the link's fd, and the
 * observer program's in *prog_fd; -errno after one diagnostic. */
int sdt_native_link(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		    const struct bpf_sdt_probe *probe, const struct sdt_native_code *code,
		    int *prog_fd);

#endif
