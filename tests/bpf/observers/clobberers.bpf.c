/* Observers that return values of their own: a register the armed copy
 * failed to preserve around the call shows in the target's result. */
#include "obs_common.h"

__u64 junk0_hits;
__u64 junk1_hits;
__u64 junk1_arg;

SEC("bpf_sdt")
int BPF_PROG(junk0)
{
	junk0_hits++;
	return 0x5a5a;
}

SEC("bpf_sdt")
int BPF_PROG(junk1, __u64 a)
{
	junk1_hits++;
	junk1_arg = a;
	return 0x5a5a;
}

char LICENSE[] SEC("license") = "GPL";
