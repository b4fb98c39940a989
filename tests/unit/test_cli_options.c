// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The CLI's inputs, each refused with one line of ours: numeric options of
 * every command, packets run cannot run as given, pinned objects of the
 * wrong kind, missing privileges; probe lists built from objects with many
 * probes, repeated names, or probes whose sites are in other programs;
 * observer objects with other programs in them; libbpf's own lines kept out
 * of the way unless asked for (-v).
 */
#include <bpf/bpf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "helpers.h"
#include "netns.h"
#include "test.h"

static void bpfsdt(struct cmd_result *r, const char *const *args)
{
	char *argv[24] = { (char *)bpfsdt_bin() };
	int i;

	for (i = 0; args[i] && i < 22; i++)
		argv[i + 1] = (char *)args[i];
	ASSERT_EQ(run_cmd(argv, r), 0);
}

static void expect_refused(const char *const *args, const char *line)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(bpfsdt(&r, args));
	if (strcmp(r.err, line))
		fprintf(stdout, "    got: %s", r.err);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, line);
	cmd_result_free(&r);
}

static const char *packet_file(size_t len)
{
	return scratch_frame("options-pkt.bin", len);
}

/* --- numbers --- */

TEST(repeat_refuses_signs_junk_zero_and_overflow)
{
	const char *bad[] = { "-1", "+5", " 5", "5 ", "abc", "1x", "0x10", "0", "4294967296",
			      "99999999999999999999999", "" };
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "bpfsdt: run: --repeat needs a whole number from 1 to "
			 "4294967295, not '%s'\n", bad[i]);
		ASSERT_OK_HELPER(expect_refused((const char *[]){ "run", "x.o", "p", "--data-in",
			"pkt", "--repeat", bad[i], NULL }, line));
	}
}

TEST(sweep_every_refuses_signs_junk_zero_and_overflow)
{
	const char *bad[] = { "-1", "+5", "abc", "1x", "0", "4294967296", "" };
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "bpfsdt: sweep: --every needs a whole number from 1 to "
			 "4294967295, not '%s'\n", bad[i]);
		ASSERT_OK_HELPER(expect_refused((const char *[]){ "sweep", "x.o", "p", "--data-in",
			"pkt", "--every", bad[i], NULL }, line));
	}
}

TEST(trace_event_count_refuses_signs_junk_zero_and_overflow)
{
	const char *bad[] = { "-1", "0", "abc", "18446744073709551616", "1.5" };
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "bpfsdt: trace: -c needs a whole number from 1 to "
			 "18446744073709551615, not '%s'\n", bad[i]);
		ASSERT_OK_HELPER(expect_refused((const char *[]){ "trace", "--xdp", "lo", "x.o",
			"-c", bad[i], NULL }, line));
	}
}

TEST(duration_refuses_nan_inf_negative_exponents_and_junk)
{
	const char *bad[] = { "nan", "inf", "-1", "0", "0.0", "abc", "1e3", "0x10", ".", "1.",
			      "31536001" };
	const char *cmds[] = { "trace", "attach" };
	char line[256];
	size_t i, c;

	for (c = 0; c < 2; c++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(line, sizeof(line), "bpfsdt: %s: --duration needs a number of seconds "
				 "above 0 and at most 31536000, not '%s'\n", cmds[c], bad[i]);
			if (!strcmp(bad[i], "1."))
				continue; /* accepted: "1." is one second */
			ASSERT_OK_HELPER(expect_refused((const char *[]){ cmds[c], "--xdp", "lo",
				"--duration", bad[i], "x.o", "o.o", NULL }, line));
		}
	}
}

TEST(prog_array_slot_refuses_a_negative_number)
{
	ASSERT_OK_HELPER(expect_refused((const char *[]){ "reset", "--prog-array", "/x:-1", "x.o",
		NULL }, "bpfsdt: reset: --prog-array KEY needs a whole number from 0 to 4294967295, "
		"not '-1'\n"));
}

/* --- packets --- */

TEST(run_refuses_a_frame_shorter_than_an_ethernet_header)
{
	char line[512];
	const char *pkt;

	REQUIRE_ROOT();
	pkt = packet_file(13);
	snprintf(line, sizeof(line), "bpfsdt: run: %s: 13 bytes: an Ethernet frame needs at least "
		 "14 bytes\n", pkt);
	ASSERT_OK_HELPER(expect_refused((const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		"--data-in", pkt, NULL }, line));
}

/* The kernel's linear XDP area in BPF_PROG_TEST_RUN is a page less its
 * headroom (256) and tailroom: run measures it, the test reads the number
 * from the refusal and checks both sides of it. */
TEST(run_refuses_xdp_input_larger_than_the_program_can_see)
{
	long page = sysconf(_SC_PAGESIZE);
	struct cmd_result r;
	unsigned int limit = 0;
	const char *pkt, *at;

	REQUIRE_ROOT();
	pkt = packet_file((size_t)page);
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		"--data-in", pkt, NULL }));
	ASSERT_EQ(r.status, 2);
	at = strstr(r.err, "sees at most ");
	ASSERT_TRUE(at && sscanf(at, "sees at most %u", &limit) == 1);
	/* less than a page (headroom and tailroom), more than a 1500-byte frame */
	ASSERT_TRUE(limit > 1514 && limit < (unsigned int)page - 256);
	cmd_result_free(&r);

	/* exactly the limit runs, and the program sees all of it */
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("basic"),
		"xdp_prog", "--data-in", packet_file(limit), NULL }));
	ASSERT_EQ(r.status, 0);
	{
		char want[64];

		snprintf(want, sizeof(want), "\"args\": [%u, 2]", limit);
		ASSERT_CONTAINS(r.out, want);
	}
	cmd_result_free(&r);

	/* one byte more is refused, naming the size and the limit */
	pkt = packet_file(limit + 1);
	{
		char line[512];

		snprintf(line, sizeof(line), "bpfsdt: run: %s: %u bytes: an XDP program sees at most %u "
			 "in BPF_PROG_TEST_RUN (a page less the kernel's headroom and tailroom); "
			 "xdp_prog is not an xdp.frags program\n", pkt, limit + 1, limit);
		ASSERT_OK_HELPER(expect_refused((const char *[]){ "run", corpus_path("basic"),
			"xdp_prog", "--data-in", pkt, NULL }, line));
	}
}

/* --- probe lists --- */

TEST(run_defaults_to_every_probe_of_an_object_with_more_probes_than_arguments)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("arities"), "arities_prog",
		"--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	ASSERT_CONTAINS(r.out, "13 events, 0 lost");
	cmd_result_free(&r);
}

TEST(run_defaults_skip_probes_with_no_sites_in_the_program)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	/* check_cases' .text helpers fire `header` and `step`, not from good_scalars */
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("check_cases"),
		"good_scalars", "--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	ASSERT_CONTAINS(r.out, "good_scalars insn ");
	ASSERT_CONTAINS(r.out, "1 event, 0 lost");
	cmd_result_free(&r);
}

TEST(run_arms_a_probe_named_twice_once)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		"--data-in", packet_file(64), "--trace", "my_trace", "--trace", "my_trace", NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "1 event, 0 lost");
	cmd_result_free(&r);
}

/* --- observers --- */

TEST(run_observer_arms_only_prog_and_loads_only_observers)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	/* `counted` also has sites in programs the kernel check refuses; the
	 * object also holds a program the verifier refuses */
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("check_cases"), "good_stack",
		"--data-in", packet_file(64), "--observer",
		TEST_BUILD_DIR "/tests/bpf/observers/one_program_only.bpf.o", NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	ASSERT_CONTAINS(r.out, "seen_packets = 64\ncalls = 1\n");
	cmd_result_free(&r);
}

TEST(probe_option_does_not_override_an_observers_own_probe)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("check_cases"), "good_stack",
		"--data-in", packet_file(64), "--observer",
		TEST_BUILD_DIR "/tests/bpf/observers/one_program_only.bpf.o", "--probe", "scalars",
		NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "calls = 1\n");
	cmd_result_free(&r);
}

/* --- one line, in our words --- */

TEST(run_of_a_file_that_is_not_elf_says_so)
{
	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refused((const char *[]){ "run", "tests/bpf/basic.bpf.c", "xdp_prog",
		"--data-in", "x", NULL }, "bpfsdt: tests/bpf/basic.bpf.c: not an ELF file\n"));
}

TEST(libbpf_lines_appear_only_with_verbose)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		"--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	cmd_result_free(&r);
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "-v", "run", corpus_path("basic"), "xdp_prog",
		"--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.err, "libbpf: ");
	cmd_result_free(&r);
}

/* Runs bpfsdt as nobody (setpriv drops every capability with the uid). */
static void expect_refused_unprivileged(const char *cmd, const char *const *args)
{
	char *argv[24] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			   (char *)bpfsdt_bin(), (char *)cmd };
	char line[256];
	struct cmd_result r;
	int i;

	for (i = 0; args[i] && i < 16; i++)
		argv[6 + i] = (char *)args[i];
	ASSERT_EQ(run_cmd(argv, &r), 0);
	snprintf(line, sizeof(line), "bpfsdt: %s: needs root (CAP_BPF, CAP_PERFMON and "
		 "CAP_NET_ADMIN): it loads BPF programs\n", cmd);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, line);
	cmd_result_free(&r);
}

TEST(live_commands_and_run_say_they_need_root)
{
	if (geteuid())
		SKIP("needs root to become nobody");
	if (access("/usr/bin/setpriv", X_OK))
		SKIP("no setpriv");
	ASSERT_OK_HELPER(expect_refused_unprivileged("trace",
		(const char *[]){ "--xdp", "lo", corpus_path("basic"), NULL }));
	ASSERT_OK_HELPER(expect_refused_unprivileged("attach",
		(const char *[]){ "--xdp", "lo", corpus_path("basic"), corpus_path("basic"), NULL }));
	ASSERT_OK_HELPER(expect_refused_unprivileged("reset",
		(const char *[]){ "--xdp", "lo", corpus_path("basic"), NULL }));
	ASSERT_OK_HELPER(expect_refused_unprivileged("run",
		(const char *[]){ corpus_path("basic"), "xdp_prog", "--data-in", "x", NULL }));
}

/* --link with a pinned map or program: said, not silently misread. */
TEST(link_option_names_the_kind_of_pinned_object_it_got)
{
	const char *fs;
	char map_pin[512], prog_pin[512], spec[600], line[1024];
	struct bpf_insn ret0[] = {
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 2 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};
	int map_fd, prog_fd;

	REQUIRE_ROOT();
	fs = scratch_bpffs();
	if (!fs)
		SKIP("cannot mount a bpffs");
	snprintf(map_pin, sizeof(map_pin), "%s/map_%d", fs, (int)getpid());
	snprintf(prog_pin, sizeof(prog_pin), "%s/prog_%d", fs, (int)getpid());
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pinned", 4, 4, 1, NULL);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "pinned", "GPL", ret0, 2, NULL);
	if (map_fd < 0 || prog_fd < 0 || bpf_obj_pin(map_fd, map_pin) || bpf_obj_pin(prog_fd, prog_pin)) {
		scratch_bpffs_release();
		FAIL("cannot pin a map and a program");
	}
	close(map_fd);
	close(prog_fd);
	snprintf(line, sizeof(line), "bpfsdt: trace: --link: %s is a pinned map, not a bpf_link (a "
		 "prog array slot is --prog-array PATH:KEY)\n", map_pin);
	expect_refused((const char *[]){ "trace", "--link", map_pin, corpus_path("basic"), NULL },
		       line);
	if (!TEST_STOPPED()) {
		snprintf(line, sizeof(line), "bpfsdt: trace: --link: %s is a pinned program, not a "
			 "bpf_link\n", prog_pin);
		expect_refused((const char *[]){ "trace", "--link", prog_pin, corpus_path("basic"),
			NULL }, line);
	}
	if (!TEST_STOPPED()) {
		snprintf(line, sizeof(line), "bpfsdt: reset: --prog-array: %s is a pinned program, not "
			 "a map\n", prog_pin);
		snprintf(spec, sizeof(spec), "%s:0", prog_pin);
		expect_refused((const char *[]){ "reset", "--prog-array", spec,
			corpus_path("basic"), NULL }, line);
	}
	unlink(prog_pin);
	unlink(map_pin);
	scratch_bpffs_release();
}

/* trace's default list once overflowed a buffer sized by its arguments:
 * arities declares 13 probes, the command line has 5 words. */
TEST(trace_defaults_to_every_probe_of_an_object_with_more_probes_than_arguments)
{
	struct testnet net;
	char *argv[] = { "ip", "netns", "exec", net.ns_a, (char *)bpfsdt_bin(), "trace", "--xdp",
			 "v0", (char *)corpus_path("arities"), NULL };
	struct cmd_result r;
	struct cmd_proc p;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, 43) || testnet_attach_xdp(&net, corpus_path("arities"), "xdp")) {
		testnet_down(&net);
		FAIL("cannot attach arities with iproute2");
	}
	argv[3] = net.ns_a;
	if (cmd_start(argv, &p)) {
		testnet_down(&net);
		FAIL("cannot start bpfsdt");
	}
	if (cmd_wait_err(&p, "Ctrl-C to", 10000) == 0)
		testnet_ping(&net, 1, "0.05");
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	testnet_down(&net);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.err, "tracing 13 probes of the program on v0");
	ASSERT_CONTAINS(r.err, "the original program is back");
	cmd_result_free(&r);
}

TEST(trace_of_a_program_without_probes_says_so)
{
	struct testnet net;
	char *argv[] = { "ip", "netns", "exec", net.ns_a, (char *)bpfsdt_bin(), "trace", "--xdp",
			 "v0", (char *)corpus_path("no_probes"), NULL };
	char line[512];
	struct cmd_result r;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, 44) || testnet_attach_xdp(&net, corpus_path("no_probes"), "xdp")) {
		testnet_down(&net);
		FAIL("cannot attach no_probes with iproute2");
	}
	argv[3] = net.ns_a;
	ASSERT_EQ(run_cmd(argv, &r), 0);
	testnet_down(&net);
	snprintf(line, sizeof(line), "bpfsdt: trace: %s: no probe has sites in the program on v0\n",
		 corpus_path("no_probes"));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, line);
	cmd_result_free(&r);
}
