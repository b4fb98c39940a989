/* An observer for the example firewall: counts blocked ports. */
#include "obs_common.h"

__u64 blocked;
__u64 checked;
__u16 last_blocked_port;

SEC("bpf_sdt/port_check")
int BPF_PROG(count_blocked, __u16 port, _Bool is_blocked)
{
	checked++;
	if (is_blocked) {
		blocked++;
		last_blocked_port = port;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
