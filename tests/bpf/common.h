/* Shared includes of the corpus programs. */
#ifndef __CORPUS_COMMON_H
#define __CORPUS_COMMON_H
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

/* Packet length, read the way every XDP program does; the verifier rewrites
 * these context loads one for one, so instruction counts stay comparable. */
static __always_inline int xdp_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}
#endif
