/* Programs for the live hooks other than an interface's XDP: a tc
 * classifier, an XDP dispatcher tail-calling through a prog array slot, and
 * a cgroup_skb egress program. Each counts the packets it handles in its own
 * slot of `handled`, so a test can compare observer hits with the program's
 * own count. */
#include "common.h"
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>

enum live_counter { COUNT_TC_IP, COUNT_SLOT, COUNT_CGROUP, NR_COUNTERS };

BPF_SDT_DECLARE2(tc_pkt, unsigned int, unsigned int);	/* every packet: len, protocol */
BPF_SDT_DECLARE1(tc_ip, unsigned int);			/* IPv4 packets: len */
BPF_SDT_DECLARE1(slot_pkt, unsigned int);
BPF_SDT_DECLARE1(cg_pkt, unsigned int);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} handled SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} jump SEC(".maps");

static __always_inline void count(__u32 key)
{
	__u64 *n = bpf_map_lookup_elem(&handled, &key);

	if (n)
		(*n)++;
}

SEC("tc")
int live_tc(struct __sk_buff *skb)
{
	BPF_SDT_PROBE2(tc_pkt, skb->len, skb->protocol);
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		count(COUNT_TC_IP);
		BPF_SDT_PROBE1(tc_ip, skb->len);
	}
	return TC_ACT_OK;
}

SEC("xdp")
int live_dispatch(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jump, 0);
	return XDP_PASS;
}

SEC("xdp")
int live_slot(struct xdp_md *ctx)
{
	count(COUNT_SLOT);
	BPF_SDT_PROBE1(slot_pkt, xdp_len(ctx));
	return XDP_PASS;
}

SEC("cgroup_skb/egress")
int live_cgroup(struct __sk_buff *skb)
{
	count(COUNT_CGROUP);
	BPF_SDT_PROBE1(cg_pkt, skb->len);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
