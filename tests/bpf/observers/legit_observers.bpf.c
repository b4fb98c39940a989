/* Observers that do what observers are for -- and must be accepted: copy
 * arguments into ring buffer events, count in their own maps, read the
 * packet through a context argument, loop over their own data, call
 * subprograms, lock their own counters, format into their own buffers. All
 * for isolation_target's probes. */
#include "obs_common.h"
#include "../isolation_target.h"

struct event {
	__u64 action, bytes, site_id, cookie;
	int len;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} by_len SEC(".maps");

struct counter {
	struct bpf_spin_lock lock;
	__u64 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} locked_counter SEC(".maps");

__u64 events_sent, first_bytes, ifindex, summed, looped, copied_action, formatted_len;
char formatted[24];
__u64 data[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

SEC("bpf_sdt/state_probe")
int BPF_PROG(copies_arguments_into_a_ring_buffer, struct state *st, int len, __u64 site_id)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->action = st->action;
	e->bytes = st->bytes;
	e->len = len;
	e->site_id = site_id;
	e->cookie = bpf_get_attach_cookie(ctx);
	bpf_ringbuf_submit(e, 0);
	events_sent++;
	return 0;
}

/* the argument array itself, within the arguments */
SEC("bpf_sdt/state_probe")
int outputs_its_argument_array(unsigned long long *ctx)
{
	if (!bpf_ringbuf_output(&events, ctx, 2 * sizeof(__u64), 0))
		events_sent++;
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(counts_in_its_own_hash_map, __u64 bytes, int action)
{
	__u64 one = 1, *n = bpf_map_lookup_elem(&by_len, &bytes);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&by_len, &bytes, &one, BPF_NOEXIST);
	return 0;
}

SEC("bpf_sdt/ctx_probe")
int BPF_PROG(reads_the_packet_through_its_context_argument, struct xdp_md *x)
{
	unsigned char *p = (void *)(long)x->data, *end = (void *)(long)x->data_end;

	if (p + 4 > end)
		return 0;
	first_bytes = p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	ifindex = x->ingress_ifindex;
	return 0;
}

struct sum_ctx {
	__u64 *from;
	__u64 total;
};

static int add_cb(__u32 i, struct sum_ctx *c)
{
	if (i < 16)
		c->total += data[i];
	looped++;
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(sums_its_own_data_with_bpf_loop, __u64 bytes, int action)
{
	struct sum_ctx c = { .from = data };

	bpf_loop(16, add_cb, &c, 0);
	summed = c.total;
	return 0;
}

static int nothing_cb(__u32 i, void *ctx)
{
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(loops_up_to_the_limit, __u64 bytes, int action)
{
	looped += bpf_loop(4096, nothing_cb, NULL, 0);
	return 0;
}

struct seen {
	__u64 ifindex, queue;
};

static __attribute__((noinline)) int fill(struct seen *s, struct xdp_md *x)
{
	s->ifindex = x->ingress_ifindex;
	s->queue = x->rx_queue_index;
	return 0;
}

SEC("bpf_sdt/ctx_probe")
int BPF_PROG(fills_a_local_in_a_subprogram, struct xdp_md *x)
{
	struct seen s = {};

	fill(&s, x);
	ifindex = s.ifindex + 1;
	return 0;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(copies_the_target_state_with_probe_read, struct state *st, int len)
{
	struct state copy;

	if (bpf_probe_read_kernel(&copy, sizeof(copy), st))
		return 0;
	copied_action = copy.action;
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(locks_its_own_counter, __u64 bytes, int action)
{
	__u32 key = 0;
	struct counter *c = bpf_map_lookup_elem(&locked_counter, &key);

	if (!c)
		return 0;
	bpf_spin_lock(&c->lock);
	c->n += bytes;
	bpf_spin_unlock(&c->lock);
	return 0;
}

SEC("bpf_sdt/wide_probe")
int BPF_PROG(formats_into_its_own_buffer, __u64 bytes, int action)
{
	__u64 args[2] = { bytes, action };
	char buf[24];
	long n = bpf_snprintf(buf, sizeof(buf), "%llu/%llu", args, sizeof(args));

	if (n > 0) {
		__builtin_memcpy(formatted, buf, sizeof(buf));
		formatted_len = n;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
