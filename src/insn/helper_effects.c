// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The helpers an observer may call and what each does with its arguments
 * (helper_effects.h). Left out on purpose: anything that redirects, changes
 * or resizes a packet or the context, tail calls, helpers that write user or
 * kernel memory, take callbacks other than bpf_loop's, hand out references
 * (sockets, dynptrs, kptrs) or run later (timers, tasks, work).
 */
#include <linux/bpf.h>
#include "insn/helper_effects.h"

#define R1 SDT_HR(1)
#define R2 SDT_HR(2)
#define R3 SDT_HR(3)
#define R4 SDT_HR(4)

static const struct sdt_helper_effect effects[] = {
	/* maps: lookups read keys; updates read keys and values; the map
	 * itself changes. pop/peek write the value out. */
	[BPF_FUNC_map_lookup_elem] = { "bpf_map_lookup_elem", .maps = R1, .reads = R2 },
	[BPF_FUNC_map_lookup_percpu_elem] = { "bpf_map_lookup_percpu_elem", .maps = R1,
					      .reads = R2 },
	[BPF_FUNC_map_update_elem] = { "bpf_map_update_elem", .maps = R1, .changes_map = R1,
				       .reads = R2 | R3 },
	[BPF_FUNC_map_delete_elem] = { "bpf_map_delete_elem", .maps = R1, .changes_map = R1,
				       .reads = R2 },
	[BPF_FUNC_map_push_elem] = { "bpf_map_push_elem", .maps = R1, .changes_map = R1,
				     .reads = R2 },
	[BPF_FUNC_map_pop_elem] = { "bpf_map_pop_elem", .maps = R1, .changes_map = R1,
				    .writes = R2 },
	[BPF_FUNC_map_peek_elem] = { "bpf_map_peek_elem", .maps = R1, .writes = R2 },
	/* ring buffers: a record is the observer's own memory until submitted */
	[BPF_FUNC_ringbuf_output] = { "bpf_ringbuf_output", .maps = R1, .changes_map = R1,
				      .reads = R2, .size_reg = { [2] = 3 } },
	[BPF_FUNC_ringbuf_reserve] = { "bpf_ringbuf_reserve", .maps = R1, .changes_map = R1 },
	[BPF_FUNC_ringbuf_submit] = { "bpf_ringbuf_submit", .writes = R1 },
	[BPF_FUNC_ringbuf_discard] = { "bpf_ringbuf_discard", .writes = R1 },
	[BPF_FUNC_ringbuf_query] = { "bpf_ringbuf_query", .maps = R1 },
	/* a lock word in a map value */
	[BPF_FUNC_spin_lock] = { "bpf_spin_lock", .writes = R1 },
	[BPF_FUNC_spin_unlock] = { "bpf_spin_unlock", .writes = R1 },
	/* formatting, comparing, copying kernel memory (unsafe_ptr is a plain
	 * address: reading anything is what the helper is for) */
	[BPF_FUNC_trace_printk] = { "bpf_trace_printk", .reads = R1, .size_reg = { [1] = 2 } },
	[BPF_FUNC_trace_vprintk] = { "bpf_trace_vprintk", .reads = R1 | R3,
				     .size_reg = { [1] = 2, [3] = 4 } },
	[BPF_FUNC_snprintf] = { "bpf_snprintf", .writes = R1, .reads = R3 | R4,
				.size_reg = { [1] = 2, [4] = 5 } },
	[BPF_FUNC_strncmp] = { "bpf_strncmp", .reads = R1 | R3, .size_reg = { [1] = 2 } },
	[BPF_FUNC_probe_read_kernel] = { "bpf_probe_read_kernel", .writes = R1, .reads = R3,
					 .size_reg = { [1] = 2, [3] = 2 } },
	[BPF_FUNC_probe_read_kernel_str] = { "bpf_probe_read_kernel_str", .writes = R1,
					     .reads = R3, .size_reg = { [1] = 2, [3] = 2 } },
	[BPF_FUNC_get_current_comm] = { "bpf_get_current_comm", .writes = R1,
					.size_reg = { [1] = 2 } },
	/* bounded iteration over the observer's own callback */
	[BPF_FUNC_loop] = { "bpf_loop", .callback = R2 },
	/* values only */
	[BPF_FUNC_ktime_get_ns] = { "bpf_ktime_get_ns" },
	[BPF_FUNC_ktime_get_boot_ns] = { "bpf_ktime_get_boot_ns" },
	[BPF_FUNC_ktime_get_coarse_ns] = { "bpf_ktime_get_coarse_ns" },
	[BPF_FUNC_ktime_get_tai_ns] = { "bpf_ktime_get_tai_ns" },
	[BPF_FUNC_jiffies64] = { "bpf_jiffies64" },
	[BPF_FUNC_get_prandom_u32] = { "bpf_get_prandom_u32" },
	[BPF_FUNC_get_smp_processor_id] = { "bpf_get_smp_processor_id" },
	[BPF_FUNC_get_numa_node_id] = { "bpf_get_numa_node_id" },
	[BPF_FUNC_get_current_pid_tgid] = { "bpf_get_current_pid_tgid" },
	[BPF_FUNC_get_current_uid_gid] = { "bpf_get_current_uid_gid" },
	/* rewritten by the relinker into a load of the cookie slot */
	[BPF_FUNC_get_attach_cookie] = { "bpf_get_attach_cookie" },
};

const struct sdt_helper_effect *sdt_helper_effect(int id)
{
	if (id <= 0 || (unsigned int)id >= sizeof(effects) / sizeof(effects[0]) || !effects[id].name)
		return 0;
	return &effects[id];
}
