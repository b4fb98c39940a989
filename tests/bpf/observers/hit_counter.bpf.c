/* One counter, alone in its .bss: an observer that writes offset 0 of the
 * one map it names. */
#include "obs_common.h"

__u64 hits;

SEC("bpf_sdt")
int count_hits(void *ctx)
{
	hits++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
