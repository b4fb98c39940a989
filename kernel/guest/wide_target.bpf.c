// SPDX-License-Identifier: GPL-2.0
/* A program with a six-argument probe, whose sites the kernel does not take
 * (at most 5 arguments per site): bpfsdt must arm the whole program by
 * relinking, also on a kernel with in-kernel SDT. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE6(six, int, int, int, int, int, int);
BPF_SDT_DECLARE2(two, int, int);

SEC("xdp")
int wide_target(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	BPF_SDT_PROBE6(six, len, 1, 2, 3, 4, 5);
	BPF_SDT_PROBE2(two, len, 7);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
