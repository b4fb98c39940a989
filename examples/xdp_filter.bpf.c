// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdp_filter: a small XDP firewall with static-defined tracing probes.
 *
 * Drops UDP and TCP packets to ports listed in the `blocked_ports` map and
 * counts verdicts per action in `verdicts`. The probes show what the program
 * decides and why, at no cost until someone observes them:
 *
 *   pkt_parsed(len, eth_proto, ip_proto)   every packet, after parsing
 *   port_check(dport, blocked)             every UDP/TCP packet
 *   verdict(action, reason)                the decision, once per packet
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

enum filter_reason {
	REASON_NOT_IP = 0,	/* not IPv4: passed untouched */
	REASON_TRUNCATED = 1,	/* header shorter than it claims: dropped */
	REASON_NO_PORTS = 2,	/* IPv4 without UDP/TCP ports: passed */
	REASON_PORT_ALLOWED = 3,
	REASON_PORT_BLOCKED = 4,
};

BPF_SDT_DECLARE3(pkt_parsed, unsigned int, __u16, __u8);
BPF_SDT_DECLARE2(port_check, __u16, _Bool);
BPF_SDT_DECLARE2(verdict, enum xdp_action, enum filter_reason);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);	/* destination port, host order */
	__type(value, __u8);
} blocked_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

static __always_inline int finish(enum xdp_action action, enum filter_reason reason)
{
	__u32 key = action;
	__u64 *count = bpf_map_lookup_elem(&verdicts, &key);

	if (count)
		(*count)++;
	BPF_SDT_PROBE2(verdict, action, reason);
	return action;
}

/* Destination port of a UDP/TCP packet in host order, 0 when it has none,
 * -1 when the header is truncated. */
static __always_inline int dest_port(struct iphdr *ip, void *end)
{
	void *l4 = (void *)ip + ip->ihl * 4;

	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end)
			return -1;
		return bpf_ntohs(udp->dest);
	}
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > end)
			return -1;
		return bpf_ntohs(tcp->dest);
	}
	return 0;
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u16 proto;
	_Bool blocked;
	int port;

	if ((void *)(eth + 1) > end)
		return finish(XDP_DROP, REASON_TRUNCATED);
	proto = bpf_ntohs(eth->h_proto);
	ip = (void *)(eth + 1);
	if (proto != ETH_P_IP) {
		BPF_SDT_PROBE3(pkt_parsed, end - data, proto, 0);
		return finish(XDP_PASS, REASON_NOT_IP);
	}
	if ((void *)(ip + 1) > end || ip->ihl < 5)
		return finish(XDP_DROP, REASON_TRUNCATED);
	BPF_SDT_PROBE3(pkt_parsed, end - data, proto, ip->protocol);

	port = dest_port(ip, end);
	if (port < 0)
		return finish(XDP_DROP, REASON_TRUNCATED);
	if (port == 0)
		return finish(XDP_PASS, REASON_NO_PORTS);
	blocked = bpf_map_lookup_elem(&blocked_ports, &(__u16){ port }) != NULL;
	BPF_SDT_PROBE2(port_check, port, blocked);
	return blocked ? finish(XDP_DROP, REASON_PORT_BLOCKED) : finish(XDP_PASS, REASON_PORT_ALLOWED);
}

char LICENSE[] SEC("license") = "GPL";
