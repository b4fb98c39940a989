/* A site passing more arguments than declared. */
#include "../common.h"
BPF_SDT_DECLARE2(p, int, int);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE3(p, len, len, len);
	return XDP_PASS;
}
