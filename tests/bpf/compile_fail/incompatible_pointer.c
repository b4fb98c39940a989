/* A pointer to another struct type. */
#include "../common.h"
struct other { int x; };
BPF_SDT_DECLARE1(p, struct ethhdr *);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	struct other *o = (void *)(long)ctx->data;

	BPF_SDT_PROBE1(p, o);
	return XDP_PASS;
}
