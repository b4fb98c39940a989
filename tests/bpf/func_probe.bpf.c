/* A function probe (BPF_SDT_FUNC2): a guarded call of a global no-op
 * function an freplace program could replace, and a site next to it. */
#include "common.h"

BPF_SDT_FUNC2(fprobe, int, int);

SEC("xdp")
int calls_fprobe(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_CALL2(fprobe, len, len * 2);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
