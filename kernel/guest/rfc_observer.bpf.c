// SPDX-License-Identifier: GPL-2.0
/* The RFC's example observer, verbatim. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("bpf_sdt")
int BPF_PROG(observer_prog, int len, int ret)
{
	bpf_printk("len=%d ret=%d\n", len, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
