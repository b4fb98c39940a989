// SPDX-License-Identifier: GPL-2.0
/*
 * bpfsdt itself on a kernel with in-kernel SDT: `bpfsdt run` and `trace`
 * must link their observers in the kernel (no relinked copy, no swap) and
 * print exactly what the relinking path prints (BPFSDT_NATIVE=0 forces
 * that path on this same kernel, which makes it the reference).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "guest.h"
#include "guest_util.h"

#define BPFSDT "/bin/bpfsdt"
#define PKT_FILE "/tmp/pkt64"
#define OUT_MAX 65536
#define CHILD_TIMEOUT_MS 120000
#define CLI_ARGV_MAX 32
#define NATIVE_LINE "observers are linked in the kernel"

/* A running bpfsdt with its stdout and stderr. */
struct child {
	pid_t pid;
	int fds[2];		/* stdout, stderr */
	char *buf[2];
	size_t len[2];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Starts bpfsdt with argv (argv[0] included); relink: BPFSDT_NATIVE=0.
 * 0, or -1 after failing the test. */
static int child_start(struct child *c, const char *const *argv, bool relink)
{
	char *const env_relink[] = { "BPFSDT_NATIVE=0", NULL }, *const env_none[] = { NULL };
	int out[2], err[2], i;

	memset(c, 0, sizeof(*c));
	c->fds[0] = c->fds[1] = -1;
	for (i = 0; i < 2; i++) {
		c->buf[i] = calloc(1, OUT_MAX + 1);
		if (!c->buf[i])
			return FAIL_NOTE("out of memory"), -1;
	}
	if (pipe(out) || pipe(err))
		return FAIL_NOTE("pipe: %s", strerror(errno)), -1;
	c->pid = fork();
	if (c->pid < 0)
		return FAIL_NOTE("fork: %s", strerror(errno)), -1;
	if (!c->pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execve(BPFSDT, (char *const *)argv, relink ? env_relink : env_none);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	c->fds[0] = out[0];
	c->fds[1] = err[0];
	return 0;
}

/* Reads what the child wrote until its stderr contains `until` (NULL: until
 * both streams end); -1 (the test failed) on a timeout. */
static int child_read(struct child *c, const char *until)
{
	long long deadline = now_ms() + CHILD_TIMEOUT_MS;

	while (c->fds[0] >= 0 || c->fds[1] >= 0) {
		struct pollfd p[2] = { { c->fds[0], POLLIN, 0 }, { c->fds[1], POLLIN, 0 } };
		int i, left = (int)(deadline - now_ms());

		if (until && strstr(c->buf[1], until))
			return 0;
		if (left <= 0 || poll(p, 2, left) <= 0)
			return FAIL_NOTE("bpfsdt: no %s within %d s; stderr: %s",
					 until ? until : "exit", CHILD_TIMEOUT_MS / 1000,
					 c->buf[1]), -1;
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (c->fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(c->fds[i], c->buf[i] + c->len[i], OUT_MAX - c->len[i]);
			if (n <= 0) {
				close(c->fds[i]);
				c->fds[i] = -1;
			} else {
				c->len[i] += (size_t)n;
			}
		}
	}
	if (until && !strstr(c->buf[1], until))
		return FAIL_NOTE("bpfsdt ended before %s; stderr: %s", until, c->buf[1]), -1;
	return 0;
}

/* Reads to the end and reaps the child: its exit status, or -1. */
static int child_finish(struct child *c)
{
	int status;

	if (child_read(c, NULL))
		return -1; /* child_free() kills it */
	if (waitpid(c->pid, &status, 0) < 0)
		return FAIL_NOTE("waitpid: %s", strerror(errno)), -1;
	c->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A child still running (a test that stopped halfway) is killed and
 * reaped: struct child c __cleanup(child_free) = CHILD_NONE; */
static void child_free(struct child *c)
{
	int i, status;

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, 0);
	}
	c->pid = 0;
	for (i = 0; i < 2; i++) {
		if (c->fds[i] >= 0)
			close(c->fds[i]);
		c->fds[i] = -1;
		free(c->buf[i]);
		c->buf[i] = NULL;
	}
}

#define CHILD_NONE { .fds = { -1, -1 } }

/* Runs bpfsdt to its end; 0 if it exited 0, else -1 after failing the test. */
static int bpfsdt(struct child *c, const char *const *argv, bool relink)
{
	int status;

	if (child_start(c, argv, relink))
		return -1;
	status = child_finish(c);
	if (status < 0)
		return -1;
	if (status)
		return FAIL_NOTE("%s %s exited %d; stderr: %s", BPFSDT, argv[1], status,
				 c->buf[1]), -1;
	return 0;
}

static int write_packet(void)
{
	unsigned char pkt[64];
	int fd __cleanup(close_fdp) = -1;

	make_frame(pkt, sizeof(pkt), ETH_P_IP);
	mkdir("/tmp", 0755);
	fd = open(PKT_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, pkt, sizeof(pkt)) != (ssize_t)sizeof(pkt))
		return FAIL_NOTE("writing %s: %s", PKT_FILE, strerror(errno)), -1;
	return 0;
}

/* Drops what no two runs share, so that outputs compare by what they say
 * of the program: where and when events ran (JSON "cpu", "time_ns",
 * "wall_ns") and how long a run took (the summary's JSON "duration_ns",
 * text ", N ns per run"). */
static void drop_run_fields(char *out)
{
	static const char *const keys[] = { ", \"cpu\": ", ", \"time_ns\": ", ", \"wall_ns\": ",
					    ", \"duration_ns\": " };
	static const char per_run[] = " ns per run";
	char *p, *end;
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		while ((p = strstr(out, keys[k]))) {
			end = p + strlen(keys[k]);
			while (*end >= '0' && *end <= '9')
				end++;
			memmove(p, end, strlen(end) + 1);
		}
	}
	while ((end = strstr(out, per_run))) {
		p = end;
		while (p > out && p[-1] >= '0' && p[-1] <= '9')
			p--;
		if (p - out >= 2 && p[-2] == ',' && p[-1] == ' ')
			p -= 2;
		end += sizeof(per_run) - 1;
		memmove(p, end, strlen(end) + 1);
	}
}

/* Runs `bpfsdt -v ARGS` (args NULL-terminated) as it chooses and with
 * relinking forced: the same stdout both times, and the native line on
 * stderr the first time exactly when in_kernel; every string of the
 * NULL-terminated expected in the output. */
static void runs_as_relinked_printing(const char *const *args, bool in_kernel,
				      const char *const *expected)
{
	const char *argv[CLI_ARGV_MAX] = { BPFSDT, "-v" };	/* the rest NULL: argv's end */
	struct child native __cleanup(child_free) = CHILD_NONE;
	struct child relinked __cleanup(child_free) = CHILD_NONE;
	int i;

	/* argv[0], "-v", the args, and a NULL that must stay */
	for (i = 0; args[i]; i++) {
		if (2 + i + 1 >= CLI_ARGV_MAX)
			FAIL("more than %d arguments for %s", CLI_ARGV_MAX - 3, BPFSDT);
		argv[2 + i] = args[i];
	}
	ASSERT_EQ(write_packet(), 0);
	ASSERT_EQ(bpfsdt(&native, argv, false), 0);
	if (in_kernel)
		ASSERT_CONTAINS(native.buf[1], NATIVE_LINE);
	else if (strstr(native.buf[1], NATIVE_LINE))
		FAIL("stderr says '%s': %s", NATIVE_LINE, native.buf[1]);
	ASSERT_EQ(bpfsdt(&relinked, argv, true), 0);
	if (strstr(relinked.buf[1], NATIVE_LINE))
		FAIL("BPFSDT_NATIVE=0 still linked in the kernel: %s", relinked.buf[1]);
	drop_run_fields(native.buf[0]);
	drop_run_fields(relinked.buf[0]);
	if (strcmp(native.buf[0], relinked.buf[0])) {
		const char *a = native.buf[0], *b = relinked.buf[0];
		size_t line = 1;

		/* the first line that differs: a whole output is too long */
		for (; *a && *a == *b; a++, b++)
			line += *a == '\n';
		while (a > native.buf[0] && a[-1] != '\n')
			a--, b--;
		FAIL("in-kernel output differs from the relinked one at line %zu:\n%.200s\n--- relinked:\n%.200s",
		     line, a, b);
	}
	for (; *expected; expected++)
		ASSERT_CONTAINS(native.buf[0], *expected);
}

TEST(bpfsdt_run_traces_the_rfc_example_in_the_kernel)
{
	const char *args[] = { "run", obj_path("rfc_target.bpf.o"), "xdp_prog", "--data-in",
			       PKT_FILE, NULL };
	const char *expected[] = { ": my_trace(64, 1)\n",
				   "retval 1 (XDP_DROP), 1 event, 0 lost\n", NULL };

	runs_as_relinked_printing(args, true, expected);
}

/* Events of several probes, sites in a subprogram and 32 sites of one
 * probe: every event names the same site as when relinked (the site id the
 * kernel's trampolines pass maps back to the right site). 37 events: 3
 * pkt_seen, 32 lap, ints, verdict. */
TEST(bpfsdt_run_events_name_the_same_sites_as_relinking)
{
	const char *args[] = { "--json", "run", obj_path("sdt_target.bpf.o"), "sdt_target",
			       "--data-in", PKT_FILE, "--trace", "pkt_seen", "--trace", "lap",
			       "--trace", "ints", "--trace", "verdict", NULL };
	const char *expected[] = { "\"events\": 37", NULL };

	runs_as_relinked_printing(args, true, expected);
}

/* Sites inside guarded blocks: in the kernel the guards of the traced
 * probes turn on with their links (the function probe's too, through the
 * site next to its call); relinked, the copy reads its own guards map. The
 * same events either way, the costly hash included. */
TEST(bpfsdt_run_turns_guards_on_in_the_kernel)
{
	const char *args[] = { "run", obj_path("guard_target.bpf.o"), "guard_target",
			       "--data-in", PKT_FILE, "--trace", "hashed", "--trace", "fprobe",
			       NULL };
	const char *expected[] = { ": fprobe(64, 128)\n", ": hashed(",
				   "retval 2 (XDP_PASS), 2 events, 0 lost\n", NULL };

	runs_as_relinked_printing(args, true, expected);
}

TEST(bpfsdt_run_counts_in_the_kernel)
{
	const char *args[] = { "--json", "run", obj_path("sdt_target.bpf.o"), "sdt_target",
			       "--data-in", PKT_FILE, "--count", "--repeat", "50", NULL };
	const char *expected[] = { "\"hits\": 50", NULL };

	runs_as_relinked_printing(args, true, expected);
}

/* A compiled observer, loaded as a BPF_TRACE_SDT program: its globals show
 * the arguments and the site id of its last call. */
TEST(bpfsdt_run_links_a_compiled_observer_in_the_kernel)
{
	char target[256], observer[256];
	const char *args[] = { "--json", "run", target, "xdp_prog", "--data-in", PKT_FILE,
			       "--repeat", "7", "--observer", observer, "--probe", "my_trace", NULL };
	const char *expected[] = { "\"hits\": 7", "\"last_len\": 64", "\"last_ret\": 1",
				   "\"last_site_id\": 0", NULL };

	snprintf(target, sizeof(target), "%s", obj_path("rfc_target.bpf.o"));
	snprintf(observer, sizeof(observer), "%s", obj_path("cli_observer.bpf.o"));
	runs_as_relinked_printing(args, true, expected);
}

/* bpfsdt's freplace mode: of two compiled observers of a function probe,
 * the first becomes an extension of the probe's function (the site id it
 * sees is ~0: a function does not know its caller), the second, refused a
 * second extension of the same function, is linked at the site next to the
 * call. Both see every call with its arguments, once. */
TEST(bpfsdt_run_observes_a_function_probe_by_freplace)
{
	char target[256], observer[256];
	const char *argv[] = { BPFSDT, "-v", "--json", "run", target, "guard_target", "--data-in",
			       PKT_FILE, "--repeat", "5", "--observer", observer, NULL };
	const char *out[] = { "\"first_hits\": 5", "\"first_a\": 64", "\"first_b\": 128",
			      "\"first_site\": 18446744073709551615", "\"first_cookie\": 0",
			      "\"second_hits\": 5", "\"second_a\": 64", "\"second_b\": 128",
			      NULL };
	const char *err[] = { "observer first (program guard_target): replaces function probe fprobe's function (freplace)",
			      "observer second (program guard_target): another extension replaces function probe fprobe: observed at its site",
			      NULL };
	struct child c __cleanup(child_free) = CHILD_NONE;
	int i;

	snprintf(target, sizeof(target), "%s", obj_path("guard_target.bpf.o"));
	snprintf(observer, sizeof(observer), "%s", obj_path("fprobe_observers.bpf.o"));
	ASSERT_EQ(write_packet(), 0);
	ASSERT_EQ(bpfsdt(&c, argv, false), 0);
	for (i = 0; out[i]; i++)
		ASSERT_CONTAINS(c.buf[0], out[i]);
	for (i = 0; err[i]; i++)
		ASSERT_CONTAINS(c.buf[1], err[i]);
	if (strstr(c.buf[0], "\"second_site\": 18446744073709551615"))
		FAIL("the second observer was not called at the site: %s", c.buf[0]);
}

/* A six-argument site does not fit the kernel's site record: the program
 * is relinked, its events as on any kernel. */
TEST(bpfsdt_run_relinks_a_program_with_a_six_argument_probe)
{
	const char *args[] = { "run", obj_path("wide_target.bpf.o"), "wide_target", "--data-in",
			       PKT_FILE, NULL };
	const char *expected[] = { ": six(64, 1, 2, 3, 4, 5)\n", ": two(64, 7)\n", NULL };

	runs_as_relinked_printing(args, false, expected);
}

static int set_lo_up(void)
{
	struct ifreq ifr = {};
	int s __cleanup(close_fdp) = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		return FAIL_NOTE("lo: %s", strerror(errno)), -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		return FAIL_NOTE("setting lo up: %s", strerror(errno)), -1;
	return 0;
}

/* n UDP datagrams of 22 bytes to 127.0.0.1: 64-byte frames on lo. */
static int send_udp(int n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	char payload[22] = "bpfsdt guest trace";
	int s __cleanup(close_fdp) = socket(AF_INET, SOCK_DGRAM, 0), i;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0)
		return FAIL_NOTE("socket: %s", strerror(errno)), -1;
	for (i = 0; i < n; i++)
		if (sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			return FAIL_NOTE("sendto: %s", strerror(errno)), -1;
	return 0;
}

static __u32 xdp_prog_id(int ifindex)
{
	__u32 id = 0;

	bpf_xdp_query_id(ifindex, XDP_FLAGS_SKB_MODE, &id);
	return id;
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)); text += strlen(needle))
		n++;
	return n;
}

static void xdp_detach_lo(void *ifindex)
{
	bpf_xdp_detach((int)(long)ifindex, XDP_FLAGS_SKB_MODE, NULL);
}

/* The RFC's target, loaded by the tree's libbpf (which passes its sites)
 * and attached to lo; `bpfsdt trace` links its tracer in the kernel and
 * the program on lo stays the same one throughout. */
TEST(bpfsdt_trace_follows_a_live_xdp_program_without_swapping_it)
{
	const char *argv[] = { BPFSDT, "-v", "--json", "trace", "--xdp", "lo",
			       obj_path("rfc_target.bpf.o"), "-c", "3", NULL };
	struct child c __cleanup(child_free) = CHILD_NONE;
	__u32 id_before, id_during, id_after;
	struct bpf_object *obj;
	struct bpf_program *prog;
	int ifindex, status;

	ASSERT_EQ(set_lo_up(), 0);
	ifindex = (int)if_nametoindex("lo");
	ASSERT_TRUE(ifindex > 0);
	obj = bpf_object__open_file(obj_path("rfc_target.bpf.o"), NULL);
	if (!obj)
		FAIL("opening rfc_target.bpf.o: %s", strerror(errno));
	DEFER(bpf_object__close, obj);
	ASSERT_EQ(bpf_object__load(obj), 0);
	prog = bpf_object__find_program_by_name(obj, "xdp_prog");
	ASSERT_TRUE(prog != NULL);
	if (bpf_xdp_attach(ifindex, bpf_program__fd(prog), XDP_FLAGS_SKB_MODE, NULL))
		FAIL("XDP on lo: %s", strerror(errno));
	test_defer(xdp_detach_lo, (void *)(long)ifindex);
	id_before = xdp_prog_id(ifindex);
	ASSERT_EQ(child_start(&c, argv, false), 0);
	ASSERT_EQ(child_read(&c, "tracing "), 0);
	id_during = xdp_prog_id(ifindex);
	ASSERT_EQ(send_udp(3), 0);
	status = child_finish(&c);
	id_after = xdp_prog_id(ifindex);
	if (status)
		FAIL("bpfsdt trace exited %d; stderr: %s", status, c.buf[1]);
	ASSERT_CONTAINS(c.buf[1], "runs with its SDT sites: " NATIVE_LINE);
	ASSERT_EQ(id_during, id_before); /* the program on lo never changed */
	ASSERT_EQ(id_after, id_before);
	if (count_lines(c.buf[0], "{\"probe\": \"my_trace\", \"function\": \"xdp_prog\"") != 3 ||
	    count_lines(c.buf[0], "\"args\": [64, 1],") != 3)
		FAIL("expected 3 my_trace(64, 1) events: %s", c.buf[0]);
}
