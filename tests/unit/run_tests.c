// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The host suite's runner: the harness (test_harness.c) with what every
 * host test must leave behind checked after it. */
#define _GNU_SOURCE /* setns */
#include <fcntl.h>
#include <sched.h>
#include "helpers.h"
#include "target/capture.h"
#include "test.h"

static int home_netns = -1;

static void ended(const struct test_case *tc)
{
	cmd_reap_leftovers(); /* a failed test's background commands */
	/* a test stopped inside one of its namespaces (testnet_enter()) */
	if (home_netns >= 0)
		setns(home_netns, CLONE_NEWNET);
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

	home_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return test_main(argc, argv, &hooks);
}
