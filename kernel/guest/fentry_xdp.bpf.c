// SPDX-License-Identifier: GPL-2.0
/* Guest test observer: an fentry program on xdp_count (the target program
 * and function are set by the runner with bpf_program__set_attach_target()
 * before load).  It counts how often the XDP program was entered.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} entries SEC(".maps");

SEC("fentry/xdp_count")
int on_xdp_entry(void *ctx)
{
	__u32 key = 0;
	__u64 *n;

	n = bpf_map_lookup_elem(&entries, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
