/* A function using nearly all of the 512-byte stack, with a site: there is
 * no room for the argument array. */
#include "common.h"

BPF_SDT_DECLARE5(hog, long, long, long, long, long);

SEC("xdp")
__sdt_unchecked_kernel("probe hog: could not check: checking needs {{n}} bytes of stack below "
		       "the {{n}} its function uses (limit 512)")
int stack_hog(struct xdp_md *ctx)
{
	volatile char buf[488];
	int len = xdp_len(ctx), i;

	for (i = 0; i < (int)sizeof(buf); i += 61)
		buf[i] = (char)(len + i);
	BPF_SDT_PROBE5(hog, len, buf[0], buf[61], buf[122], buf[183]);
	return buf[len & 255] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
