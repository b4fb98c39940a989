// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The host suite's runner: the harness (test_harness.c) with what every
 * host test must leave behind checked after it. */
#include "helpers.h"
#include "test.h"

static void ended(const struct test_case *tc)
{
	cmd_reap_leftovers(); /* a failed test's background commands */
}

int main(int argc, char **argv)
{
	static const struct test_hooks hooks = { .ended = ended };

	return test_main(argc, argv, &hooks);
}
