// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What observers are for stays possible (docs/isolation.md): copying
 * arguments into ring buffer events, counting in their own maps, reading
 * the packet through a context argument, looping over their own data up to
 * the limit, subprograms, their own spin locks, formatting into their own
 * buffers. Each is accepted, does its job, and the target's verdict, packet
 * and maps stay those of a run with no observer.
 */
#include <bpf/bpf.h>
#include <string.h>
#include "helpers.h"
#include "isolation_helpers.h"
#include "observer_helpers.h"
#include "test.h"

#define TARGET "isolation_target"
#define OBSERVERS "legit_observers"
#define PKT_LEN 64	/* isolation_helpers.c's packet */

/* obs attached alone to probe; then its variable var is want. */
static void accepted_case(const char *obs, const char *probe, const char *var, long long want)
{
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, TARGET, TARGET, OBSERVERS), 0);
	ASSERT_OK_HELPER(expect_accepted(&f, obs, probe));
	if (var)
		ASSERT_EQ(observer_var(f.obs, var), want);
	iso_close(&f);
}

TEST(isolation_accepts_copying_arguments_into_a_ring_buffer)
{
	accepted_case("copies_arguments_into_a_ring_buffer", "state_probe", "events_sent", 1);
}

TEST(isolation_accepts_outputting_the_argument_array_itself)
{
	accepted_case("outputs_its_argument_array", "state_probe", "events_sent", 1);
}

TEST(isolation_accepts_reading_the_packet_through_a_context_argument)
{
	accepted_case("reads_the_packet_through_its_context_argument", "ctx_probe", "first_bytes",
		      0x00010203);
}

TEST(isolation_accepts_a_bpf_loop_over_its_own_data)
{
	accepted_case("sums_its_own_data_with_bpf_loop", "wide_probe", "summed", 136);
}

TEST(isolation_accepts_bpf_loop_up_to_the_limit)
{
	accepted_case("loops_up_to_the_limit", "wide_probe", "looped", 4096);
}

TEST(isolation_accepts_a_subprogram_filling_a_local)
{
	accepted_case("fills_a_local_in_a_subprogram", "ctx_probe", NULL, 0);
}

TEST(isolation_accepts_probe_reading_the_targets_state_into_its_own)
{
	accepted_case("copies_the_target_state_with_probe_read", "state_probe", "copied_action",
		      XDP_PASS);
}

TEST(isolation_accepts_counting_in_its_own_hash_map)
{
	__u64 key = PKT_LEN, n = 0;
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, TARGET, TARGET, OBSERVERS), 0);
	ASSERT_OK_HELPER(expect_accepted(&f, "counts_in_its_own_hash_map", "wide_probe"));
	ASSERT_EQ(iso_run(&f, &(struct outcome){ 0 }), 0);
	ASSERT_EQ(bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(f.obs, "by_len")),
				      &key, &n), 0);
	ASSERT_EQ(n, 2);
	iso_close(&f);
}

TEST(isolation_accepts_its_own_spin_lock)
{
	struct { __u32 lock, pad; __u64 n; } c = {};
	__u32 key = 0;
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, TARGET, TARGET, OBSERVERS), 0);
	ASSERT_OK_HELPER(expect_accepted(&f, "locks_its_own_counter", "wide_probe"));
	ASSERT_EQ(bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(f.obs,
					"locked_counter")), &key, &c), 0);
	ASSERT_EQ(c.n, PKT_LEN);
	iso_close(&f);
}

TEST(isolation_accepts_formatting_into_its_own_buffer)
{
	char buf[24] = "";
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, TARGET, TARGET, OBSERVERS), 0);
	ASSERT_OK_HELPER(expect_accepted(&f, "formats_into_its_own_buffer", "wide_probe"));
	ASSERT_EQ(observer_read_var(f.obs, "formatted", buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "64/2");
	iso_close(&f);
}

/* Every one of them on one target at once, one run. */
TEST(isolation_accepts_all_of_them_together_and_the_target_runs_as_alone)
{
	static const char *const obs[][2] = {
		{ "copies_arguments_into_a_ring_buffer", "state_probe" },
		{ "outputs_its_argument_array", "state_probe" },
		{ "reads_the_packet_through_its_context_argument", "ctx_probe" },
		{ "sums_its_own_data_with_bpf_loop", "wide_probe" },
		{ "loops_up_to_the_limit", "wide_probe" },
		{ "fills_a_local_in_a_subprogram", "ctx_probe" },
		{ "copies_the_target_state_with_probe_read", "state_probe" },
		{ "counts_in_its_own_hash_map", "wide_probe" },
		{ "locks_its_own_counter", "wide_probe" },
		{ "formats_into_its_own_buffer", "wide_probe" },
	};
	struct outcome after;
	struct iso f;
	size_t k;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, TARGET, TARGET, OBSERVERS), 0);
	for (k = 0; k < sizeof(obs) / sizeof(obs[0]); k++)
		if (!iso_attach(&f, obs[k][0], obs[k][1], false))
			FAIL("%s refused", obs[k][0]);
	ASSERT_EQ(iso_run(&f, &after), 0);
	ASSERT_TRUE(outcome_equal(&f.before, &after));
	ASSERT_EQ(observer_var(f.obs, "events_sent"), 2);
	ASSERT_EQ(observer_var(f.obs, "summed"), 136);
	iso_close(&f);
}
