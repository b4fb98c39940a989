/* A pointer where an integer is declared. */
#include "../common.h"
BPF_SDT_DECLARE1(p, int);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE1(p, ctx);
	return XDP_PASS;
}
