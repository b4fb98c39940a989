// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include <bpf/libbpf.h>
#include "libbpfsdt.h"
#include "test.h"

extern char **environ;

static char *next_buf(void)
{
	static char bufs[8][512];
	static int i;

	return bufs[i++ % 8];
}

const char *corpus_variant_path(const char *variant, const char *name)
{
	char *b = next_buf();

	snprintf(b, 512, "%s/tests/bpf/%s%s%s.bpf.o", TEST_BUILD_DIR, variant ? variant : "",
		 variant ? "/" : "", name);
	return b;
}

const char *corpus_path(const char *name)
{
	return corpus_variant_path(NULL, name);
}

const char *bpfsdt_bin(void)
{
	return TEST_BUILD_DIR "/bpfsdt";
}

const char *scratch_path(const char *name)
{
	char *b = next_buf();

	mkdir(TEST_BUILD_DIR "/tests/scratch", 0755);
	snprintf(b, 512, "%s/tests/scratch/%s", TEST_BUILD_DIR, name);
	return b;
}

struct growbuf {
	char *s;
	size_t len, cap;
};

/* Geometric growth: commands may print tens of megabytes. */
static void append(struct growbuf *b, const char *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *s;

		while (cap < b->len + n + 1)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s) {
			test_fail(__FILE__, __LINE__, "out of memory for %zu bytes of output", cap);
			return; /* what the command printed is cut here */
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int run_cmd(char *const argv[], struct cmd_result *res)
{
	posix_spawn_file_actions_t fa;
	int out[2], err[2], status, i;
	struct growbuf bo = {}, be = {};
	struct pollfd pfd[2];
	char chunk[4096];
	bool killed = false;
	long long start;
	pid_t pid;
	int open_fds = 2;

	memset(res, 0, sizeof(*res));
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	pfd[0] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = err[0], .events = POLLIN };
	start = now_ms();
	while (open_fds) {
		/* a command that should end on its own and does not (a test
		 * that expected it to fail at once) must not hang the suite */
		if (!killed && now_ms() - start > CMD_FINISH_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			killed = true;
		} else if (killed && now_ms() - start > CMD_FINISH_TIMEOUT_MS + 5000) {
			break; /* something it started still holds its output */
		}
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				append(i ? &be : &bo, chunk, n);
			} else {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	append(&bo, "", 0);
	append(&be, "", 0);
	res->out = bo.s;
	res->err = be.s;
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

void cmd_result_free(struct cmd_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

/* The digits at p become one 'N'; the rest of s moves up. */
static void mask_digits(char *p)
{
	size_t n = strspn(p, "0123456789");

	if (!n)
		return;
	*p = 'N';
	memmove(p + 1, p + n, strlen(p + n) + 1);
}

void mask_run_durations(char *out)
{
	static const char key[] = "\"duration_ns\": ";
	char *p;

	for (p = out; p && (p = strstr(p, key)); p++)
		mask_digits(p + strlen(key));
	for (p = out; p && (p = strstr(p, " ns per run")); p++) {
		char *q = p;

		while (q > out && q[-1] >= '0' && q[-1] <= '9')
			q--;
		if (q < p) {
			mask_digits(q);
			p = q + 1;
		}
	}
}

static struct growbuf diag;
static bpf_sdt_print_fn_t saved_print;

static int capture_print(enum bpf_sdt_print_level level, const char *fmt, va_list args)
{
	char line[2048];
	int n;

	if (level != BPF_SDT_WARN)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, args);
	if (n > 0)
		append(&diag, line, strlen(line));
	return n;
}

void diag_capture_begin(void)
{
	free(diag.s);
	diag = (struct growbuf){};
	append(&diag, "", 0);
	saved_print = bpf_sdt_set_print(capture_print);
}

const char *diag_captured(void)
{
	return diag.s;
}

void diag_capture_end(void)
{
	bpf_sdt_set_print(saved_print);
}

void *read_whole_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n ? n : 1);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = n;
	}
	fclose(f);
	return buf;
}

/* libbpf's informational chatter ("skipping unrecognized data section")
 * would drown the test report; keep its warnings. */
static int libbpf_warnings_only(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

__attribute__((constructor)) static void quiet_libbpf(void)
{
	libbpf_set_print(libbpf_warnings_only);
}

/* A file as a string; "" (failing the test) when memory is short. */
static char *slurp(const char *path)
{
	size_t size = 0;
	char *buf = read_whole_file(path, &size), *s = malloc(size + 1);

	if (!s) {
		free(buf);
		test_fail(__FILE__, __LINE__, "out of memory for %s", path);
		return calloc(1, 1); /* NULL if even that fails: tests check strings */
	}
	if (buf)
		memcpy(s, buf, size);
	s[size] = '\0';
	free(buf);
	return s;
}

const char *scratch_file(const char *name, const void *data, size_t len)
{
	const char *path = scratch_path(name);
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(data, 1, len, f) == len;

	if (f && fclose(f))
		ok = false;
	if (!ok) {
		test_fail(__FILE__, __LINE__, "cannot write %s: %s", path, strerror(errno));
		return "/nonexistent"; /* the command using it fails too */
	}
	return path;
}

const char *scratch_frame(const char *name, size_t len)
{
	unsigned char *pkt = calloc(1, len + 13);
	const char *path;

	if (!pkt) {
		test_fail(__FILE__, __LINE__, "out of memory for a %zu-byte frame", len);
		return "/nonexistent";
	}
	pkt[12] = 0x08; /* IPv4 */
	path = scratch_file(name, pkt, len);
	free(pkt);
	return path;
}

char *read_text_file(const char *path)
{
	return slurp(path);
}

/* Commands started and not finished yet: a test that stops at a failed
 * assertion leaves its background command running (holding a hook, a
 * namespace's program); the runner ends them after every test. */
#define MAX_RUNNING 64
static pid_t running[MAX_RUNNING];

static void track(pid_t pid, bool add)
{
	int i;

	for (i = 0; i < MAX_RUNNING; i++)
		if (add ? !running[i] : running[i] == pid) {
			running[i] = add ? pid : 0;
			return;
		}
}

void cmd_reap_leftovers(void)
{
	int i, waited, status;

	for (i = 0; i < MAX_RUNNING; i++) {
		if (!running[i])
			continue;
		kill(running[i], SIGINT); /* lets bpfsdt put the original back */
		for (waited = 0; waited < 3000; waited += 10) {
			if (waitpid(running[i], &status, WNOHANG) != 0)
				break;
			usleep(10000);
		}
		if (waited >= 3000) {
			kill(running[i], SIGKILL);
			waitpid(running[i], &status, 0);
		}
		running[i] = 0;
	}
}

/* stdout to out_path, to the pipe out_pipe (when out_fd >= 0), or to a
 * scratch file. */
static int start(char *const argv[], struct cmd_proc *p, const char *out_path, int out_fd)
{
	static int seq;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	snprintf(p->out_path, sizeof(p->out_path), "%s",
		 out_path ? out_path : scratch_path("bg.out"));
	if (!out_path)
		snprintf(p->out_path + strlen(p->out_path), 32, ".%d", seq);
	snprintf(p->err_path, sizeof(p->err_path), "%s", scratch_path("bg.err"));
	snprintf(p->err_path + strlen(p->err_path), 32, ".%d", seq++);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, p->out_path,
						 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, p->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	p->pid = err ? -1 : pid;
	if (!err)
		track(pid, true);
	return err ? -1 : 0;
}

int cmd_start(char *const argv[], struct cmd_proc *p)
{
	return start(argv, p, NULL, -1);
}

int cmd_start_to(char *const argv[], struct cmd_proc *p, const char *out_path)
{
	return start(argv, p, out_path, -1);
}

int cmd_start_piped(char *const argv[], struct cmd_proc *p, int *out_read_fd)
{
	int fds[2], err;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	err = start(argv, p, "/dev/null", fds[1]);
	close(fds[1]);
	if (err)
		close(fds[0]);
	else
		*out_read_fd = fds[0];
	return err;
}

int cmd_wait_err(const struct cmd_proc *p, const char *needle, int timeout_ms)
{
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 10) {
		char *err = slurp(p->err_path);
		bool found = err && strstr(err, needle);

		free(err);
		if (found)
			return 0;
		usleep(10000);
	}
	return -1;
}

int cmd_finish(struct cmd_proc *p, int sig, struct cmd_result *res)
{
	int status = 0, waited;

	memset(res, 0, sizeof(*res));
	if (p->pid <= 0)
		return -1;
	if (sig)
		kill(p->pid, sig);
	/* a command that should have ended on its own fails the test rather
	 * than hang it: killed after CMD_FINISH_TIMEOUT_MS */
	for (waited = 0; ; waited += 10) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);

		if (r == p->pid || (r < 0 && errno != EINTR))
			break;
		if (waited >= CMD_FINISH_TIMEOUT_MS) {
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		usleep(10000);
	}
	track(p->pid, false);
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	res->out = slurp(p->out_path);
	res->err = slurp(p->err_path);
	return 0;
}

const char *scratch_bpffs(void)
{
	static char dir[256];
	char cmd[1024];

	snprintf(dir, sizeof(dir), "%s", scratch_path("bpffs"));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && (mountpoint -q %s || mount -t bpf bpf %s)",
		 dir, dir, dir);
	return system(cmd) ? NULL : dir;
}

void scratch_bpffs_release(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "umount %s 2>/dev/null", scratch_path("bpffs"));
	if (system(cmd)) {
		/* not mounted: nothing to release */
	}
}

char *oracle_probe_sites(const char *object, const char *probe)
{
	char *argv[] = { "python3", "tests/oracle/site_at.py", (char *)object, (char *)probe, NULL };
	struct cmd_result r;
	char *out;

	if (run_cmd(argv, &r))
		return NULL;
	out = r.status ? NULL : strdup(r.out);
	cmd_result_free(&r);
	return out;
}

int oracle_site_insn(const char *object, const char *probe, const char *source,
		     const char *marker)
{
	char *argv[] = { "python3", "tests/oracle/site_at.py", (char *)object, (char *)probe,
			 (char *)source, (char *)marker, NULL };
	struct cmd_result r;
	int insn = -1;

	if (run_cmd(argv, &r))
		return -1;
	if (r.status || sscanf(r.out, "%d", &insn) != 1)
		insn = -1;
	cmd_result_free(&r);
	return insn;
}

/* The pids /proc lists as children of pid (its main thread's), into
 * pids[max]; how many. */
static int children_of(pid_t pid, pid_t *pids, int max)
{
	char path[64], list[4096], *p, *end;
	ssize_t len = 0;
	int n = 0, fd;

	/* a /proc file has no size to seek to: read() it */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = read(fd, list, sizeof(list) - 1);
		close(fd);
	}
	list[len > 0 ? len : 0] = '\0';
	for (p = list; n < max; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		pids[n++] = (pid_t)v;
	}
	return n;
}

int cmd_guardian_pid(const struct cmd_proc *p)
{
	pid_t kids[4];

	return children_of(p->pid, kids, 4) > 0 ? kids[0] : -1;
}

int cmd_kill_with_guardian(struct cmd_proc *p, struct cmd_result *res)
{
	int guardian = cmd_guardian_pid(p);

	int err;

	orphans_adopt();
	if (guardian > 0)
		kill(guardian, SIGKILL); /* first: else it would put the original back */
	err = cmd_finish(p, SIGKILL, res);
	orphans_reap(1000, -1);
	return err;
}

void orphans_adopt(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static bool tracked(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_RUNNING; i++)
		if (running[i] == pid)
			return true;
	return false;
}

int orphans_reap(int timeout_ms, pid_t spare)
{
	pid_t kids[64];
	int n, i, waited, reaped = 0, status;

	for (waited = 0; ; waited += 1) {
		int left = 0;

		n = children_of(getpid(), kids, 64);
		for (i = 0; i < n; i++) {
			if (kids[i] == spare || tracked(kids[i]))
				continue;
			if (waitpid(kids[i], &status, WNOHANG) == kids[i]) {
				reaped++;
			} else if (waited >= timeout_ms) {
				kill(kids[i], SIGKILL);
				waitpid(kids[i], &status, 0);
				reaped++;
			} else {
				left++;
			}
		}
		if (!left) {
			prctl(PR_SET_CHILD_SUBREAPER, 0);
			return reaped;
		}
		usleep(1000);
	}
}

int source_line_of(const char *path, const char *text)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	while (f && fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, text)) {
			fclose(f);
			return n;
		}
	}
	if (f)
		fclose(f);
	return -1;
}

char *strip_event_stamps(char *s)
{
	static const char *const keys[] = { ", \"site\": ", ", \"cpu\": ", ", \"time_ns\": ",
					    ", \"wall_ns\": ", ", \"frame\": " };
	char *p;
	size_t k;

	for (k = 0; s && k < sizeof(keys) / sizeof(keys[0]); k++) {
		while ((p = strstr(s, keys[k]))) {
			char *end = p + strlen(keys[k]);

			while (*end >= '0' && *end <= '9')
				end++;
			memmove(p, end, strlen(end) + 1);
		}
	}
	return s;
}
