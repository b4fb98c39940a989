/* An integer where a pointer is declared. */
#include "../common.h"
BPF_SDT_DECLARE1(p, struct ethhdr *);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE1(p, len);
	return XDP_PASS;
}
