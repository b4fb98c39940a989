/* An always_inline helper with a site, used three times: three sites. */
#include "common.h"

BPF_SDT_DECLARE2(check, int, unsigned int);

static __always_inline int check_len(int len, unsigned int limit)
{
	BPF_SDT_PROBE2(check, len, limit);
	return len > (int)limit;
}

SEC("xdp")
int inline_prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx), bad = 0;

	bad += check_len(len, 1500);
	bad += check_len(len + 14, 9000);
	bad += check_len(len - 4, 64);
	return bad ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
