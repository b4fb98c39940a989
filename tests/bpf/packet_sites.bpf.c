/* Probes that hand over the packet, for trace --pcap, and numbers to
 * aggregate: the XDP program passes its context and the packet's bounds,
 * the tc classifier its __sk_buff. Every packet passes: the probes only
 * say what each one looked like. */
#include "common.h"
#include <linux/pkt_cls.h>

enum size_class { SIZE_SMALL = 0, SIZE_BIG = 1 };	/* big: over 200 bytes */

BPF_SDT_DECLARE3(xdp_seen, struct xdp_md *, unsigned int, enum size_class);
BPF_SDT_DECLARE3(pkt_bounds, void *, void *, int);	/* data, data_end, len */
BPF_SDT_DECLARE2(tc_seen, struct __sk_buff *, unsigned int);

SEC("xdp")
int packet_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	unsigned int len = end - data;
	enum size_class cls = len > 200 ? SIZE_BIG : SIZE_SMALL;

	BPF_SDT_PROBE3(xdp_seen, ctx, len, cls);
	if (data + sizeof(struct ethhdr) <= end)
		BPF_SDT_PROBE3(pkt_bounds, data, end, (int)len);
	return XDP_PASS;
}

SEC("tc")
int packet_tc(struct __sk_buff *skb)
{
	BPF_SDT_PROBE2(tc_seen, skb, skb->len);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
