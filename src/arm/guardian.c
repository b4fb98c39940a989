// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The guardian: a child process that puts the original program back on a
 * live hook when the session that armed it dies without disarming.
 *
 * A session can always end cleanly except by SIGKILL (or the OOM killer):
 * then nothing of it runs, and its armed copy would stay on the hook. So at
 * open, the session forks a guardian, connected by a SOCK_SEQPACKET
 * socketpair. The guardian holds the original program and the hook's
 * handles (it inherits them, and the network namespace, by fork) and
 * nothing else: it closes every other descriptor, so it keeps no map, no
 * object, no pipe of the session's alive.
 *
 * Before an armed copy may run, the session hands it over (SCM_RIGHTS);
 * after each swap it says which copy runs (the guardian lets go of the
 * others). A SIGKILL between hand-over and swap is covered: the message is
 * queued in the socket, and the guardian reads every queued message before
 * it acts. The session's death shows as EOF on the socket or, if a child of
 * the session still holds the socket, as PR_SET_PDEATHSIG's signal; either
 * way getppid() no longer naming the session confirms it. Then the guardian
 * compares and replaces, through the one replacement path (swap.h): if the
 * hook runs one of the armed copies it holds, the original goes back; if it
 * runs anything else, that stays and the guardian says so. Then it exits.
 *
 * A session ending on its own terms tells the guardian so, and the
 * guardian exits without looking at the hook. The guardian is in a session
 * of its own (setsid) with every signal blocked: a terminal's Ctrl-C or
 * hangup, or a kill of the session's process group, reaches the session,
 * which disarms and dismisses it, and never the guardian alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "arm/guardian.h"
#include "arm/hook.h"

/* PR_SET_PDEATHSIG's signal; blocked in the guardian, read from a signalfd */
#define DEATH_SIGNAL SIGUSR1
#define RESTORE_ATTEMPTS 3

enum guardian_msg_type {
	MSG_EXPECT = 1,	/* with an fd: an armed copy about to be swapped in */
	MSG_SETTLED,	/* the hook runs prog_id now: let go of other copies */
	MSG_DONE,	/* the session ended cleanly: exit, touch nothing */
};

struct guardian_msg {
	__u32 type;
	__u32 prog_id;
};

struct sdt_guardian {
	pid_t pid;
	pid_t owner;	/* the session; a forked child of it never talks to it */
	int sock;
};

/* What the guardian process knows. */
struct watch {
	const char *file, *prog;
	struct sdt_hook hook;
	int orig_fd;
	__u32 orig_id;
	pid_t session;
	int sock, sigfd;
	bool eof;
	struct armed_copy {
		int fd;
		__u32 id;
	} *copies;
	size_t n, cap;
};

static void add_copy(struct watch *w, int fd)
{
	struct armed_copy *c;

	if (w->n == w->cap) {
		c = realloc(w->copies, (w->cap ? 2 * w->cap : 4) * sizeof(*c));
		if (!c) { /* cannot happen in practice; the copy then is not covered */
			pr_warn("%s: program %s: its guardian is out of memory", w->file, w->prog);
			close(fd);
			return;
		}
		w->copies = c;
		w->cap = w->cap ? 2 * w->cap : 4;
	}
	w->copies[w->n].fd = fd;
	w->copies[w->n++].id = sdt_prog_id(fd);
}

static void keep_only_copy(struct watch *w, __u32 id)
{
	size_t i, k = 0;

	for (i = 0; i < w->n; i++) {
		if (w->copies[i].id == id)
			w->copies[k++] = w->copies[i];
		else
			close(w->copies[i].fd);
	}
	w->n = k;
}

/* One message: 1, 0 at EOF, -errno (-EAGAIN when none is queued with
 * MSG_DONTWAIT). */
static int receive(struct watch *w, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct guardian_msg m = {};
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	n = recvmsg(w->sock, &mh, MSG_CMSG_CLOEXEC | flags);
	if (n < 0)
		return errno == EINTR ? 1 : -errno;
	if (!n)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	switch (m.type) {
	case MSG_EXPECT:
		if (fd >= 0)
			add_copy(w, fd);
		return 1;
	case MSG_SETTLED:
		keep_only_copy(w, m.prog_id);
		break;
	case MSG_DONE:
		_exit(0);
	}
	if (fd >= 0)
		close(fd);
	return 1;
}

static bool session_alive(const struct watch *w)
{
	return getppid() == w->session;
}

/* Returns once the session is dead (false: watching failed). */
static bool wait_for_the_end(struct watch *w)
{
	struct signalfd_siginfo si;
	int r;

	while (session_alive(w)) {
		struct pollfd p[2] = { { .fd = w->sigfd, .events = POLLIN },
				       { .fd = w->sock, .events = POLLIN } };

		if (poll(p, w->eof ? 1 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if ((p[0].revents & POLLIN) && read(w->sigfd, &si, sizeof(si)) < 0)
			return false;
		/* EOF while the session lives: it is exiting (its descriptors
		 * close before it is reaped) or closed ours; the signal follows */
		if (!w->eof && p[1].revents && (r = receive(w, 0)) <= 0)
			w->eof = true;
	}
	return true;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* The session died: the original back if the hook runs an armed copy of
 * ours. 0, or -errno once said why. */
static int restore(struct watch *w)
{
	char state[128];
	int attempt, err = 0;
	__u32 running;
	size_t i;

	if (!w->n)
		return 0; /* nothing of ours can be on the hook */
	for (attempt = 0; attempt < RESTORE_ATTEMPTS; attempt++) {
		err = sdt_hook_running(&w->hook, &running);
		if (!err && running == w->orig_id)
			return 0;
		for (i = 0; !err && i < w->n && w->copies[i].id != running; i++)
			;
		if (err || i == w->n) {
			sdt_hook_state_text(err, running, state, sizeof(state));
			pr_warn("%s: program %s: the session ended without disarming; %s: left as it is",
				w->file, w->prog, state);
			return err ?: -EEXIST;
		}
		err = sdt_hook_replace(&w->hook, w->copies[i].fd, w->orig_fd);
		if (!err) {
			pr_warn("%s: program %s: the session ended without disarming (killed?); its guardian put the original program back",
				w->file, w->prog);
			return 0;
		}
		sleep_ms(10); /* a passing failure? what runs then decides */
	}
	pr_warn("%s: program %s: the session ended without disarming; its guardian could not put the original back: %s",
		w->file, w->prog, strerror(-err));
	return err;
}

/* Closes every descriptor but the n in keep (ascending, -1 ignored). */
static void close_all_but(const int *keep, int n)
{
	unsigned int from = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from)
			close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range(from, ~0u, 0);
}

static void sort_fds(int *fds, int n)
{
	int i, j, v;

	for (i = 1; i < n; i++) {
		v = fds[i];
		for (j = i; j > 0 && fds[j - 1] > v; j--)
			fds[j] = fds[j - 1];
		fds[j] = v;
	}
}

static void __attribute__((noreturn)) guardian_main(struct watch *w)
{
	sigset_t all, death;
	int keep[6], null_fd;

	/* no signal ends it or runs a handler inherited from the session */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	setsid();
	prctl(PR_SET_NAME, "bpfsdt-guard");
	prctl(PR_SET_PDEATHSIG, DEATH_SIGNAL);
	sigemptyset(&death);
	sigaddset(&death, DEATH_SIGNAL);
	w->sigfd = signalfd(-1, &death, SFD_CLOEXEC);
	keep[0] = STDERR_FILENO;
	keep[1] = w->sock;
	keep[2] = w->sigfd;
	keep[3] = w->orig_fd;
	keep[4] = w->hook.link_fd;
	keep[5] = w->hook.map_fd;
	sort_fds(keep, 6);
	close_all_but(keep, 6);
	/* 0..2 stay taken (by /dev/null where free): a copy received at fd 0
	 * would read as "no fd" to libbpf (bpf_xdp_attach_opts.old_prog_fd) */
	while ((null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && null_fd <= STDERR_FILENO)
		;
	if (null_fd >= 0)
		close(null_fd);
	if (w->sigfd < 0 || !wait_for_the_end(w)) {
		pr_warn("%s: program %s: its guardian cannot watch the session (%s): a SIGKILL would leave the armed copy",
			w->file, w->prog, strerror(errno));
		_exit(1);
	}
	/* what the session said before it died, up to its last word */
	while (!w->eof && receive(w, MSG_DONTWAIT) > 0)
		;
	_exit(restore(w) ? 1 : 0);
}

int sdt_guardian_start(struct bpf_sdt_target *t)
{
	struct sdt_target_prog *tp = t->hook.prog;
	struct sdt_guardian *g = calloc(1, sizeof(*g));
	struct watch w = { .file = t->name, .prog = tp->name, .hook = t->hook,
			   .orig_fd = tp->orig_fd, .orig_id = sdt_prog_id(tp->orig_fd),
			   .session = getpid() };
	int sv[2], err;
	pid_t pid;

	if (!g)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		err = -errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	if (!pid) {
		w.sock = sv[1];
		guardian_main(&w);
	}
	close(sv[1]);
	g->pid = pid;
	g->owner = w.session;
	g->sock = sv[0];
	t->guardian = g;
	return 0;
fail:
	pr_warn("%s: program %s: cannot start its guardian process: %s", t->name, tp->name,
		strerror(-err));
	free(g);
	return err;
}

static int send_msg(struct sdt_guardian *g, __u32 type, __u32 prog_id, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct guardian_msg m = { .type = type, .prog_id = prog_id };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (getpid() != g->owner)
		return -ECHILD; /* a fork of the session: the guardian is not its */
	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	}
	do
		n = sendmsg(g->sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == sizeof(m) ? 0 : n < 0 ? -errno : -EIO;
}

int sdt_guardian_expect(struct sdt_guardian *g, int armed_fd)
{
	return send_msg(g, MSG_EXPECT, 0, armed_fd);
}

void sdt_guardian_settle(struct sdt_guardian *g, int running_fd)
{
	send_msg(g, MSG_SETTLED, sdt_prog_id(running_fd), -1);
}

/* Waits for the dismissed guardian, a few ms at most. Never a blocking
 * waitpid(): with SIGCHLD ignored, that would wait for every child of the
 * process. One that does not go within a second is killed. */
static void reap(pid_t pid)
{
	int ms;

	for (ms = 0; ms < 2000; ms++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return;
		if (ms == 1000)
			kill(pid, SIGKILL);
		sleep_ms(1);
	}
}

void sdt_guardian_stop(struct sdt_guardian *g, bool still_armed)
{
	bool ours;

	if (!g)
		return;
	ours = getpid() == g->owner;
	if (ours && !still_armed)
		send_msg(g, MSG_DONE, 0, -1);
	close(g->sock);
	/* it exits on MSG_DONE; when still armed, it waits for our exit */
	if (ours && !still_armed)
		reap(g->pid);
	free(g);
}
