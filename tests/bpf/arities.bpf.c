/* One probe for every argument count from 0 to 12, each argument a distinct
 * value so none can share a register. */
#include "common.h"

BPF_SDT_DECLARE0(a0);
BPF_SDT_DECLARE1(a1, long);
BPF_SDT_DECLARE2(a2, long, long);
BPF_SDT_DECLARE3(a3, long, long, long);
BPF_SDT_DECLARE4(a4, long, long, long, long);
BPF_SDT_DECLARE5(a5, long, long, long, long, long);
BPF_SDT_DECLARE6(a6, long, long, long, long, long, long);
BPF_SDT_DECLARE7(a7, long, long, long, long, long, long, int);
BPF_SDT_DECLARE8(a8, long, long, long, long, long, long, int, short);
BPF_SDT_DECLARE9(a9, long, long, long, long, long, long, int, short, char);
BPF_SDT_DECLARE10(a10, long, long, long, long, long, long, int, short, char, void *);
BPF_SDT_DECLARE11(a11, long, long, long, long, long, long, int, short, char, void *,
		  unsigned int);
BPF_SDT_DECLARE12(a12, long, long, long, long, long, long, int, short, char, void *,
		  unsigned int, unsigned long long);

SEC("xdp")
int arities_prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	long n = xdp_len(ctx);

	BPF_SDT_PROBE0(a0);
	BPF_SDT_PROBE1(a1, n);
	BPF_SDT_PROBE2(a2, n, n + 1);
	BPF_SDT_PROBE3(a3, n, n + 1, n + 2);
	BPF_SDT_PROBE4(a4, n, n + 1, n + 2, n + 3);
	BPF_SDT_PROBE5(a5, n, n + 1, n + 2, n + 3, n + 4);
	BPF_SDT_PROBE6(a6, n, n + 1, n + 2, n + 3, n + 4, n + 5);
	BPF_SDT_PROBE7(a7, n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6);
	BPF_SDT_PROBE8(a8, n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7);
	BPF_SDT_PROBE9(a9, n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8);
	BPF_SDT_PROBE10(a10, n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, data);
	BPF_SDT_PROBE11(a11, n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, data,
			n + 10);
	BPF_SDT_PROBE12(a12, n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, data,
			n + 10, n + 11);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
