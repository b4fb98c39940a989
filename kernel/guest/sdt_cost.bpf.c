// SPDX-License-Identifier: GPL-2.0
/* Per-hit cost of an SDT site: 64 sites in a row, each after a little
 * work.  sdt_cost_plain.bpf.c is the same program without the probes;
 * cost_*.bpf.c the designs the comparison measures, with 1 or 64 sites. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

#ifndef SDT_COST_SITES
#define SDT_COST_SITES 64
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink SEC(".maps");

#if defined(SDT_COST_NO_PROBES)
#define STEP(i, acc) do { } while (0)
#elif defined(SDT_COST_GUARDED)		/* (c) a guard around each site */
BPF_SDT_DECLARE2(step, __u32, __u64);
#define STEP(i, acc) do { if (BPF_SDT_ENABLED(step)) BPF_SDT_PROBE2(step, i, acc); } while (0)
#elif defined(SDT_COST_FUNC)		/* (b) a guarded call of a no-op function */
BPF_SDT_FUNC2(step, __u32, __u64);
#define STEP(i, acc) do { if (BPF_SDT_ENABLED(step)) step(i, acc); } while (0)
#else					/* (a) an SDT site */
BPF_SDT_DECLARE2(step, __u32, __u64);
#define STEP(i, acc) BPF_SDT_PROBE2(step, i, acc)
#endif

/* One step, then its site: written out SDT_COST_SITES times (a pragma
 * cannot unroll the loop around some designs' calls). The empty asm makes
 * every intermediate value exist in every variant: without it the compiler
 * folds the program without probes into one multiply-add, and the others'
 * cost would include computing what their sites pass. */
#define ONE(i) do {							\
	acc = acc * 31 + (i);						\
	asm volatile("" : "+r"(acc));					\
	STEP(i, acc);							\
} while (0)
#define FOUR(i) do { ONE(i); ONE((i) + 1); ONE((i) + 2); ONE((i) + 3); } while (0)
#define SIXTEEN(i) do { FOUR(i); FOUR((i) + 4); FOUR((i) + 8); FOUR((i) + 12); } while (0)

SEC("xdp")
int sdt_cost(struct xdp_md *ctx)
{
	__u64 acc = ctx->data_end - ctx->data, *out;
	__u32 key = 0;

#if SDT_COST_SITES == 64
	SIXTEEN(0);
	SIXTEEN(16);
	SIXTEEN(32);
	SIXTEEN(48);
#elif SDT_COST_SITES == 1
	ONE(0);
#else
#error "SDT_COST_SITES: 1 or 64"
#endif
	out = bpf_map_lookup_elem(&sink, &key);
	if (out)
		*out = acc;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
