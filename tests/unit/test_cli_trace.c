// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt trace on a live XDP program: the example attached by iproute2 to a
 * quiet veth (no IPv6, static neighbours), so the only packets are the
 * pings each test sends.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "helpers.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"
#define EXAMPLE_SRC "examples/xdp_filter.bpf.c"

/* The example's sites, where the compiler put them (clang 14 and 19 differ):
 * found from the source text that produces each, never from libbpfsdt. */
static int example_site(const char *probe, const char *marker)
{
	return oracle_site_insn(EXAMPLE, probe, EXAMPLE_SRC, marker);
}

static int no_ports_verdict(void)
{
	return example_site("verdict", "finish(XDP_PASS, REASON_NO_PORTS)");
}

static const char *ping_verdict(void)
{
	static char line[256];

	snprintf(line, sizeof(line), "{\"probe\": \"verdict\", \"function\": \"xdp_filter\", "
		 "\"insn\": %d, \"args\": [\"XDP_PASS\", \"REASON_NO_PORTS\"]}\n", no_ports_verdict());
	return line;
}

/* `ip netns exec <ns_a> bpfsdt trace ARGS...`, once the armed copy is on
 * v0 and every probe is armed. */
static void start_trace(struct testnet *net, struct cmd_proc *p, const char *const *args)
{
	const char *argv[19] = { "trace" };
	int i;

	for (i = 0; args[i] && i < 17; i++)
		argv[1 + i] = args[i];
	testnet_start_armed(net, p, argv, testnet_xdp_current, net);
}

static void json_events_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;
	__u32 orig = xdp_prog_id(net->ifindex);

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--json", "--xdp", "v0", EXAMPLE,
		"verdict", "-c", "5", NULL }));
	ASSERT_EQ(testnet_ping(net, 5, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 0);
	{
		char want[2048] = "";
		int i;

		for (i = 0; i < 5; i++)
			strcat(want, ping_verdict());
		strcat(want, "{\"events\": 5, \"lost\": 0}\n");
		ASSERT_STREQ(strip_event_stamps(r.out), want);
	}
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	cmd_result_free(&r);
}

TEST(trace_prints_exactly_the_known_traffic_as_json)
{
	testnet_run(11, EXAMPLE, json_events_body);
}

static void text_events_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", EXAMPLE,
		"pkt_parsed", "verdict", "-c", "4", NULL }));
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 0);
	{
		int parsed = example_site("pkt_parsed", "BPF_SDT_PROBE3(pkt_parsed, end - data, "
					  "proto, ip->protocol)"), verdict = no_ports_verdict();
		char want[512];

		snprintf(want, sizeof(want), "xdp_filter insn %1$d: pkt_parsed(98, 2048, 1)\n"
			 "xdp_filter insn %2$d: verdict(XDP_PASS, REASON_NO_PORTS)\n"
			 "xdp_filter insn %1$d: pkt_parsed(98, 2048, 1)\n"
			 "xdp_filter insn %2$d: verdict(XDP_PASS, REASON_NO_PORTS)\n", parsed, verdict);
		ASSERT_STREQ(r.out, want);
	}
	ASSERT_CONTAINS(r.err, "4 events, 0 lost; the original program is back");
	cmd_result_free(&r);
}

TEST(trace_prints_typed_events_as_text)
{
	testnet_run(12, EXAMPLE, text_events_body);
}

static void count_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;
	const char *last;

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--json", "--count", "--xdp", "v0",
		EXAMPLE, "verdict", NULL }));
	ASSERT_EQ(testnet_ping(net, 20, "0.01"), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	last = strrchr(r.out, '{') ? strstr(r.out, "{\"counts\"") : NULL;
	while (last && strstr(last + 1, "{\"counts\""))
		last = strstr(last + 1, "{\"counts\"");
	ASSERT_TRUE(last != NULL);
	{
		char want[256];

		snprintf(want, sizeof(want), "{\"probe\": \"verdict\", \"function\": \"xdp_filter\", "
			 "\"insn\": %d, \"hits\": 20}", no_ports_verdict());
		ASSERT_CONTAINS(last, want);
	}
	cmd_result_free(&r);
}

TEST(trace_count_equals_the_packets_sent)
{
	testnet_run(13, EXAMPLE, count_body);
}

static void sigint_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;
	__u32 orig = xdp_prog_id(net->ifindex);

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", EXAMPLE, NULL }));
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(testnet_ping(net, 1, "0.05"), 0); /* and it still works */
	cmd_result_free(&r);
}

TEST(trace_sigint_puts_the_original_program_back)
{
	testnet_run(14, EXAMPLE, sigint_body);
}

static void wrong_elf_body(struct testnet *net)
{
	char *argv[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "trace", "--xdp",
			 "v0", (char *)corpus_path("basic"), NULL };
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_CONTAINS(r.err, "has no xdp program named xdp_filter (the one running, id ");
	cmd_result_free(&r);
}

TEST(trace_refuses_an_elf_without_the_running_program)
{
	testnet_run(15, EXAMPLE, wrong_elf_body);
}

static void tag_of(int fd, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	memset(tag, 0, BPF_TAG_SIZE);
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		memcpy(tag, info.tag, BPF_TAG_SIZE);
}

static void running_tag(int ifindex, __u8 tag[BPF_TAG_SIZE])
{
	int fd = bpf_prog_get_fd_by_id(xdp_prog_id(ifindex));

	tag_of(fd, tag);
	if (fd >= 0)
		close(fd);
}

static void reset_body(struct testnet *net)
{
	char *reset[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "reset", "--xdp",
			  "v0", EXAMPLE, NULL };
	__u8 dormant[BPF_TAG_SIZE], now[BPF_TAG_SIZE];
	__u32 orig = xdp_prog_id(net->ifindex);
	struct cmd_result r;
	struct cmd_proc p;

	running_tag(net->ifindex, dormant);
	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", EXAMPLE, NULL }));
	ASSERT_EQ(cmd_kill_with_guardian(&p, &r), 0); /* both: no one restores */
	cmd_result_free(&r);
	/* the armed copy stayed, and it works */
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	ASSERT_EQ(run_cmd(reset, &r), 0);
	ASSERT_EQ(r.status, 0);
	running_tag(net->ifindex, now);
	ASSERT_TRUE(!memcmp(now, dormant, BPF_TAG_SIZE)); /* the dormant program again */
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	cmd_result_free(&r);
	/* resetting a dormant program changes nothing */
	orig = xdp_prog_id(net->ifindex);
	ASSERT_EQ(run_cmd(reset, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	cmd_result_free(&r);
}

TEST(reset_after_sigkill_puts_the_dormant_program_back)
{
	testnet_run(16, EXAMPLE, reset_body);
}

/* blocked_ports[port] = 1 in the running firewall's own map */
static int block_port(int ifindex, __u16 port)
{
	int fd = bpf_prog_get_fd_by_id(xdp_prog_id(ifindex)), err = -1;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[16], i;
	__u8 one = 1;

	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	for (i = 0; i < info.nr_map_ids && i < 16; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		if (mfd >= 0 && !bpf_obj_get_info_by_fd(mfd, &mi, &mlen) &&
		    !strcmp(mi.name, "blocked_ports"))
			err = bpf_map_update_elem(mfd, &port, &one, 0);
		if (mfd >= 0)
			close(mfd);
	}
out:
	if (fd >= 0)
		close(fd);
	return err;
}

static int send_udp(struct testnet *net, int port, int count)
{
	char cmd[256];
	int i, err = 0;

	for (i = 0; i < count && !err; i++) {
		snprintf(cmd, sizeof(cmd), "ip netns exec %s bash -c 'echo query > /dev/udp/%s/%d'",
			 net->ns_b, net->ip_a, port);
		err = system(cmd);
	}
	return err;
}

static void attach_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;
	__u32 orig = xdp_prog_id(net->ifindex);
	char *argv[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "attach", "--json",
			 "--xdp", "v0", EXAMPLE,
			 TEST_BUILD_DIR "/tests/bpf/observers/firewall_stats.bpf.o", NULL };
	int tries;

	ASSERT_EQ(block_port(net->ifindex, 53), 0);
	ASSERT_EQ(cmd_start(argv, &p), 0);
	for (tries = 0; tries < 500 && xdp_prog_id(net->ifindex) == orig; tries++)
		usleep(10000);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(cmd_wait_err(&p, "Ctrl-C to", 10000), 0);
	ASSERT_EQ(send_udp(net, 53, 3), 0);
	ASSERT_EQ(send_udp(net, 80, 2), 0);
	usleep(100000);
	ASSERT_EQ(cmd_finish(&p, SIGTERM, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out, "{\"globals\": {\"blocked\": 3, \"checked\": 5, "
			    "\"last_blocked_port\": 53}}\n");
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	cmd_result_free(&r);
}

TEST(attach_runs_your_observer_on_the_live_program_until_sigterm)
{
	testnet_run(17, EXAMPLE, attach_body);
}

static void filter_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_EQ(block_port(net->ifindex, 53), 0);
	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--json", "--xdp", "v0", EXAMPLE,
		"verdict", "--filter", "arg0 == XDP_DROP", "-c", "3", NULL }));
	ASSERT_EQ(send_udp(net, 80, 2), 0);
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	ASSERT_EQ(send_udp(net, 53, 3), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 0);
	{
		char drop[256], want[1024];

		snprintf(drop, sizeof(drop), "{\"probe\": \"verdict\", \"function\": \"xdp_filter\", "
			 "\"insn\": %d, \"args\": [\"XDP_DROP\", \"REASON_PORT_BLOCKED\"]}\n",
			 example_site("verdict", "finish(XDP_DROP, REASON_PORT_BLOCKED)"));
		snprintf(want, sizeof(want), "%1$s%1$s%1$s{\"events\": 3, \"lost\": 0}\n", drop);
		ASSERT_STREQ(strip_event_stamps(r.out), want);
	}
	cmd_result_free(&r);
}

TEST(trace_filter_selects_exactly_the_matching_events)
{
	testnet_run(18, EXAMPLE, filter_body);
}

#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46 /* kernel 6.6 UAPI, newer than Debian 12's headers */
#endif

/* A tc program on v0's ingress through a tcx bpf_link, pinned like a
 * long-running loader would leave it. */
static int pin_tcx_link(struct testnet *net, struct bpf_object **obj, char *pin, size_t size)
{
	const char *fs = scratch_bpffs();
	struct bpf_program *prog;
	int link;

	if (!fs)
		return -1;
	*obj = bpf_object__open_file(corpus_path("multi_prog"), NULL);
	if (!*obj || bpf_object__load(*obj))
		return -1;
	prog = bpf_object__find_program_by_name(*obj, "multi_tc");
	link = bpf_link_create(bpf_program__fd(prog), net->ifindex, BPF_TCX_INGRESS, NULL);
	if (link < 0)
		return -1;
	snprintf(pin, size, "%s/tcx_%d", fs, (int)getpid());
	unlink(pin);
	if (bpf_obj_pin(link, pin)) {
		close(link);
		return -1;
	}
	return link;
}

static __u32 link_prog_id(int link)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(link, &info, &len) ? 0 : info.prog_id;
}

static void tcx_link_body(struct testnet *net)
{
	struct bpf_object *obj = NULL;
	struct cmd_result r;
	struct cmd_proc p;
	char pin[512];
	char *argv[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "trace", "--json",
			 "--link", pin, (char *)corpus_path("multi_prog"), "tc_seen", "-c", "2", NULL };
	int link = pin_tcx_link(net, &obj, pin, sizeof(pin)), tries;
	__u32 orig;

	if (link < 0) {
		bpf_object__close(obj);
		SKIP("tcx links need kernel 6.6 or later");
	}
	orig = link_prog_id(link);
	ASSERT_EQ(cmd_start(argv, &p), 0);
	for (tries = 0; tries < 500 && link_prog_id(link) == orig; tries++)
		usleep(10000);
	ASSERT_NE(link_prog_id(link), orig);
	ASSERT_EQ(cmd_wait_err(&p, "Ctrl-C to", 10000), 0);
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 0);
	/* skb->protocol is in network order: ETH_P_IP reads as 8 */
	ASSERT_STREQ(strip_event_stamps(r.out),
		"{\"probe\": \"tc_seen\", \"function\": \"multi_tc\", \"insn\": 4, \"args\": [98, 8]}\n"
		"{\"probe\": \"tc_seen\", \"function\": \"multi_tc\", \"insn\": 4, \"args\": [98, 8]}\n"
		"{\"events\": 2, \"lost\": 0}\n");
	ASSERT_EQ(link_prog_id(link), orig);
	cmd_result_free(&r);
	unlink(pin);
	close(link);
	bpf_object__close(obj);
}

TEST(trace_link_arms_a_tc_program_on_a_pinned_tcx_link)
{
	testnet_run(19, EXAMPLE, tcx_link_body);
	scratch_bpffs_release(); /* whatever the outcome: no mount left behind */
}

/* A source line of the running example, counted: every ping reaches it. */
static void trace_at_line_body(struct testnet *net)
{
	char spec[64];
	struct cmd_result r;
	struct cmd_proc p;
	int line = source_line_of(EXAMPLE_SRC, "proto = bpf_ntohs(eth->h_proto);");

	ASSERT_TRUE(line > 0);
	snprintf(spec, sizeof(spec), "xdp_filter.bpf.c:%d", line);
	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--json", "--count", "--xdp", "v0",
		EXAMPLE, "--at", spec, NULL }));
	ASSERT_EQ(testnet_ping(net, 7, "0.01"), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	{
		char want[128];

		snprintf(want, sizeof(want), "{\"probe\": \"%s\", \"function\": \"xdp_filter\", ",
			 spec);
		ASSERT_CONTAINS(r.out, want);
		ASSERT_CONTAINS(strrchr(r.out, '{') ? strstr(r.out, want) : NULL, "\"hits\": 7}");
	}
	cmd_result_free(&r);
}

TEST(trace_at_a_source_line_counts_the_packets_that_reach_it)
{
	testnet_run(18, EXAMPLE, trace_at_line_body);
}

/* Events of a dynamic site on a running program: the registers set there. */
static void trace_at_insn_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--json", "--xdp", "v0", EXAMPLE,
		"--at", "xdp_filter+0", "-c", "3", NULL }));
	ASSERT_EQ(testnet_ping(net, 3, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 0);
	strip_event_stamps(r.out);
	/* at its first instruction a program has its context in r1, nothing else */
	ASSERT_CONTAINS(r.out, "{\"probe\": \"xdp_filter+0\", \"function\": \"xdp_filter\", "
			"\"insn\": 0, \"regs\": {\"r1\": \"0x");
	ASSERT_CONTAINS(r.out, "\"}}\n{\"events\": 3, \"lost\": 0}\n");
	cmd_result_free(&r);
}

TEST(trace_at_an_instruction_of_a_running_program_prints_its_registers)
{
	testnet_run(19, EXAMPLE, trace_at_insn_body);
}

/* attach --at: a user's observer at a dynamic site of the running program. */
static void attach_at_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;
	__u32 orig = xdp_prog_id(net->ifindex);
	char *argv[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "attach", "--json",
			 "--xdp", "v0", "--at", "xdp_filter+0", EXAMPLE,
			 TEST_BUILD_DIR "/tests/bpf/observers/hit_counter.bpf.o", NULL };
	int tries;

	ASSERT_EQ(cmd_start(argv, &p), 0);
	for (tries = 0; tries < 500 && xdp_prog_id(net->ifindex) == orig; tries++)
		usleep(10000);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(cmd_wait_err(&p, "Ctrl-C to", 10000), 0);
	ASSERT_EQ(testnet_ping(net, 4, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, SIGTERM, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"hits\": 4");
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	cmd_result_free(&r);
}

TEST(attach_at_puts_your_observer_at_an_instruction_of_the_running_program)
{
	testnet_run(20, EXAMPLE, attach_at_body);
}
