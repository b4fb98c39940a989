// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live XDP targets: the example firewall attached to a veth by iproute2,
 * traffic from a second namespace, probes armed and disarmed on the running
 * interface.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "mutate_elf.h"
#include "netns.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"

static void live_xdp_observer_counts_exactly_the_packets_the_program_counts_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u32 orig_id;
	__u64 before;

	orig_id = xdp_prog_id(net->ifindex);
	t = bpf_sdt_target__open_xdp(EXAMPLE, net->ifindex, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr != NULL);
	before = firewall_own_count(t);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "verdict"), 0);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig_id); /* the armed copy runs */
	ASSERT_EQ(testnet_ping(net, 50, "0.01"), 0);
	bpf_sdt_tracer__free(tr); /* disarm first: nothing counted after */
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig_id);
	/* every packet the firewall saw (pings, ARP) passed its verdict site */
	ASSERT_TRUE(firewall_own_count(t) - before >= 50);
	bpf_sdt_target__close(t);
}

TEST(live_xdp_observer_counts_exactly_the_packets_the_program_counts)
{
	testnet_run(1, EXAMPLE,
		    live_xdp_observer_counts_exactly_the_packets_the_program_counts_body);
}

static void live_xdp_armed_hits_equal_the_programs_own_counter_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u64 before, hits, counted;

	t = bpf_sdt_target__open_xdp(EXAMPLE, net->ifindex, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "verdict"));
	before = firewall_own_count(t); /* armed from here on */
	ASSERT_EQ(testnet_ping(net, 100, "0.005"), 0);
	counted = firewall_own_count(t) - before;
	hits = probe_hits(tr, t, "verdict");
	ASSERT_TRUE(counted >= 100);
	ASSERT_EQ(hits, counted);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(live_xdp_armed_hits_equal_the_programs_own_counter)
{
	testnet_run(2, EXAMPLE, live_xdp_armed_hits_equal_the_programs_own_counter_body);
}

static void live_xdp_refuses_an_elf_that_does_not_produce_the_running_program_body(struct testnet *net)
{
	struct bpf_sdt_target *t;
	struct mutant m;
	const char *other;
	long xdp;

	/* the same program with one constant changed */
	ASSERT_EQ(mutant_load(&m, EXAMPLE), 0);
	xdp = mutant_section_offset(&m, "xdp");
	while (m.buf[xdp] != (BPF_ALU64 | BPF_MOV | BPF_K) && m.buf[xdp] != (BPF_ALU | BPF_MOV | BPF_K))
		xdp += 8; /* the first `rX = imm` */
	m.buf[xdp + 4] ^= 1;
	other = mutant_save(&m, "xdp_filter_changed.bpf.o");
	mutant_free(&m);
	diag_capture_begin();
	errno = 0;
	t = bpf_sdt_target__open_xdp(other, net->ifindex, NULL);
	diag_capture_end();
	ASSERT_TRUE(t == NULL);
	ASSERT_EQ(errno, ESTALE);
	ASSERT_CONTAINS(diag_captured(), "program xdp_filter does not produce the running program");
}

TEST(live_xdp_refuses_an_elf_that_does_not_produce_the_running_program)
{
	testnet_run(3, EXAMPLE,
		    live_xdp_refuses_an_elf_that_does_not_produce_the_running_program_body);
}

static void live_xdp_refuses_an_interface_without_xdp_body(struct testnet *net)
{
	struct bpf_sdt_target *t;

	diag_capture_begin();
	t = bpf_sdt_target__open_xdp(EXAMPLE, (int)if_nametoindex("lo"), NULL);
	diag_capture_end();
	ASSERT_TRUE(t == NULL);
	ASSERT_STREQ(diag_captured(), EXAMPLE ": no XDP program runs on lo\n");
}

TEST(live_xdp_refuses_an_interface_without_xdp)
{
	testnet_run(4, NULL, live_xdp_refuses_an_interface_without_xdp_body);
}
