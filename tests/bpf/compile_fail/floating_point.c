/* Floating point is not a probe argument type. */
#include "../common.h"
BPF_SDT_DECLARE1(p, double);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);


	return XDP_PASS;
}
