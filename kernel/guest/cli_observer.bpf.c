// SPDX-License-Identifier: GPL-2.0
/* A compiled observer of rfc_target's my_trace(len, ret) for `bpfsdt run
 * --observer`: what it saw stays in globals, which bpfsdt prints. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 hits, last_len, last_ret, last_site_id;

/* the calling site's id follows the probe's arguments */
SEC("bpf_sdt")
int BPF_PROG(count_trace, int len, int ret, __u64 site_id)
{
	hits++;
	last_len = len;
	last_ret = ret;
	last_site_id = site_id;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
