// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The harness itself: a test that fails halfway leaves nothing behind --
 * its armed copy is taken off the hook, its target closed, its namespaces
 * deleted -- because the runner drains its cleanup list (test.h). Proven
 * on a test made to fail, run by the harness in a child process.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "netns.h"
#include "target/capture.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"

static struct testnet *failing_net;
static __u32 failing_armed;

/* Arms the example firewall on its hook, then an assertion fails. */
static void arm_then_fail(void)
{
	static const char *const probes[] = { "verdict" };
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;

	t = bpf_sdt_target__open_xdp(EXAMPLE, failing_net->ifindex, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probes(tr, probes, 1));
	failing_armed = xdp_prog_id(failing_net->ifindex);
	ASSERT_EQ(1, 2); /* stops the test here, with everything open */
}

/* In the child: run the failing test under the harness, then look. */
static int failed_test_leaves(struct testnet *net, __u32 orig)
{
	static struct test_case failing = { "arm_then_fail", arm_then_fail, false, NULL };

	failing_net = net;
	test_forget_all(); /* the namespaces are the parent's */
	if (!freopen("/dev/null", "w", stdout)) /* its FAIL line is not ours */
		return 10;
	if (test_run(&failing, NULL) != TEST_FAILED)
		return 11;
	if (!failing_armed || failing_armed == orig)
		return 12; /* it did not get as far as arming */
	if (xdp_prog_id(net->ifindex) != orig)
		return 13; /* the armed copy is still on the hook */
	if (sdt_capture_count())
		return 14;
	return 0;
}

TEST(harness_takes_a_failed_tests_armed_copy_off_its_hook)
{
	struct testnet net;
	int status;
	__u32 orig;
	pid_t pid;

	REQUIRE_ROOT();
	ASSERT_EQ(testnet_up(&net, 91), 0);
	ASSERT_EQ(testnet_attach_xdp(&net, EXAMPLE, "xdp"), 0);
	ASSERT_EQ(testnet_enter(&net), 0);
	orig = xdp_prog_id(net.ifindex);
	ASSERT_NE(orig, 0);
	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid)
		_exit(failed_test_leaves(&net, orig));
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(xdp_prog_id(net.ifindex), orig);
	testnet_down(&net);
}

/* And the namespaces of a test that stopped before testnet_down(). */
static char left_ns[32];

static void leave_a_namespace(void)
{
	struct testnet net;

	if (testnet_up(&net, 92))
		FAIL("cannot set up the test network");
	snprintf(left_ns, sizeof(left_ns), "%s", net.ns_a);
	FAIL("stopped before testnet_down()");
}

TEST(harness_deletes_the_namespaces_of_a_failed_test)
{
	static struct test_case failing = { "leave_a_namespace", leave_a_namespace, false, NULL };
	char path[64];
	int status;
	pid_t pid;

	REQUIRE_ROOT();
	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		test_forget_all();
		if (!freopen("/dev/null", "w", stdout))
			_exit(10);
		_exit(test_run(&failing, NULL) == TEST_FAILED && left_ns[0] ? 0 : 11);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	snprintf(path, sizeof(path), "/var/run/netns/sdt%da92", (int)pid % 10000);
	ASSERT_EQ(access(path, F_OK), -1);
}
