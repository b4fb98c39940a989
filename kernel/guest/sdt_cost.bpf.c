// SPDX-License-Identifier: GPL-2.0
/* Per-hit cost of an SDT site: 64 sites in a row, each after a little
 * work.  sdt_cost_plain.bpf.c is the same program without the probes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

#define SDT_COST_SITES 64

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink SEC(".maps");

#ifndef SDT_COST_NO_PROBES
BPF_SDT_DECLARE2(step, __u32, __u64);
#define STEP(i, acc) BPF_SDT_PROBE2(step, i, acc)
#else
#define STEP(i, acc) do { } while (0)
#endif

SEC("xdp")
int sdt_cost(struct xdp_md *ctx)
{
	__u64 acc = ctx->data_end - ctx->data, *out;
	__u32 key = 0, i;

#pragma unroll
	for (i = 0; i < SDT_COST_SITES; i++) {
		acc = acc * 31 + i;
		STEP(i, acc);
	}
	out = bpf_map_lookup_elem(&sink, &key);
	if (out)
		*out = acc;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
