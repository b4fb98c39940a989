// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "prog_load.h"

int sdt_prog_load(const struct sdt_load_req *req)
{
	const struct sdt_prog_capture *a = req->attrs;
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = a->expected_attach_type,
		    .prog_flags = a->prog_flags,
		    .kern_version = a->kern_version,
		    .prog_ifindex = a->prog_ifindex,
		    .log_level = req->log_level,
		    .log_buf = req->log_buf,
		    .log_size = req->log_size);
	int fd;

	if (req->btf_fd >= 0) {
		opts.prog_btf_fd = req->btf_fd;
		opts.func_info = req->func_info;
		opts.func_info_cnt = req->func_info_cnt;
		opts.func_info_rec_size = a->func_info_rec_size;
		opts.line_info = req->line_info;
		opts.line_info_cnt = req->line_info_cnt;
		opts.line_info_rec_size = a->line_info_rec_size;
	}
	if (req->log_buf && req->log_size)
		req->log_buf[0] = '\0';
	fd = bpf_prog_load(a->type, req->name, req->license, req->insns, req->insn_cnt, &opts);
	return fd < 0 ? -errno : fd;
}

int sdt_parse_stack_depths(const char *log, __u32 *depths, __u32 n)
{
	const char *p = log ? strstr(log, "stack depth ") : NULL;
	__u32 cnt = 0;
	char *end;

	if (!p)
		return 0;
	p += strlen("stack depth ");
	while (cnt < n) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		depths[cnt++] = (__u32)v;
		if (*end != '+')
			break;
		p = end + 1;
	}
	return (int)cnt;
}
