// SPDX-License-Identifier: GPL-2.0
/* Guest target with guards (BPF_SDT_ENABLED): a guarded block with costly
 * argument preparation and a site, a second guarded block nobody observes,
 * and a function probe (BPF_SDT_FUNC2: a guarded call of a global no-op
 * function, freplace-able). `blocks` counts the runs of each block.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE2(hashed, __u32, int);
BPF_SDT_DECLARE1(other, int);
BPF_SDT_FUNC2(fprobe, int, int);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} blocks SEC(".maps");

static __attribute__((noinline)) __u32 hash_bytes(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 h = 2166136261u;
	int i;

	for (i = 0; i < 32; i++) {
		if (p + i + 1 > end)
			break;
		h = (h ^ p[i]) * 16777619u;
	}
	return h;
}

static __always_inline void bump(__u32 k)
{
	__u64 *n = bpf_map_lookup_elem(&blocks, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("xdp")
int guard_target(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	if (BPF_SDT_ENABLED(hashed)) {
		__u32 h = hash_bytes(ctx);

		bump(0);
		BPF_SDT_PROBE2(hashed, h, len);
	}
	if (BPF_SDT_ENABLED(other)) {
		bump(1);
		BPF_SDT_PROBE1(other, len);
	}
	BPF_SDT_CALL2(fprobe, len, len * 2);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
