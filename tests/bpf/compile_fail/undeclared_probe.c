/* A site of a probe nobody declared. */
#include "../common.h"


SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE1(nope, len);
	return XDP_PASS;
}
