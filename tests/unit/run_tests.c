// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The host suite's runner: the harness (test_harness.c) with what every
 * host test must leave behind checked after it. */
#include "helpers.h"
#include "target/capture.h"
#include "test.h"

static void ended(const struct test_case *tc)
{
	cmd_reap_leftovers(); /* a failed test's background commands */
}

/* Its cleanup list drained, a test holds nothing open: nor may the
 * library hold a program capture for it. */
static void after(const struct test_case *tc)
{
	size_t n = sdt_capture_count();

	if (n)
		test_fail(__FILE__, __LINE__, "%zu program capture%s left behind", n,
			  n == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	static const struct test_hooks hooks = { .ended = ended, .after = after };

	return test_main(argc, argv, &hooks);
}
