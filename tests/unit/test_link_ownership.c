// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Who frees what: a link is its holder's until bpf_sdt_link__destroy(),
 * which frees it whatever it returns (as libbpf's bpf_link__destroy()
 * does), before or after its target is closed; a tracer may outlive its
 * target too. Run under ASan (make SANITIZE=1 check), a use after free or a
 * leak here fails the suite.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

TEST(link_outlives_its_target_and_is_destroyed_after_the_close)
{
	struct bpf_sdt_target *t;
	struct bpf_sdt_link *link;
	struct bpf_object *obs;
	int orig, armed;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(t && obs);
	orig = bpf_sdt_target__prog_fd(t, "xdp_prog");
	link = bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs));
	ASSERT_TRUE(link != NULL);
	armed = bpf_sdt_target__prog_fd(t, "xdp_prog");
	ASSERT_NE(armed, orig);
	ASSERT_EQ(run_packet(armed, 64), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "hits"), 1);
	bpf_sdt_target__close(t);
	/* the armed copy is gone with the target; the link is still ours */
	ASSERT_EQ(fcntl(armed, F_GETFD), -1);
	ASSERT_EQ(bpf_sdt_link__destroy(link), 0);
	bpf_object__close(obs);
}

TEST(tracer_outlives_its_target_and_is_freed_after_the_close)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "my_trace"), 0);
	bpf_sdt_target__close(t);
	bpf_sdt_tracer__free(tr);
}

/* In this process from now on, BPF_PROG_LOAD fails with EPERM (the kernel's
 * answer through seccomp): every other bpf() command still works. */
static int refuse_prog_loads(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_PROG_LOAD, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) ? -errno : 0;
}

/* What the child found, as its exit status. */
enum { DESTROYED = 0, NO_SECCOMP = 10, DESTROY_SUCCEEDED, COPY_CHANGED, NOT_SAID, LAST_FAILED,
       NOT_ORIGINAL };

static int destroy_while_loads_fail(struct bpf_sdt_target *t, struct bpf_sdt_link *first,
				    struct bpf_sdt_link *second, int orig)
{
	int armed = bpf_sdt_target__prog_fd(t, "xdp_prog"), err;

	if (refuse_prog_loads())
		return NO_SECCOMP;
	diag_capture_begin();
	err = bpf_sdt_link__destroy(first); /* needs a copy with only the second */
	diag_capture_end();
	if (err != -EPERM)
		return DESTROY_SUCCEEDED;
	if (bpf_sdt_target__prog_fd(t, "xdp_prog") != armed)
		return COPY_CHANGED;
	if (!strstr(diag_captured(), "observer observer_prog of probe my_trace: detached, but its armed copies could not be rebuilt without it (Operation not permitted): they call it until their next change"))
		return NOT_SAID;
	/* the last one needs no copy: the original goes back */
	if (bpf_sdt_link__destroy(second))
		return LAST_FAILED;
	return bpf_sdt_target__prog_fd(t, "xdp_prog") == orig ? DESTROYED : NOT_ORIGINAL;
}

TEST(link_destroy_frees_the_link_when_the_rebuild_without_it_fails)
{
	struct bpf_sdt_link *first, *second;
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	int orig, status;
	pid_t pid;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(t && obs);
	orig = bpf_sdt_target__prog_fd(t, "xdp_prog");
	first = bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs));
	second = bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs));
	ASSERT_TRUE(first && second);
	/* in a child, so that only it runs under the seccomp filter */
	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid)
		_exit(destroy_while_loads_fail(t, first, second, orig));
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), DESTROYED);
}
