// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "util/util.h"
#include "target/prog_load.h"

/* BPF_PROG_LOAD's attributes on a kernel with in-kernel SDT: Linux 6.12's
 * (up to prog_token_fd), then the sites and the guards. */
struct sdt_prog_load_attr {
	__u32 prog_type;
	__u32 insn_cnt;
	__aligned_u64 insns;
	__aligned_u64 license;
	__u32 log_level;
	__u32 log_size;
	__aligned_u64 log_buf;
	__u32 kern_version;
	__u32 prog_flags;
	char prog_name[BPF_OBJ_NAME_LEN];
	__u32 prog_ifindex;
	__u32 expected_attach_type;
	__u32 prog_btf_fd;
	__u32 func_info_rec_size;
	__aligned_u64 func_info;
	__u32 func_info_cnt;
	__u32 line_info_rec_size;
	__aligned_u64 line_info;
	__u32 line_info_cnt;
	__u32 attach_btf_id;
	__u32 attach_prog_fd;
	__u32 core_relo_cnt;
	__aligned_u64 fd_array;
	__aligned_u64 core_relos;
	__u32 core_relo_rec_size;
	__u32 log_true_size;
	__s32 prog_token_fd;
	__u32 sdt_site_cnt;
	__aligned_u64 sdt_sites;
	__u32 sdt_site_rec_size;
	__u32 sdt_guard_cnt;
	__aligned_u64 sdt_guards;
	__u32 sdt_guard_rec_size;
};

static __u64 ptr(const void *p)
{
	return (__u64)(unsigned long)p;
}

/* libbpf 1.1 cannot pass sites or guards: the raw syscall. */
static int load_with_sites(const struct sdt_load_req *req)
{
	const struct sdt_prog_capture *a = req->attrs;
	struct sdt_prog_load_attr attr;
	size_t size;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = a->type;
	attr.expected_attach_type = a->expected_attach_type;
	attr.prog_flags = a->prog_flags;
	attr.kern_version = a->kern_version;
	attr.prog_ifindex = a->prog_ifindex;
	attr.insns = ptr(req->insns);
	attr.insn_cnt = req->insn_cnt;
	attr.license = ptr(req->license);
	strncpy(attr.prog_name, req->name, sizeof(attr.prog_name) - 1);
	if (req->btf_fd >= 0) {
		attr.prog_btf_fd = (__u32)req->btf_fd;
		attr.func_info = ptr(req->func_info);
		attr.func_info_cnt = req->func_info_cnt;
		attr.func_info_rec_size = a->func_info_rec_size;
		attr.line_info = ptr(req->line_info);
		attr.line_info_cnt = req->line_info_cnt;
		attr.line_info_rec_size = a->line_info_rec_size;
	}
	if (req->log_buf && req->log_size) {
		attr.log_level = req->log_level ? req->log_level : 1;
		attr.log_buf = ptr(req->log_buf);
		attr.log_size = req->log_size;
		req->log_buf[0] = '\0';
	}
	attr.sdt_sites = ptr(req->sites);
	attr.sdt_site_cnt = req->site_cnt;
	attr.sdt_site_rec_size = req->site_cnt ? sizeof(*req->sites) : 0;
	/* a kernel with sites but no guards takes the shorter attributes */
	size = offsetof(struct sdt_prog_load_attr, sdt_guard_cnt);
	if (req->guard_cnt) {
		attr.sdt_guards = ptr(req->guards);
		attr.sdt_guard_cnt = req->guard_cnt;
		attr.sdt_guard_rec_size = sizeof(*req->guards);
		size = sizeof(attr);
	}
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, size);
	return fd < 0 ? -errno : fd;
}

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

	if (req->site_cnt || req->guard_cnt)
		return load_with_sites(req);
	if (req->attach_prog_fd > 0) {
		opts.attach_prog_fd = (__u32)req->attach_prog_fd;
		opts.attach_btf_id = req->attach_btf_id;
	}
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

void sdt_pr_verifier_tail(const char *log)
{
	const char *lines[SDT_VERIFIER_LINES_SHOWN], *p = log, *nl;
	size_t n = 0, i;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (nl != p) {
			if (n == SDT_VERIFIER_LINES_SHOWN)
				memmove(lines, lines + 1, sizeof(lines) - sizeof(lines[0]));
			lines[n < SDT_VERIFIER_LINES_SHOWN ? n++ : n - 1] = p;
		}
		p = nl ? nl + 1 : NULL;
	}
	for (i = 0; i < n; i++) {
		nl = strchr(lines[i], '\n');
		pr_warn("  %.*s", nl ? (int)(nl - lines[i]) : (int)strlen(lines[i]), lines[i]);
	}
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
