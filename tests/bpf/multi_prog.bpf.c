/* Several programs in several sections of one object sharing a probe, plus
 * a probe declared but never fired. */
#include "common.h"

BPF_SDT_DECLARE1(pkt_len, unsigned int);
BPF_SDT_DECLARE2(tc_seen, unsigned int, unsigned int);
BPF_SDT_DECLARE1(never_fired, int);

SEC("xdp")
int multi_xdp(struct xdp_md *ctx)
{
	BPF_SDT_PROBE1(pkt_len, xdp_len(ctx));
	return XDP_PASS;
}

SEC("tc")
int multi_tc(struct __sk_buff *skb)
{
	BPF_SDT_PROBE1(pkt_len, skb->len);
	BPF_SDT_PROBE2(tc_seen, skb->len, skb->protocol);
	return 0;
}

SEC("socket")
int multi_socket(struct __sk_buff *skb)
{
	BPF_SDT_PROBE1(pkt_len, skb->len);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
