/* A program with a site that tail-calls through a program array. */
#include "common.h"

BPF_SDT_DECLARE1(before_tail_call, int);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jump_table SEC(".maps");

SEC("xdp")
int tail_caller(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE1(before_tail_call, len);
	bpf_tail_call(ctx, &jump_table, 0);
	return XDP_ABORTED; /* no program in the slot */
}

char LICENSE[] SEC("license") = "GPL";
