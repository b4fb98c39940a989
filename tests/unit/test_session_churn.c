// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Churn: many `bpfsdt trace` sessions in a row on the example firewall,
 * under a ping flood, each ended a random way: SIGKILL at a random moment
 * (while opening and arming, while tracing, while disarming), any other
 * terminating signal at a random moment, its reader going away, -c,
 * --duration. After every session the original program must run on the
 * hook again: at once when the session ended itself, within two seconds
 * (its guardian) after a SIGKILL. Over the whole run no packet may be lost
 * or doubled: the peer answered every request, the kernel of the traced
 * side received each exactly once, and the firewall's own counter (one map
 * the original and every armed copy share) counted each exactly once.
 *
 * BPFSDT_CHURN_SESSIONS=N runs N sessions instead of the default (1000 for
 * the mixed run, 100 for the SIGKILL run); BPFSDT_CHURN_SEED=S repeats a
 * run (each prints its seed).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "helpers.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"
#define SESSION_TIMEOUT_MS 20000
#define GUARDIAN_TIMEOUT_MS 2000
#define PING_BATCH "20000"

extern char **environ;

enum ending {
	KILL_ANY_TIME,		/* SIGKILL 0..60 ms after start: opening, arming, tracing */
	KILL_ARMED,		/* SIGKILL 0..20 ms after the armed copy runs */
	KILL_DISARMING,		/* SIGINT, then SIGKILL 0..3 ms later */
	SIGNAL_ANY_TIME,	/* another terminating signal 0..80 ms after start */
	READER_GONE,		/* stdout a pipe whose reader closes it */
	EVENT_COUNT,		/* -c 1..500 */
	DURATION,		/* --duration 0.005..0.08 */
	NR_ENDINGS,
};

static const char *const ending_names[] = {
	"SIGKILL at any time", "SIGKILL while armed", "SIGKILL while disarming",
	"another signal", "reader gone", "-c", "--duration",
};

static const int other_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE, SIGVTALRM, SIGPROF,
	SIGXCPU, SIGXFSZ, 0 /* a real-time signal */,
};

struct churn {
	struct testnet *net;
	__u32 orig;
	int verdicts_fd;	/* the firewall's own per-CPU verdict counters */
	unsigned long long rng;
	int counts[NR_ENDINGS];
	double restore_ms[1024];	/* guardian restores measured */
	int restores;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static unsigned int rnd(struct churn *c, unsigned int n)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return (unsigned int)(c->rng % n);
}

static unsigned long env_number(const char *name, unsigned long fallback)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : fallback;
}

/* The original program's "verdicts" map. */
static int verdicts_map(__u32 prog_id)
{
	int fd = bpf_prog_get_fd_by_id(prog_id), found = -1;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[16], i;

	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	for (i = 0; i < info.nr_map_ids && i < 16 && found < 0; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		if (mfd >= 0 && !bpf_obj_get_info_by_fd(mfd, &mi, &mlen) &&
		    !strcmp(mi.name, "verdicts"))
			found = mfd;
		else if (mfd >= 0)
			close(mfd);
	}
out:
	if (fd >= 0)
		close(fd);
	return found;
}

static __u64 own_count(int verdicts_fd)
{
	int ncpus = libbpf_num_possible_cpus(), cpu;
	__u64 vals[256], sum = 0;
	__u32 key;

	for (key = 0; key <= XDP_REDIRECT; key++)
		if (ncpus <= 256 && !bpf_map_lookup_elem(verdicts_fd, &key, vals))
			for (cpu = 0; cpu < ncpus; cpu++)
				sum += vals[cpu];
	return sum;
}

/* Echo requests the kernel of this thread's namespace received. */
static unsigned long long in_echos(void)
{
	char buf[8192], *hdr, *vals, *name, *save1, *save2;
	int fd = open("/proc/thread-self/net/snmp", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	unsigned long long v;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	hdr = strstr(buf, "\nIcmp: ");
	vals = hdr ? strstr(hdr + 1, "\nIcmp: ") : NULL;
	if (!vals)
		return ~0ull;
	*strchr(hdr + 1, '\n') = '\0';
	*strchrnul(vals + 1, '\n') = '\0';
	name = strtok_r(hdr + 7, " ", &save1);
	v = strtoull(strtok_r(vals + 7, " ", &save2) ?: "0", NULL, 10);
	while (name && strcmp(name, "InEchos")) {
		name = strtok_r(NULL, " ", &save1);
		v = strtoull(strtok_r(NULL, " ", &save2) ?: "0", NULL, 10);
	}
	return name ? v : ~0ull;
}

/* Sums "N packets transmitted, M received[, +D duplicates]" of every
 * batch ping printed. */
static int ping_totals(const char *out, unsigned long long *sent, unsigned long long *recv,
		       unsigned long long *dups, int *batches)
{
	const char *p = out;

	*sent = *recv = *dups = 0;
	*batches = 0;
	while (p && (p = strstr(p, " packets transmitted, "))) {
		const char *line = p;
		unsigned long long s, r, d = 0;

		while (line > out && line[-1] != '\n')
			line--;
		if (sscanf(line, "%llu packets transmitted, %llu received, +%llu duplicates", &s,
			   &r, &d) < 2)
			return -1;
		*sent += s;
		*recv += r;
		*dups += d;
		(*batches)++;
		p++;
	}
	return *batches ? 0 : -1;
}

static pid_t spawn_trace(const char *const *extra, int out_fd)
{
	char *argv[16] = { (char *)bpfsdt_bin(), "trace", "--xdp", "v0", EXAMPLE, "verdict" };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int i, err;

	for (i = 0; extra[i]; i++)
		argv[6 + i] = (char *)extra[i];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, scratch_path("churn.err"),
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	/* directly: this thread is in ns_a, and so is its child */
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return err ? -1 : pid;
}

/* Exit status as a shell shows it, or -1 if it did not end in time. */
static int wait_exit(pid_t pid, int timeout_ms)
{
	double start = now_ms();
	int status;

	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (now_ms() - start > timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_us(500);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Until the armed copy runs (true), or the session ended first. */
static bool wait_armed(struct churn *c, pid_t pid)
{
	double start = now_ms();

	while (now_ms() - start < SESSION_TIMEOUT_MS) {
		if (xdp_prog_id(c->net->ifindex) != c->orig)
			return true;
		if (waitpid(pid, NULL, WNOWAIT | WNOHANG | WEXITED) == pid)
			return false;
		sleep_us(200);
	}
	return false;
}

static int pick_signal(struct churn *c)
{
	int sig = other_signals[rnd(c, sizeof(other_signals) / sizeof(other_signals[0]))];

	return sig ? sig : SIGRTMIN + (int)rnd(c, 8);
}

static void show_session_err(void)
{
	char *err = read_text_file(scratch_path("churn.err"));

	fprintf(stdout, "    its stderr: %s\n", err ? err : "(none)");
	free(err);
}

/* One session, ended the way e says; the test fails unless the hook runs
 * the original afterwards. */
static void one_session(struct churn *c, enum ending e, int i)
{
	const char *extra[4] = {};
	char count[16], dur[16];
	int out[2] = { -1, -1 }, status, sig = 0;
	bool killed = e <= KILL_DISARMING, armed = false;
	double kill_at = 0, back_at = 0;
	pid_t pid;

	if (e == EVENT_COUNT) {
		snprintf(count, sizeof(count), "%u", 1 + rnd(c, 500));
		extra[0] = "-c";
		extra[1] = count;
	} else if (e == DURATION) {
		snprintf(dur, sizeof(dur), "0.%03u", 5 + rnd(c, 76));
		extra[0] = "--duration";
		extra[1] = dur;
	}
	if (e == READER_GONE && pipe2(out, O_CLOEXEC))
		FAIL("pipe: %s", strerror(errno));
	orphans_adopt();
	pid = spawn_trace(extra, out[1]);
	if (out[1] >= 0)
		close(out[1]);
	if (pid < 0)
		FAIL("cannot start bpfsdt");
	switch (e) {
	case KILL_ANY_TIME:
		sleep_us(rnd(c, 60000));
		armed = xdp_prog_id(c->net->ifindex) != c->orig;
		kill_at = now_ms();
		kill(pid, SIGKILL);
		break;
	case KILL_ARMED:
		armed = wait_armed(c, pid);
		sleep_us(rnd(c, 20000));
		kill_at = now_ms();
		kill(pid, SIGKILL);
		break;
	case KILL_DISARMING:
		armed = wait_armed(c, pid);
		kill(pid, SIGINT);
		sleep_us(rnd(c, 3000));
		kill_at = now_ms();
		kill(pid, SIGKILL);
		break;
	case SIGNAL_ANY_TIME:
		sig = pick_signal(c);
		sleep_us(rnd(c, 80000));
		kill(pid, sig);
		break;
	case READER_GONE: {
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		char buf[512];

		/* once it wrote something, the reader goes */
		if (wait_armed(c, pid) && poll(&p, 1, 5000) == 1 &&
		    read(out[0], buf, sizeof(buf)) < 0)
			FAIL("reading its output: %s", strerror(errno));
		close(out[0]);
		break;
	}
	default:
		break;
	}
	status = wait_exit(pid, SESSION_TIMEOUT_MS);
	if (status < 0) {
		show_session_err();
		FAIL("session %d (%s) did not end", i, ending_names[e]);
	}
	if (status == 2 || status == 3 || status == 4) {
		show_session_err();
		FAIL("session %d (%s) failed with status %d", i, ending_names[e], status);
	}
	if (killed) {
		while (now_ms() - kill_at < GUARDIAN_TIMEOUT_MS && !back_at)
			if (xdp_prog_id(c->net->ifindex) == c->orig)
				back_at = now_ms();
		if (armed && back_at && c->restores < 1024)
			c->restore_ms[c->restores++] = back_at - kill_at;
	}
	if (xdp_prog_id(c->net->ifindex) != c->orig) {
		show_session_err();
		FAIL("session %d (%s%s%s): program id %u on the hook, not the original %u", i,
		     ending_names[e], sig ? ", signal " : "", sig ? strsignal(sig) : "",
		     xdp_prog_id(c->net->ifindex), c->orig);
	}
	orphans_reap(GUARDIAN_TIMEOUT_MS, -1); /* a killed session's guardian */
	c->counts[e]++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report_restores(struct churn *c)
{
	if (!c->restores)
		return;
	qsort(c->restore_ms, c->restores, sizeof(double), cmp_double);
	fprintf(stdout, "    guardian restores after SIGKILL of an armed session: %d, "
		"median %.1f ms, max %.1f ms\n", c->restores, c->restore_ms[c->restores / 2],
		c->restore_ms[c->restores - 1]);
}

static void churn_body(struct testnet *net, unsigned long sessions, bool kills_only)
{
	char stop[300], loop[700];
	char *ping[] = { "ip", "netns", "exec", net->ns_b, "sh", "-c", loop, NULL };
	unsigned long long sent, recv, dups, echos_before, echos;
	struct churn c = { .net = net };
	__u64 counted_before, counted;
	struct cmd_result r;
	struct cmd_proc p;
	double start;
	unsigned long i;
	int batches, e;

	c.rng = env_number("BPFSDT_CHURN_SEED",
			   (unsigned long)time(NULL) ^ (unsigned long)getpid());
	if (!c.rng)
		c.rng = 1;
	fprintf(stdout, "    seed %llu (BPFSDT_CHURN_SEED)\n", c.rng);
	c.orig = xdp_prog_id(net->ifindex);
	c.verdicts_fd = verdicts_map(c.orig);
	ASSERT_TRUE(c.orig && c.verdicts_fd >= 0);
	snprintf(stop, sizeof(stop), "%s", scratch_path("churn.stop"));
	unlink(stop);
	/* batches that each end with every reply in: exact counts, unlike a
	 * flood stopped by a signal with a request in flight */
	snprintf(loop, sizeof(loop), "while [ ! -e %s ]; do ping -q -f -c " PING_BATCH " %s; done",
		 stop, net->ip_a);
	counted_before = own_count(c.verdicts_fd);
	echos_before = in_echos();
	ASSERT_EQ(cmd_start(ping, &p), 0);
	start = now_ms();
	for (i = 0; i < sessions; i++) {
		e = kills_only ? (int)rnd(&c, KILL_DISARMING + 1) : (int)rnd(&c, NR_ENDINGS);
		one_session(&c, e, (int)i);
		if (TEST_STOPPED())
			break;
	}
	close(open(stop, O_WRONLY | O_CREAT, 0644));
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	unlink(stop);
	sleep_us(100000);
	if (TEST_STOPPED())
		return;
	counted = own_count(c.verdicts_fd) - counted_before;
	echos = in_echos() - echos_before;
	close(c.verdicts_fd);
	ASSERT_EQ(ping_totals(r.out, &sent, &recv, &dups, &batches), 0);
	fprintf(stdout, "    %lu sessions in %.1f s:", sessions, (now_ms() - start) / 1e3);
	for (e = 0; e < NR_ENDINGS; e++)
		if (c.counts[e])
			fprintf(stdout, " %s %d;", ending_names[e], c.counts[e]);
	fprintf(stdout, "\n    %llu requests sent in %d ping batches, %llu answered, %llu "
		"duplicates; %llu received by the traced side, %llu counted by the firewall\n",
		sent, batches, recv, dups, echos, (unsigned long long)counted);
	report_restores(&c);
	ASSERT_TRUE(sent > 0);
	ASSERT_EQ(recv, sent);
	ASSERT_EQ(dups, 0);
	ASSERT_EQ(echos, sent);
	ASSERT_EQ(counted, sent);
	cmd_result_free(&r);
}

/* churn_body's parameters, for testnet_run()'s body of one argument. */
static unsigned long churn_sessions;
static bool churn_kills_only;

static void flooded_firewall_body(struct testnet *net)
{
	churn_body(net, churn_sessions, churn_kills_only);
}

static void with_flooded_firewall(int n, unsigned long sessions, bool kills_only)
{
	churn_sessions = sessions;
	churn_kills_only = kills_only;
	testnet_run(n, EXAMPLE, flooded_firewall_body);
}

TEST(trace_churn_1000_sessions_random_endings_keep_the_hook_and_every_packet)
{
	with_flooded_firewall(90, env_number("BPFSDT_CHURN_SESSIONS", 1000), false);
}

TEST(trace_churn_100_sigkills_at_random_moments_leave_no_armed_copy)
{
	with_flooded_firewall(91, env_number("BPFSDT_CHURN_SESSIONS", 100), true);
}
