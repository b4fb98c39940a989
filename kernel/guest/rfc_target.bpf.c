// SPDX-License-Identifier: GPL-2.0
/* The RFC's example target, verbatim (its "..." are comments here):
 * BPF_SDT_DECLARE2(my_trace, int, int) and one site in an XDP program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE2(my_trace, int, int);

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	int ret = XDP_DROP;
	/* ... */
	BPF_SDT_PROBE2(my_trace, len, ret);
	/* ... */
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
