/* A larger program for timing `bpfsdt check`: an unrolled loop over 64
 * packet words, each with a bounds check, a map update and three probe
 * sites (192 sites, a few thousand instructions). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} words SEC(".maps");

BPF_SDT_DECLARE2(word, __u32, __u32);
BPF_SDT_DECLARE1(slot, __u64 *);
BPF_SDT_DECLARE1(ctx_seen, struct xdp_md *);

SEC("xdp")
int many_sites(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 i, sum = 0;

#pragma unroll
	for (i = 0; i < 64; i++) {
		__u32 *w = data + i * 4;
		__u32 key = i;
		__u64 *v;

		if ((void *)(w + 1) > end)
			break;
		BPF_SDT_PROBE2(word, i, *w);
		v = bpf_map_lookup_elem(&words, &key);
		if (!v)
			continue;
		BPF_SDT_PROBE1(slot, v);
		*v += *w;
		sum += *w;
		BPF_SDT_PROBE1(ctx_seen, ctx);
	}
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
