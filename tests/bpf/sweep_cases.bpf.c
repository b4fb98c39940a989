/* Programs shaped to test bpfsdt sweep's verdicts, not its happy path. */
#include "common.h"

/* Every register live at one point, and no stack left below the frame to
 * free two of them: the one boundary no counter fits at. */
SEC("xdp")
int no_room(struct xdp_md *ctx)
{
	volatile __u64 hog[63];
	__u64 r;

	hog[ctx->rx_queue_index & 31] = ctx->data;
	hog[62] = 2;
	asm volatile("%[r] = 0\n"
		     "r0 = 10\n r1 = 1\n r2 = 2\n r3 = 3\n r4 = 4\n r5 = 5\n r6 = 6\n r7 = 7\n r8 = 8\n"
		     "%[r] += r0\n %[r] += r1\n %[r] += r2\n %[r] += r3\n %[r] += r4\n"
		     "%[r] += r5\n %[r] += r6\n %[r] += r7\n %[r] += r8\n"
		     : [r] "=r"(r)
		     :
		     : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8");
	return r == 46 && hog[62] == 2 ? XDP_PASS : XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} last_seen SEC(".maps");

/* Writes the time into a map: the map differs from run to run by itself. */
SEC("xdp")
int stamps_time(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 now = bpf_ktime_get_ns(), *v = bpf_map_lookup_elem(&last_seen, &k);

	if (v)
		*v = now;
	return xdp_len(ctx) > 20 ? XDP_PASS : XDP_DROP;
}

/* Its verdict is a coin flip. */
SEC("xdp")
int flips_coin(struct xdp_md *ctx)
{
	return bpf_get_prandom_u32() & 1 ? XDP_PASS : XDP_DROP;
}

/* A global function whose result nobody reads: r0 is dead at its exit, but
 * the verifier still wants a scalar there. */
__attribute__((noinline)) int global_note(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&last_seen, &k);

	if (v)
		*v += ctx->ingress_ifindex + 1;
	return 0;
}

SEC("xdp")
int ignores_global_result(struct xdp_md *ctx)
{
	global_note(ctx);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
