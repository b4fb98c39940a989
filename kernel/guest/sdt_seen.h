/* SPDX-License-Identifier: GPL-2.0 */
/* What sdt_observers.bpf.c records, shared with the guest tests. */
#ifndef GUEST_SDT_SEEN_H
#define GUEST_SDT_SEEN_H

struct sdt_seen {
	__u64 hits[4];		/* pkt_seen, by `where` */
	__u64 len, seq, a_order, b_order, b_hits;
	__u64 lap_hits, lap_sum;
	__u64 u8v;
	__s64 s16v;
	__u64 u32v;
	__s64 s64v;
	__u64 boolv;
	__u64 xdp_len, byte12, flow_proto, flow_len, run;
	__u64 verdict;
	__u64 steps;
	__u64 site_ids[4];	/* pkt_seen's site id, by `where` */
	__u64 cookie;
};

#endif
