// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt trace HOOK FILE.bpf.o [PROBE...] [-c N] [--duration S]
 *              [--count] [--filter EXPR] [--ring-size SIZE] [--force] [--json]
 *
 * Arms probes of the program running on a hook (loaded by anyone) and
 * prints their events live until a signal (session_end.h), -c N events,
 * --duration seconds or a failed write to stdout; then the running program
 * is put back (all probes in one swap) and a summary printed, with the
 * events lost for want of ring-buffer room, by probe. A guardian process
 * puts it back if bpfsdt is killed with SIGKILL.
 *
 * Floods: the ring holds a few hundredths of a second of millions of events
 * a second from every CPU (RING_PER_CPU each), and stdout is written in
 * large blocks (flushed after each batch of events read, so nothing waits
 * longer than one).
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "hook_args.h"
#include "libbpfsdt.h"
#include "num_args.h"
#include "probe_list.h"
#include "run_output.h"
#include "session_end.h"

#define POLL_MS 100
#define RING_PER_CPU (16u << 20)
#define RING_MAX (1u << 30)
#define RING_DEFAULT_MAX (256u << 20)
#define STDOUT_BUFFER (1u << 20)

struct trace_args {
	struct hook_args hook;
	const char *file, *filter;
	struct probe_list probes;
	unsigned long long max_events, ring_size;
	double duration;
	bool count, force;
};

static void trace_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt trace " HOOK_USAGE "\n"
		"                    FILE.bpf.o [PROBE...] [--at SITE]... [-c N] [--duration S]\n"
		"                    [--count] [--filter EXPR] [--ring-size SIZE] [--force]\n"
		"                    [--json]\n"
		"\n"
		"Arm probes of the program running on a hook, built from FILE, and print\n"
		"their events as they happen. A signal, -c or --duration end it and put the\n"
		"running program back (a guardian process does if bpfsdt is killed).\n"
		"\n"
		HOOK_HELP
		"  PROBE...           probes to trace (default: all with sites in the program)\n"
		"  --at PROG+INSN     also a site at any instruction boundary (numbered as\n"
		"  --at FILE:LINE     bpfsdt list and sweep do) or source line; its events\n"
		"                     carry the registers set there\n"
		"  -c, --events N     stop after N events\n"
		"  --duration S       stop after S seconds\n"
		"  --count            count hits per site in the kernel; print them every\n"
		"                     second and at the end\n"
		"  --filter EXPR      only events for which EXPR holds, decided in the kernel:\n"
		"                     argN compared (== != < <= > >=) with numbers or enum\n"
		"                     names, && || ! ( ); e.g. 'arg0 == XDP_DROP'\n"
		"  --ring-size SIZE   the events' ring buffer, a power of two (e.g. 64M;\n"
		"                     default 16M per CPU, up to 256M)\n"
		"  --force            arm even if FILE does not produce the running program\n"
		"  -j, --json         JSON lines\n");
}

static int parse_args(int argc, char **argv, struct trace_args *a)
{
	static const struct option opts[] = {
		HOOK_LONG_OPTIONS,
		{ "events", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", no_argument, NULL, 'C' },
		{ "at", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ "ring-size", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, i;

	while ((c = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		if (hook_args_option(&a->hook, c, optarg))
			continue;
		switch (c) {
		case 'C': a->count = true; break;
		case 'a': /* a dynamic site, traced like a probe */
			if (probe_list_add(&a->probes, optarg))
				return -ENOMEM;
			break;
		case 'f': a->force = true; break;
		case 'F': a->filter = optarg; break;
		case 'R':
			if (cli_parse_pow2_size("trace", "--ring-size", optarg,
						(unsigned long long)sysconf(_SC_PAGESIZE),
						RING_MAX, &a->ring_size))
				return -EINVAL;
			break;
		case 'j': cli.json = true; break;
		case 'c':
			if (cli_parse_uint("trace", "-c", optarg, 1, ULLONG_MAX, &a->max_events))
				return -EINVAL;
			break;
		case 'd':
			if (cli_parse_seconds("trace", "--duration", optarg, &a->duration))
				return -EINVAL;
			break;
		case 'h':
			trace_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'bpfsdt trace --help'.\n");
			return -EINVAL;
		}
	}
	if (optind >= argc) {
		cli_error("trace: needs FILE (try 'bpfsdt trace --help')");
		return -EINVAL;
	}
	if (hook_args_resolve(&a->hook, "trace"))
		return -EINVAL;
	a->file = argv[optind++];
	for (i = optind; i < argc; i++)
		if (probe_list_add(&a->probes, argv[i]))
			return -ENOMEM;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct live_ctx {
	struct run_output out;
	unsigned long long max_events;
};

static int on_event(void *ctx, const struct bpf_sdt_event *ev)
{
	struct live_ctx *lc = ctx;

	if (lc->max_events && lc->out.events >= lc->max_events)
		return 1; /* -c reached: the rest is dropped */
	print_event(&lc->out, ev);
	return lc->max_events && lc->out.events >= lc->max_events;
}

/* RING_PER_CPU for each CPU that may produce events, a power of two. */
static unsigned long long default_ring_size(void)
{
	int cpus = libbpf_num_possible_cpus();
	unsigned long long size = RING_PER_CPU;

	while (cpus > 1 && size < RING_DEFAULT_MAX && size < (unsigned long long)cpus * RING_PER_CPU)
		size *= 2;
	return size;
}

/* Milliseconds to wait for events: POLL_MS, or less when --duration ends
 * sooner. */
static int poll_ms(const struct trace_args *a, double start)
{
	double left = a->duration ? a->duration - (now() - start) : POLL_MS / 1e3;

	return left <= 0 ? 0 : left < POLL_MS / 1e3 ? (int)(left * 1e3) + 1 : POLL_MS;
}

/* Until a signal, -c, --duration, or stdout failing. */
static void trace_loop(const struct trace_args *a, struct bpf_sdt_tracer *tr,
		       struct live_ctx *lc)
{
	double start = now(), last_counts = start;
	int n;

	while (!session_stop_signal() && !lc->out.write_err) {
		if (a->duration && now() - start >= a->duration)
			break;
		if (a->count) {
			struct timespec ts = { 0, poll_ms(a, start) * 1000000L };

			nanosleep(&ts, NULL);
			if (now() - last_counts >= 1.0) {
				lc->out.events = 0;
				print_counts(&lc->out, tr, a->probes.names, (int)a->probes.n, NULL);
				run_output_flush(&lc->out);
				last_counts = now();
			}
			continue;
		}
		n = bpf_sdt_tracer__poll(tr, poll_ms(a, start), on_event, lc);
		run_output_flush(&lc->out);
		if (n < 0 && n != -EINTR) {
			cli_error("trace: reading events failed: %s", strerror(-n));
			break;
		}
		if (lc->max_events && lc->out.events >= lc->max_events)
			break;
	}
}

/* Nothing more can reach the reader of stdout: it went away (SIGPIPE), or
 * writing failed. */
static bool output_broken(const struct live_ctx *lc)
{
	return lc->out.write_err || session_stop_signal() == SIGPIPE;
}

/* The events lost at each traced probe that lost any: ' (verdict 12,
 * drop 3)' or ', "lost_by_probe": {"verdict": 12, "drop": 3}'. */
static void lost_by_probe(const struct trace_args *a, const struct bpf_sdt_tracer *tr,
			  struct bpf_sdt_target *t, char *buf, size_t size)
{
	size_t i, len = 0;
	int n = 0;

	buf[0] = '\0';
	for (i = 0; i < a->probes.n && len < size; i++) {
		const struct bpf_sdt_probe *p = bpf_sdt_target__find_probe(t, a->probes.names[i]);
		__u64 lost = p ? bpf_sdt_tracer__probe_lost(tr, p) : 0;

		if (!lost)
			continue;
		len += snprintf(buf + len, size - len, cli.json ? "%s\"%s\": %llu" : "%s%s %llu",
				n++ ? ", " : (cli.json ? ", \"lost_by_probe\": {" : " ("),
				a->probes.names[i], (unsigned long long)lost);
	}
	if (n && len < size)
		snprintf(buf + len, size - len, cli.json ? "}" : ")");
}

static void print_summary(struct live_ctx *lc, unsigned long long lost, const char *by_probe,
			  bool restored)
{
	if (cli.json && !output_broken(lc)) {
		printf("{\"events\": %llu, \"lost\": %llu%s%s}\n", lc->out.events, lost, by_probe,
		       restored ? "" : ", \"restored\": false");
		run_output_flush(&lc->out);
	} else if (!cli.json) {
		/* not restored: the line above said what runs there instead */
		fprintf(stderr, "%llu event%s, %llu lost%s%s\n", lc->out.events,
			lc->out.events == 1 ? "" : "s", lost, by_probe,
			restored ? "; the original program is back" : "");
	}
}

/* Puts the program back, delivers what the probes saw until then and sums
 * up. The exit status: EXIT_OK, EXIT_NOT_RESTORED or EXIT_OUTPUT_FAILED. */
static int end_session(const struct trace_args *a, struct bpf_sdt_target *t,
		       struct bpf_sdt_tracer *tr, struct live_ctx *lc)
{
	bool restored = !bpf_sdt_target__disarm(t); /* if not, one line said why */
	bool by_sigpipe = session_stop_signal() == SIGPIPE;
	char by_probe[1024];

	if (output_broken(lc)) {
		/* nothing more to print */
	} else if (a->count) {
		lc->out.events = 0;
		print_counts(&lc->out, tr, a->probes.names, (int)a->probes.n, NULL);
	} else {
		bpf_sdt_tracer__poll(tr, 0, on_event, lc); /* what is left */
	}
	run_output_flush(&lc->out);
	lost_by_probe(a, tr, t, by_probe, sizeof(by_probe));
	print_summary(lc, bpf_sdt_tracer__lost(tr), by_probe, restored);
	if (lc->out.write_err && !by_sigpipe)
		cli_error("trace: writing to standard output failed: %s",
			  strerror(-lc->out.write_err));
	if (!restored)
		return EXIT_NOT_RESTORED;
	return lc->out.write_err && !by_sigpipe ? EXIT_OUTPUT_FAILED : EXIT_OK;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_args a = {};
	struct live_ctx lc = {};
	struct bpf_sdt_target *t = NULL;
	struct bpf_sdt_tracer *tr = NULL;
	int i, ret = EXIT_BAD_INPUT;

	i = parse_args(argc, argv, &a);
	if (i) {
		hook_args_release(&a.hook);
		probe_list_free(&a.probes);
		return i > 0 ? EXIT_OK : EXIT_BAD_INPUT;
	}
	if (cli_require_privileges("trace"))
		goto out;
	/* From now on signals end the session, never the process: one that
	 * comes while opening or arming ends the session right after. */
	session_catch_signals();
	setvbuf(stdout, NULL, _IOFBF, STDOUT_BUFFER);
	{
		LIBBPF_OPTS(bpf_sdt_live_opts, lopts, .force = a.force, .guardian = true);

		t = bpf_sdt_target__open_live(a.file, &a.hook.hook, &lopts);
	}
	if (!t)
		goto out;
	lc.out.json = cli.json;
	lc.out.sdt = bpf_sdt_target__probes(t);
	lc.out.target = t;
	lc.max_events = a.max_events;
	if (!a.probes.n && probe_list_add_defaults(&a.probes, t, NULL))
		goto out;
	if (!a.probes.n) {
		cli_error("trace: %s: no probe has sites in the program on %s", a.file, a.hook.spec);
		goto out;
	}
	{
		LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = a.count, .filter = a.filter,
			    .ringbuf_size = (__u32)(a.ring_size ?: default_ring_size()));

		tr = bpf_sdt_tracer__new(t, &topts);
	}
	if (!tr)
		goto out;
	if (!session_stop_signal()) {
		/* one swap arms them all: no packet sees only some */
		if (bpf_sdt_tracer__add_probes(tr, a.probes.names, a.probes.n))
			goto out;
		/* also with --json (stdout stays one document): says when every
		 * probe is armed, which scripts wait for before sending traffic */
		fprintf(stderr, "tracing %zu probe%s of the program on %s; Ctrl-C to stop\n",
			a.probes.n, a.probes.n == 1 ? "" : "s", a.hook.spec);
		trace_loop(&a, tr, &lc);
	}
	ret = end_session(&a, t, tr, &lc);
out:
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	run_output_free(&lc.out);
	hook_args_release(&a.hook);
	probe_list_free(&a.probes);
	return session_exit_status(ret);
}
