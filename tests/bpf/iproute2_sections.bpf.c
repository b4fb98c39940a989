/* An object written the way iproute2 users write them: section names
 * libbpf 1.1 does not know (SEC("prog") for `ip link set dev X xdp obj O
 * sec prog`, SEC("ingress")), next to ones it knows (classifier and
 * action, libbpfsdt's handlers; xdp). */
#include "common.h"
#include <linux/pkt_cls.h>

BPF_SDT_DECLARE2(ip_xdp_len, int, int);
BPF_SDT_DECLARE1(ip_tc_len, unsigned int);
BPF_SDT_DECLARE1(ip_cls_len, unsigned int);

SEC("prog")
int ip_xdp(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);
	int ret = len > 60 ? XDP_PASS : XDP_DROP;

	BPF_SDT_PROBE2(ip_xdp_len, len, ret);
	return XDP_PASS;
}

SEC("ingress")
int ip_tc(struct __sk_buff *skb)
{
	BPF_SDT_PROBE1(ip_tc_len, skb->len);
	return TC_ACT_OK;
}

SEC("classifier")
int ip_cls(struct __sk_buff *skb)
{
	BPF_SDT_PROBE1(ip_cls_len, skb->len);
	return TC_ACT_OK;
}

SEC("action")
int ip_act(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
