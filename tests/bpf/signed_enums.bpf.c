/* An enum with negative enumerators (errno-style results), passed through a
 * probe: clang 14 marks such an enum unsigned in BTF, clang 15 and later
 * signed, and a filter naming one of its values must match either way. */
#include "common.h"

enum verdict_code {
	VERDICT_EFAULT = -14,
	VERDICT_EINVAL = -22,
	VERDICT_OK = 0,
	VERDICT_QUEUED = 3,
};

BPF_SDT_DECLARE3(result, enum verdict_code, long, unsigned int);

SEC("xdp")
int signed_enums(struct xdp_md *ctx)
{
	int len = xdp_len(ctx); /* 64 in the tests */
	enum verdict_code code = len < 100 ? VERDICT_EINVAL : VERDICT_OK;

	BPF_SDT_PROBE3(result, code, (long)(len - 100), (unsigned int)len);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
