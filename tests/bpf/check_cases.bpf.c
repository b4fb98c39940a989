/* Sites that pass what their probes declare, and sites that do not: one
 * XDP program per case, for `bpfsdt check` in both modes. Each program's
 * verdict is annotated on it (common.h: __sdt_clean, __sdt_error, ...) and
 * checked by tests/unit/test_check_verdicts.c. */
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
BPF_SDT_DECLARE1(small, __u8);
BPF_SDT_DECLARE2(step, __u32, struct counter *);

SEC("xdp") __sdt_clean
int good_scalars(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE3(scalars, len, len & 0xff, XDP_PASS);
	return XDP_PASS;
}

SEC("xdp") __sdt_clean
int good_context(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(context, ctx);
	return XDP_PASS;
}

SEC("xdp") __sdt_clean
int good_checked_packet(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	BPF_SDT_PROBE1(header, eth);
	return XDP_PASS;
}

SEC("xdp") __sdt_clean
int good_map_value(struct xdp_md *ctx)
{
	struct counter *c = bpf_map_lookup_elem(&counters, &(__u32){ 0 });

	if (!c)
		return XDP_ABORTED;
	BPF_SDT_PROBE1(counted, c);
	return XDP_PASS;
}

SEC("xdp") __sdt_clean
int good_stack(struct xdp_md *ctx)
{
	struct counter local = { .packets = xdp_len(ctx) };

	BPF_SDT_PROBE1(counted, &local);
	return local.packets > 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
__sdt_error("probe number, argument 0 (unsigned long): {{reg}} holds a packet pointer, a scalar "
	    "is required")
int bad_packet_as_scalar(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(number, (unsigned long)ctx->data);
	return XDP_PASS;
}

SEC("xdp")
__sdt_error("probe number, argument 0 (unsigned long): {{reg}} holds the context pointer, a "
	    "scalar is required")
int bad_context_as_scalar(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(number, (unsigned long)ctx);
	return XDP_PASS;
}

SEC("xdp")
__sdt_error("probe counted, argument 0 (struct counter *): {{reg}} holds a scalar, a non-NULL "
	    "pointer to 8 readable bytes is required")
int bad_scalar_as_pointer(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(counted, (struct counter *)(long)xdp_len(ctx));
	return XDP_PASS;
}

SEC("xdp")
__sdt_error("probe counted, argument 0 (struct counter *): {{reg}} may be NULL, a non-NULL "
	    "pointer to 8 readable bytes is required")
int bad_maybe_null(struct xdp_md *ctx)
{
	struct counter *c = bpf_map_lookup_elem(&counters, &(__u32){ 0 });

	BPF_SDT_PROBE1(counted, c);
	if (c)
		__sync_fetch_and_add(&c->packets, 1);
	return XDP_PASS;
}

SEC("xdp")
__sdt_error("probe context, argument 0 (struct xdp_md *): {{reg}} holds a packet pointer, the "
	    "program's context (struct xdp_md *) is required")
int bad_packet_as_context(struct xdp_md *ctx)
{
	struct xdp_md *fake = (void *)(long)ctx->data;

	if ((void *)(fake + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	BPF_SDT_PROBE1(context, fake);
	return XDP_PASS;
}

SEC("xdp")
__sdt_error_kernel("probe header, argument 0 (struct ethhdr *): {{reg}} holds a packet pointer, a "
		   "non-NULL pointer to 14 readable bytes is required")
__sdt_error_offline("probe header, argument 0 (struct ethhdr *): {{reg}} holds a packet pointer "
		    "to 0 bytes proven in bounds, a non-NULL pointer to 14 readable bytes is "
		    "required")
int bad_unchecked_packet(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(header, (struct ethhdr *)(long)ctx->data);
	return XDP_PASS;
}

/* A site whose argument register (r4) nothing ever wrote: only asm can
 * produce it, so the site is written out as bpf_sdt.h would emit it. */
SEC("xdp")
__sdt_error("probe number, argument 0 (unsigned long): {{reg}} is not initialized on some path to "
	    "the site")
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

/* The pointer survives a helper call in a stack slot: spilled, then
 * filled back for the site. */
SEC("xdp") __sdt_clean
int good_spilled_across_call(struct xdp_md *ctx)
{
	struct counter *c = bpf_map_lookup_elem(&counters, &(__u32){ 0 });

	if (!c)
		return XDP_ABORTED;
	asm volatile("" ::: "r6", "r7", "r8", "r9");
	bpf_get_prandom_u32();
	BPF_SDT_PROBE1(counted, c);
	return XDP_PASS;
}

/* A packet pointer at a variable offset, bounds-checked through a copy
 * moved 14 bytes further (the copies share the verifier's range). */
SEC("xdp") __sdt_clean
int good_variable_packet(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data + (xdp_len(ctx) & 0x3f);

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	BPF_SDT_PROBE1(header, eth);
	return XDP_PASS;
}

static __noinline int header_probe(struct ethhdr *eth)
{
	BPF_SDT_PROBE1(header, eth);
	return eth->h_proto == 0;
}

/* The check happens in the caller; the site is in a static function. */
SEC("xdp") __sdt_clean
int good_static_subprog_packet(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	return header_probe(eth) ? XDP_DROP : XDP_PASS;
}

static int count_step(__u32 index, struct counter *local)
{
	BPF_SDT_PROBE2(step, index, local);
	local->packets += index;
	return 0;
}

/* A bpf_loop() callback whose site passes the caller's stack struct. */
SEC("xdp") __sdt_clean
int good_callback_stack(struct xdp_md *ctx)
{
	struct counter local = { .packets = xdp_len(ctx) };

	bpf_loop(ctx->rx_queue_index + 1, count_step, &local, 0);
	return local.packets > 1 ? XDP_PASS : XDP_DROP;
}

/* A pointer on one path, a number on the other. */
SEC("xdp")
__sdt_error_kernel("probe counted, argument 0 (struct counter *): {{reg}} holds a scalar, a "
		   "non-NULL pointer to 8 readable bytes is required")
__sdt_error_offline("probe counted, argument 0 (struct counter *): {{reg}} holds a scalar on some "
		    "paths and a stack pointer on others, a non-NULL pointer to 8 readable bytes "
		    "is required")
int bad_scalar_on_one_path(struct xdp_md *ctx)
{
	struct counter local = { .packets = 1 };
	struct counter *c = &local;

	if (xdp_len(ctx) > 100)
		c = (struct counter *)(long)(ctx->rx_queue_index | 1);
	BPF_SDT_PROBE1(counted, c);
	return XDP_PASS;
}

/* 300 passed as a __u8 (only asm can: C would narrow it first). */
SEC("xdp")
__sdt_warning_offline("probe small, argument 0 (__u8): {{reg}} holds 300, which does not fit in 8 "
		      "bits")
int warn_out_of_range(struct xdp_md *ctx)
{
	asm volatile("r1 = 300\n"
		     "1: goto +0\n"
		     ".pushsection .bpf_sdt_notes,\"a\"\n"
		     ".balign 8\n"
		     "___sdt_jt_small.%=:\n"
		     ".quad 1b\n"
		     "r1 = r1\n"
		     ".popsection\n" ::: "r1");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
