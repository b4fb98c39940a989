/* An observer that does nothing: what calling (or inlining) one costs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("bpf_sdt/hit")
int BPF_PROG(empty, __u32 i, __u64 x)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
