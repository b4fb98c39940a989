/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Loading instruction arrays with the attributes libbpf used for the
 * program they derive from. */
#ifndef __BPFSDT_PROG_LOAD_H
#define __BPFSDT_PROG_LOAD_H

#include "capture.h"

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
};

/* Program fd, or -errno (log_buf then holds the verifier's reasons). */
int sdt_prog_load(const struct sdt_load_req *req);

/* The verifier's per-function stack depths of a load with BPF_LOG_STATS
 * ("stack depth 16+0+8"): fills up to n entries, returns how many. */
int sdt_parse_stack_depths(const char *log, __u32 *depths, __u32 n);

#endif
