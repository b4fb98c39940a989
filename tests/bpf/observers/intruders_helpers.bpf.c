/* Observers that let a helper, or an atomic operation, write where the
 * target's memory is: its stack struct (state_probe), its map values
 * (value_probe, locked_probe) or the argument array below which the
 * target's verdict waits (spill_target's busy_probe). */
#include "obs_common.h"
#include "../isolation_target.h"

SEC("bpf_sdt/locked_probe")
int BPF_PROG(takes_the_targets_spin_lock, struct locked *l)
{
	bpf_spin_lock(&l->lock);
	l->packets = 100;
	bpf_spin_unlock(&l->lock);
	return 0;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(probe_reads_into_the_target_state, struct state *st, int len)
{
	__u64 drop = XDP_DROP;

	bpf_probe_read_kernel(&st->action, sizeof(drop), &drop);
	return 0;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(formats_into_the_target_state, struct state *st, int len)
{
	__u64 args[1] = { len };

	bpf_snprintf((char *)st, sizeof(*st), "%llu", args, sizeof(args));
	return 0;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(atomically_updates_the_target_state, struct state *st, int len)
{
	__sync_fetch_and_add(&st->action, 1);
	return 0;
}

SEC("bpf_sdt/value_probe")
int BPF_PROG(atomically_updates_a_target_map_value, __u64 *verdict)
{
	__sync_fetch_and_add(verdict, 1);
	return 0;
}

SEC("bpf_sdt/busy_probe")
int probe_reads_below_its_arguments(unsigned long long *ctx)
{
	__u64 drop = XDP_DROP;

	bpf_probe_read_kernel((__u64 *)ctx - 1, sizeof(drop), &drop);
	return 0;
}

__u64 copied;

SEC("bpf_sdt/busy_probe")
int probe_reads_from_below_its_arguments(unsigned long long *ctx)
{
	bpf_probe_read_kernel(&copied, sizeof(copied), (__u64 *)ctx - 1);
	return 0;
}

/* A pointer stored in its own map comes back a scalar: the verifier
 * refuses the write, whatever bpfsdt's check thought of it. */
volatile __u64 stash;

SEC("bpf_sdt/state_probe")
int BPF_PROG(stashes_the_state_pointer_in_its_own_map, struct state *st, int len)
{
	struct state *back;

	stash = (__u64)st;
	back = (struct state *)stash;
	back->action = XDP_DROP;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
