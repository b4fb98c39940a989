// SPDX-License-Identifier: GPL-2.0
/* Observers of guard_target.bpf.c: an SDT observer of `hashed`, two
 * freplace programs of the function probe `fprobe` (one replaces it at a
 * time), and the empty observers the design comparison measures. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 hashed_hits, hashed_h, hashed_len;
__u64 fprobe_hits, fprobe_a, fprobe_b;

SEC("bpf_sdt")
int BPF_PROG(on_hashed, __u32 h, int len)
{
	hashed_hits++;
	hashed_h = h;
	hashed_len = len;
	return 0;
}

SEC("freplace/fprobe")
int on_fprobe(int a, int b)
{
	fprobe_hits++;
	fprobe_a = a;
	fprobe_b = b;
	return 0;
}

SEC("freplace/fprobe")
int on_fprobe_too(int a, int b)
{
	return 0;
}

/* the design comparison's empty observers of the cost programs' `step` */
SEC("bpf_sdt")
int BPF_PROG(empty_sdt, __u32 i, __u64 acc)
{
	return 0;
}

SEC("freplace/step")
int empty_freplace(__u32 i, __u64 acc)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
