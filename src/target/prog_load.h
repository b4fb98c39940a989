/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Loading instruction arrays with the attributes libbpf used for the
 * program they derive from. */
#ifndef __BPFSDT_PROG_LOAD_H
#define __BPFSDT_PROG_LOAD_H

#include "target/capture.h"

/* A site as a kernel with in-kernel SDT (kernel/patches/) takes it at
 * BPF_PROG_LOAD: its struct bpf_sdt_site, which Debian 12's UAPI headers
 * do not have. */
#define SDT_KERNEL_SITE_MAX_ARGS 5

struct sdt_kernel_site {
	__u32 insn_off;		/* the site's `goto +0` */
	__u32 btf_id;		/* FUNC ___bpf_sdt_proto__<probe> in the program's BTF */
	__u8 nargs;
	__u8 regs[SDT_KERNEL_SITE_MAX_ARGS];
	__u16 id;		/* bpf_sdt_site__id(): observers read it */
};

/* A guard as such a kernel takes it (struct bpf_sdt_guard_info): it makes
 * the guard a static branch, on while btf_id has observers or func_btf_id
 * (if not 0) is replaced by an extension program. */
struct sdt_kernel_guard {
	__u32 insn_off;		/* the guard's first instruction */
	__u32 btf_id;		/* FUNC ___bpf_sdt_proto__<probe> */
	__u32 func_btf_id;	/* FUNC <probe> of a function probe, or 0 */
	__u32 reserved;
};

struct sdt_load_req {
	const struct sdt_prog_capture *attrs;	/* type, attach type, flags */
	const char *name;
	const char *license;
	const struct bpf_insn *insns;
	__u32 insn_cnt;
	int btf_fd;				/* -1: no func/line info */
	const void *func_info;
	__u32 func_info_cnt;
	const void *line_info;
	__u32 line_info_cnt;
	__u32 log_level;
	char *log_buf;
	__u32 log_size;
	/* a tracing program's target: a program and a FUNC in its BTF */
	int attach_prog_fd;
	__u32 attach_btf_id;
	/* SDT sites and guards (kernels with in-kernel SDT only) */
	const struct sdt_kernel_site *sites;
	__u32 site_cnt;
	const struct sdt_kernel_guard *guards;
	__u32 guard_cnt;
};

/* Program fd, or -errno (log_buf then holds the verifier's reasons). */
int sdt_prog_load(const struct sdt_load_req *req);

/* Prints the last lines of a verifier log, indented: they name the failing
 * instruction and, with line info, the source line. */
#define SDT_VERIFIER_LINES_SHOWN 12
void sdt_pr_verifier_tail(const char *log);

/* The verifier's per-function stack depths of a load with BPF_LOG_STATS
 * ("stack depth 16+0+8"): fills up to n entries, returns how many. */
int sdt_parse_stack_depths(const char *log, __u32 *depths, __u32 n);

#endif
