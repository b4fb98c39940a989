/* A union passed by value is not a probe argument type. */
#include "../common.h"
union u { int a; long b; };
BPF_SDT_DECLARE2(p, int, union u);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);


	return XDP_PASS;
}
