/* Observers that name maps they did not create. An ld_imm64 with
 * BPF_PSEUDO_MAP_FD (or _VALUE) and a literal fd names whatever that fd is
 * in the process loading the armed copy: the tests put isolation_target's
 * verdicts map there (dup2 to RAW_FD). */
#include "obs_common.h"

#define RAW_FD 900	/* tests/unit/test_isolation_maps.c */

/* r1 = map_fd(RAW_FD), r1 = map_value(RAW_FD) + 0, r1 = map_idx(0) */
#define LD_MAP_FD_R1 ".8byte 0x0000038400001118\n.8byte 0\n"
#define LD_MAP_VALUE_R1 ".8byte 0x0000038400002118\n.8byte 0\n"
#define LD_MAP_IDX_R1 ".8byte 0x0000000000005118\n.8byte 0\n"

SEC("bpf_sdt")
int updates_a_map_by_raw_fd(void *ctx)
{
	asm volatile("r2 = r10\n"
		     "r2 += -8\n"
		     "r3 = 0\n"
		     "*(u64 *)(r2 + 0) = r3\n" /* key 0 */
		     "r3 = r10\n"
		     "r3 += -16\n"
		     "r4 = 1\n"
		     "*(u64 *)(r3 + 0) = r4\n" /* value XDP_DROP */
		     LD_MAP_FD_R1
		     "r4 = 0\n"
		     "call 2\n" /* bpf_map_update_elem */
		     ::: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 0;
}

SEC("bpf_sdt")
int writes_a_value_looked_up_by_raw_fd(void *ctx)
{
	asm volatile("r2 = r10\n"
		     "r2 += -8\n"
		     "r3 = 0\n"
		     "*(u64 *)(r2 + 0) = r3\n"
		     LD_MAP_FD_R1
		     "call 1\n" /* bpf_map_lookup_elem */
		     "if r0 == 0 goto +2\n"
		     "r1 = 1\n"
		     "*(u64 *)(r0 + 0) = r1\n"
		     ::: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 0;
}

SEC("bpf_sdt")
int writes_a_map_value_named_by_raw_fd(void *ctx)
{
	asm volatile(LD_MAP_VALUE_R1
		     "r2 = 1\n"
		     "*(u64 *)(r1 + 0) = r2\n"
		     ::: "r1", "r2", "memory");
	return 0;
}

SEC("bpf_sdt")
int names_a_map_by_index(void *ctx)
{
	asm volatile(LD_MAP_IDX_R1 ::: "r1");
	return 0;
}

/* The tests make this map isolation_target's own verdicts map, with
 * bpf_map__reuse_fd() before loading: declared here, created elsewhere. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

SEC("bpf_sdt")
int updates_a_map_it_reused(void *ctx)
{
	__u32 key = 0;
	__u64 drop = XDP_DROP;

	bpf_map_update_elem(&verdicts, &key, &drop, 0);
	return 0;
}

/* Its own, but a map of sockets: updating one puts a socket in the data
 * path of whatever programs the map has. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

SEC("bpf_sdt")
int uses_a_map_of_sockets(void *ctx)
{
	__u32 key = 0;

	bpf_map_delete_elem(&socks, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
