/* The bpf_printk equivalent of tests/bpf/basic.bpf.c's probe, for comparing
 * trace_pipe with bpfsdt's ring buffer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int printk_prog(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	int ret = len > 60 ? XDP_PASS : XDP_DROP;

	bpf_printk("my_trace len=%d ret=%d", len, ret);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
