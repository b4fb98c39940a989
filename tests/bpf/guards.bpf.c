/* Guarded debug code (BPF_SDT_ENABLED): argument preparation and debug-only
 * state that cost nothing while nobody observes their probe. `guarded` and
 * `unguarded` are the same program but for the two guarded blocks. */
#include "common.h"

BPF_SDT_DECLARE2(pkt_hash, __u32, int);		/* costly argument, guarded */
BPF_SDT_DECLARE1(debug_count, int);		/* guarded debug-only state */
BPF_SDT_DECLARE1(verdict, int);			/* never guarded */
BPF_SDT_DECLARE2(stack_sum, __u32, int);		/* guarded block with a big frame */
BPF_SDT_DECLARE1(sub_guarded, int);		/* guard inside a .text function */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} debug_hits SEC(".maps");

/* What nobody should pay for unless pkt_hash is observed. */
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

static __always_inline void count(void *map)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(map, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Shorter than an ARP frame: dropped (ARP and pings pass on a live veth). */
static __always_inline int verdict_of(int len)
{
	return len >= 42 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int guarded(struct xdp_md *ctx)
{
	int len = xdp_len(ctx), ret = verdict_of(len);

	if (BPF_SDT_ENABLED(pkt_hash)) {
		__u32 h = hash_bytes(ctx);

		BPF_SDT_PROBE2(pkt_hash, h, len);
	}
	if (BPF_SDT_ENABLED(debug_count)) {
		count(&debug_hits);
		BPF_SDT_PROBE1(debug_count, len);
	}
	count(&pkts);
	BPF_SDT_PROBE1(verdict, ret);
	return ret;
}

SEC("xdp")
int unguarded(struct xdp_md *ctx)
{
	int len = xdp_len(ctx), ret = verdict_of(len);

	count(&pkts);
	BPF_SDT_PROBE1(verdict, ret);
	return ret;
}

/* A guarded block whose frame the dormant program does not have: an armed
 * copy must store its sites' arguments below it. */
SEC("xdp")
int big_frame(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	if (BPF_SDT_ENABLED(stack_sum)) {
		volatile __u32 buf[64];
		__u32 sum = 0;
		int i;

		for (i = 0; i < 64; i++)
			buf[i] = (__u32)len * (__u32)i;
		BPF_SDT_PROBE2(stack_sum, buf[63], len);
		for (i = 0; i < 64; i++)
			sum += buf[i];
		BPF_SDT_PROBE2(stack_sum, sum, len);
	}
	return XDP_PASS;
}

static __attribute__((noinline)) int sub(int len)
{
	if (BPF_SDT_ENABLED(sub_guarded))
		BPF_SDT_PROBE1(sub_guarded, len * 3);
	return len & 1;
}

SEC("xdp")
int calls_sub(struct xdp_md *ctx)
{
	return sub(xdp_len(ctx)) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
