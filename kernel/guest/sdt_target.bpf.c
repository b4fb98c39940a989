// SPDX-License-Identifier: GPL-2.0
/* Guest target with several probes: one with sites in the program and in a
 * subprogram, one with 32 sites (an unrolled loop), and probes whose
 * arguments cover every argument class: integers of each width and
 * signedness, an enum, a bool, the context, a packet pointer, a pointer
 * to a stack struct and a map value.
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"
#include "sdt_target.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

/* where: 1 on entry, 2 before returning, 3 in the subprogram */
BPF_SDT_DECLARE2(pkt_seen, int, int);
BPF_SDT_DECLARE1(lap, __u32);
BPF_SDT_DECLARE5(ints, __u8, __s16, __u32, __s64, bool);
BPF_SDT_DECLARE4(ptrs, struct xdp_md *, unsigned char *, struct flow *, __u64 *);
BPF_SDT_DECLARE1(verdict, enum xdp_action);

static __attribute__((noinline)) int in_subprog(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	BPF_SDT_PROBE2(pkt_seen, 3, len);
	return len;
}

SEC("xdp")
int sdt_target(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	struct flow f = { .proto = 17 };
	__u32 key = 0, i;
	__u64 *run;
	int len = end - data;

	BPF_SDT_PROBE2(pkt_seen, 1, len);
	if (data + 14 > end)
		return XDP_ABORTED;
	f.len = in_subprog(ctx);
#pragma unroll
	for (i = 0; i < 32; i++)
		BPF_SDT_PROBE1(lap, i);
	BPF_SDT_PROBE5(ints, data[12], -2, (__u32)len, -5000000000LL, data[13] == 0);
	run = bpf_map_lookup_elem(&runs, &key);
	if (!run)
		return XDP_ABORTED;
	*run += 1;
	BPF_SDT_PROBE4(ptrs, ctx, data, &f, run);
	BPF_SDT_PROBE2(pkt_seen, 2, len);
	BPF_SDT_PROBE1(verdict, XDP_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
