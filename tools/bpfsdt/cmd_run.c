// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt run FILE.bpf.o PROG --data-in PKT [--repeat N] [--trace PROBE]...
 *            [--count] [--observer OBS.o [--probe P]] [--json]
 *
 * Loads the object, arms the requested probes (the generic tracer, and/or
 * the user's observers), runs PROG once (or N times) on the packet with
 * BPF_PROG_TEST_RUN, and prints the return value and what the probes saw.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "libbpfsdt.h"
#include "run_output.h"

#define MAX_PACKET (64 * 1024)
#define RUN_RINGBUF_SIZE (16u << 20)

struct run_args {
	const char *file, *prog, *data_in, *observer, *probe, *filter;
	const char **trace;
	int ntrace;
	unsigned int repeat;
	bool count;
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt run FILE.bpf.o PROG --data-in PKT [--repeat N] [--trace PROBE]...\n"
		"                  [--count] [--filter EXPR] [--observer OBS.bpf.o [--probe P]]\n"
		"                  [--json]\n"
		"\n"
		"Load FILE, arm probes of program PROG, run PROG on the packet in file PKT\n"
		"with BPF_PROG_TEST_RUN, and print its return value and the probes' events.\n"
		"\n"
		"  --data-in PKT      raw packet bytes (an Ethernet frame for XDP and tc)\n"
		"  --repeat N         run N times (default 1)\n"
		"  --trace PROBE      record this probe's events (repeatable); default:\n"
		"                     every probe with sites in PROG, unless --observer\n"
		"  --count            count hits per site in the kernel instead of events\n"
		"  --filter EXPR      only events for which EXPR holds, decided in the kernel:\n"
		"                     e.g. 'arg1 == XDP_DROP && arg0 > 100'\n"
		"  --observer OBS.o   attach the SEC(\"bpf_sdt[/probe]\") programs of OBS.o and\n"
		"                     print their global variables after the run\n"
		"  --probe P          probe for observers whose section names none\n"
		"  -j, --json         JSON lines\n");
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "data-in", required_argument, NULL, 'd' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "trace", required_argument, NULL, 't' },
		{ "count", no_argument, NULL, 'c' },
		{ "observer", required_argument, NULL, 'o' },
		{ "probe", required_argument, NULL, 'p' },
		{ "filter", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char *end;
	int c;

	a->repeat = 1;
	a->trace = calloc(argc, sizeof(*a->trace));
	if (!a->trace)
		return -ENOMEM;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->data_in = optarg; break;
		case 't': a->trace[a->ntrace++] = optarg; break;
		case 'c': a->count = true; break;
		case 'o': a->observer = optarg; break;
		case 'p': a->probe = optarg; break;
		case 'F': a->filter = optarg; break;
		case 'j': cli.json = true; break;
		case 'r':
			a->repeat = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !a->repeat) {
				cli_error("run: --repeat needs a positive number, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'bpfsdt run --help'.\n");
			return -EINVAL;
		}
	}
	if (argc - optind != 2 || !a->data_in) {
		cli_error("run: needs FILE, PROG and --data-in PKT (try 'bpfsdt run --help')");
		return -EINVAL;
	}
	a->file = argv[optind];
	a->prog = argv[optind + 1];
	return 0;
}

static void *read_packet(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(MAX_PACKET + 1);

	*size = 0;
	if (!f || !buf) {
		cli_error("run: %s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	*size = fread(buf, 1, MAX_PACKET + 1, f);
	if (*size == 0 || *size > MAX_PACKET) {
		cli_error("run: %s: a packet must have 1 to %d bytes", path, MAX_PACKET);
		goto fail;
	}
	fclose(f);
	return buf;
fail:
	if (f)
		fclose(f);
	free(buf);
	return NULL;
}

static bool has_site_in(const struct bpf_sdt_probe *p, const char *prog)
{
	size_t i;

	for (i = 0; i < bpf_sdt_probe__site_cnt(p); i++) {
		const char *fn = bpf_sdt_site__function(bpf_sdt_probe__site(p, i));

		if (!strcmp(bpf_sdt_site__section(bpf_sdt_probe__site(p, i)), ".text") ||
		    (fn && !strcmp(fn, prog)))
			return true;
	}
	return false;
}

/* Default: every probe that can fire in PROG. */
static void default_probes(struct run_args *a, const struct bpf_sdt_object *sdt)
{
	size_t i;

	for (i = 0; i < bpf_sdt_object__probe_cnt(sdt); i++) {
		const struct bpf_sdt_probe *p = bpf_sdt_object__probe(sdt, i);

		if (has_site_in(p, a->prog))
			a->trace[a->ntrace++] = bpf_sdt_probe__name(p);
	}
}

static struct bpf_object *attach_observers(struct bpf_sdt_target *t, const struct run_args *a)
{
	struct bpf_object *obj = bpf_object__open_file(a->observer, NULL);
	LIBBPF_OPTS(bpf_sdt_attach_opts, opts, .observer_obj = obj);
	struct bpf_program *prog;
	int n = 0;

	if (!obj) {
		cli_error("run: %s: cannot open: %s", a->observer, strerror(errno));
		return NULL;
	}
	if (bpf_object__load(obj)) {
		cli_error("run: %s: cannot load the observer object", a->observer);
		goto fail;
	}
	bpf_object__for_each_program(prog, obj) {
		if (strncmp(bpf_program__section_name(prog), "bpf_sdt", 7))
			continue;
		if (!bpf_sdt_target__attach(t, prog, a->probe, &opts))
			goto fail; /* libbpfsdt said why */
		n++;
	}
	if (!n) {
		cli_error("run: %s: no SEC(\"bpf_sdt\") program", a->observer);
		goto fail;
	}
	return obj;
fail:
	bpf_object__close(obj);
	return NULL;
}

static int run(const struct run_args *a, struct bpf_sdt_target *t, struct bpf_sdt_tracer *tr,
	       struct bpf_object *obs)
{
	struct run_output out = { .json = cli.json, .sdt = bpf_sdt_target__probes(t) };
	struct bpf_program *prog = bpf_object__find_program_by_name(bpf_sdt_target__object(t),
								     a->prog);
	size_t size;
	void *pkt = read_packet(a->data_in, &size);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = (__u32)size,
		    .repeat = a->repeat);
	int err;

	if (!pkt)
		return EXIT_BAD_INPUT;
	err = bpf_prog_test_run_opts(bpf_sdt_target__prog_fd(t, a->prog), &topts);
	free(pkt);
	if (err) {
		cli_error("run: %s: BPF_PROG_TEST_RUN of %s failed: %s", a->file, a->prog,
			  strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (tr && a->count)
		print_counts(&out, tr, a->trace, a->ntrace, a->prog);
	else if (tr && bpf_sdt_tracer__poll(tr, 0, print_event, &out) < 0)
		cli_error("run: reading events failed");
	if (obs)
		print_globals(&out, obs);
	print_retval(&out, bpf_program__type(prog), topts.retval, tr ? bpf_sdt_tracer__lost(tr) : 0);
	run_output_free(&out);
	return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {};
	struct bpf_sdt_target *t = NULL;
	struct bpf_sdt_tracer *tr = NULL;
	struct bpf_object *obs = NULL;
	int i, ret = EXIT_BAD_INPUT;

	i = parse_args(argc, argv, &a);
	if (i) {
		free(a.trace);
		return i > 0 ? EXIT_OK : EXIT_BAD_INPUT;
	}
	if (libbpfsdt_init())
		goto out;
	t = bpf_sdt_target__open_file(a.file, NULL);
	if (!t)
		goto out;
	if (bpf_sdt_target__prog_fd(t, a.prog) < 0) {
		cli_error("run: %s: no program %s", a.file, a.prog);
		goto out;
	}
	if (a.observer && !(obs = attach_observers(t, &a)))
		goto out;
	if (!a.ntrace && (!a.observer || a.count))
		default_probes(&a, bpf_sdt_target__probes(t));
	if (a.ntrace) {
		LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = a.count,
			    .ringbuf_size = RUN_RINGBUF_SIZE, .target_prog = a.prog,
			    .filter = a.filter);

		tr = bpf_sdt_tracer__new(t, &topts);
		if (!tr)
			goto out;
		if (a.ntrace && bpf_sdt_tracer__add_probes(tr, a.trace, (size_t)a.ntrace))
			goto out;
	}
	ret = run(&a, t, tr, obs);
out:
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
	free(a.trace);
	return ret;
}
