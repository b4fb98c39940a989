/* Arguments whose registers hold more than the declared type: an int in a
 * 32-bit subregister, a value wider than an unsigned char, and full 64-bit
 * values. The observer must see each as its declared type, widened to u64. */
#include "common.h"

BPF_SDT_DECLARE5(narrow, int, unsigned char, short, unsigned short, _Bool);
BPF_SDT_DECLARE3(wide, long, unsigned long long, unsigned int);
BPF_SDT_DECLARE2(packet, void *, void *);

SEC("xdp")
int arg_values(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int len = end - data; /* 64 in the tests */

	BPF_SDT_PROBE5(narrow, len - 65, len + 447, -len - 2, len * 1000, len > 10);
	BPF_SDT_PROBE3(wide, (long)(len - 65), ~0ULL - 64 + len, (unsigned int)len * 62500000u);
	BPF_SDT_PROBE2(packet, data, end);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
