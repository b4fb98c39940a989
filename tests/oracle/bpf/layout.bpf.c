/* Oracle-only program (not in the corpus): many sections (with '/' and
 * '.'), two programs sharing a section, global and static subprograms, a
 * bpf_loop callback, probe names whose byte order differs from their
 * case-insensitive order, zero-argument sites, sites in an unrolled loop and
 * in a function inlined three times, 10- and 11-argument probes. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE0(Zeta);
BPF_SDT_DECLARE0(_under);
BPF_SDT_DECLARE1(alpha, int);
BPF_SDT_DECLARE2(a2, long, long);
BPF_SDT_DECLARE3(B3, unsigned int, void *, _Bool);
BPF_SDT_DECLARE10(ten, long, long, long, long, long, long, long, long, long, long);
BPF_SDT_DECLARE11(eleven, int, int, int, int, int, int, int, int, int, int, int);

__u64 flags_var;

__attribute__((noinline)) int global_sub(int x)
{
	BPF_SDT_PROBE1(alpha, x);
	BPF_SDT_PROBE0(Zeta);
	return x + 1;
}

static __attribute__((noinline)) int static_sub(int x, void *p)
{
	BPF_SDT_PROBE3(B3, x, p, x > 3);
	return x * 2;
}

static __always_inline void twice(long a, long b)
{
	BPF_SDT_PROBE2(a2, a, b);
}

static long cb(__u32 idx, void *data)
{
	BPF_SDT_PROBE1(alpha, idx);
	BPF_SDT_PROBE0(_under);
	return 0;
}

SEC("xdp")
int first_xdp(struct xdp_md *ctx)
{
	long len = ctx->data_end - ctx->data;

	twice(len, len + 1);
	twice(len * 2, len * 3);
	return global_sub(len) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int second_xdp(struct xdp_md *ctx)
{
	long len = ctx->data_end - ctx->data;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++)
		BPF_SDT_PROBE1(alpha, (int)len + i);
	BPF_SDT_PROBE10(ten, len, len + 1, len + 2, len + 3, len + 4, len + 5, len + 6, len + 7,
			len + 8, len + 9);
	bpf_loop(3, cb, 0, flags_var);
	return static_sub(len, ctx) ? XDP_PASS : XDP_DROP;
}

SEC("tc/ingress")
int tc_in(struct __sk_buff *skb)
{
	int l = skb->len;

	BPF_SDT_PROBE11(eleven, l, l + 1, l + 2, l + 3, l + 4, l + 5, l + 6, l + 7, l + 8, l + 9,
			l + 10);
	BPF_SDT_PROBE0(Zeta);
	return static_sub(l, skb) + global_sub(l) ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("xdp.frags")
int frags(struct xdp_md *ctx)
{
	BPF_SDT_PROBE0(_under);
	twice(1, 2);
	return XDP_PASS;
}

SEC("socket")
int sock(struct __sk_buff *skb)
{
	BPF_SDT_PROBE3(B3, skb->len, skb, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
