/* More sites for `bpfsdt check` in both modes, of shapes the first checks
 * got wrong: references the program holds at the site, read-only data,
 * packet pointers of program types that may only read the packet, several
 * bad arguments in one site, a packet bounds test the verifier does not
 * learn from. As in check_cases.bpf.c, each program's verdict is annotated
 * on it (common.h). */
#include "common.h"

struct counter {
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} records SEC(".maps");

const volatile struct counter limits = { .packets = 1000 };

BPF_SDT_DECLARE1(record, struct counter *);
BPF_SDT_DECLARE2(named, const char *, int);
BPF_SDT_DECLARE1(limit, const struct counter *);
BPF_SDT_DECLARE1(header, struct ethhdr *);
BPF_SDT_DECLARE1(length, int);
BPF_SDT_DECLARE3(three, unsigned long, struct counter *, unsigned long);

/* The record is a reference the program must submit or discard: the site
 * holds it, and so must any copy of the program that stops there. */
SEC("xdp") __sdt_clean
int good_ringbuf_record(struct xdp_md *ctx)
{
	struct counter *r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);

	if (!r)
		return XDP_PASS;
	r->packets = xdp_len(ctx);
	BPF_SDT_PROBE1(record, r);
	bpf_ringbuf_submit(r, 0);
	return XDP_PASS;
}

/* A socket reference held across the site. */
SEC("xdp") __sdt_clean
int good_socket_reference(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), -1, 0);
	if (!sk)
		return XDP_PASS;
	BPF_SDT_PROBE1(length, xdp_len(ctx));
	bpf_sk_release(sk);
	return XDP_PASS;
}

/* A string literal: a pointer into the read-only .rodata map. */
SEC("xdp") __sdt_clean
int good_string_literal(struct xdp_md *ctx)
{
	BPF_SDT_PROBE2(named, "ingress", xdp_len(ctx));
	return XDP_PASS;
}

/* A const global struct, in .rodata too. */
SEC("xdp") __sdt_clean
int good_rodata_struct(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(limit, (const struct counter *)&limits);
	return XDP_PASS;
}

/* cgroup_skb programs may read the packet, not write it. */
SEC("cgroup_skb/ingress") __sdt_clean
int good_read_only_packet(struct __sk_buff *skb)
{
	struct ethhdr *eth = (void *)(long)skb->data;

	if ((void *)(eth + 1) > (void *)(long)skb->data_end)
		return 1;
	BPF_SDT_PROBE1(header, eth);
	return 1;
}

/* Arguments 0 and 2 are bad, 1 is good. */
SEC("xdp")
__sdt_error_kernel("probe three, argument 0 (unsigned long): {{reg}} holds the context pointer, a "
		   "scalar is required (verifier: R1 is not a scalar)")
__sdt_error_kernel("probe three, argument 2 (unsigned long): {{reg}} holds a packet pointer, a "
		   "scalar is required (verifier: R1 is not a scalar)")
__sdt_error_offline("probe three, argument 0 (unsigned long): {{reg}} holds the context pointer, "
		    "a scalar is required")
__sdt_error_offline("probe three, argument 2 (unsigned long): {{reg}} holds a packet pointer, a "
		    "scalar is required")
int bad_two_arguments(struct xdp_md *ctx)
{
	struct counter local = { .packets = xdp_len(ctx) };

	BPF_SDT_PROBE3(three, (unsigned long)ctx, &local, (unsigned long)ctx->data);
	return local.packets > 1 ? XDP_PASS : XDP_DROP;
}

/* `data_end - data < N` bounds nothing for the verifier: only comparing the
 * packet pointers themselves does. Argument 0 is bad. */
SEC("xdp")
__sdt_error_kernel("probe header, argument 0 (struct ethhdr *): {{reg}} holds a packet pointer, a "
		   "non-NULL pointer to 14 readable bytes is required (verifier: R2 offset is "
		   "outside of the packet)")
__sdt_error_offline("probe header, argument 0 (struct ethhdr *): {{reg}} holds a packet pointer "
		    "to 0 bytes proven in bounds, a non-NULL pointer to 14 readable bytes is "
		    "required")
int bad_length_checked_by_difference(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	if (data_end - data < (long)sizeof(struct ethhdr))
		return XDP_DROP;
	BPF_SDT_PROBE1(header, data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
