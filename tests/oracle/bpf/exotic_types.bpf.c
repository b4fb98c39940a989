/* Oracle-only program (not in the corpus): argument types whose C spelling
 * is easy to get wrong -- pointers to pointers and qualifiers in every
 * position, function pointers (with and without parameters, variadic),
 * pointers to arrays, forward-declared structs, unions, anonymous structs
 * and enums (spelled out in full), a one-byte enum, typedefs of all of them;
 * and a twelve-argument probe, a declared probe without sites, a site in a
 * .text subprogram and one in an always-inlined helper used twice. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

struct never_defined;
union num {
	int i;
	long l;
};
typedef int (*cb_t)(int, void *);
typedef void fn_t(int);
typedef const char *cstr_t;
typedef enum { MODE_A, MODE_B = 5 } mode_e;
typedef struct {
	int x;
	char c;
} anon_s_t;
enum __attribute__((packed)) small { S1, S2 };
struct {
	int x;
	long y;
	char tail;
} *g_anon_ptr;
enum { E1 = -1, E2 = 7 } g_anon_enum;
enum __attribute__((packed)) { P1, P2 } g_anon_packed;

BPF_SDT_DECLARE5(ptrs, char **, const char *const *, volatile int *, int *restrict,
		 const volatile int *);
BPF_SDT_DECLARE5(fns, int (*)(int, void *), cb_t, fn_t *, int (**)(void), int (*)(int, ...));
BPF_SDT_DECLARE5(aggr, struct never_defined *, union num *, int (*)[4], anon_s_t *,
		 __typeof__(g_anon_ptr));
BPF_SDT_DECLARE5(enums, mode_e, enum small, __typeof__(g_anon_enum), __typeof__(g_anon_packed),
		 cstr_t);
BPF_SDT_DECLARE4(more_ptrs, int __attribute__((btf_type_tag("user"))) *, const struct ethhdr **,
		 char (*)[2][3], void *const);
BPF_SDT_DECLARE12(twelve, char, short, int, long, unsigned char, cb_t, void *, _Bool, mode_e,
		  const void *, __u64, struct never_defined *);
BPF_SDT_DECLARE0(unused_probe);
BPF_SDT_DECLARE1(in_text, int);

static __attribute__((noinline)) int helper(int v)
{
	BPF_SDT_PROBE1(in_text, v);
	return v * 3;
}

static __always_inline void inl(long v, void *p)
{
	BPF_SDT_PROBE5(ptrs, p, p, p, p, p);
	BPF_SDT_PROBE1(in_text, (int)v);
}

SEC("xdp")
int exotic_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	long len = end - data;
	int i;

	inl(len, data);
	BPF_SDT_PROBE5(fns, data, data, data, data, data);
	BPF_SDT_PROBE5(aggr, data, data, data, data, data);
	BPF_SDT_PROBE5(enums, len, len, len, len, data);
	BPF_SDT_PROBE4(more_ptrs, data, data, data, data);
	BPF_SDT_PROBE12(twelve, len, len + 1, len + 2, len + 3, len + 4, data, end, len > 5, len,
			data, len + 9, data);
#pragma unroll
	for (i = 0; i < 3; i++)
		BPF_SDT_PROBE1(in_text, i + (int)len);
	return helper((int)len) > 10 ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int exotic_tc(struct __sk_buff *skb)
{
	inl(skb->len, skb);
	return helper(skb->len);
}

char LICENSE[] SEC("license") = "GPL";
