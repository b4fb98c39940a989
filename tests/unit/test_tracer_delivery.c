// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Events from the ring buffer to the reader: read in batches, across the
 * ring's end, and what did not fit counted as lost by probe. The example
 * firewall's 64-byte test packet hits pkt_parsed and verdict once each.
 */
#include <bpf/bpf.h>
#include <time.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"

static int count_event(void *ctx, const struct bpf_sdt_event *e)
{
	(void)e;
	++*(int *)ctx;
	return 0;
}

static int run_packets(struct bpf_sdt_target *t, __u32 n)
{
	unsigned char pkt[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = n);
	unsigned int i;

	for (i = 0; i < sizeof(pkt); i++) /* IPv4, parsed: see run_packet() */
		pkt[i] = i == 12 ? 0x08 : i == 13 ? 0 : (unsigned char)i;

	return bpf_prog_test_run_opts(bpf_sdt_target__prog_fd(t, "xdp_filter"), &opts);
}

static struct bpf_sdt_tracer *trace_both(struct bpf_sdt_target *t, __u32 ring_size)
{
	static const char *const probes[] = { "pkt_parsed", "verdict" };
	LIBBPF_OPTS(bpf_sdt_tracer_opts, opts, .ringbuf_size = ring_size);
	struct bpf_sdt_tracer *tr = bpf_sdt_tracer__new(t, &opts);

	if (tr && bpf_sdt_tracer__add_probes(tr, probes, 2)) {
		bpf_sdt_tracer__free(tr);
		return NULL;
	}
	return tr;
}

static const struct bpf_sdt_probe *probe(struct bpf_sdt_target *t, const char *name)
{
	return bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), name);
}

TEST(tracer_counts_the_events_a_full_ring_loses_by_probe)
{
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u64 lost_parsed, lost_verdict;
	int events = 0;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	tr = trace_both(t, 4096); /* room for under a hundred events */
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(run_packets(t, 1000), 0);
	ASSERT_TRUE(bpf_sdt_tracer__poll(tr, 0, count_event, &events) > 0);
	lost_parsed = bpf_sdt_tracer__probe_lost(tr, probe(t, "pkt_parsed"));
	lost_verdict = bpf_sdt_tracer__probe_lost(tr, probe(t, "verdict"));
	ASSERT_TRUE(lost_parsed > 0 && lost_verdict > 0);
	/* every hit is either read or counted lost, at the probe it hit */
	ASSERT_EQ((__u64)events + lost_parsed + lost_verdict, 2000);
	ASSERT_EQ(bpf_sdt_tracer__lost(tr), lost_parsed + lost_verdict);
	ASSERT_EQ(bpf_sdt_tracer__probe_lost(tr, NULL), 0);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_reads_events_that_wrap_around_the_ring)
{
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int events = 0, round;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	tr = trace_both(t, 65536);
	ASSERT_TRUE(tr != NULL);
	/* 300 packets fill about half the ring: five rounds go round it
	 * twice, and records straddle its end */
	for (round = 1; round <= 5; round++) {
		ASSERT_EQ(run_packets(t, 300), 0);
		ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, count_event, &events), 600);
		ASSERT_EQ(events, 600 * round);
	}
	ASSERT_EQ(bpf_sdt_tracer__lost(tr), 0);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(tracer_poll_times_out_when_nothing_comes)
{
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int events = 0;
	double start;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	tr = trace_both(t, 65536);
	ASSERT_TRUE(tr != NULL);
	start = now_ms();
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 50, count_event, &events), 0);
	ASSERT_TRUE(now_ms() - start >= 45 && now_ms() - start < 1000);
	/* an event too small to wake the reader is still read at once */
	ASSERT_EQ(run_packets(t, 1), 0);
	start = now_ms();
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 5000, count_event, &events), 2);
	ASSERT_TRUE(now_ms() - start < 1000);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

static int stop_at_first(void *ctx, const struct bpf_sdt_event *e)
{
	(void)e;
	++*(int *)ctx;
	return 7;
}

TEST(tracer_poll_stops_where_the_callback_says_and_keeps_the_rest)
{
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int events = 0;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	tr = trace_both(t, 65536);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(run_packets(t, 10), 0);
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, stop_at_first, &events), 7);
	ASSERT_EQ(events, 1);
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, count_event, &events), 19);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}
