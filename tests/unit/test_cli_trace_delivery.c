// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt trace under a flood: --ring-size, and the events lost for want of
 * room reported by probe in the summary. The flood is BPF_PROG_TEST_RUN of
 * the armed copy on v0, 100,000 packets in one call: far faster than any
 * reader empties a one-page ring.
 */
#include <bpf/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "helpers.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"
#define FLOOD 100000

static void refused(const char *size)
{
	char *argv[] = { (char *)bpfsdt_bin(), "trace", "--ring-size", (char *)size, "--xdp",
			 "lo", EXAMPLE, NULL };
	struct cmd_result r;
	char line[256];

	snprintf(line, sizeof(line), "bpfsdt: trace: --ring-size needs a power of two from 4K "
		 "to 1024M bytes (K, M, G: KiB, MiB, GiB), not '%s'\n", size);
	ASSERT_EQ(run_cmd(argv, &r), 0);
	if (strcmp(r.err, line))
		fprintf(stdout, "    got: %s", r.err);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, line);
	cmd_result_free(&r);
}

TEST(trace_ring_size_refuses_non_powers_of_two_junk_and_out_of_range)
{
	const char *bad[] = { "3M", "0", "1K", "2K", "2G", "4096K0", "-4K", "+4K", "4k", "M",
			      "4 K", "64MB", "", "99999999999999999999999", "18014398509481984K" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_OK_HELPER(refused(bad[i]));
}

/* `ip netns exec <ns_a> bpfsdt trace ARGS...`, armed and ready. */
static void start_trace(struct testnet *net, struct cmd_proc *p, const char *const *args)
{
	const char *argv[19] = { "trace" };
	int i;

	for (i = 0; args[i] && i < 17; i++)
		argv[1 + i] = args[i];
	testnet_start_armed(net, p, argv, testnet_xdp_current, net);
}

/* FLOOD packets through whatever runs on v0 now: the armed copy. */
static void flood(struct testnet *net)
{
	unsigned char pkt[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = FLOOD);
	int fd = bpf_prog_get_fd_by_id(xdp_prog_id(net->ifindex));
	unsigned int i;

	for (i = 0; i < sizeof(pkt); i++) /* IPv4, parsed: see run_packet() */
		pkt[i] = i == 12 ? 0x08 : i == 13 ? 0 : (unsigned char)i;
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(bpf_prog_test_run_opts(fd, &opts), 0);
	close(fd);
}

static void text_loss_body(struct testnet *net)
{
	unsigned long long events = 0, lost = 0, by_probe = 0;
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", "--ring-size", "4K", NULL }));
	ASSERT_OK_HELPER(flood(net));
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	{
		const char *s = strstr(r.err, " events, ");

		while (s && s > r.err && s[-1] != '\n')
			s--;
		ASSERT_TRUE(s != NULL);
		ASSERT_EQ(sscanf(s, "%llu events, %llu lost (verdict %llu); the original program "
				 "is back", &events, &lost, &by_probe), 3);
	}
	ASSERT_TRUE(lost > 0);
	ASSERT_EQ(by_probe, lost);
	ASSERT_EQ(events + lost, FLOOD);
	cmd_result_free(&r);
}

TEST(trace_summary_names_the_probe_that_lost_events_as_text)
{
	testnet_run(160, EXAMPLE, text_loss_body);
}

static void json_loss_body(struct testnet *net)
{
	unsigned long long events = 0, lost = 0, by_probe = 0;
	struct cmd_result r;
	struct cmd_proc p;
	const char *last;

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--json", "--xdp", "v0", EXAMPLE,
		"verdict", "pkt_parsed", "--ring-size", "4K", NULL }));
	ASSERT_OK_HELPER(flood(net));
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	last = strstr(r.out, "{\"events\": ");
	ASSERT_TRUE(last != NULL);
	/* both probes lost some: both named, in the order asked for */
	ASSERT_EQ(sscanf(last, "{\"events\": %llu, \"lost\": %llu, \"lost_by_probe\": "
			 "{\"verdict\": %llu, \"pkt_parsed\": ", &events, &lost, &by_probe), 3);
	ASSERT_TRUE(by_probe > 0 && by_probe < lost);
	ASSERT_EQ(events + lost, 2 * FLOOD);
	{
		unsigned long long parsed = 0;
		const char *s = strstr(last, "\"pkt_parsed\": ");

		ASSERT_TRUE(s != NULL);
		ASSERT_EQ(sscanf(s, "\"pkt_parsed\": %llu}}\n", &parsed), 1);
		ASSERT_EQ(parsed + by_probe, lost);
		ASSERT_STREQ(strchr(last, '\n'), "\n"); /* the last line */
	}
	cmd_result_free(&r);
}

TEST(trace_json_summary_gives_the_events_lost_by_probe)
{
	testnet_run(161, EXAMPLE, json_loss_body);
}

static void big_ring_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;
	char want[64];

	/* 100,000 events are 4 MB: a ring of 8M holds them all */
	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", "--ring-size", "8M", NULL }));
	ASSERT_OK_HELPER(flood(net));
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	snprintf(want, sizeof(want), "%d events, 0 lost; the original program is back\n", FLOOD);
	ASSERT_CONTAINS(r.err, want);
	cmd_result_free(&r);
}

TEST(trace_ring_size_big_enough_for_a_burst_loses_none_of_it)
{
	testnet_run(162, EXAMPLE, big_ring_body);
}
