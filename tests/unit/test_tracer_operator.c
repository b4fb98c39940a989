// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the tracer gives an operator, through the library on packets run
 * with BPF_PROG_TEST_RUN: aggregations computed in the kernel agree with
 * the same events counted in user space, packets are copied as the program
 * saw them, timestamps move forward, and sites are selected by id or line.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

#define PACKETS TEST_BUILD_DIR "/tests/bpf/packet_sites.bpf.o"
#define NPKT 64

struct seen {
	int n;
	__u64 args[NPKT * 2][3];
	__u64 time[NPKT * 2], wall[NPKT * 2];
	__u32 site[NPKT * 2];
	unsigned char pkt[NPKT * 2][64];
	__u32 pkt_len[NPKT * 2], wire_len[NPKT * 2];
};

static int collect(void *ctx, const struct bpf_sdt_event *e)
{
	struct seen *s = ctx;

	if (s->n >= NPKT * 2)
		return 1;
	memcpy(s->args[s->n], e->args, sizeof(s->args[0]));
	s->time[s->n] = e->time_ns;
	s->wall[s->n] = e->wall_ns;
	s->site[s->n] = bpf_sdt_site__id(e->site);
	s->pkt_len[s->n] = e->packet_len;
	s->wire_len[s->n] = e->packet_wire_len;
	if (e->packet)
		memcpy(s->pkt[s->n], e->packet, e->packet_len < 64 ? e->packet_len : 64);
	s->n++;
	return 0;
}

/* A packet of len bytes whose byte i is (i * 7 + seed) & 0xff. */
static int run_bytes(int prog_fd, __u32 len, unsigned char seed)
{
	unsigned char pkt[1514];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .repeat = 1);
	__u32 i;

	for (i = 0; i < len; i++)
		pkt[i] = (unsigned char)(i * 7 + seed);
	return bpf_prog_test_run_opts(prog_fd, &opts) ? -1 : (int)opts.retval;
}

/* Lengths spread over every log2 bucket from [8, 16) to [1K, 2K). */
static __u32 packet_len(int i)
{
	return 14 + (__u32)((i * 1487) % 1500);
}

/* The documented bucket of v: log2 [1] zero, [k] [2^(k-2), 2^(k-1)). */
static __u32 log2_bucket(__u64 v)
{
	__u32 k = 2;

	if (!v)
		return 1;
	while (v >>= 1)
		k++;
	return k;
}

/* Runs n packets through packet_xdp, packet i of packet_len(i) bytes when
 * spread, else of 64, and collects the events the tracer then has into s:
 * events of them. */
static void run_packets(struct bpf_sdt_target *t, struct bpf_sdt_tracer *tr, int n, bool spread,
			struct seen *s, int events)
{
	int i, fd = bpf_sdt_target__prog_fd(t, "packet_xdp");

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++)
		ASSERT_EQ(run_bytes(fd, spread ? packet_len(i) : 64, 0), XDP_PASS);
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, collect, s), events);
}

TEST(tracer_log2_histogram_equals_one_computed_from_the_same_events)
{
	LIBBPF_OPTS(bpf_sdt_aggregation, hist, .arg = 1, .hist = BPF_SDT_HIST_LOG2);
	__u64 want[BPF_SDT_HIST_MAX_BUCKETS] = {}, sum = 0, min = ~0ULL, max = 0;
	static struct seen s;
	struct bpf_sdt_agg_value v;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(PACKETS, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__aggregate(tr, &hist), 0);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "xdp_seen"), 0);
	ASSERT_OK_HELPER(run_packets(t, tr, NPKT, true, &s, NPKT));
	for (i = 0; i < s.n; i++) {
		__u64 len = s.args[i][1];

		want[log2_bucket(len)]++;
		sum += len;
		min = len < min ? len : min;
		max = len > max ? len : max;
	}
	ASSERT_EQ(bpf_sdt_tracer__agg_read(tr, 0, NULL, bpf_sdt_target__site_by_id(t, 0), &v), 0);
	ASSERT_EQ(v.count, (__u64)NPKT);
	ASSERT_EQ(v.sum, sum);
	ASSERT_EQ(v.min, min);
	ASSERT_EQ(v.max, max);
	ASSERT_EQ(v.bucket_cnt, 66);
	for (i = 0; i < 66; i++)
		ASSERT_EQ(v.buckets[i], want[i]);
	ASSERT_TRUE(want[5] && want[12]); /* [8, 16) and [1K, 2K) both met */
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_linear_histogram_per_probe_equals_one_computed_from_the_same_events)
{
	LIBBPF_OPTS(bpf_sdt_aggregation, lin, .arg = 2, .per_probe = true,
		    .hist = BPF_SDT_HIST_LINEAR, .min = 100, .max = 1000, .step = 150);
	__u64 want[BPF_SDT_HIST_MAX_BUCKETS] = {};
	static struct seen s;
	struct bpf_sdt_agg_value v;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	const struct bpf_sdt_probe *p;
	int i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(PACKETS, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__aggregate(tr, &lin), 0);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "pkt_bounds"), 0);
	ASSERT_OK_HELPER(run_packets(t, tr, NPKT, true, &s, NPKT));
	for (i = 0; i < s.n; i++) {
		__s64 len = (__s32)s.args[i][2];	/* an int */

		want[len < 100 ? 0 : len >= 1000 ? 7 : 1 + (len - 100) / 150]++;
	}
	p = bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), "pkt_bounds");
	ASSERT_EQ(bpf_sdt_tracer__agg_read(tr, 0, p, NULL, &v), 0);
	ASSERT_TRUE(v.is_signed);
	ASSERT_EQ(v.count, (__u64)NPKT);
	ASSERT_EQ(v.bucket_cnt, 8);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(v.buckets[i], want[i]);
	ASSERT_TRUE(want[0] && want[7]); /* below and above the range both met */
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

static void expect_packets_copied(const char *probe, __u32 snaplen)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, opts, .snaplen = snaplen);
	static const __u32 lens[] = { 14, 60, 200, 1514 };
	static struct seen s;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	unsigned char want[64];
	size_t i, j;
	int fd;

	memset(&s, 0, sizeof(s));
	t = bpf_sdt_target__open_file(PACKETS, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &opts);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, probe), 0);
	fd = bpf_sdt_target__prog_fd(t, "packet_xdp");
	for (i = 0; i < 4; i++)
		ASSERT_EQ(run_bytes(fd, lens[i], (unsigned char)(i + 1)), XDP_PASS);
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, collect, &s), 4);
	for (i = 0; i < 4; i++) {
		__u32 cap = lens[i] < snaplen ? lens[i] : snaplen;

		ASSERT_EQ(s.wire_len[i], lens[i]);
		ASSERT_EQ(s.pkt_len[i], cap);
		for (j = 0; j < 64 && j < cap; j++)
			want[j] = (unsigned char)(j * 7 + i + 1);
		ASSERT_EQ(memcmp(s.pkt[i], want, cap < 64 ? cap : 64), 0);
	}
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_copies_the_packet_from_the_context_argument)
{
	REQUIRE_ROOT();
	expect_packets_copied("xdp_seen", 100);
}

TEST(tracer_copies_the_packet_between_two_pointer_arguments)
{
	REQUIRE_ROOT();
	expect_packets_copied("pkt_bounds", 1600);
}

TEST(tracer_refuses_to_copy_packets_of_a_probe_without_one)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, opts, .snaplen = 128);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(TEST_BUILD_DIR "/examples/xdp_filter.bpf.o", NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &opts);
	ASSERT_TRUE(tr != NULL);
	diag_capture_begin();
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "verdict"), -EINVAL);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "probe verdict: cannot copy its packets: no argument gives its packet");
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_event_timestamps_move_forward_on_both_clocks)
{
	static struct seen s;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	struct timespec now;
	int i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(PACKETS, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "xdp_seen"), 0);
	ASSERT_OK_HELPER(run_packets(t, tr, NPKT, false, &s, NPKT));
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 1; i < s.n; i++) {
		ASSERT_TRUE(s.time[i] > s.time[i - 1]);
		ASSERT_EQ(s.wall[i] - s.wall[i - 1], s.time[i] - s.time[i - 1]);
	}
	/* the wall clock is the real-time clock: within a minute of now */
	ASSERT_TRUE(s.wall[s.n - 1] <= (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec);
	ASSERT_TRUE(s.wall[s.n - 1] + 60000000000ULL > (__u64)now.tv_sec * 1000000000ULL);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_records_only_the_sites_selected_by_id)
{
	static const char *const probes[] = { "xdp_seen@0", "pkt_bounds" };
	static struct seen s;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(PACKETS, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__add_probes(tr, probes, 2), 0);
	ASSERT_OK_HELPER(run_packets(t, tr, 1, false, &s, 2));
	ASSERT_TRUE(bpf_sdt_tracer__traces_site(tr, bpf_sdt_target__site_by_id(t, 0)));
	ASSERT_TRUE(!bpf_sdt_tracer__traces_site(tr, bpf_sdt_target__site_by_id(t, 2)));
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_selects_sites_by_source_line_and_refuses_a_line_without_one)
{
	const struct bpf_sdt_site *site;
	static const char *line_name;
	static char name[256];
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	static struct seen s;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(PACKETS, NULL);
	ASSERT_TRUE(t != NULL);
	site = bpf_sdt_target__site_by_id(t, 1);	/* pkt_bounds */
	ASSERT_TRUE(bpf_sdt_site__file(site) != NULL);
	ASSERT_CONTAINS(bpf_sdt_site__file(site), "packet_sites.bpf.c");
	snprintf(name, sizeof(name), "pkt_bounds@packet_sites.bpf.c:%u", bpf_sdt_site__line(site));
	line_name = name;
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	diag_capture_begin();
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "pkt_bounds@packet_sites.bpf.c:1"), -EINVAL);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "probe pkt_bounds has no site on line 1 of packet_sites.bpf.c");
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, line_name), 0);
	ASSERT_OK_HELPER(run_packets(t, tr, 1, false, &s, 1));
	ASSERT_EQ(s.site[0], 1);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_names_the_sites_of_a_probe_when_an_id_is_not_one)
{
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(PACKETS, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	diag_capture_begin();
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "xdp_seen@2"), -EINVAL);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "probe xdp_seen has no site 2 (its sites: 0)");
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}
