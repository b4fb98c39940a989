// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * An observer cannot change its target through the context pointer a probe
 * hands it (docs/isolation.md): loading data or data_meta through it,
 * directly or after a spill, gives packet pointers the kernel would let it
 * write through. Each shape is refused with one line naming the observer,
 * probe and instruction, the target's verdict, packet and maps stay those of
 * a run with no observer -- and unchecked, the kernel would have armed the
 * observer and the target would have changed.
 */
#include "helpers.h"
#include "isolation_helpers.h"
#include "test.h"

#define TARGET "isolation_target"
#define OBSERVERS "intruders_context"

TEST(isolation_refuses_packet_writes_through_a_context_argument)
{
	refused_case(TARGET, OBSERVERS, "writes_packet_through_ctx_data", "ctx_probe",
		     MAY_REACH_TARGET, true);
}

/* test_run leaves no metadata room: nothing to see, still refused */
TEST(isolation_refuses_metadata_writes_through_a_context_argument)
{
	refused_case(TARGET, OBSERVERS, "writes_metadata_through_ctx_data_meta", "ctx_probe",
		     MAY_REACH_TARGET, false);
}

TEST(isolation_refuses_packet_writes_through_a_spilled_context_argument)
{
	refused_case(TARGET, OBSERVERS, "writes_packet_through_a_spilled_ctx", "ctx_probe",
		     MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_packet_writes_at_a_computed_offset)
{
	refused_case(TARGET, OBSERVERS, "writes_packet_at_a_computed_offset", "ctx_probe",
		     MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_writes_through_a_packet_argument)
{
	refused_case(TARGET, OBSERVERS, "writes_packet_argument", "pkt_probe", MAY_REACH_TARGET,
		     true);
}
