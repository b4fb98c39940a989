/* A site where r6..r9 all hold values the program needs afterwards while
 * the verdict waits in r0: the relinker has no free callee-saved register
 * and must spill r0 to the stack below the argument array, where only the
 * observer check keeps an observer from rewriting it. Written in asm so
 * that no compiler can place the values elsewhere. */
#include "common.h"

BPF_SDT_DECLARE0(busy_probe);

SEC("xdp")
int spill_target(struct xdp_md *ctx)
{
	int ret;

	asm volatile("r6 = 1\n"
		     "r7 = 2\n"
		     "r8 = 3\n"
		     "r9 = 4\n"
		     "r0 = 2\n" /* XDP_PASS */
		     ___bpf_sdt_site_asm(busy_probe, "")
		     "r0 += r6\n"
		     "r0 += r7\n"
		     "r0 += r8\n"
		     "r0 += r9\n"
		     "r0 += -10\n"
		     "%[ret] = r0\n"
		     : [ret] "=r"(ret)
		     :
		     : "r0", "r6", "r7", "r8", "r9");
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
