/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A private two-host network for live tests: namespaces <prefix>a and
 * <prefix>b joined by veth v0 (10.211.<n>.1, in a) <-> v1 (10.211.<n>.2, in
 * b). Traffic never leaves these namespaces; they are deleted afterwards.
 */
#ifndef __BPFSDT_TEST_NETNS_H
#define __BPFSDT_TEST_NETNS_H

#include <stdbool.h>
#include <linux/types.h>

struct testnet {
	char ns_a[32], ns_b[32];
	char ip_a[32];
	int orig_ns;	/* our namespace, to return to */
	int ifindex;	/* v0, seen from ns_a */
	char *listed;	/* the namespaces' names on the test's cleanup list */
};

/* Creates the namespaces and the veth pair; n picks the subnet. They are
 * on the test's cleanup list (test.h) until testnet_down(). */
int testnet_up(struct testnet *net, int n);
/* The same with v0 at ifindex (in ns_a; another namespace may use it too). */
int testnet_up_ifindex(struct testnet *net, int n, int ifindex);
/* Attaches an XDP object's section to v0 with iproute2 (not libbpfsdt). */
int testnet_attach_xdp(struct testnet *net, const char *obj, const char *sec);
/* Attaches a tc object's section as a cls_bpf filter on v0's ingress with
 * iproute2 (clsact qdisc, pref 1, handle 1), in direct-action mode or not. */
int testnet_attach_tc(struct testnet *net, const char *obj, const char *sec, bool da);
/* Moves this thread into ns_a (where v0 is) / back. */
int testnet_enter(struct testnet *net);
void testnet_leave(struct testnet *net);
/* count pings from b to a, interval in seconds; returns ping's status. */
int testnet_ping(struct testnet *net, int count, const char *interval);
void testnet_down(struct testnet *net);
/* Runs body in ns_a of fresh network n, with obj's section "xdp" on v0
 * (nothing when obj is NULL), and tears it down whatever the outcome;
 * skips without root, fails when the network cannot be set up. */
void testnet_run(int n, const char *obj, void (*body)(struct testnet *net));
/* The same with no program on v0 and a scratch bpffs (scratch_bpffs()) to
 * pin into, unmounted afterwards whatever the outcome. */
void testnet_run_bpffs(int n, void (*body)(struct testnet *net, const char *bpffs));

struct cmd_proc;
/* Runs `ip netns exec <ns_a> bpfsdt ARGS...` (args NULL-terminated, at most
 * 18) in the background and waits until what current(ctx) reports is no
 * longer what it was (the armed copy runs) and it says every probe is
 * armed. A test helper: it stops the test. */
void testnet_start_armed(struct testnet *net, struct cmd_proc *p, const char *const *args,
			 __u32 (*current)(void *ctx), void *ctx);
/* current() for testnet_start_armed(): the XDP program on v0 of net. */
__u32 testnet_xdp_current(void *net);

#endif
