// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A hook is found in the caller's network namespace only. Two test networks
 * whose v0 have the same ifindex: "here", where the test opens the live
 * target, and "there", another namespace with a program of its own on its
 * v0. bpf_links name only an ifindex, so a link there looks like one here
 * unless the namespace is checked. The target's verdicts and counters are
 * compared with a run without observer (fw_expect_tracing_changes_nothing);
 * the program there must keep running, untouched.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>
#include "fw_loader.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define SHARED_IFINDEX 4242
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46 /* kernel 6.6 UAPI, newer than Debian 12's headers */
#endif

#define FW corpus_path("identity_fw")

static void with_two_nets(int n, void (*body)(struct testnet *here, struct testnet *there))
{
	struct testnet here, there;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up_ifindex(&there, n, SHARED_IFINDEX))
		FAIL("cannot create the test networks");
	if (testnet_up_ifindex(&here, n + 1, SHARED_IFINDEX)) {
		testnet_down(&there);
		FAIL("cannot create the test networks");
	}
	body(&here, &there);
	testnet_down(&here);
	testnet_down(&there);
}

static __u32 link_prog_id(const struct bpf_link *link)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	return link && !bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len) ? info.prog_id : 0;
}

/* fw loaded and attached on net's v0, from inside its namespace. */
static int load_in(struct testnet *net, struct fw_loader *l, enum fw_attach how)
{
	int err = testnet_enter(net);

	if (!err)
		err = fw_load(l, FW, IPPROTO_UDP, net->ifindex, how);
	testnet_leave(net);
	return err;
}

/* l's program also attached to net's v0 through a bpf_link. */
static struct bpf_link *link_also_in(struct testnet *net, struct fw_loader *l)
{
	struct bpf_link *link = NULL;

	if (!testnet_enter(net))
		link = bpf_program__attach_xdp(bpf_object__find_program_by_name(l->obj, "identity_fw"),
					       net->ifindex);
	testnet_leave(net);
	return link;
}

/* Their firewall still handles their traffic, by itself. */
static void expect_untouched(struct testnet *there, struct fw_loader *theirs)
{
	struct fw_state s0, s1;

	ASSERT_EQ(link_prog_id(theirs->link), theirs->prog_id);
	ASSERT_EQ(fw_read(theirs, &s0), 0);
	ASSERT_TRUE(fw_pings_pass(there));
	ASSERT_EQ(fw_read(theirs, &s1), 0);
	ASSERT_EQ(s1.packets_seen - s0.packets_seen, FW_PINGS);
	ASSERT_EQ(s1.pass_packets - s0.pass_packets, FW_PINGS);
}

static void netlink_here_link_there_body(struct testnet *here, struct testnet *there)
{
	struct fw_loader ours = {}, theirs = {};

	if (load_in(there, &theirs, FW_LINK) || load_in(here, &ours, FW_NETLINK)) {
		test_fail(__FILE__, __LINE__, "cannot load the firewalls");
	} else if (testnet_enter(here)) {
		test_fail(__FILE__, __LINE__, "cannot enter the namespace");
	} else {
		fw_expect_tracing_changes_nothing(here, &ours, FW);
		if (!TEST_STOPPED())
			expect_untouched(there, &theirs);
		fw_unload(&ours, here->ifindex);
	}
	testnet_leave(here);
	fw_unload(&theirs, 0);
	fw_unload(&ours, 0);
}

TEST(live_xdp_leaves_a_link_on_the_same_ifindex_in_another_namespace_alone)
{
	with_two_nets(60, netlink_here_link_there_body);
}

static void links_both_body(struct testnet *here, struct testnet *there)
{
	struct fw_loader ours = {}, theirs = {};

	/* theirs first: the lower link id, the one a search by ifindex finds */
	if (load_in(there, &theirs, FW_LINK) || load_in(here, &ours, FW_LINK)) {
		test_fail(__FILE__, __LINE__, "cannot load the firewalls");
	} else if (testnet_enter(here)) {
		test_fail(__FILE__, __LINE__, "cannot enter the namespace");
	} else {
		fw_expect_tracing_changes_nothing(here, &ours, FW);
		if (!TEST_STOPPED())
			ASSERT_EQ(link_prog_id(ours.link), ours.prog_id);
		if (!TEST_STOPPED())
			expect_untouched(there, &theirs);
	}
	testnet_leave(here);
	fw_unload(&theirs, 0);
	fw_unload(&ours, 0);
}

TEST(live_xdp_arms_the_link_of_its_namespace_not_one_on_the_same_ifindex_elsewhere)
{
	with_two_nets(62, links_both_body);
}

static void same_prog_body(struct testnet *here, struct testnet *there)
{
	struct fw_loader ours = {};
	struct bpf_link *elsewhere = NULL;

	/* one program: through netlink here, through a bpf_link there */
	if (load_in(here, &ours, FW_NETLINK) || !(elsewhere = link_also_in(there, &ours))) {
		test_fail(__FILE__, __LINE__, "cannot attach the firewall");
	} else if (testnet_enter(here)) {
		test_fail(__FILE__, __LINE__, "cannot enter the namespace");
	} else {
		fw_expect_tracing_changes_nothing(here, &ours, FW);
		if (!TEST_STOPPED())
			ASSERT_EQ(link_prog_id(elsewhere), ours.prog_id);
		fw_unload(&ours, here->ifindex);
	}
	testnet_leave(here);
	bpf_link__destroy(elsewhere);
	fw_unload(&ours, 0);
}

TEST(live_xdp_attached_by_netlink_ignores_a_link_running_the_same_program_elsewhere)
{
	with_two_nets(64, same_prog_body);
}

static void ambiguous_body(struct testnet *here, struct testnet *there)
{
	struct fw_loader ours = {};
	struct bpf_link *elsewhere = NULL;
	struct bpf_sdt_target *t;
	char msg[256];

	if (load_in(here, &ours, FW_LINK) || !(elsewhere = link_also_in(there, &ours)) ||
	    testnet_enter(here)) {
		test_fail(__FILE__, __LINE__, "cannot attach the firewall");
	} else {
		diag_capture_begin();
		errno = 0;
		t = bpf_sdt_target__open_xdp(FW, here->ifindex, NULL);
		diag_capture_end();
		snprintf(msg, sizeof(msg),
			 ": 2 XDP links run program identity_fw (id %u) on interfaces with ifindex %d (v0 here, others in other network namespaces): name the link with --link\n",
			 ours.prog_id, SHARED_IFINDEX);
		if (t)
			bpf_sdt_target__close(t);
		ASSERT_TRUE(t == NULL);
		ASSERT_EQ(errno, EOPNOTSUPP);
		ASSERT_CONTAINS(diag_captured(), msg);
		ASSERT_EQ(link_prog_id(ours.link), ours.prog_id);
		ASSERT_EQ(link_prog_id(elsewhere), ours.prog_id);
	}
	testnet_leave(here);
	bpf_link__destroy(elsewhere);
	fw_unload(&ours, 0);
}

TEST(live_xdp_refuses_when_links_in_several_namespaces_run_the_program)
{
	with_two_nets(66, ambiguous_body);
}

/* live_hooks' tc program on net's v0 ingress through a tcx link. */
static int tcx_in(struct testnet *net, struct bpf_object **obj, __u32 *prog_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int prog, link = -1;

	*obj = bpf_object__open_file(corpus_path("live_hooks"), NULL);
	if (!*obj || bpf_object__load(*obj))
		return -1;
	prog = bpf_program__fd(bpf_object__find_program_by_name(*obj, "live_tc"));
	if (bpf_obj_get_info_by_fd(prog, &info, &len))
		return -1;
	*prog_id = info.id;
	if (!testnet_enter(net))
		link = bpf_link_create(prog, net->ifindex, BPF_TCX_INGRESS, NULL);
	testnet_leave(net);
	return link;
}

static __u32 link_fd_prog_id(int fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.prog_id : 0;
}

static void tcx_check(struct testnet *here, int ours, __u32 our_prog, int theirs,
		      __u32 their_prog)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_TC, .ifindex = here->ifindex,
		    .tc_attach_point = BPF_TC_INGRESS);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u64 before, counted;

	t = bpf_sdt_target__open_live(corpus_path("live_hooks"), &hook, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "tc_ip"));
	ASSERT_NE(link_fd_prog_id(ours), our_prog); /* the armed copy runs here */
	ASSERT_EQ(link_fd_prog_id(theirs), their_prog);
	before = percpu_count(t, "handled", 0 /* COUNT_TC_IP */);
	ASSERT_EQ(testnet_ping(here, 20, "0.01"), 0);
	counted = percpu_count(t, "handled", 0) - before;
	ASSERT_EQ(counted, 20);
	ASSERT_EQ(probe_hits(tr, t, "tc_ip"), counted);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	ASSERT_EQ(link_fd_prog_id(ours), our_prog);
	ASSERT_EQ(link_fd_prog_id(theirs), their_prog);
}

static void tcx_body(struct testnet *here, struct testnet *there)
{
	struct bpf_object *obj_there = NULL, *obj_here = NULL;
	__u32 prog_there = 0, prog_here = 0;
	int theirs, ours;

	theirs = tcx_in(there, &obj_there, &prog_there);
	ours = tcx_in(here, &obj_here, &prog_here);
	if (theirs < 0 || ours < 0)
		test_fail(__FILE__, __LINE__, "cannot attach the tcx links");
	else if (testnet_enter(here))
		test_fail(__FILE__, __LINE__, "cannot enter the namespace");
	else
		tcx_check(here, ours, prog_here, theirs, prog_there);
	testnet_leave(here);
	if (ours >= 0)
		close(ours);
	if (theirs >= 0)
		close(theirs);
	bpf_object__close(obj_here);
	bpf_object__close(obj_there);
}

TEST(live_tc_finds_the_tcx_link_of_its_namespace_not_one_on_the_same_ifindex_elsewhere)
{
	with_two_nets(68, tcx_body);
}
