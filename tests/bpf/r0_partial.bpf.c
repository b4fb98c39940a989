/* r0 is set on only one path to the site but read after it on a path the
 * verifier knows it was set on: the original verifies, but no call can be
 * inserted at the site without losing r0. Written in asm (following the
 * bpf_sdt.h encoding) because a compiler would not produce it. */
#include "common.h"

BPF_SDT_DECLARE0(r0_probe);

SEC("xdp")
int r0_partial(struct xdp_md *ctx)
{
	int ret;

	/* r3 = packet length, a scalar the verifier tracks across both
	 * branches on it */
	asm volatile("r2 = *(u32 *)(%[ctx] + 0)\n"
		     "r3 = *(u32 *)(%[ctx] + 4)\n"
		     "w3 -= w2\n"
		     "if r3 > 100 goto 11f\n"
		     "r0 = 2\n"
		     "11:\n"
		     "10: goto +0\n"
		     ".pushsection .bpf_sdt_notes,\"a\"\n"
		     "___sdt_jt_r0_probe.%=:\n"
		     ".quad 10b\n"
		     ".popsection\n"
		     "if r3 > 100 goto 12f\n"
		     "goto 13f\n"
		     "12: r0 = 1\n"
		     "13: %[ret] = r0\n"
		     : [ret] "=r"(ret)
		     : [ctx] "r"(ctx)
		     : "r0", "r2", "r3");
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
