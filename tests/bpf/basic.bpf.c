/* The RFC cover letter's example. */
#include "common.h"

BPF_SDT_DECLARE2(my_trace, int, int);

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	int ret = XDP_DROP;

	if (len > 60)
		ret = XDP_PASS;
	BPF_SDT_PROBE2(my_trace, len, ret);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
