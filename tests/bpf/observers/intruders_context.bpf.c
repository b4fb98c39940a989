/* Observers that reach the target's packet through the context pointer a
 * probe hands them (isolation_target's ctx_probe, struct xdp_md *): loading
 * data or data_meta through it gives packet pointers the kernel lets them
 * write through. bpfsdt must refuse every one. */
#include "obs_common.h"

SEC("bpf_sdt/ctx_probe")
int BPF_PROG(writes_packet_through_ctx_data, struct xdp_md *x)
{
	unsigned char *data = (void *)(long)x->data, *end = (void *)(long)x->data_end;

	if (data + 1 > end)
		return 0;
	data[0] = 0xee;
	return 0;
}

SEC("bpf_sdt/ctx_probe")
int BPF_PROG(writes_metadata_through_ctx_data_meta, struct xdp_md *x)
{
	unsigned char *meta = (void *)(long)x->data_meta, *data = (void *)(long)x->data;

	if (meta + 1 > data)
		return 0;
	meta[0] = 0xee;
	return 0;
}

/* The context pointer goes through a stack slot and back first. */
SEC("bpf_sdt/ctx_probe")
int BPF_PROG(writes_packet_through_a_spilled_ctx, struct xdp_md *x)
{
	struct xdp_md *volatile spilled = x;
	struct xdp_md *y = spilled;
	unsigned char *data = (void *)(long)y->data, *end = (void *)(long)y->data_end;

	if (data + 2 > end)
		return 0;
	data[1] = 0xee;
	return 0;
}

/* A variable offset into the packet, bounded as the verifier wants. */
SEC("bpf_sdt/ctx_probe")
int BPF_PROG(writes_packet_at_a_computed_offset, struct xdp_md *x)
{
	unsigned char *data = (void *)(long)x->data, *end = (void *)(long)x->data_end;
	__u64 at = ((void *)end - (void *)data) & 7;

	barrier_var(at);
	if (data + at + 1 > end)
		return 0;
	data[at] = 0xee;
	return 0;
}

/* The packet pointers a probe passes directly. */
SEC("bpf_sdt/pkt_probe")
int BPF_PROG(writes_packet_argument, void *data, void *end)
{
	unsigned char *p = data;

	if ((void *)(p + 1) > end)
		return 0;
	p[0] = 0xee;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
