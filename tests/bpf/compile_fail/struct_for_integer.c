/* A struct value where an integer is declared. */
#include "../common.h"
struct pair { int a, b; };
BPF_SDT_DECLARE1(p, int);

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	struct pair v = { len, len };

	BPF_SDT_PROBE1(p, v);
	return XDP_PASS;
}
