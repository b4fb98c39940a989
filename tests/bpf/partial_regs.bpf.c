/* Caller-saved registers live after a site but set on only some paths to
 * it; after the site the program reads them only on paths that set them
 * (the verifier tells the paths apart by the packet length in r7). Written
 * in asm, following bpf_sdt.h's encoding of a site, because a compiler
 * would not produce them. Each program returns 1 for packets over 100
 * bytes and what the partial register held otherwise. */
#include "common.h"

BPF_SDT_DECLARE0(r0_after_void_helper);
BPF_SDT_DECLARE0(r2_after_helper);
BPF_SDT_DECLARE0(r0_in_subprog);

#define SITE0(probe)							\
	"99: goto +0\n"							\
	".pushsection .bpf_sdt_notes,\"a\"\n"				\
	".balign 8\n"							\
	"___sdt_jt_" #probe ".%=:\n"					\
	".quad 99b\n"							\
	".popsection\n"

/* r7 = packet length */
#define LEN_TO_R7(ctx)							\
	"r2 = *(u32 *)(" ctx " + 0)\n"					\
	"r7 = *(u32 *)(" ctx " + 4)\n"					\
	"w7 -= w2\n"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} no_progs SEC(".maps");

/* Long packets reach the site through a bpf_tail_call() into an empty slot,
 * which returns with r0 unset (the helper is void). */
SEC("xdp")
int r0_after_void_helper(struct xdp_md *ctx)
{
	int ret;

	asm volatile("r6 = %[ctx]\n"
		     LEN_TO_R7("r6")
		     "if r7 > 100 goto 1f\n"
		     "r0 = 2\n"
		     "goto 2f\n"
		     "1: r1 = r6\n"
		     "r2 = %[map] ll\n"
		     "r3 = 0\n"
		     "call 12\n"
		     "2:\n"
		     SITE0(r0_after_void_helper)
		     "if r7 > 100 goto 3f\n"
		     "goto 4f\n"
		     "3: r0 = 1\n"
		     "4: %[ret] = r0\n"
		     : [ret] "=r"(ret)
		     : [ctx] "r"(ctx), [map] "i"(&no_progs)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7");
	return ret;
}

/* r2 is set after a helper call, which left r1..r5 unset, on short
 * packets only. */
SEC("xdp")
int r2_after_helper(struct xdp_md *ctx)
{
	int ret;

	asm volatile(LEN_TO_R7("%[ctx]")
		     "call %[prandom]\n"
		     "if r7 > 100 goto 1f\n"
		     "r2 = 3\n"
		     "1:\n"
		     SITE0(r2_after_helper)
		     "r0 = 1\n"
		     "if r7 > 100 goto 2f\n"
		     "r0 = r2\n"
		     "2: %[ret] = r0\n"
		     : [ret] "=r"(ret)
		     : [ctx] "r"(ctx), [prandom] "i"(BPF_FUNC_get_prandom_u32)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "r7");
	return ret;
}

/* r0 set on short packets only, in a subprogram whose caller returns it:
 * unset at the subprogram's entry on the other path. */
static __noinline int partial_in_subprog(struct xdp_md *ctx)
{
	int ret;

	asm volatile(LEN_TO_R7("%[ctx]")
		     "if r7 > 100 goto 1f\n"
		     "r0 = 2\n"
		     "1:\n"
		     SITE0(r0_in_subprog)
		     "if r7 > 100 goto 2f\n"
		     "goto 3f\n"
		     "2: r0 = 1\n"
		     "3: %[ret] = r0\n"
		     : [ret] "=r"(ret)
		     : [ctx] "r"(ctx)
		     : "r0", "r2", "r7");
	return ret;
}

SEC("xdp")
int r0_partial_in_subprog(struct xdp_md *ctx)
{
	return partial_in_subprog(ctx);
}

char LICENSE[] SEC("license") = "GPL";
