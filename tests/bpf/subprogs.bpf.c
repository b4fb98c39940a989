/* Sites in the main program, in a static subprogram and in a global
 * (separately verified) subprogram: .text sites belong to their function. */
#include "common.h"

BPF_SDT_DECLARE1(in_main, int);
BPF_SDT_DECLARE1(in_static, int);
BPF_SDT_DECLARE1(in_global, int);

static __noinline int static_sub(int x)
{
	BPF_SDT_PROBE1(in_static, x);
	return x + 1;
}

__noinline int global_sub(int x)
{
	BPF_SDT_PROBE1(in_global, x);
	return x * 2;
}

SEC("xdp")
int subprogs_prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE1(in_main, len);
	return (static_sub(len) + global_sub(len)) & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
