// SPDX-License-Identifier: GPL-2.0
/* A guarded block the verifier must refuse: it reads the packet without a
 * bounds check. A stock kernel never sees it (the guard reads 0, the block
 * is dead code); with static branches the verifier follows it too. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE1(peek, int);

SEC("xdp")
int guard_bad(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	if (BPF_SDT_ENABLED(peek))
		BPF_SDT_PROBE1(peek, data[100]);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
