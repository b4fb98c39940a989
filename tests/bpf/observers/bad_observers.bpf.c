/* Observers bpfsdt must refuse (one program each). */
#include "obs_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} progs SEC(".maps");

__u64 sink;

/* my_trace has two arguments, then comes the site's id */
SEC("bpf_sdt")
int BPF_PROG(reads_past_the_site_id, int a, int b, __u64 site_id, int c)
{
	sink = a + b + c;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(redirects)
{
	return bpf_redirect(1, 0);
}

SEC("bpf_sdt")
int BPF_PROG(tail_calls)
{
	bpf_tail_call(ctx, &progs, 0);
	return 0;
}

SEC("bpf_sdt/packet")
int BPF_PROG(writes_packet, void *data, void *end)
{
	unsigned char *p = data;

	if ((void *)(p + 1) <= end)
		*p = 0xff;
	return 0;
}

/* No bounds check: only the verifier, in the target's context, can tell. */
SEC("bpf_sdt/packet")
int BPF_PROG(unchecked_read, void *data, void *end)
{
	sink = *(unsigned char *)data;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
