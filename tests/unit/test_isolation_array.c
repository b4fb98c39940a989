// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The argument array is the target's stack (docs/isolation.md): below it
 * the relinker keeps the registers the target needs back after the call
 * when no callee-saved register is free (spill_target's verdict, in r0),
 * after the arguments come the site's id and the cookie. Observers may read
 * the arguments and the site's id and nothing else, and write none of it.
 */
#include "helpers.h"
#include "isolation_helpers.h"
#include "test.h"

#define TARGET "spill_target"
#define OBSERVERS "intruders_array"

TEST(isolation_refuses_writes_below_the_argument_array)
{
	refused_case(TARGET, OBSERVERS, "writes_below_its_arguments", "busy_probe",
		     INTO_ARG_ARRAY, true);
}

TEST(isolation_refuses_atomic_updates_below_the_argument_array)
{
	refused_case(TARGET, OBSERVERS, "atomically_updates_below_its_arguments", "busy_probe",
		     "atomically updates through r1 " INTO_ARG_ARRAY, true);
}

TEST(isolation_refuses_writes_to_the_site_id)
{
	refused_case(TARGET, OBSERVERS, "writes_the_site_id", "busy_probe", INTO_ARG_ARRAY,
		     false);
}

TEST(isolation_refuses_writes_to_the_cookie)
{
	refused_case(TARGET, OBSERVERS, "writes_the_cookie", "busy_probe", INTO_ARG_ARRAY,
		     false);
}

TEST(isolation_refuses_reads_below_the_argument_array)
{
	refused_case(TARGET, OBSERVERS, "reads_below_its_arguments", "busy_probe",
		     "reads context offset -8, but probe busy_probe has 0 arguments and then the site's id",
		     false);
}

TEST(isolation_refuses_reading_the_cookie_but_through_bpf_get_attach_cookie)
{
	refused_case(TARGET, OBSERVERS, "reads_the_cookie_slot", "busy_probe",
		     "reads context offset 8, but probe busy_probe has 0 arguments and then the site's id",
		     false);
}

/* basic's verdict is live in r0 at its site, and r6..r9 are free there:
 * the relinker keeps r0 in one of them, out of any observer's reach -- even
 * one that no check stopped. */
TEST(relinked_spills_are_out_of_reach_when_a_callee_saved_register_is_free)
{
	struct bpf_sdt_link *link;
	struct outcome after;
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, "basic", "xdp_prog", OBSERVERS), 0);
	link = iso_attach(&f, "writes_below_its_arguments", "my_trace", true);
	ASSERT_TRUE(link != NULL);
	ASSERT_EQ(iso_run(&f, &after), 0);
	ASSERT_EQ(after.ret, XDP_PASS);
	ASSERT_TRUE(outcome_equal(&f.before, &after));
	iso_close(&f);
}
