/* Programs in sections newer libbpf (and the kernel's selftests) name, which
 * libbpf 1.1 does not know: libbpfsdt captures them itself. */
#include "common.h"
#include <linux/pkt_cls.h>

BPF_SDT_DECLARE1(seen, unsigned int);

SEC("tcx/ingress")
int tcx_prog(struct __sk_buff *skb)
{
	BPF_SDT_PROBE1(seen, skb->len);
	return TC_ACT_OK;
}

SEC("tc/egress")
int tc_egress_prog(struct __sk_buff *skb)
{
	BPF_SDT_PROBE1(seen, skb->len + 1);
	return TC_ACT_OK;
}

SEC("cgroup/skb")
int cgroup_skb_prog(struct __sk_buff *skb)
{
	BPF_SDT_PROBE1(seen, skb->len + 2);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
