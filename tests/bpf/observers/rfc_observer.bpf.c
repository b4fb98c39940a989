/* The RFC cover letter's observer, recording what it saw. */
#include "obs_common.h"

__u64 hits;
int last_len;
int last_ret;
__u64 last_cookie;

SEC("bpf_sdt/my_trace")
int BPF_PROG(observer_prog, int len, int ret)
{
	hits++;
	last_len = len;
	last_ret = ret;
	last_cookie = bpf_get_attach_cookie(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
