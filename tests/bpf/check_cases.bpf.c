/* Sites that pass what their probes declare, and sites that do not: one
 * XDP program per case, for `bpfsdt check` in both modes. A name says the
 * verdict: good_* must be clean, bad_* must have exactly one finding. */
#include "common.h"

struct counter {
	__u64 packets;
};

/* a hash: the verifier knows an array lookup with a constant key in range
 * is never NULL, but not a hash lookup */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

BPF_SDT_DECLARE3(scalars, int, __u8, enum xdp_action);
BPF_SDT_DECLARE1(context, struct xdp_md *);
BPF_SDT_DECLARE1(header, struct ethhdr *);
BPF_SDT_DECLARE1(counted, struct counter *);
BPF_SDT_DECLARE1(number, unsigned long);

SEC("xdp")
int good_scalars(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE3(scalars, len, len & 0xff, XDP_PASS);
	return XDP_PASS;
}

SEC("xdp")
int good_context(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(context, ctx);
	return XDP_PASS;
}

SEC("xdp")
int good_checked_packet(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	BPF_SDT_PROBE1(header, eth);
	return XDP_PASS;
}

SEC("xdp")
int good_map_value(struct xdp_md *ctx)
{
	struct counter *c = bpf_map_lookup_elem(&counters, &(__u32){ 0 });

	if (!c)
		return XDP_ABORTED;
	BPF_SDT_PROBE1(counted, c);
	return XDP_PASS;
}

SEC("xdp")
int good_stack(struct xdp_md *ctx)
{
	struct counter local = { .packets = xdp_len(ctx) };

	BPF_SDT_PROBE1(counted, &local);
	return local.packets > 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int bad_packet_as_scalar(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(number, (unsigned long)ctx->data);
	return XDP_PASS;
}

SEC("xdp")
int bad_context_as_scalar(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(number, (unsigned long)ctx);
	return XDP_PASS;
}

SEC("xdp")
int bad_scalar_as_pointer(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(counted, (struct counter *)(long)xdp_len(ctx));
	return XDP_PASS;
}

SEC("xdp")
int bad_maybe_null(struct xdp_md *ctx)
{
	struct counter *c = bpf_map_lookup_elem(&counters, &(__u32){ 0 });

	BPF_SDT_PROBE1(counted, c);
	if (c)
		__sync_fetch_and_add(&c->packets, 1);
	return XDP_PASS;
}

SEC("xdp")
int bad_packet_as_context(struct xdp_md *ctx)
{
	struct xdp_md *fake = (void *)(long)ctx->data;

	if ((void *)(fake + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	BPF_SDT_PROBE1(context, fake);
	return XDP_PASS;
}

SEC("xdp")
int bad_unchecked_packet(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(header, (struct ethhdr *)(long)ctx->data);
	return XDP_PASS;
}

/* A site whose argument register (r4) nothing ever wrote: only asm can
 * produce it, so the site is written out as bpf_sdt.h would emit it. */
SEC("xdp")
int bad_uninitialized(struct xdp_md *ctx)
{
	asm volatile("1: goto +0\n"
		     ".pushsection .bpf_sdt_notes,\"a\"\n"
		     ".balign 8\n"
		     "___sdt_jt_number.%=:\n"
		     ".quad 1b\n"
		     "r1 = r4\n"
		     ".popsection\n" ::: "r4");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
