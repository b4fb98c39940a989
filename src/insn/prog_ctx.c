// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The context struct of each program type libbpfsdt knows (prog_ctx.h). */
#include <stddef.h>
#include "insn/prog_ctx.h"

bool sdt_ctx_is_sk_buff(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_SK_SKB:
		return true;
	default:
		return false;
	}
}

const char *sdt_ctx_struct_name(enum bpf_prog_type type)
{
	if (type == BPF_PROG_TYPE_XDP)
		return "xdp_md";
	return sdt_ctx_is_sk_buff(type) ? "__sk_buff" : NULL;
}
