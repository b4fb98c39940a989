/* Observers whose cost bpfsdt cannot bound: more bpf_loop iterations per
 * call than the limit (4096, docs/isolation.md), a count taken from the
 * target, loops inside loops, may_goto. */
#include "obs_common.h"

__u64 rounds;

static int count_cb(__u32 i, void *ctx)
{
	rounds++;
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(loops_a_million_times, __u64 bytes, int action)
{
	bpf_loop(1 << 20, count_cb, NULL, 0);
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(loops_as_often_as_a_wide_argument_says, __u64 bytes, int action)
{
	bpf_loop(bytes, count_cb, NULL, 0);
	return 0;
}

static int inner_cb(__u32 i, void *ctx)
{
	bpf_loop(100, count_cb, NULL, 0);
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(loops_inside_a_loop, __u64 bytes, int action)
{
	bpf_loop(100, inner_cb, NULL, 0);
	return 0;
}

/* `may_goto +0`, which clang 14 cannot write */
SEC("bpf_sdt/wide_probe")
int BPF_PROG(loops_with_may_goto, __u64 bytes, int action)
{
	asm volatile(".8byte 0x00000000000000e5\n");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
