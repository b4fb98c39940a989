/* Observers that hide a pointer into the target -- an argument, or their
 * own context (the argument array on the target's stack) -- before writing
 * through it: in a stack struct a bpf_loop callback or a subprogram
 * receives, behind a copy of r10, behind the address of a local, or in a
 * global function's parameter. state_probe hands isolation_target's stack
 * struct (its verdict); busy_probe is spill_target's (its verdict waits
 * just below the argument array). */
#include "obs_common.h"
#include "../isolation_target.h"

struct holder {
	struct state *st;
	__u64 *args;
};

static int set_drop_cb(__u32 i, struct holder *h)
{
	h->st->action = XDP_DROP;
	return 1;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(hides_the_state_pointer_in_a_loop_context, struct state *st, int len)
{
	struct holder h = { .st = st };

	bpf_loop(1, set_drop_cb, &h, 0);
	return 0;
}

static __attribute__((noinline)) int set_drop(struct holder *h)
{
	h->st->action = XDP_DROP;
	return 0;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(hides_the_state_pointer_for_a_subprogram, struct state *st, int len)
{
	struct holder h = { .st = st };

	return set_drop(&h);
}

static int calls_set_drop_cb(__u32 i, struct holder *h)
{
	set_drop(h);
	return 1;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(loop_callback_calls_a_writing_subprogram, struct state *st, int len)
{
	struct holder h = { .st = st };

	bpf_loop(1, calls_set_drop_cb, &h, 0);
	return 0;
}

static int below_args_cb(__u32 i, struct holder *h)
{
	h->args[-1] = XDP_DROP;
	return 1;
}

SEC("bpf_sdt/busy_probe")
int hides_its_context_in_a_loop_context(unsigned long long *ctx)
{
	struct holder h = { .args = (__u64 *)ctx };

	bpf_loop(1, below_args_cb, &h, 0);
	return 0;
}

static __attribute__((noinline)) int poke_below(__u64 **args)
{
	(*args)[-1] = XDP_DROP;
	return 0;
}

SEC("bpf_sdt/busy_probe")
int passes_the_address_of_a_local_holding_its_context(unsigned long long *ctx)
{
	__u64 *args = (__u64 *)ctx;

	return poke_below(&args);
}

/* fp-8 = ctx through a copy of r10; reloaded through r10 itself */
SEC("bpf_sdt/busy_probe")
int copies_r10_before_spilling_its_context(unsigned long long *ctx)
{
	asm volatile("r2 = r10\n"
		     "r2 += -8\n"
		     "*(u64 *)(r2 + 0) = %[c]\n"
		     "r3 = *(u64 *)(r10 - 8)\n"
		     "r4 = 1\n" /* XDP_DROP */
		     "*(u64 *)(r3 - 8) = r4\n"
		     :
		     : [c] "r"(ctx)
		     : "r2", "r3", "r4", "memory");
	return 0;
}

/* Global: the kernel verifies it on its own, from its prototype. */
__attribute__((noinline)) int global_set_drop(__u64 *action)
{
	if (!action)
		return 0;
	*action = XDP_DROP;
	return 0;
}

SEC("bpf_sdt/state_probe")
int BPF_PROG(global_subprogram_writes_the_state, struct state *st, int len)
{
	return global_set_drop(&st->action);
}

__attribute__((noinline)) int global_poke_packet(struct xdp_md *x)
{
	unsigned char *data = (void *)(long)x->data, *end = (void *)(long)x->data_end;

	if (data + 1 > end)
		return 0;
	data[0] = 0xee;
	return 0;
}

SEC("bpf_sdt/ctx_probe")
int BPF_PROG(global_subprogram_writes_the_packet_through_a_context, struct xdp_md *x)
{
	return global_poke_packet(x);
}

char LICENSE[] SEC("license") = "GPL";
