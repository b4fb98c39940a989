/* An observer of check_cases' probe `counted`, which has sites in programs
 * that pass the kernel's argument check and in ones that do not: run PROG
 * arms PROG only. It sits beside a program the kernel refuses, which must
 * not be loaded (only observers are). */
#include "obs_common.h"

struct counter {
	__u64 packets;
};

__u64 seen_packets;
__u64 calls;

SEC("bpf_sdt/counted")
int BPF_PROG(count_seen, struct counter *c)
{
	calls++;
	seen_packets = c->packets;
	return 0;
}

/* unbounded packet read: the verifier refuses it */
SEC("xdp")
int not_an_observer(struct xdp_md *ctx)
{
	return *(volatile char *)(long)ctx->data;
}

char LICENSE[] SEC("license") = "GPL";
