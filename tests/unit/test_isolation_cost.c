// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * An observer's cost is bounded (docs/isolation.md): the verifier bounds its
 * ordinary loops, bpfsdt its bpf_loop callbacks -- at most
 * SDT_OBSERVER_LOOP_MAX runs per call of the observer, nested loops
 * multiplied -- and refuses may_goto.
 */
#include "helpers.h"
#include "isolation_helpers.h"
#include "test.h"

#define TARGET "isolation_target"
#define OBSERVERS "intruders_cost"

TEST(isolation_refuses_bpf_loop_over_the_limit)
{
	refused_case(TARGET, OBSERVERS, "loops_a_million_times", "wide_probe",
		     "calls bpf_loop for up to 1048576 iterations (limit 4096 per call of the observer)",
		     false);
}

TEST(isolation_refuses_bpf_loop_counts_it_cannot_bound)
{
	refused_case(TARGET, OBSERVERS, "loops_as_often_as_a_wide_argument_says", "wide_probe",
		     "calls bpf_loop for a number of iterations bpfsdt cannot bound", false);
}

TEST(isolation_refuses_nested_bpf_loops_whose_product_is_over_the_limit)
{
	refused_case(TARGET, OBSERVERS, "loops_inside_a_loop", "wide_probe",
		     "calls bpf_loop for up to 100 iterations inside callbacks already run up to 100 times",
		     false);
}

TEST(isolation_refuses_may_goto)
{
	refused_case(TARGET, OBSERVERS, "loops_with_may_goto", "wide_probe",
		     "insn 0: uses may_goto, whose loops bpfsdt cannot bound", false);
}
