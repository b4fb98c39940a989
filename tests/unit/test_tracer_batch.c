// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Arming several probes at once: one swap per program, all or nothing. */
#include <errno.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"

static __u32 swaps(const struct bpf_sdt_target *t, const char *prog)
{
	LIBBPF_OPTS(bpf_sdt_arm_stats, st);

	if (bpf_sdt_target__arm_stats(t, prog, &st))
		return ~0u;
	return st.swaps;
}

static int count_event(void *ctx, const struct bpf_sdt_event *e)
{
	(void)e;
	++*(int *)ctx;
	return 0;
}

TEST(tracer_add_probes_swaps_each_program_once)
{
	static const char *const probes[] = { "pkt_parsed", "verdict" };
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int events = 0;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(swaps(t, "xdp_filter"), 0);
	ASSERT_EQ(bpf_sdt_tracer__add_probes(tr, probes, 2), 0);
	ASSERT_EQ(swaps(t, "xdp_filter"), 1);
	/* both armed in that one copy: a packet reports its parse and its verdict */
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "xdp_filter"), 64), XDP_PASS);
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, count_event, &events), 2);
	ASSERT_EQ(events, 2);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_add_probe_one_by_one_swaps_once_per_probe)
{
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "pkt_parsed"), 0);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "verdict"), 0);
	ASSERT_EQ(swaps(t, "xdp_filter"), 2);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_add_probes_arms_none_when_one_is_unknown)
{
	static const char *const probes[] = { "verdict", "no_such_probe" };
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int orig;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	orig = bpf_sdt_target__prog_fd(t, "xdp_filter");
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	diag_capture_begin();
	ASSERT_EQ(bpf_sdt_tracer__add_probes(tr, probes, 2), -ENOENT);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "the target declares no probe no_such_probe");
	ASSERT_EQ(swaps(t, "xdp_filter"), 0);
	ASSERT_EQ(bpf_sdt_target__prog_fd(t, "xdp_filter"), orig);
	/* and the tracer still works afterwards */
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "verdict"), 0);
	ASSERT_EQ(swaps(t, "xdp_filter"), 1);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(tracer_add_probes_arms_none_when_one_fails_the_argument_check)
{
	/* scalars' one site is good; number's sites include bad ones */
	static const char *const probes[] = { "scalars", "number" };
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("check_cases"), NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr != NULL);
	diag_capture_begin();
	ASSERT_EQ(bpf_sdt_tracer__add_probes(tr, probes, 2), -EACCES);
	diag_capture_end();
	ASSERT_EQ(swaps(t, "good_scalars"), 0);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}
