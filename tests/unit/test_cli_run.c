// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfsdt run: events, counts and observer globals from real test runs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "helpers.h"
#include "test.h"

/* An Ethernet frame of len bytes with the IPv4 ethertype, all else zero. */
static const char *packet_file(size_t len)
{
	return scratch_frame("pkt.bin", len);
}

static void bpfsdt(struct cmd_result *r, const char *const *args)
{
	char *argv[24] = { (char *)bpfsdt_bin() };
	int i;

	for (i = 0; args[i] && i < 22; i++)
		argv[i + 1] = (char *)args[i];
	ASSERT_EQ(run_cmd(argv, r), 0);
}

TEST(run_prints_every_event_with_arguments_by_declared_type)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("arg_values"),
		"arg_values", "--data-in", packet_file(64), "--trace", "narrow", "--trace", "wide",
		NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	mask_run_durations(r.out);
	ASSERT_STREQ(strip_event_stamps(r.out),
		"{\"probe\": \"narrow\", \"function\": \"arg_values\", \"insn\": 13, "
		"\"args\": [-1, 255, -66, 64000, true]}\n"
		"{\"probe\": \"wide\", \"function\": \"arg_values\", \"insn\": 21, "
		"\"args\": [-1, 18446744073709551615, 4000000000]}\n"
		"{\"retval\": 2, \"retval_name\": \"XDP_PASS\", \"events\": 2, \"lost\": 0, "
		"\"duration_ns\": N}\n");
	cmd_result_free(&r);
}

TEST(run_prints_pointer_arguments_in_hex)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("arg_values"),
		"arg_values", "--data-in", packet_file(64), "--trace", "packet", NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"args\": [\"0x");
	cmd_result_free(&r);
}

TEST(run_prints_enum_arguments_by_name)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json",
		TEST_BUILD_DIR "/examples/xdp_filter.bpf.o", "xdp_filter", "--data-in",
		packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	/* a zero IPv4 header has ihl 0: truncated, dropped */
	mask_run_durations(r.out);
	ASSERT_STREQ(strip_event_stamps(r.out),
		"{\"probe\": \"verdict\", \"function\": \"xdp_filter\", \"insn\": 58, "
		"\"args\": [\"XDP_DROP\", \"REASON_TRUNCATED\"]}\n"
		"{\"retval\": 1, \"retval_name\": \"XDP_DROP\", \"events\": 1, \"lost\": 0, "
		"\"duration_ns\": N}\n");
	cmd_result_free(&r);
}

TEST(run_text_output_shows_site_probe_and_arguments)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		"--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 0);
	mask_run_durations(r.out);
	ASSERT_STREQ(r.out, "xdp_prog insn 6: my_trace(64, 2)\n"
			    "retval 2 (XDP_PASS), 1 event, 0 lost, N ns per run\n");
	cmd_result_free(&r);
}

TEST(run_count_reports_in_kernel_hits_per_site)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("inline_helper"),
		"inline_prog", "--data-in", packet_file(64), "--repeat", "1000", "--count", NULL }));
	ASSERT_EQ(r.status, 0);
	{
		/* the three inlined copies, where the oracle finds them */
		char *sites = oracle_probe_sites(corpus_path("inline_helper"), "check");
		int insn[3] = { -1, -1, -1 };
		char want[1024];

		ASSERT_TRUE(sites && sscanf(sites, "%d %*[^\n]\n%d %*[^\n]\n%d", &insn[0], &insn[1],
					    &insn[2]) == 3);
		free(sites);
		snprintf(want, sizeof(want), "{\"counts\": ["
			 "{\"probe\": \"check\", \"function\": \"inline_prog\", \"insn\": %d, \"hits\": 1000}, "
			 "{\"probe\": \"check\", \"function\": \"inline_prog\", \"insn\": %d, \"hits\": 1000}, "
			 "{\"probe\": \"check\", \"function\": \"inline_prog\", \"insn\": %d, \"hits\": 1000}]}\n"
			 "{\"retval\": 2, \"retval_name\": \"XDP_PASS\", \"events\": 3000, \"lost\": 0, "
			 "\"duration_ns\": N}\n",
			 insn[0], insn[1], insn[2]);
		mask_run_durations(r.out);
		ASSERT_STREQ(strip_event_stamps(r.out), want);
	}
	cmd_result_free(&r);
}

TEST(run_reports_the_kernels_mean_duration_of_one_run)
{
	unsigned long long ns = 0;
	struct cmd_result r;
	const char *d;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("basic"),
		"xdp_prog", "--data-in", packet_file(64), "--repeat", "1000", "--count", NULL }));
	ASSERT_EQ(r.status, 0);
	d = strstr(r.out, "\"duration_ns\": ");
	ASSERT_TRUE(d != NULL);
	ASSERT_EQ(sscanf(d, "\"duration_ns\": %llu}", &ns), 1);
	ASSERT_TRUE(ns > 0);
	cmd_result_free(&r);
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		"--data-in", packet_file(64), "--repeat", "1000", "--count", NULL }));
	ASSERT_EQ(r.status, 0);
	mask_run_durations(r.out);
	ASSERT_CONTAINS(r.out, "retval 2 (XDP_PASS), 1000 events, 0 lost, N ns per run\n");
	cmd_result_free(&r);
}

TEST(run_dormant_runs_the_program_with_nothing_armed)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	/* without --dormant, every probe of the program would be traced */
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", "--dormant",
		corpus_path("basic"), "xdp_prog", "--data-in", packet_file(64), "--repeat", "100",
		NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "");
	mask_run_durations(r.out);
	ASSERT_STREQ(r.out, "{\"retval\": 2, \"retval_name\": \"XDP_PASS\", \"events\": 0, "
			    "\"lost\": 0, \"duration_ns\": N}\n");
	cmd_result_free(&r);
}

TEST(run_dormant_with_anything_to_arm_is_a_usage_error)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--dormant", corpus_path("basic"),
		"xdp_prog", "--data-in", packet_file(64), "--trace", "my_trace", NULL }));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, "bpfsdt: run: --dormant arms nothing: it takes no --trace, --at, --count, --filter, --observer or --probe\n");
	cmd_result_free(&r);
}

TEST(run_names_tc_return_values)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("multi_prog"),
		"multi_tc", "--data-in", packet_file(64), "--trace", "tc_seen", NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "{\"retval\": 0, \"retval_name\": \"TC_ACT_OK\", \"events\": 1");
	cmd_result_free(&r);
}

TEST(run_with_observer_prints_its_globals)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("basic"),
		"xdp_prog", "--data-in", packet_file(64), "--repeat", "10", "--observer",
		TEST_BUILD_DIR "/tests/bpf/observers/rfc_observer.bpf.o", NULL }));
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"hits\": 10");
	ASSERT_CONTAINS(r.out, "\"last_len\": 64");
	ASSERT_CONTAINS(r.out, "\"last_ret\": 2");
	ASSERT_CONTAINS(r.out, "{\"retval\": 2, \"retval_name\": \"XDP_PASS\"");
	cmd_result_free(&r);
}

TEST(run_counts_events_the_ring_buffer_had_no_room_for)
{
	struct cmd_result r;
	unsigned long long events = 0, lost = 0;
	const char *last;

	REQUIRE_ROOT();
	/* 40-byte records into a 16 MiB ring: about 420k fit */
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", "--json", corpus_path("basic"),
		"xdp_prog", "--data-in", packet_file(64), "--repeat", "600000", NULL }));
	ASSERT_EQ(r.status, 0);
	last = strstr(r.out, "{\"retval\"");
	ASSERT_TRUE(last != NULL);
	ASSERT_EQ(sscanf(strstr(last, "\"events\": "), "\"events\": %llu, \"lost\": %llu",
			 &events, &lost), 2);
	ASSERT_TRUE(lost > 0);
	ASSERT_EQ(events + lost, 600000);
	cmd_result_free(&r);
}

TEST(run_refuses_an_observer_and_exits_2)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		"--data-in", packet_file(64), "--observer",
		TEST_BUILD_DIR "/tests/bpf/observers/bad_observers.bpf.o", "--probe", "my_trace",
		NULL }));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_CONTAINS(r.err, "observer reads_past_the_site_id (probe my_trace)");
	cmd_result_free(&r);
}

TEST(run_without_data_in_is_a_usage_error)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "xdp_prog",
		NULL }));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: run: needs FILE, PROG and --data-in PKT (try 'bpfsdt run --help')\n");
	cmd_result_free(&r);
}

TEST(run_of_unknown_program_names_it)
{
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(bpfsdt(&r, (const char *[]){ "run", corpus_path("basic"), "nope",
		"--data-in", packet_file(64), NULL }));
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: run: " TEST_BUILD_DIR "/tests/bpf/basic.bpf.o: no program nope\n");
	cmd_result_free(&r);
}

TEST(run_traces_programs_in_sections_newer_libbpf_names)
{
	static const char *const progs[] = { "tcx_prog", "tc_egress_prog", "cgroup_skb_prog" };
	static const char *const expect[] = { "tcx_prog insn ", "tc_egress_prog insn ",
					      "cgroup_skb_prog insn " };
	const char *pkt = scratch_path("newer_sections.bin");
	unsigned char frame[64] = { [12] = 0x08 };
	FILE *f = fopen(pkt, "wb");
	size_t i;

	REQUIRE_ROOT();
	ASSERT_TRUE(f != NULL);
	fwrite(frame, 1, sizeof(frame), f);
	fclose(f);
	for (i = 0; i < 3; i++) {
		char *argv[] = { (char *)bpfsdt_bin(), "run", (char *)corpus_path("newer_sections"),
				 (char *)progs[i], "--data-in", (char *)pkt, NULL };
		struct cmd_result r;

		ASSERT_EQ(run_cmd(argv, &r), 0);
		ASSERT_EQ(r.status, 0);
		ASSERT_CONTAINS(r.out, expect[i]);
		ASSERT_CONTAINS(r.out, ": seen(");
		cmd_result_free(&r);
	}
}
