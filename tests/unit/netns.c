// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE /* setns */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, args);
	va_end(args);
	return system(cmd);
}

/* The cleanup of namespaces a test left: "<ns_a> <ns_b>". */
static void delete_namespaces(void *names)
{
	sh("for ns in %s; do ip netns del $ns 2>/dev/null; done", (char *)names);
	free(names);
}

int testnet_up(struct testnet *net, int n)
{
	return testnet_up_ifindex(net, n, 0);
}

int testnet_up_ifindex(struct testnet *net, int n, int ifindex)
{
	char index[24] = "";

	memset(net, 0, sizeof(*net));
	net->orig_ns = -1;
	snprintf(net->ns_a, sizeof(net->ns_a), "sdt%da%d", (int)getpid() % 10000, n);
	snprintf(net->ns_b, sizeof(net->ns_b), "sdt%db%d", (int)getpid() % 10000, n);
	snprintf(net->ip_a, sizeof(net->ip_a), "10.211.%d.1", n);
	if (ifindex)
		snprintf(index, sizeof(index), " index %d", ifindex);
	if (asprintf(&net->listed, "%s %s", net->ns_a, net->ns_b) < 0)
		net->listed = NULL;
	test_defer(delete_namespaces, net->listed);
	/* Quiet by construction: no IPv6 (no neighbour discovery) and static
	 * neighbours (no ARP), so the only packets are the tests' own. */
	if (sh("ip netns add %s && ip netns add %s", net->ns_a, net->ns_b) ||
	    sh("for ns in %s %s; do ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
	       "net.ipv6.conf.default.disable_ipv6=1; done", net->ns_a, net->ns_b) ||
	    sh("ip -n %s link add v0%s type veth peer name v1 netns %s", net->ns_a, index,
	       net->ns_b) ||
	    sh("ip -n %s addr add %s/24 dev v0 && ip -n %s link set v0 up && ip -n %s link set lo up",
	       net->ns_a, net->ip_a, net->ns_a, net->ns_a) ||
	    sh("ip -n %s addr add 10.211.%d.2/24 dev v1 && ip -n %s link set v1 up && ip -n %s link set lo up",
	       net->ns_b, n, net->ns_b, net->ns_b) ||
	    sh("ip -n %s link set v0 address 02:00:00:00:%02x:01 && ip -n %s link set v1 address 02:00:00:00:%02x:02",
	       net->ns_a, n, net->ns_b, n) ||
	    sh("ip -n %s neigh add 10.211.%d.2 lladdr 02:00:00:00:%02x:02 dev v0 nud permanent && "
	       "ip -n %s neigh add 10.211.%d.1 lladdr 02:00:00:00:%02x:01 dev v1 nud permanent",
	       net->ns_a, n, n, net->ns_b, n, n)) {
		testnet_down(net);
		return -1;
	}
	return 0;
}

int testnet_attach_xdp(struct testnet *net, const char *obj, const char *sec)
{
	return sh("ip -n %s link set dev v0 xdp obj %s sec %s 2>/dev/null", net->ns_a, obj, sec);
}

int testnet_attach_tc(struct testnet *net, const char *obj, const char *sec, bool da)
{
	return sh("ip netns exec %s tc qdisc add dev v0 clsact && "
		  "ip netns exec %s tc filter add dev v0 ingress pref 1 handle 1 bpf %s obj %s sec %s "
		  "2>/dev/null", net->ns_a, net->ns_a, da ? "da" : "", obj, sec);
}

int testnet_enter(struct testnet *net)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/var/run/netns/%s", net->ns_a);
	net->orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (net->orig_ns < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	net->ifindex = (int)if_nametoindex("v0");
	return net->ifindex ? 0 : -1;
}

void testnet_leave(struct testnet *net)
{
	if (net->orig_ns >= 0) {
		setns(net->orig_ns, CLONE_NEWNET);
		close(net->orig_ns);
		net->orig_ns = -1;
	}
}

int testnet_ping(struct testnet *net, int count, const char *interval)
{
	return sh("ip netns exec %s ping -q -c %d -i %s -W 1 %s >/dev/null 2>&1", net->ns_b, count,
		  interval, net->ip_a);
}

void testnet_down(struct testnet *net)
{
	testnet_leave(net);
	if (net->listed && test_forget(net->listed))
		free(net->listed);
	net->listed = NULL;
	if (net->ns_a[0])
		sh("ip netns del %s 2>/dev/null", net->ns_a);
	if (net->ns_b[0])
		sh("ip netns del %s 2>/dev/null", net->ns_b);
}

void testnet_run(int n, const char *obj, void (*body)(struct testnet *net))
{
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, n) || (obj && testnet_attach_xdp(&net, obj, "xdp")) ||
	    testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot set up the test network");
	}
	body(&net);
	testnet_down(&net);
}

void testnet_run_bpffs(int n, void (*body)(struct testnet *net, const char *bpffs))
{
	struct testnet net;
	const char *fs;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	fs = scratch_bpffs();
	if (!fs || testnet_up(&net, n) || testnet_enter(&net)) {
		testnet_down(&net);
		scratch_bpffs_release();
		FAIL("cannot set up the test network");
	}
	body(&net, fs);
	testnet_down(&net);
	scratch_bpffs_release();
}

void testnet_start_armed(struct testnet *net, struct cmd_proc *p, const char *const *args,
			 __u32 (*current)(void *ctx), void *ctx)
{
	char *argv[24] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin() };
	__u32 orig = current(ctx);
	int i, tries;

	for (i = 0; args[i] && i < 18; i++)
		argv[5 + i] = (char *)args[i];
	ASSERT_EQ(cmd_start(argv, p), 0);
	for (tries = 0; tries < 500 && current(ctx) == orig; tries++) {
		struct timespec ts = { 0, 10 * 1000000L };

		nanosleep(&ts, NULL);
	}
	ASSERT_NE(current(ctx), orig);
	/* probes are armed one by one: ready once it says so */
	ASSERT_EQ(cmd_wait_err(p, "Ctrl-C to", 10000), 0);
}

__u32 testnet_xdp_current(void *net)
{
	return xdp_prog_id(((struct testnet *)net)->ifindex);
}
