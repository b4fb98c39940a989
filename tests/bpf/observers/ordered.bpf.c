/* Two observers that log the order in which they run. */
#include "obs_common.h"

__u32 order_len;
__u32 order[16];

SEC("bpf_sdt")
int BPF_PROG(first_obs)
{
	order[order_len++ & 15] = 1;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(second_obs)
{
	order[order_len++ & 15] = 2;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
