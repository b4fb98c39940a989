// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Objects with the section names iproute2 users write (SEC("prog"),
 * SEC("ingress")), which libbpf 1.1 does not know: attached with
 * iproute2 itself and traced live (the running program says what type its
 * rebuild has), run and checked with --type, and never blocking the
 * object's other programs.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "helpers.h"
#include "netns.h"
#include "test.h"

#define IPROUTE2_OBJ corpus_path("iproute2_sections")

static void bpfsdt(struct cmd_result *r, const char *const *args)
{
	char *argv[24] = { (char *)bpfsdt_bin() };
	int i;

	for (i = 0; args[i] && i < 22; i++)
		argv[i + 1] = (char *)args[i];
	ASSERT_EQ(run_cmd(argv, r), 0);
}

static const char *packet_file(size_t len)
{
	return scratch_frame("iproute2-pkt.bin", len);
}

/* Traces hook (`--xdp v0` / `--tc v0:ingress`) in ns_a for 2 events while b pings a. */
static void trace_two_pings(struct testnet *net, const char *hook_opt, const char *hook,
			    const char *expected)
{
	char *argv[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "trace", "--json",
			 (char *)hook_opt, (char *)hook, (char *)IPROUTE2_OBJ, "-c", "2", NULL };
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_EQ(cmd_start(argv, &p), 0);
	ASSERT_EQ(cmd_wait_err(&p, "Ctrl-C to", 10000), 0);
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	if (r.status)
		fprintf(stdout, "    %s", r.err);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(strip_event_stamps(r.out), expected);
	cmd_result_free(&r);
}

TEST(trace_xdp_program_in_section_prog_attached_by_iproute2)
{
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, 41) || testnet_attach_xdp(&net, IPROUTE2_OBJ, "prog")) {
		testnet_down(&net);
		FAIL("cannot attach SEC(\"prog\") with ip link set dev v0 xdp obj ... sec prog");
	}
	trace_two_pings(&net, "--xdp", "v0",
		"{\"probe\": \"ip_xdp_len\", \"function\": \"ip_xdp\", \"insn\": 6, \"args\": [98, 2]}\n"
		"{\"probe\": \"ip_xdp_len\", \"function\": \"ip_xdp\", \"insn\": 6, \"args\": [98, 2]}\n"
		"{\"events\": 2, \"lost\": 0}\n");
	testnet_down(&net);
}

TEST(trace_tc_program_in_section_ingress_attached_by_iproute2)
{
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, 42) || testnet_attach_tc(&net, IPROUTE2_OBJ, "ingress", true)) {
		testnet_down(&net);
		FAIL("cannot attach SEC(\"ingress\") with tc filter add ... bpf da obj");
	}
	trace_two_pings(&net, "--tc", "v0:ingress",
		"{\"probe\": \"ip_tc_len\", \"function\": \"ip_tc\", \"insn\": 1, \"args\": [98]}\n"
		"{\"probe\": \"ip_tc_len\", \"function\": \"ip_tc\", \"insn\": 1, \"args\": [98]}\n"
		"{\"events\": 2, \"lost\": 0}\n");
	testnet_down(&net);
}

TEST(run_of_a_program_in_an_unknown_section_asks_for_its_type)
{
	struct cmd_result r;
	char expected[512];

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", IPROUTE2_OBJ, "ip_xdp", "--data-in",
		packet_file(64), NULL }));
	snprintf(expected, sizeof(expected), "bpfsdt: run: %s: program ip_xdp is in section \"prog\", "
		 "which libbpf does not know: give its type with --type (xdp, tc, ...)\n",
		 IPROUTE2_OBJ);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, expected);
	ASSERT_STREQ(r.out, "");
	cmd_result_free(&r);
}

TEST(run_with_type_runs_a_program_in_an_unknown_section)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", IPROUTE2_OBJ, "ip_xdp",
		"--type", "xdp", "--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	mask_run_durations(r.out);
	ASSERT_STREQ(strip_event_stamps(r.out),
		"{\"probe\": \"ip_xdp_len\", \"function\": \"ip_xdp\", \"insn\": 6, \"args\": [64, 2]}\n"
		"{\"retval\": 2, \"retval_name\": \"XDP_PASS\", \"events\": 1, \"lost\": 0, "
		"\"duration_ns\": N}\n");
	cmd_result_free(&r);
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", IPROUTE2_OBJ, "ip_tc",
		"--type", "tc", "--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(strip_event_stamps(r.out), "\"probe\": \"ip_tc_len\", \"function\": \"ip_tc\", "
			"\"insn\": 1, \"args\": [64]}\n");
	cmd_result_free(&r);
}

TEST(programs_in_unknown_sections_do_not_block_the_others)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", IPROUTE2_OBJ, "ip_cls",
		"--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	ASSERT_CONTAINS(r.out, "\"probe\": \"ip_cls_len\"");
	cmd_result_free(&r);
}

TEST(check_names_the_programs_it_could_not_type_and_checks_the_rest)
{
	struct cmd_result r;
	char expected[1024];

	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "check", "--offline", IPROUTE2_OBJ, NULL }));
	snprintf(expected, sizeof(expected),
		 "%1$s: warning: program ip_xdp not checked: libbpf does not know its section "
		 "\"prog\" (give its type with --type)\n"
		 "%1$s: warning: program ip_tc not checked: libbpf does not know its section "
		 "\"ingress\" (give its type with --type)\n"
		 "%1$s: 3 sites checked by the offline analysis: 0 errors, 0 warnings\n",
		 IPROUTE2_OBJ);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, expected);
	cmd_result_free(&r);
}

TEST(type_option_refuses_an_unknown_type)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "check", "--type", "xdpp", IPROUTE2_OBJ,
		NULL }));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: check: --type: unknown program type 'xdpp' (xdp, tc, "
		     "sched_act, socket_filter, cgroup_skb/ingress, ...)\n");
	cmd_result_free(&r);
}
