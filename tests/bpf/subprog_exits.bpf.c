/* Sites just before a subprogram returns. What an observer call there must
 * preserve depends on the callers: nothing of r0 when the subprogram is
 * void or its callers ignore its result (r0 is then never set), r0 when a
 * caller reads it. */
#include "common.h"

BPF_SDT_DECLARE1(void_exit, int);
BPF_SDT_DECLARE1(ignored_exit, int);
BPF_SDT_DECLARE1(used_exit, int);
BPF_SDT_DECLARE1(shared_exit, int);

static __noinline void note_len(int len)
{
	BPF_SDT_PROBE1(void_exit, len);
}

/* its only caller ignores the result: clang does not even set r0 */
static __noinline int count_len(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE1(ignored_exit, len);
	return len;
}

/* the verdict is computed before the site and returned after it */
static __noinline int classify(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);
	int verdict = len > 100 ? XDP_DROP : XDP_TX;

	asm volatile("" : "+r"(verdict));
	BPF_SDT_PROBE1(used_exit, len);
	return verdict;
}

/* one program reads the result, the other ignores it */
static __noinline int shared_len(struct xdp_md *ctx)
{
	int len = xdp_len(ctx);

	BPF_SDT_PROBE1(shared_exit, len);
	return len;
}

SEC("xdp")
int void_subprog(struct xdp_md *ctx)
{
	note_len(xdp_len(ctx));
	return XDP_PASS;
}

SEC("xdp")
int ignored_result(struct xdp_md *ctx)
{
	count_len(ctx);
	shared_len(ctx);
	return XDP_PASS;
}

SEC("xdp")
int used_result(struct xdp_md *ctx)
{
	return classify(ctx);
}

SEC("xdp")
int shared_result(struct xdp_md *ctx)
{
	return shared_len(ctx) > 100 ? XDP_DROP : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
