/* A site in a bpf_loop() callback. */
#include "common.h"

BPF_SDT_DECLARE2(loop_step, __u32, long);

/* Not a constant: keeps the verifier from inlining bpf_loop(), so the
 * translated instruction count stays comparable with the ELF's. */
__u64 loop_flags;

static long step(__u32 idx, void *data)
{
	long *acc = data;

	*acc += idx;
	BPF_SDT_PROBE2(loop_step, idx, *acc);
	return 0;
}

SEC("xdp")
int loop_callback_prog(struct xdp_md *ctx)
{
	long acc = 0;

	bpf_loop(4, step, &acc, loop_flags);
	return acc == 6 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
