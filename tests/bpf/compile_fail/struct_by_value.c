/* A struct passed by value is not a probe argument type. */
#include "../common.h"
struct pair { int a, b; };
BPF_SDT_DECLARE1(p, struct pair);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);


	return XDP_PASS;
}
