// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Helpers and atomic operations write too (docs/isolation.md): an observer
 * may let them write its own memory only -- not the target's spin-locked
 * map value, stack struct or map values, not the argument array. A pointer
 * it stores in its own map comes back a scalar, which the kernel refuses to
 * write through.
 */
#include "helpers.h"
#include "isolation_helpers.h"
#include "test.h"

#define TARGET "isolation_target"
#define OBSERVERS "intruders_helpers"

TEST(isolation_refuses_taking_the_targets_spin_lock)
{
	refused_case(TARGET, OBSERVERS, "takes_the_targets_spin_lock", "locked_probe",
		     "lets bpf_spin_lock write through r1, " MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_probe_reading_into_the_targets_stack)
{
	refused_case(TARGET, OBSERVERS, "probe_reads_into_the_target_state", "state_probe",
		     "lets bpf_probe_read_kernel write through r1, " MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_formatting_into_the_targets_stack)
{
	refused_case(TARGET, OBSERVERS, "formats_into_the_target_state", "state_probe",
		     "lets bpf_snprintf write through r1, " MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_atomic_updates_of_the_targets_stack)
{
	refused_case(TARGET, OBSERVERS, "atomically_updates_the_target_state", "state_probe",
		     "atomically updates through r1, " MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_atomic_updates_of_a_target_map_value)
{
	refused_case(TARGET, OBSERVERS, "atomically_updates_a_target_map_value", "value_probe",
		     "atomically updates through r1, " MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_probe_reading_into_the_argument_array)
{
	refused_case("spill_target", OBSERVERS, "probe_reads_below_its_arguments", "busy_probe",
		     "lets bpf_probe_read_kernel write through r1 " INTO_ARG_ARRAY, true);
}

TEST(isolation_refuses_probe_reading_from_below_the_argument_array)
{
	refused_case("spill_target", OBSERVERS, "probe_reads_from_below_its_arguments",
		     "busy_probe", "reads context offset -8", false);
}

TEST(pointer_stashed_in_the_observers_own_map_comes_back_a_scalar_the_kernel_refuses)
{
	struct outcome after;
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, TARGET, TARGET, OBSERVERS), 0);
	diag_capture_begin();
	ASSERT_TRUE(iso_attach(&f, "stashes_the_state_pointer_in_its_own_map", "state_probe",
			       false) == NULL);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "program isolation_target: the kernel verifier rejected the armed copy");
	ASSERT_CONTAINS(diag_captured(), "invalid mem access 'scalar'");
	ASSERT_EQ(iso_run(&f, &after), 0);
	ASSERT_TRUE(outcome_equal(&f.before, &after));
	iso_close(&f);
}
