// SPDX-License-Identifier: GPL-2.0
/* Two compiled observers of guard_target's function probe fprobe(a, b) for
 * `bpfsdt run --observer`: bpfsdt makes the first an extension of fprobe's
 * function (freplace) and links the second at the site next to the call,
 * since one extension replaces a function at a time. What each saw stays
 * in its globals, which bpfsdt prints. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 first_hits, first_a, first_b, first_site, first_cookie;
__u64 second_hits, second_a, second_b, second_site;

/* the site id follows the arguments (~0 where the function was called) */
SEC("bpf_sdt/fprobe")
int BPF_PROG(first, int a, int b, __u64 site)
{
	first_hits++;
	first_a = a;
	first_b = b;
	first_site = site;
	first_cookie = bpf_get_attach_cookie(ctx);
	return 0;
}

SEC("bpf_sdt/fprobe")
int BPF_PROG(second, int a, int b, __u64 site)
{
	second_hits++;
	second_a = a;
	second_b = b;
	second_site = site;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
