// SPDX-License-Identifier: GPL-2.0
/* Observers the verifier must refuse for the RFC's my_trace(int len, int ret);
 * each test loads one of them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sdt_target.h"

/* what the observers read goes here, so that the compiler keeps the reads */
int sink;

/* reads a fourth u64 of the context: past my_trace's two arguments and the
 * site's id that follows them */
SEC("bpf_sdt")
int BPF_PROG(past_last_arg, int len, int ret, int site_id, int extra)
{
	sink = extra;
	return 0;
}

/* treats my_trace's first argument (an int) as a pointer */
SEC("bpf_sdt")
int BPF_PROG(int_as_pointer, struct flow *f, int ret)
{
	sink = f->len;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
