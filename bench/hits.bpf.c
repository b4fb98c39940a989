/* The cost of one hit: 64 sites in a row, each hit once per run. Built
 * four ways (bench/hit_cost.sh compares their kernel-measured run times):
 * with probe sites (armed or dormant), -DHAND_COUNT with a hand-written
 * array counter in each site's place (an atomic add: any CPU may run it),
 * -DHAND_PERCPU a per-CPU one (a plain add), -DNO_SITES nothing there. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

#define SITES 64

BPF_SDT_DECLARE2(hit, __u32, __u64);

#if defined(HAND_COUNT)
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SITES);
	__type(key, __u32);
	__type(value, __u64);
} hand_counts SEC(".maps");

#define SITE(k, x) do {							\
		__u32 key = (k);					\
		__u64 *c = bpf_map_lookup_elem(&hand_counts, &key);	\
									\
		if (c)							\
			__sync_fetch_and_add(c, 1);			\
	} while (0)
#elif defined(HAND_PERCPU)
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SITES);
	__type(key, __u32);
	__type(value, __u64);
} hand_counts SEC(".maps");

#define SITE(k, x) do {							\
		__u32 key = (k);					\
		__u64 *c = bpf_map_lookup_elem(&hand_counts, &key);	\
									\
		if (c)							\
			*c += 1;					\
	} while (0)
#elif defined(NO_SITES)
#define SITE(k, x) do { } while (0)
#else
#define SITE(k, x) BPF_SDT_PROBE2(hit, k, x)
#endif

SEC("xdp")
int hits(struct xdp_md *ctx)
{
	__u64 x = ctx->data_end - ctx->data;
	__u32 i;

#pragma unroll
	for (i = 0; i < SITES; i++) {
		x = x * 31 + i;
		SITE(i, x);
	}
	return x & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
