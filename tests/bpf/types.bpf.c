/* Every argument type class: signed and unsigned integers of each width,
 * typedefs, enums, _Bool and pointers (void, struct, const, context). */
#include "common.h"

enum verdict { VERDICT_DROP = 1, VERDICT_PASS = 2 };
typedef unsigned int my_u32;

BPF_SDT_DECLARE5(ints_signed, signed char, short, int, long, long long);
BPF_SDT_DECLARE5(ints_unsigned, unsigned char, unsigned short, unsigned int, unsigned long,
		 unsigned long long);
BPF_SDT_DECLARE5(scalars_misc, char, _Bool, enum xdp_action, enum verdict, __u16);
BPF_SDT_DECLARE5(pointers, void *, struct ethhdr *, const void *, struct xdp_md *, my_u32);

SEC("xdp")
int types_prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	long len = end - data;

	BPF_SDT_PROBE5(ints_signed, len, len + 1, len + 2, len + 3, len + 4);
	BPF_SDT_PROBE5(ints_unsigned, len + 5, len + 6, len + 7, len + 8, len + 9);
	BPF_SDT_PROBE5(scalars_misc, len + 10, len > 64, XDP_PASS, VERDICT_DROP, len + 11);
	BPF_SDT_PROBE5(pointers, data, data, end, ctx, len + 12);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
