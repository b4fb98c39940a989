// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The live commands on the hooks beyond XDP: --tc (a cls_bpf filter
 * attached by iproute2) and --prog-array (a slot a libbpf loader filled and
 * pinned), plus the errors of the hook options themselves.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define LIVE_HOOKS corpus_path("live_hooks")
/* an ICMP echo request on the veth: 14 + 84 bytes */
#define TC_IP_EVENT "{\"probe\": \"tc_ip\", \"function\": \"live_tc\", \"insn\": 18, \"args\": [98]}\n"
#define SLOT_EVENT "{\"probe\": \"slot_pkt\", \"function\": \"live_slot\", \"insn\": 15, \"args\": [98]}\n"

static __u32 tc_current(void *ctx)
{
	return tc_filter_prog_id(((struct testnet *)ctx)->ifindex);
}

static void with_tc_filter(int n, void (*body)(struct testnet *net))
{
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, n) || testnet_attach_tc(&net, LIVE_HOOKS, "tc", true) ||
	    testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot attach the tc filter with iproute2");
	}
	body(&net);
	testnet_down(&net);
}

static void tc_json_body(struct testnet *net)
{
	__u32 orig = tc_filter_prog_id(net->ifindex);
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(testnet_start_armed(net, &p, (const char *[]){ "trace", "--json", "--tc",
		"v0:ingress", LIVE_HOOKS, "tc_ip", "-c", "3", NULL }, tc_current, net));
	ASSERT_EQ(testnet_ping(net, 3, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(strip_event_stamps(r.out), TC_IP_EVENT TC_IP_EVENT TC_IP_EVENT "{\"events\": 3, \"lost\": 0}\n");
	ASSERT_EQ(tc_filter_prog_id(net->ifindex), orig);
	cmd_result_free(&r);
}

TEST(trace_tc_prints_exactly_the_known_traffic_as_json)
{
	with_tc_filter(31, tc_json_body);
}

static void tc_reset_body(struct testnet *net)
{
	char *reset[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "reset", "--tc",
			  "v0:ingress", (char *)LIVE_HOOKS, NULL };
	__u32 orig = tc_filter_prog_id(net->ifindex), armed;
	struct bpf_prog_info before = {}, after = {};
	__u32 len = sizeof(before);
	struct cmd_result r;
	struct cmd_proc p;
	int fd;

	fd = bpf_prog_get_fd_by_id(orig);
	ASSERT_TRUE(fd >= 0 && !bpf_obj_get_info_by_fd(fd, &before, &len));
	close(fd);
	ASSERT_OK_HELPER(testnet_start_armed(net, &p, (const char *[]){ "trace", "--tc",
		"v0:ingress", LIVE_HOOKS, NULL }, tc_current, net));
	ASSERT_EQ(cmd_kill_with_guardian(&p, &r), 0); /* both: no one restores */
	cmd_result_free(&r);
	armed = tc_filter_prog_id(net->ifindex);
	ASSERT_NE(armed, orig); /* the armed copy stayed */
	ASSERT_EQ(run_cmd(reset, &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
	ASSERT_NE(tc_filter_prog_id(net->ifindex), armed);
	fd = bpf_prog_get_fd_by_id(tc_filter_prog_id(net->ifindex));
	len = sizeof(after);
	ASSERT_TRUE(fd >= 0 && !bpf_obj_get_info_by_fd(fd, &after, &len));
	close(fd);
	ASSERT_TRUE(!memcmp(after.tag, before.tag, BPF_TAG_SIZE)); /* dormant again */
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
}

TEST(reset_tc_after_sigkill_puts_the_dormant_program_back)
{
	with_tc_filter(32, tc_reset_body);
}

struct slot_ctx {
	int jump_fd;
};

static __u32 slot_current(void *ctx)
{
	return slot_id(((struct slot_ctx *)ctx)->jump_fd);
}

static void prog_array_body(struct testnet *net, const char *fs)
{
	char pin[512], spec[600];
	struct bpf_object *obj;
	struct slot_ctx sc;
	struct cmd_result r;
	struct cmd_proc p;
	__u32 orig;

	snprintf(pin, sizeof(pin), "%s/jump_%d", fs, (int)getpid());
	snprintf(spec, sizeof(spec), "%s:0", pin);
	obj = xdp_dispatcher_up(net->ifindex, pin);
	ASSERT_TRUE(obj != NULL);
	sc.jump_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "jump"));
	orig = slot_current(&sc);
	testnet_start_armed(net, &p, (const char *[]){ "trace", "--json", "--prog-array", spec,
		LIVE_HOOKS, "slot_pkt", "-c", "2", NULL }, slot_current, &sc);
	if (!TEST_STOPPED()) {
		ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
		ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
		ASSERT_EQ(r.status, 0);
		ASSERT_STREQ(strip_event_stamps(r.out), SLOT_EVENT SLOT_EVENT "{\"events\": 2, \"lost\": 0}\n");
		ASSERT_EQ(slot_current(&sc), orig);
		cmd_result_free(&r);
	}
	bpf_xdp_detach(net->ifindex, 0, NULL);
	unlink(pin);
	bpf_object__close(obj);
}

TEST(trace_prog_array_arms_the_program_in_a_pinned_slot)
{
	testnet_run_bpffs(33, prog_array_body);
}

/* bpfsdt ARGS...: exit 2 and exactly one line on stderr */
static void expect_bad_input(const char *const *args, const char *line)
{
	char *argv[16] = { (char *)bpfsdt_bin() };
	struct cmd_result r;
	int i;

	for (i = 0; args[i] && i < 14; i++)
		argv[1 + i] = (char *)args[i];
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, line);
	ASSERT_STREQ(r.out, "");
	cmd_result_free(&r);
}

TEST(trace_tc_needs_a_direction)
{
	expect_bad_input((const char *[]){ "trace", "--tc", "lo", "x.bpf.o", NULL },
			 "bpfsdt: trace: --tc needs IFACE:ingress or IFACE:egress, not 'lo'\n");
}

TEST(trace_tc_names_a_missing_interface)
{
	expect_bad_input((const char *[]){ "trace", "--tc", "nosuch0:egress", "x.bpf.o", NULL },
			 "bpfsdt: trace: no interface nosuch0\n");
}

TEST(attach_prog_array_needs_a_slot_number)
{
	expect_bad_input((const char *[]){ "attach", "--prog-array", "/sys/fs/bpf/x:one",
					   "x.bpf.o", "o.bpf.o", NULL },
			 "bpfsdt: attach: --prog-array KEY needs a whole number from 0 to 4294967295, "
			 "not 'one'\n");
}

TEST(reset_prog_array_names_a_missing_pin)
{
	expect_bad_input((const char *[]){ "reset", "--prog-array", "/nonexistent/jump:0",
					   "x.bpf.o", NULL },
			 "bpfsdt: reset: --prog-array: cannot open pinned object /nonexistent/jump: "
			 "No such file or directory\n");
}

TEST(trace_takes_exactly_one_hook)
{
	expect_bad_input((const char *[]){ "trace", "--xdp", "lo", "--tc", "lo:ingress", "x.bpf.o",
					   NULL },
			 "bpfsdt: trace: needs exactly one of --xdp, --tc, --link, --prog-array "
			 "(try 'bpfsdt trace --help')\n");
}
