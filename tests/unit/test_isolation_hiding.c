// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hiding a pointer into the target does not get it past the check
 * (docs/isolation.md): an argument or the observer's own context stored in a
 * stack struct that a bpf_loop callback or a subprogram writes through, a
 * copy of r10 used to spill it, the address of a local holding it, a global
 * function's parameter. Refused with one line; the target unchanged; and
 * unchecked, the kernel would have let each one change the target.
 */
#include "helpers.h"
#include "isolation_helpers.h"
#include "test.h"

#define OBSERVERS "intruders_hiding"

TEST(isolation_refuses_a_pointer_argument_hidden_in_a_bpf_loop_context)
{
	refused_case("isolation_target", OBSERVERS, "hides_the_state_pointer_in_a_loop_context",
		     "state_probe", MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_a_pointer_argument_hidden_from_a_static_subprogram)
{
	refused_case("isolation_target", OBSERVERS, "hides_the_state_pointer_for_a_subprogram",
		     "state_probe", MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_a_bpf_loop_callback_calling_a_writing_subprogram)
{
	refused_case("isolation_target", OBSERVERS, "loop_callback_calls_a_writing_subprogram",
		     "state_probe", MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_its_own_context_hidden_in_a_bpf_loop_context)
{
	refused_case("spill_target", OBSERVERS, "hides_its_context_in_a_loop_context",
		     "busy_probe", INTO_ARG_ARRAY, true);
}

TEST(isolation_refuses_the_address_of_a_local_holding_its_context)
{
	refused_case("spill_target", OBSERVERS, "passes_the_address_of_a_local_holding_its_context",
		     "busy_probe", INTO_ARG_ARRAY, true);
}

TEST(isolation_refuses_its_context_spilled_through_a_copy_of_r10)
{
	refused_case("spill_target", OBSERVERS, "copies_r10_before_spilling_its_context",
		     "busy_probe", "insn 5: writes through r3 " INTO_ARG_ARRAY, true);
}

TEST(isolation_refuses_a_global_subprogram_writing_through_its_parameter)
{
	refused_case("isolation_target", OBSERVERS, "global_subprogram_writes_the_state",
		     "state_probe", MAY_REACH_TARGET, true);
}

TEST(isolation_refuses_a_global_subprogram_writing_the_packet_through_a_context)
{
	refused_case("isolation_target", OBSERVERS,
		     "global_subprogram_writes_the_packet_through_a_context", "ctx_probe",
		     MAY_REACH_TARGET, true);
}
