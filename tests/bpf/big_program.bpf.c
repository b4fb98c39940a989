/* Programs of some 60,000 instructions with a site at their end: the
 * verifier's level-2 log of one is far larger than any log buffer a check
 * would start with. big_good's site passes what its probe declares,
 * big_bad's passes a packet pointer for an integer. The bulk is one asm
 * block the assembler repeats (clang would take minutes over as much C). */
#include "common.h"

BPF_SDT_DECLARE2(big_sum, __u64, int);

#define BULK(acc)							\
	asm volatile(".rept 20000\n"					\
		     "%[a] *= 31\n"					\
		     "%[a] += 7\n"					\
		     "%[a] ^= 5\n"					\
		     ".endr\n" : [a] "+r"(acc))

SEC("xdp") __sdt_clean
int big_good(struct xdp_md *ctx)
{
	__u64 acc = xdp_len(ctx);

	BULK(acc);
	BPF_SDT_PROBE2(big_sum, acc, xdp_len(ctx));
	return acc & 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
__sdt_error("probe big_sum, argument 0 (__u64): {{reg}} holds a packet pointer, a scalar is "
	    "required")
int big_bad(struct xdp_md *ctx)
{
	__u64 acc = xdp_len(ctx);

	BULK(acc);
	BPF_SDT_PROBE2(big_sum, (__u64)ctx->data, xdp_len(ctx));
	return acc & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
