/* Sites inside guarded blocks: dead code in the dormant program (the guard
 * reads 0), checked all the same. */
#include "common.h"

BPF_SDT_DECLARE1(number, unsigned long);
BPF_SDT_DECLARE1(fine, int);

SEC("xdp")
int bad_inside_a_guard(struct xdp_md *ctx)
{
	if (BPF_SDT_ENABLED(number))
		BPF_SDT_PROBE1(number, (unsigned long)ctx->data);
	return XDP_PASS;
}

SEC("xdp")
int good_inside_a_guard(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	if (BPF_SDT_ENABLED(fine))
		BPF_SDT_PROBE1(fine, len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
