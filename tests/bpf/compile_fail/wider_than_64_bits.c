/* Types wider than a register are refused. */
#include "../common.h"
BPF_SDT_DECLARE2(p, int, __int128);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);


	return XDP_PASS;
}
