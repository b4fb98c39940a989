/*
 * identity_fw: a small XDP firewall for the live map-identity tests. A
 * loader sets its policy in .rodata (blocked_proto) before loading; it
 * counts in .bss and .data, and passes and drops in two maps whose names
 * share their first 15 characters (the kernel keeps 15). The .bpf.c files
 * including this name the maps and choose which map each reference of the
 * code uses, so their code (and kernel tag) is the same while the maps
 * differ:
 *   FIRST_MAP, SECOND_MAP          the maps, in definition order
 *   REF_DROP                       counts dropped packets (key 0)
 *   REF_PASS_PACKETS, REF_PASS_BYTES  count passed packets (key 0) and bytes (key 1)
 *   SECOND_VALUE                   the second map's value type (default __u64)
 */
#include "common.h"
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>

#ifndef SECOND_VALUE
#define SECOND_VALUE __u64
#endif

BPF_SDT_DECLARE2(fw_verdict, enum xdp_action, __u8);	/* verdict, IP protocol */

const volatile __u8 blocked_proto = IPPROTO_ICMP;	/* the ELF's default; loaders set it */
__u64 packets_seen;					/* .bss */
__u64 last_len;
__u64 data_counter = 1000;				/* .data */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} FIRST_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, SECOND_VALUE);
} SECOND_MAP SEC(".maps");

static __always_inline void add(void *map, __u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("xdp")
int identity_fw(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 len = end - data;
	__u8 proto = 0;

	if ((void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP))
		proto = ip->protocol;
	packets_seen++;
	last_len = len;
	data_counter++;
	if (proto == blocked_proto) {
		add(&REF_DROP, 0, 1);
		BPF_SDT_PROBE2(fw_verdict, XDP_DROP, proto);
		return XDP_DROP;
	}
	add(&REF_PASS_PACKETS, 0, 1);
	add(&REF_PASS_BYTES, 1, len);
	BPF_SDT_PROBE2(fw_verdict, XDP_PASS, proto);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
