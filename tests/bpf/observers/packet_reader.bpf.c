/* Reads packet bytes through packet-pointer arguments, after a bounds
 * check, exactly as XDP code would. */
#include "obs_common.h"

__u32 first_bytes;
__u64 seen;

SEC("bpf_sdt/packet")
int BPF_PROG(packet_reader, void *data, void *end)
{
	unsigned char *p = data;

	if ((void *)(p + 4) > end)
		return 0;
	first_bytes = p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	seen++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
