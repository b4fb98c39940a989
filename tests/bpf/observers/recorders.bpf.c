/* Observers that record the raw u64 argument slots they receive. */
#include "obs_common.h"

#define RECORDER(n)				\
	__u64 rec##n##_hits;			\
	__u64 rec##n##_args[12]

RECORDER(0);
RECORDER(1);
RECORDER(2);
RECORDER(3);
RECORDER(5);
RECORDER(12);

SEC("bpf_sdt")
int BPF_PROG(rec0)
{
	rec0_hits++;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(rec1, __u64 a)
{
	rec1_hits++;
	rec1_args[0] = a;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(rec2, __u64 a, __u64 b)
{
	rec2_hits++;
	rec2_args[0] = a;
	rec2_args[1] = b;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(rec3, __u64 a, __u64 b, __u64 c)
{
	rec3_hits++;
	rec3_args[0] = a;
	rec3_args[1] = b;
	rec3_args[2] = c;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(rec5, __u64 a, __u64 b, __u64 c, __u64 d, __u64 e)
{
	rec5_hits++;
	rec5_args[0] = a;
	rec5_args[1] = b;
	rec5_args[2] = c;
	rec5_args[3] = d;
	rec5_args[4] = e;
	return 0;
}

SEC("bpf_sdt")
int rec12(unsigned long long *ctx)
{
	int i;

	rec12_hits++;
	for (i = 0; i < 12; i++)
		rec12_args[i] = ctx[i];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

/* hits by the calling site's id, the u64 after the arguments */
__u64 by_site_hits[64];

SEC("bpf_sdt")
int BPF_PROG(by_site, __u64 a, __u64 b, __u64 site_id)
{
	if (site_id < 64)
		by_site_hits[site_id]++;
	return 0;
}
