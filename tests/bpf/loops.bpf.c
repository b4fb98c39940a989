/* Sites inside loops: a rolled loop keeps one site; a fully unrolled loop
 * gets one site per copy of its body. */
#include "common.h"

BPF_SDT_DECLARE2(iter, int, int);

SEC("xdp")
int loops_prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx), sum = 0, i, j;

#pragma clang loop unroll(disable)
	for (i = 0; i < 8; i++) {
		sum += i * len;
		BPF_SDT_PROBE2(iter, i, sum);
	}
#pragma clang loop unroll(full)
	for (j = 0; j < 3; j++)
		BPF_SDT_PROBE2(iter, j + 100, len);
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
