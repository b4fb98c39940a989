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
#include "bpfsdt_cli.h"
#include "guest_util.h"
#include "runner.h"

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

/* Starts bpfsdt with argv (argv[0] included); relink: BPFSDT_NATIVE=0. */
static int child_start(struct child *c, const char *const *argv, bool relink)
{
	char *const env_relink[] = { "BPFSDT_NATIVE=0", NULL }, *const env_none[] = { NULL };
	int out[2], err[2], i;

	memset(c, 0, sizeof(*c));
	c->fds[0] = c->fds[1] = -1;
	if (pipe(out) || pipe(err))
		return test_fail("pipe: %s", strerror(errno));
	c->pid = fork();
	if (c->pid < 0)
		return test_fail("fork: %s", strerror(errno));
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
	for (i = 0; i < 2; i++) {
		c->buf[i] = calloc(1, OUT_MAX + 1);
		if (!c->buf[i])
			return test_fail("out of memory");
	}
	return 0;
}

/* Reads what the child wrote until its stderr contains `until` (NULL: until
 * both streams end); -1 on a timeout. */
static int child_read(struct child *c, const char *until)
{
	long long deadline = now_ms() + CHILD_TIMEOUT_MS;

	while (c->fds[0] >= 0 || c->fds[1] >= 0) {
		struct pollfd p[2] = { { c->fds[0], POLLIN, 0 }, { c->fds[1], POLLIN, 0 } };
		int i, left = (int)(deadline - now_ms());

		if (until && strstr(c->buf[1], until))
			return 0;
		if (left <= 0 || poll(p, 2, left) <= 0)
			return test_fail("bpfsdt: no %s within %d s; stderr: %s",
					 until ? until : "exit", CHILD_TIMEOUT_MS / 1000, c->buf[1]);
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
	return until && !strstr(c->buf[1], until) ? test_fail("bpfsdt ended before %s; stderr: %s",
							   until, c->buf[1]) : 0;
}

/* Reads to the end and reaps the child: its exit status, or -1. */
static int child_finish(struct child *c)
{
	int status;

	if (child_read(c, NULL)) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, 0);
		return -1;
	}
	if (waitpid(c->pid, &status, 0) < 0)
		return test_fail("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void child_free(struct child *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->fds[i] >= 0)
			close(c->fds[i]);
		free(c->buf[i]);
	}
}

/* Runs bpfsdt to its end; 0 if it exited 0. */
static int bpfsdt(struct child *c, const char *const *argv, bool relink)
{
	int status;

	if (child_start(c, argv, relink))
		return -1;
	status = child_finish(c);
	if (status < 0)
		return -1;
	if (status)
		return test_fail("%s %s exited %d; stderr: %s", BPFSDT, argv[1], status, c->buf[1]);
	return 0;
}

static int write_packet(void)
{
	unsigned char pkt[64];
	int fd;

	make_frame(pkt, sizeof(pkt), ETH_P_IP);
	mkdir("/tmp", 0755);
	fd = open(PKT_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, pkt, sizeof(pkt)) != (ssize_t)sizeof(pkt))
		return test_fail("writing %s: %s", PKT_FILE, strerror(errno));
	close(fd);
	return 0;
}

/* Runs `bpfsdt -v ARGS` (args NULL-terminated) as it chooses and with
 * relinking forced, expecting the same stdout both times and the native
 * line on stderr the first time exactly when in_kernel. */
static int same_output_as_relinked(const char *const *args, bool in_kernel,
				   struct child *native)
{
	const char *argv[CLI_ARGV_MAX] = { BPFSDT, "-v" };	/* the rest NULL: argv's end */
	struct child relinked;
	int i, err = -1;

	/* argv[0], "-v", the args, and a NULL that must stay */
	for (i = 0; args[i]; i++) {
		if (2 + i + 1 >= CLI_ARGV_MAX)
			return test_fail("more than %d arguments for %s", CLI_ARGV_MAX - 3,
					 BPFSDT);
		argv[2 + i] = args[i];
	}
	if (write_packet() || bpfsdt(native, argv, false))
		return -1;
	if (!strstr(native->buf[1], NATIVE_LINE) == in_kernel)
		return test_fail("stderr %s '%s': %s", in_kernel ? "does not say" : "says",
				 NATIVE_LINE, native->buf[1]);
	if (bpfsdt(&relinked, argv, true))
		goto out;
	if (strstr(relinked.buf[1], NATIVE_LINE)) {
		test_fail("BPFSDT_NATIVE=0 still linked in the kernel: %s", relinked.buf[1]);
		goto out;
	}
	if (strcmp(native->buf[0], relinked.buf[0])) {
		test_fail("in-kernel output differs from the relinked one:\n%s--- relinked:\n%s",
			  native->buf[0], relinked.buf[0]);
		goto out;
	}
	err = 0;
out:
	child_free(&relinked);
	return err;
}

/* same_output_as_relinked(), then every string of the NULL-terminated
 * expected must be in the output. */
static int runs_as_relinked_printing(const char *const *args, bool in_kernel,
				     const char *const *expected)
{
	struct child c = { .fds = { -1, -1 } };	/* freed even if never started */
	int err = same_output_as_relinked(args, in_kernel, &c);

	for (; !err && *expected; expected++)
		if (!strstr(c.buf[0], *expected))
			err = test_fail("output lacks '%s': %s", *expected, c.buf[0]);
	child_free(&c);
	return err;
}

int test_bpfsdt_run_traces_the_rfc_example_in_the_kernel(void)
{
	const char *args[] = { "run", obj_path("rfc_target.bpf.o"), "xdp_prog", "--data-in",
			       PKT_FILE, NULL };
	const char *expected[] = { ": my_trace(64, 1)\n",
				   "retval 1 (XDP_DROP), 1 event, 0 lost\n", NULL };

	return runs_as_relinked_printing(args, true, expected);
}

/* Events of several probes, sites in a subprogram and 32 sites of one
 * probe: every event names the same site as when relinked (the site id the
 * kernel's trampolines pass maps back to the right site). 37 events: 3
 * pkt_seen, 32 lap, ints, verdict. */
int test_bpfsdt_run_events_name_the_same_sites_as_relinking(void)
{
	const char *args[] = { "--json", "run", obj_path("sdt_target.bpf.o"), "sdt_target",
			       "--data-in", PKT_FILE, "--trace", "pkt_seen", "--trace", "lap",
			       "--trace", "ints", "--trace", "verdict", NULL };
	const char *expected[] = { "\"events\": 37", NULL };

	return runs_as_relinked_printing(args, true, expected);
}

/* Sites inside guarded blocks: in the kernel the guards of the traced
 * probes turn on with their links (the function probe's too, through the
 * site next to its call); relinked, the copy reads its own guards map. The
 * same events either way, the costly hash included. */
int test_bpfsdt_run_turns_guards_on_in_the_kernel(void)
{
	const char *args[] = { "run", obj_path("guard_target.bpf.o"), "guard_target",
			       "--data-in", PKT_FILE, "--trace", "hashed", "--trace", "fprobe",
			       NULL };
	const char *expected[] = { ": fprobe(64, 128)\n", ": hashed(",
				   "retval 2 (XDP_PASS), 2 events, 0 lost\n", NULL };

	return runs_as_relinked_printing(args, true, expected);
}

int test_bpfsdt_run_counts_in_the_kernel(void)
{
	const char *args[] = { "--json", "run", obj_path("sdt_target.bpf.o"), "sdt_target",
			       "--data-in", PKT_FILE, "--count", "--repeat", "50", NULL };
	const char *expected[] = { "\"hits\": 50", NULL };

	return runs_as_relinked_printing(args, true, expected);
}

/* A compiled observer, loaded as a BPF_TRACE_SDT program: its globals show
 * the arguments and the site id of its last call. */
int test_bpfsdt_run_links_a_compiled_observer_in_the_kernel(void)
{
	char target[256], observer[256];
	const char *args[] = { "--json", "run", target, "xdp_prog", "--data-in", PKT_FILE,
			       "--repeat", "7", "--observer", observer, "--probe", "my_trace", NULL };
	const char *expected[] = { "\"hits\": 7", "\"last_len\": 64", "\"last_ret\": 1",
				   "\"last_site_id\": 0", NULL };

	/* obj_path() returns one static buffer: copy each path out. */
	snprintf(target, sizeof(target), "%s", obj_path("rfc_target.bpf.o"));
	snprintf(observer, sizeof(observer), "%s", obj_path("cli_observer.bpf.o"));
	return runs_as_relinked_printing(args, true, expected);
}

/* bpfsdt's freplace mode: of two compiled observers of a function probe,
 * the first becomes an extension of the probe's function (the site id it
 * sees is ~0: a function does not know its caller), the second, refused a
 * second extension of the same function, is linked at the site next to the
 * call. Both see every call with its arguments, once. */
int test_bpfsdt_run_observes_a_function_probe_by_freplace(void)
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
	struct child c = { .fds = { -1, -1 } };	/* freed even if never started */
	int i, ret = 0;

	snprintf(target, sizeof(target), "%s", obj_path("guard_target.bpf.o"));
	snprintf(observer, sizeof(observer), "%s", obj_path("fprobe_observers.bpf.o"));
	if (write_packet() || bpfsdt(&c, argv, false)) {
		child_free(&c);
		return -1;
	}
	for (i = 0; !ret && out[i]; i++)
		if (!strstr(c.buf[0], out[i]))
			ret = test_fail("output lacks '%s': %s", out[i], c.buf[0]);
	for (i = 0; !ret && err[i]; i++)
		if (!strstr(c.buf[1], err[i]))
			ret = test_fail("stderr lacks '%s': %s", err[i], c.buf[1]);
	if (!ret && strstr(c.buf[0], "\"second_site\": 18446744073709551615"))
		ret = test_fail("the second observer was not called at the site: %s", c.buf[0]);
	child_free(&c);
	return ret;
}

/* A six-argument site does not fit the kernel's site record: the program
 * is relinked, its events as on any kernel. */
int test_bpfsdt_run_relinks_a_program_with_a_six_argument_probe(void)
{
	const char *args[] = { "run", obj_path("wide_target.bpf.o"), "wide_target", "--data-in",
			       PKT_FILE, NULL };
	const char *expected[] = { ": six(64, 1, 2, 3, 4, 5)\n", ": two(64, 7)\n", NULL };

	return runs_as_relinked_printing(args, false, expected);
}

static int set_lo_up(void)
{
	struct ifreq ifr = {};
	int s = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		err = test_fail("lo: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(s, SIOCSIFFLAGS, &ifr))
		err = test_fail("setting lo up: %s", strerror(errno));
	if (s >= 0)
		close(s);
	return err;
}

/* n UDP datagrams of 22 bytes to 127.0.0.1: 64-byte frames on lo. */
static int send_udp(int n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	char payload[22] = "bpfsdt guest trace";
	int s = socket(AF_INET, SOCK_DGRAM, 0), i;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0)
		return test_fail("socket: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			close(s);
			return test_fail("sendto: %s", strerror(errno));
		}
	close(s);
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

/* The RFC's target, loaded by the tree's libbpf (which passes its sites)
 * and attached to lo; `bpfsdt trace` links its tracer in the kernel and
 * the program on lo stays the same one throughout. */
int test_bpfsdt_trace_follows_a_live_xdp_program_without_swapping_it(void)
{
	const char *argv[] = { BPFSDT, "-v", "--json", "trace", "--xdp", "lo",
			       obj_path("rfc_target.bpf.o"), "-c", "3", NULL };
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct child c = { .fds = { -1, -1 } };
	__u32 id_before, id_during, id_after;
	int ifindex, err = -1, status;

	if (set_lo_up())
		return -1;
	ifindex = (int)if_nametoindex("lo");
	obj = bpf_object__open_file(obj_path("rfc_target.bpf.o"), NULL);
	if (!obj || bpf_object__load(obj)) {
		test_fail("loading rfc_target.bpf.o: %s", strerror(errno));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_prog");
	if (bpf_xdp_attach(ifindex, bpf_program__fd(prog), XDP_FLAGS_SKB_MODE, NULL)) {
		test_fail("XDP on lo: %s", strerror(errno));
		goto out;
	}
	id_before = xdp_prog_id(ifindex);
	if (child_start(&c, argv, false) || child_read(&c, "tracing "))
		goto detach;
	id_during = xdp_prog_id(ifindex);
	if (send_udp(3))
		goto detach;
	status = child_finish(&c);
	id_after = xdp_prog_id(ifindex);
	if (status) {
		test_fail("bpfsdt trace exited %d; stderr: %s", status, c.buf[1]);
		goto detach;
	}
	if (!strstr(c.buf[1], "runs with its SDT sites: " NATIVE_LINE)) {
		test_fail("stderr does not say the program runs with its sites: %s", c.buf[1]);
		goto detach;
	}
	if (id_during != id_before || id_after != id_before) {
		test_fail("program on lo changed: id %u before, %u while tracing, %u after",
			  id_before, id_during, id_after);
		goto detach;
	}
	if (count_lines(c.buf[0], "{\"probe\": \"my_trace\", \"function\": \"xdp_prog\"") != 3 ||
	    count_lines(c.buf[0], "\"args\": [64, 1]}") != 3) {
		test_fail("expected 3 my_trace(64, 1) events: %s", c.buf[0]);
		goto detach;
	}
	err = 0;
detach:
	bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
out:
	if (c.pid > 0 && c.fds[0] >= 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &status, 0);
	}
	if (c.buf[0])
		child_free(&c);
	bpf_object__close(obj);
	return err;
}
