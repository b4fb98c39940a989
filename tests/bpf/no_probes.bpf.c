/* An ordinary program: discovery finds nothing and reports no error. */
#include "common.h"

SEC("xdp")
int plain_prog(struct xdp_md *ctx)
{
	return xdp_len(ctx) > 60 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
