// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * How many events per second reach the screen (here /dev/null) from one
 * core: bpfsdt's ring buffer formatted by the CLI's own printer (text and
 * JSON), against bpf_printk read back through trace_pipe.
 *
 *   trace-throughput BASIC.bpf.o PRINTK.bpf.o EVENTS
 *
 * Each pipeline first collects EVENTS events from BPF_PROG_TEST_RUN into
 * buffers big enough for all of them, then the consumer is timed alone.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include "libbpfsdt.h"
#include "run_output.h"

#define TRACEFS "/sys/kernel/tracing"
#define RINGBUF_SIZE (1u << 28)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static int run_packets(int fd, unsigned int n)
{
	unsigned char pkt[64] = { [12] = 0x08 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = n);

	return bpf_prog_test_run_opts(fd, &opts);
}

/* Consumes everything in the tracer, formatted as the CLI does, to
 * /dev/null; returns events per second. */
static double bpfsdt_rate(struct bpf_sdt_tracer *tr, struct bpf_sdt_target *t, bool json,
			  unsigned long long *got)
{
	struct run_output out = { .json = json, .sdt = bpf_sdt_target__probes(t) };
	int saved = dup(STDOUT_FILENO);
	double t0;

	fflush(stdout);
	if (!freopen("/dev/null", "w", stdout))
		return 0;
	t0 = now();
	while (bpf_sdt_tracer__poll(tr, 0, print_event, &out) > 0)
		;
	fflush(stdout);
	t0 = now() - t0;
	run_output_free(&out);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	*got = out.events;
	return out.events / t0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -EIO;
}

/* bpf_printk events through trace_pipe, read to /dev/null. */
static double trace_pipe_rate(const char *obj_path, unsigned int n, unsigned long long *got)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	char buf[1 << 16], kb[32];
	int pipe_fd, null_fd, empty = 0;
	double t0 = 0, rate = 0;
	ssize_t r;

	*got = 0;
	if (access(TRACEFS "/trace_pipe", R_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	/* room for every event on the CPU that produces them */
	snprintf(kb, sizeof(kb), "%u", n / 1024 * 160 + 1024);
	if (!obj || bpf_object__load(obj) || write_file(TRACEFS "/buffer_size_kb", kb) ||
	    write_file(TRACEFS "/trace", ""))
		goto out;
	if (run_packets(bpf_program__fd(bpf_object__next_program(obj, NULL)), n))
		goto out;
	pipe_fd = open(TRACEFS "/trace_pipe", O_RDONLY | O_NONBLOCK);
	null_fd = open("/dev/null", O_WRONLY);
	t0 = now();
	while (empty < 3) {
		r = read(pipe_fd, buf, sizeof(buf));
		if (r <= 0) {
			empty++;
			usleep(1000);
			continue;
		}
		empty = 0;
		for (ssize_t i = 0; i < r; i++)
			*got += buf[i] == '\n';
		if (write(null_fd, buf, r) != r)
			break;
	}
	t0 = now() - t0 - 0.003; /* the closing empty reads */
	rate = *got / t0;
	close(pipe_fd);
	close(null_fd);
out:
	write_file(TRACEFS "/buffer_size_kb", "1408");
	bpf_object__close(obj);
	return rate;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .ringbuf_size = RINGBUF_SIZE);
	unsigned long long got_text, got_json, got_pipe;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	double text, json, pipe;
	unsigned int n;

	if (argc != 4 || (n = (unsigned int)atoi(argv[3])) == 0) {
		fprintf(stderr, "usage: %s BASIC.bpf.o PRINTK.bpf.o EVENTS\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	t = bpf_sdt_target__open_file(argv[1], NULL);
	tr = t ? bpf_sdt_tracer__new(t, &topts) : NULL;
	if (!tr || bpf_sdt_tracer__add_probe(tr, "my_trace"))
		return 1;
	if (run_packets(bpf_sdt_target__prog_fd(t, "xdp_prog"), n))
		return 1;
	text = bpfsdt_rate(tr, t, false, &got_text);
	if (run_packets(bpf_sdt_target__prog_fd(t, "xdp_prog"), n))
		return 1;
	json = bpfsdt_rate(tr, t, true, &got_json);
	pipe = trace_pipe_rate(argv[2], n, &got_pipe);
	printf("%u events of my_trace(int, int), consumer timed alone, output to /dev/null\n", n);
	printf("%-28s %12s %14s %10s\n", "pipeline", "events", "events/s", "vs pipe");
	printf("%-28s %12llu %14.0f %9.1fx\n", "bpfsdt ring buffer, text", got_text, text,
	       pipe ? text / pipe : 0);
	printf("%-28s %12llu %14.0f %9.1fx\n", "bpfsdt ring buffer, JSON", got_json, json,
	       pipe ? json / pipe : 0);
	printf("%-28s %12llu %14.0f %9.1fx\n", "bpf_printk + trace_pipe", got_pipe, pipe, 1.0);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	return 0;
}
