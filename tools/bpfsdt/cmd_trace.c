// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt trace HOOK FILE.bpf.o [PROBE[@SITES]...] [-c N] [--duration S]
 *              [--count] [--hist|--sum|--min|--max ARG] [--filter EXPR]
 *              [--pcap FILE] [-T] [--prom-textfile FILE] [--ring-size SIZE]
 *              [--force] [--json]
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
#include "aggregates.h"
#include "cli.h"
#include "hook_args.h"
#include "libbpfsdt.h"
#include "num_args.h"
#include "pcap_writer.h"
#include "probe_list.h"
#include "prom_textfile.h"
#include "run_output.h"
#include "session_end.h"

#define POLL_MS 100
#define RING_PER_CPU (16u << 20)
#define RING_MAX (1u << 30)
#define RING_DEFAULT_MAX (256u << 20)
#define STDOUT_BUFFER (1u << 20)
#define DEFAULT_SNAPLEN 2048

struct trace_args {
	struct hook_args hook;
	const char *file, *filter;
	struct probe_list probes;
	unsigned long long max_events, ring_size;
	double duration;
	bool count, force, stamps;
	struct agg_set aggs;
	double interval;		/* counts and aggregates printed every ... */
	const char *pcap, *prom;
	unsigned long long snaplen;
};

/* Only counts and aggregates: no event leaves the kernel. */
static bool in_kernel_only(const struct trace_args *a)
{
	return a->count || (a->aggs.n && !a->pcap);
}

static void trace_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt trace " HOOK_USAGE "\n"
		"                    FILE.bpf.o [PROBE[@SITES]...] [--at SITE]... [-c N]\n"
		"                    [--duration S] [--count] [--hist ARG[,MIN,MAX,STEP]]\n"
		"                    [--sum ARG] [--min ARG] [--max ARG] [--per site|probe]\n"
		"                    [--interval S] [--filter EXPR] [--pcap FILE]\n"
		"                    [--snaplen N] [-T] [--prom-textfile FILE]\n"
		"                    [--ring-size SIZE] [--force]\n"
		"                    [--json]\n"
		"\n"
		"Arm probes of the program running on a hook (XDP, tc, a pinned link or a\n"
		"prog array slot), built from FILE, and print their events as they happen,\n"
		"or count and aggregate them in the kernel. A signal, -c or --duration end\n"
		"it and put the running program back (a guardian process does if bpfsdt is\n"
		"killed).\n"
		"\n"
		HOOK_HELP
		"  PROBE...           probes to trace (default: all with sites in the program)\n"
		"  PROBE@ID[,ID...]   only these sites of it (ids as bpfsdt list shows them)\n"
		"  PROBE@FILE:LINE    only its sites on that source line\n"
		"  --at PROG+INSN     also a site at any instruction boundary (numbered as\n"
		"  --at FILE:LINE     bpfsdt list and sweep do) or source line; its events\n"
		"                     carry the registers set there\n"
		"  -c, --events N     stop after N events\n"
		"  --duration S       stop after S seconds\n"
		"  --count            count hits per site in the kernel; print them every\n"
		"                     interval and at the end\n"
		"  --hist ARG         a log2 histogram of argument ARG (arg0, arg1, ...),\n"
		"  --hist ARG,MIN,MAX,STEP  or a linear one, computed in the kernel\n"
		"  --sum ARG, --min ARG, --max ARG\n"
		"                     its sum, minimum, maximum, computed in the kernel\n"
		"  --per site|probe   aggregate per site (default) or per probe\n"
		"  --interval S       print counts and aggregates every S seconds (default 1;\n"
		"                     0: only at the end)\n"
		"  --prom-textfile FILE\n"
		"                     also write counts and aggregates to FILE (*.prom) in\n"
		"                     Prometheus' text format every interval, atomically,\n"
		"                     for node_exporter's textfile collector\n"
		"  --pcap FILE        write the packet each event's site sees to FILE (pcap,\n"
		"                     '-' for standard output), copied in the kernel from the\n"
		"                     probe's context argument or packet pointers; the events\n"
		"                     name each packet's frame number\n"
		"  --snaplen N        bytes of each packet to copy (default 2048)\n"
		"  -T, --timestamps   start text events with their time and CPU (JSON events\n"
		"                     always carry site, cpu, time_ns and wall_ns)\n"
		"  --filter EXPR      only events for which EXPR holds, decided in the kernel:\n"
		"                     argN compared (== != < <= > >=) with numbers or enum\n"
		"                     names, && || ! ( ); e.g. 'arg0 == XDP_DROP'\n"
		"  --ring-size SIZE   the events' ring buffer, a power of two (e.g. 64M;\n"
		"                     default 16M per CPU, up to 256M)\n"
		"  --force            arm even if FILE does not produce the running program\n"
		"  -j, --json         JSON lines\n"
		"  -v, --verbose      say how probes are armed; libbpf's own messages\n"
		"  -h, --help         this help\n");
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
		{ "hist", required_argument, NULL, 'H' },
		{ "sum", required_argument, NULL, 'S' },
		{ "min", required_argument, NULL, 'm' },
		{ "max", required_argument, NULL, 'M' },
		{ "per", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "prom-textfile", required_argument, NULL, 'e' },
		{ "pcap", required_argument, NULL, 'w' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "timestamps", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, i;

	a->interval = 1;
	while ((c = getopt_long(argc, argv, "c:Tjvh", opts, NULL)) != -1) {
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
		case 'v': cli.verbose = true; break;
		case 'T': a->stamps = true; break;
		case 'w': a->pcap = optarg; break;
		case 'e': a->prom = optarg; break;
		case 'H': case 'S': case 'm': case 'M':
			if (agg_set_add(&a->aggs, c == 'H' ? AGG_HIST : c == 'S' ? AGG_SUM :
					c == 'm' ? AGG_MIN : AGG_MAX,
					c == 'H' ? "--hist" : c == 'S' ? "--sum" :
					c == 'm' ? "--min" : "--max", optarg))
				return -EINVAL;
			break;
		case 'p':
			if (strcmp(optarg, "site") && strcmp(optarg, "probe")) {
				cli_error("trace: --per needs site or probe, not '%s'", optarg);
				return -EINVAL;
			}
			a->aggs.per_probe = !strcmp(optarg, "probe");
			break;
		case 'i':
			if (strcmp(optarg, "0") &&
			    cli_parse_seconds("trace", "--interval", optarg, &a->interval))
				return -EINVAL;
			if (!strcmp(optarg, "0"))
				a->interval = 0;
			break;
		case 's':
			if (cli_parse_uint("trace", "--snaplen", optarg, 1, BPF_SDT_MAX_SNAPLEN,
					   &a->snaplen))
				return -EINVAL;
			break;
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
	if (a->count && a->pcap) {
		cli_error("trace: --count records no events, --pcap needs them (--hist and --sum, --min, --max work with --pcap)");
		return -EINVAL;
	}
	if (a->snaplen && !a->pcap) {
		cli_error("trace: --snaplen is for --pcap");
		return -EINVAL;
	}
	if (a->prom && !a->count && !a->aggs.n) {
		cli_error("trace: --prom-textfile exports --count, --hist, --sum, --min or --max: name one");
		return -EINVAL;
	}
	if (a->prom && prom_textfile_check(a->prom))
		return -EINVAL;
	if (!a->snaplen)
		a->snaplen = DEFAULT_SNAPLEN;
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
	struct pcap_writer *pcap;
	bool pcap_on_stdout;		/* then no event lines */
	const struct trace_args *a;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
};

static int on_event(void *ctx, const struct bpf_sdt_event *ev)
{
	struct live_ctx *lc = ctx;

	if (lc->max_events && lc->out.events >= lc->max_events)
		return 1; /* -c reached: the rest is dropped */
	if (lc->pcap)
		lc->out.stamp.frame = pcap_writer_add(lc->pcap, ev);
	if (lc->pcap_on_stdout)
		lc->out.events++;
	else
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

/* Counts and aggregates so far: printed (in_kernel_only: the output) and
 * written to the Prometheus file. */
static void report_totals(struct live_ctx *lc, bool print)
{
	const struct trace_args *a = lc->a;

	if (print && !lc->pcap_on_stdout) {
		if (a->count) {
			lc->out.events = 0;
			print_counts(&lc->out, lc->tr, a->probes.names, (int)a->probes.n, NULL);
		}
		fflush(stdout);
		agg_set_print(&a->aggs, lc->tr, lc->t, a->probes.names, a->probes.n, cli.json,
			      stdout);
		run_output_flush(&lc->out);
	}
	if (a->prom) {
		struct prom_source src = {
			.tr = lc->tr, .t = lc->t, .probes = a->probes.names,
			.nprobes = a->probes.n, .counts = a->count, .aggs = &a->aggs,
			.hook = a->hook.label,
		};

		prom_textfile_write(a->prom, &src);
	}
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
		if (a->interval && now() - last_counts >= a->interval &&
		    (a->count || a->aggs.n || a->prom)) {
			report_totals(lc, in_kernel_only(a));
			last_counts = now();
		}
		if (in_kernel_only(a)) {
			struct timespec ts = { 0, poll_ms(a, start) * 1000000L };

			nanosleep(&ts, NULL);
			continue;
		}
		n = bpf_sdt_tracer__poll(tr, poll_ms(a, start), on_event, lc);
		run_output_flush(&lc->out);
		if (lc->pcap && pcap_writer_flush(lc->pcap)) {
			cli_error("trace: --pcap %s: writing failed", a->pcap);
			break;
		}
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
	} else if (in_kernel_only(a)) {
		report_totals(lc, true);
	} else {
		bpf_sdt_tracer__poll(tr, 0, on_event, lc); /* what is left */
		run_output_flush(&lc->out);
		if (a->count || a->aggs.n || a->prom)
			report_totals(lc, true);
	}
	run_output_flush(&lc->out);
	if (lc->pcap && pcap_writer_close(lc->pcap) && restored) {
		cli_error("trace: --pcap %s: writing failed", a->pcap);
		lc->pcap = NULL;
		return EXIT_OUTPUT_FAILED;
	}
	lc->pcap = NULL;
	if (!a->count && in_kernel_only(a))	/* only aggregates: they saw the events */
		lc->out.events = agg_set_events(&a->aggs, tr, t, a->probes.names, a->probes.n);
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
	lc.a = &a;
	lc.out.stamp.text_time = a.stamps;
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
	lc.t = t;
	if (!a.probes.n && probe_list_add_defaults(&a.probes, t, NULL))
		goto out;
	if (!a.probes.n) {
		cli_error("trace: %s: no probe has sites in the program on %s", a.file, a.hook.spec);
		goto out;
	}
	{
		LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = in_kernel_only(&a),
			    .filter = a.filter, .snaplen = a.pcap ? (__u32)a.snaplen : 0,
			    .ringbuf_size = (__u32)(a.ring_size ?: default_ring_size()));

		tr = bpf_sdt_tracer__new(t, &topts);
	}
	if (!tr || agg_set_install(&a.aggs, tr))
		goto out;
	lc.tr = tr;
	if (a.pcap) {
		lc.pcap = pcap_writer_open(a.pcap, (__u32)a.snaplen);
		lc.pcap_on_stdout = !strcmp(a.pcap, "-");
		if (!lc.pcap)
			goto out;
	}
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
	pcap_writer_close(lc.pcap);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	run_output_free(&lc.out);
	hook_args_release(&a.hook);
	probe_list_free(&a.probes);
	return session_exit_status(ret);
}
