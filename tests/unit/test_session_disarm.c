// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Disarming as a library call: every original back in one swap per
 * program, a failure said once and returned, and the guardian a process
 * opts into for the SIGKILL no code of its own can answer.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "netns.h"
#include "observer_helpers.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"

static const char *const all_probes[] = { "pkt_parsed", "port_check", "verdict" };

static __u32 swaps(const struct bpf_sdt_target *t)
{
	LIBBPF_OPTS(bpf_sdt_arm_stats, st);

	return bpf_sdt_target__arm_stats(t, "xdp_filter", &st) ? ~0u : st.swaps;
}

TEST(tracer_free_disarms_all_its_probes_in_one_swap)
{
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int orig, i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	orig = bpf_sdt_target__prog_fd(t, "xdp_filter");
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr != NULL);
	for (i = 0; i < 3; i++) /* three links, armed one by one */
		ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, all_probes[i]), 0);
	ASSERT_EQ(swaps(t), 3);
	bpf_sdt_tracer__free(tr);
	ASSERT_EQ(swaps(t), 4); /* not 3 rebuilds: straight back to the original */
	ASSERT_EQ(bpf_sdt_target__prog_fd(t, "xdp_filter"), orig);
	bpf_sdt_target__close(t);
}

TEST(target_disarm_puts_the_original_back_in_one_swap_and_links_stay_valid)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr, *other;
	struct bpf_sdt_target *t;
	int orig;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	orig = bpf_sdt_target__prog_fd(t, "xdp_filter");
	tr = bpf_sdt_tracer__new(t, &topts);
	other = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && other);
	ASSERT_EQ(bpf_sdt_tracer__add_probes(tr, all_probes, 2), 0);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(other, "verdict"), 0);
	ASSERT_EQ(swaps(t), 2);
	ASSERT_EQ(bpf_sdt_target__disarm(t), 0);
	ASSERT_EQ(swaps(t), 3);
	ASSERT_EQ(bpf_sdt_target__prog_fd(t, "xdp_filter"), orig);
	/* nothing observes any more */
	ASSERT_EQ(run_packet(orig, 64), XDP_PASS);
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, NULL, NULL), 0);
	/* freeing the tracers afterwards swaps nothing */
	bpf_sdt_tracer__free(other);
	bpf_sdt_tracer__free(tr);
	ASSERT_EQ(swaps(t), 3);
	bpf_sdt_target__close(t);
}

static void disarm_replaced_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_object *theirs_obj = bpf_object__open_file(corpus_path("no_probes"), NULL);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u32 theirs;

	ASSERT_TRUE(theirs_obj && !bpf_object__load(theirs_obj));
	t = bpf_sdt_target__open_xdp(EXAMPLE, net->ifindex, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probes(tr, all_probes, 3));
	/* someone else replaces the armed copy (no compare: they don't care) */
	ASSERT_EQ(bpf_xdp_attach(net->ifindex,
				 bpf_program__fd(bpf_object__next_program(theirs_obj, NULL)), 0,
				 NULL), 0);
	theirs = xdp_prog_id(net->ifindex);
	diag_capture_begin();
	ASSERT_EQ(bpf_sdt_target__disarm(t), -EEXIST);
	ASSERT_EQ(bpf_sdt_target__disarm(t), -EEXIST); /* again: not said again */
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "program xdp_filter: cannot put the original back: the "
			"hook runs program id ");
	ASSERT_EQ(strchr(diag_captured(), '\n') - diag_captured() + 1,
		  (long long)strlen(diag_captured())); /* one line */
	ASSERT_EQ(xdp_prog_id(net->ifindex), theirs);
	bpf_xdp_detach(net->ifindex, 0, NULL);
	bpf_object__close(theirs_obj);
}

TEST(target_disarm_leaves_a_program_someone_else_attached_and_says_so_once)
{
	testnet_run(80, EXAMPLE, disarm_replaced_body);
}

/* A session in a child process, opened with a guardian, armed, then
 * SIGKILLed: its guardian (our orphan) puts the original back. */
static void guardian_body(struct testnet *net)
{
	__u32 orig = xdp_prog_id(net->ifindex);
	int ready[2], status, tries;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(pipe(ready), 0);
	orphans_adopt();
	pid = fork();
	if (!pid) {
		LIBBPF_OPTS(bpf_sdt_live_opts, lopts, .guardian = true);
		struct bpf_sdt_target *t = bpf_sdt_target__open_xdp(EXAMPLE, net->ifindex, &lopts);
		struct bpf_sdt_tracer *tr = t ? bpf_sdt_tracer__new(t, NULL) : NULL;

		c = tr && !bpf_sdt_tracer__add_probe(tr, "verdict");
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause(); /* until SIGKILLed, armed */
		_exit(2);
	}
	close(ready[1]);
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	ASSERT_EQ(c, 1);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	for (tries = 0; tries < 2000 && xdp_prog_id(net->ifindex) != orig; tries++)
		usleep(1000);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(orphans_reap(2000, -1), 1);
	ASSERT_EQ(testnet_ping(net, 1, "0.05"), 0);
}

TEST(live_guardian_puts_the_original_back_when_the_session_is_sigkilled)
{
	testnet_run(81, EXAMPLE, guardian_body);
}

/* Closing the target dismisses the guardian: it is reaped, and it leaves
 * the hook alone even when the process is then SIGKILLed. */
static void dismissed_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_live_opts, lopts, .guardian = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	struct cmd_proc self = { .pid = getpid() };
	__u32 orig = xdp_prog_id(net->ifindex);
	int guardian;

	ASSERT_EQ(cmd_guardian_pid(&self), -1); /* no child of ours yet */
	t = bpf_sdt_target__open_xdp(EXAMPLE, net->ifindex, &lopts);
	ASSERT_TRUE(t != NULL);
	guardian = cmd_guardian_pid(&self);
	ASSERT_TRUE(guardian > 0);
	tr = bpf_sdt_tracer__new(t, NULL);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "verdict"));
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(kill(guardian, 0), -1); /* reaped */
	ASSERT_EQ(errno, ESRCH);
}

TEST(live_guardian_is_reaped_when_the_target_closes)
{
	testnet_run(82, EXAMPLE, dismissed_body);
}

/* With SIGCHLD ignored a blocking waitpid() would wait for every child of
 * the process: closing must not wait for a child that is not its guardian. */
static void sigchld_ignored_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_live_opts, lopts, .guardian = true);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct bpf_sdt_target *t;
	struct timespec a, b;
	pid_t sleeper;

	sleeper = fork();
	if (!sleeper) {
		sleep(30);
		_exit(0);
	}
	sigaction(SIGCHLD, &ign, &old);
	t = bpf_sdt_target__open_xdp(EXAMPLE, net->ifindex, &lopts);
	clock_gettime(CLOCK_MONOTONIC, &a);
	bpf_sdt_target__close(t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	kill(sleeper, SIGKILL);
	sigaction(SIGCHLD, &old, NULL);
	waitpid(sleeper, NULL, 0);
	ASSERT_TRUE(t != NULL);
	ASSERT_TRUE((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 500);
}

TEST(live_guardian_close_does_not_wait_for_other_children)
{
	testnet_run(83, EXAMPLE, sigchld_ignored_body);
}
