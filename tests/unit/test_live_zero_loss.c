// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Zero loss under arm/disarm cycling, on an XDP and on a tc target. One
 * counting observer stays armed on the live program for the whole test while a second one is attached and
 * detached over and over during a ping flood (each cycle: two armed copies
 * built, verified and swapped in). Every packet must be seen exactly once by
 * the program's own counter and by the persistent observer: the program on
 * the interface was always some armed copy, never missing, never doubled.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdlib.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"
#define CYCLES 1000

/* "12345 packets transmitted, ..." from ping's statistics */
static bool transmitted(const char *out, unsigned long long *sent)
{
	const char *p = out ? strstr(out, " packets transmitted") : NULL;

	if (!p)
		return false;
	while (p > out && p[-1] != '\n')
		p--;
	return sscanf(p, "%llu packets transmitted", sent) == 1;
}

/* What differs between the targets: how to open one, the program's own
 * count of the packets the observer sees, and the two probes. */
struct zero_loss_case {
	struct bpf_sdt_target *(*open)(struct testnet *net);
	__u64 (*own_count)(struct bpf_sdt_target *t);
	const char *kept, *cycled;
};

static void zero_loss_body(struct testnet *net, const struct zero_loss_case *c)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	char *ping[] = { "ip", "netns", "exec", net->ns_b, "ping", "-q", "-f", "-c", "2000000",
			 "-w", "120", net->ip_a, NULL };
	struct bpf_sdt_tracer *keep, *cycling;
	struct bpf_sdt_target *t;
	unsigned long long sent = 0;
	struct cmd_result r;
	struct cmd_proc p;
	__u64 before, counted, hits;
	int i;

	t = c->open(net);
	ASSERT_TRUE(t != NULL);
	keep = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(keep && !bpf_sdt_tracer__add_probe(keep, c->kept));
	before = c->own_count(t);
	ASSERT_EQ(cmd_start(ping, &p), 0);
	for (i = 0; i < CYCLES; i++) {
		cycling = bpf_sdt_tracer__new(t, &topts);
		if (!cycling || bpf_sdt_tracer__add_probe(cycling, c->cycled)) {
			bpf_sdt_tracer__free(cycling);
			break;
		}
		bpf_sdt_tracer__free(cycling);
	}
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	usleep(200 * 1000); /* let the last requests cross the veth */
	ASSERT_EQ(i, CYCLES);
	ASSERT_TRUE(transmitted(r.out, &sent));
	counted = c->own_count(t) - before;
	hits = probe_hits(keep, t, c->kept);
	fprintf(stdout, "    %d arm/disarm cycles, %llu packets sent, %llu counted by the "
		"program, %llu by the observer\n", CYCLES, sent, (unsigned long long)counted,
		(unsigned long long)hits);
	ASSERT_TRUE(sent > 1000);
	ASSERT_EQ(counted, sent);
	ASSERT_EQ(hits, counted);
	cmd_result_free(&r);
	bpf_sdt_tracer__free(keep);
	bpf_sdt_target__close(t);
}

static struct bpf_sdt_target *open_xdp_example(struct testnet *net)
{
	return bpf_sdt_target__open_xdp(EXAMPLE, net->ifindex, NULL);
}

static struct bpf_sdt_target *open_tc_filter(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_TC, .ifindex = net->ifindex,
		    .tc_attach_point = BPF_TC_INGRESS);

	return bpf_sdt_target__open_live(corpus_path("live_hooks"), &hook, NULL);
}

static __u64 tc_ip_count(struct bpf_sdt_target *t)
{
	return percpu_count(t, "handled", 0); /* live_hooks.bpf.c's COUNT_TC_IP */
}

TEST(live_xdp_loses_no_packet_over_1000_arm_disarm_cycles)
{
	static const struct zero_loss_case xdp = {
		.open = open_xdp_example, .own_count = firewall_own_count,
		.kept = "verdict", .cycled = "pkt_parsed",
	};
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, 21) || testnet_attach_xdp(&net, EXAMPLE, "xdp") ||
	    testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot set up the test network");
	}
	zero_loss_body(&net, &xdp);
	testnet_down(&net);
}

TEST(live_tc_loses_no_packet_over_1000_arm_disarm_cycles)
{
	static const struct zero_loss_case tc = {
		.open = open_tc_filter, .own_count = tc_ip_count,
		.kept = "tc_ip", .cycled = "tc_pkt",
	};
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, 30) || testnet_attach_tc(&net, corpus_path("live_hooks"), "tc", true) ||
	    testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot set up the test network");
	}
	zero_loss_body(&net, &tc);
	testnet_down(&net);
}
