/* A target for the isolation tests: its verdict comes from a map and a
 * stack struct, it counts bytes in maps (one behind a spin lock) and its
 * probes hand observers every kind of pointer a target can -- its context,
 * its packet, its stack, its map values -- plus a u64 scalar. Observers must
 * not change its verdict, its packet or its maps. */
#include "common.h"
#include "isolation_target.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} byte_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} locked_count SEC(".maps");

BPF_SDT_DECLARE1(ctx_probe, struct xdp_md *);
BPF_SDT_DECLARE2(pkt_probe, void *, void *);
BPF_SDT_DECLARE2(state_probe, struct state *, int);
BPF_SDT_DECLARE1(value_probe, __u64 *);
BPF_SDT_DECLARE1(locked_probe, void *);	/* a typed pointer to a lock is no global function parameter */
BPF_SDT_DECLARE2(wide_probe, __u64, int);

SEC("xdp")
int isolation_target(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct locked *l;
	struct state st;
	__u64 *verdict, *bytes;
	__u32 key = 0;

	verdict = bpf_map_lookup_elem(&verdicts, &key);
	bytes = bpf_map_lookup_elem(&byte_count, &key);
	l = bpf_map_lookup_elem(&locked_count, &key);
	if (!verdict || !bytes || !l)
		return XDP_ABORTED;
	st.action = *verdict;
	st.bytes = end - data;
	BPF_SDT_PROBE1(ctx_probe, ctx);
	BPF_SDT_PROBE2(pkt_probe, data, end);
	BPF_SDT_PROBE2(state_probe, &st, (int)st.bytes);
	BPF_SDT_PROBE1(value_probe, verdict);
	BPF_SDT_PROBE1(locked_probe, l);
	BPF_SDT_PROBE2(wide_probe, st.bytes, (int)st.action);
	*bytes += st.bytes;
	bpf_spin_lock(&l->lock);
	l->packets++;
	bpf_spin_unlock(&l->lock);
	return st.action;
}

char LICENSE[] SEC("license") = "GPL";
