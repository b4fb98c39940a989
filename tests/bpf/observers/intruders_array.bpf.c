/* Observers that touch their own context -- the argument array, which the
 * armed copy keeps on the target's stack -- outside what they may read:
 * below it lie the registers the target spilled around the call (its r0,
 * in spill_target), after the arguments the site's id and the cookie. Any
 * write to it is refused, and reads stop at the site's id. Attached to a
 * probe given at attach time (busy_probe or my_trace). */
#include "obs_common.h"

SEC("bpf_sdt")
int writes_below_its_arguments(unsigned long long *ctx)
{
	((volatile __u64 *)ctx)[-1] = XDP_DROP;
	return 0;
}

SEC("bpf_sdt")
int atomically_updates_below_its_arguments(unsigned long long *ctx)
{
	__sync_fetch_and_add((__u64 *)ctx - 1, 1);
	return 0;
}

/* busy_probe has no arguments: slot 0 is the site's id, slot 1 the cookie */
SEC("bpf_sdt")
int writes_the_site_id(unsigned long long *ctx)
{
	((volatile __u64 *)ctx)[0] = 0;
	return 0;
}

SEC("bpf_sdt")
int writes_the_cookie(unsigned long long *ctx)
{
	((volatile __u64 *)ctx)[1] = 0;
	return 0;
}

__u64 seen;

SEC("bpf_sdt")
int reads_below_its_arguments(unsigned long long *ctx)
{
	seen = ((volatile __u64 *)ctx)[-1];
	return 0;
}

SEC("bpf_sdt")
int reads_the_cookie_slot(unsigned long long *ctx)
{
	seen = ((volatile __u64 *)ctx)[1];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
