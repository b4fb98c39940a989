// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt run FILE.bpf.o PROG --data-in PKT [--repeat N] [--trace PROBE]...
 *            [--count] [--observer OBS.o [--probe P]] [--dormant] [--json]
 *
 * Loads the object, arms the requested probes (the generic tracer, and/or
 * the user's observers), runs PROG once (or N times) on the packet with
 * BPF_PROG_TEST_RUN, and prints the return value, what the probes saw and
 * the kernel's mean duration of one run; --dormant arms nothing, so the
 * same command with and without it says what tracing costs the program.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "libbpfsdt.h"
#include "num_args.h"
#include "observers.h"
#include "probe_list.h"
#include "run_output.h"
#include "type_arg.h"

#define MAX_PACKET (64 * 1024)
#define ETH_FRAME_MIN 14
#define RUN_RINGBUF_SIZE (16u << 20)

struct run_args {
	const char *file, *prog, *data_in, *observer, *probe, *filter, *at;
	struct probe_list trace;
	unsigned int repeat;
	__u32 type, attach_type;
	bool count, dormant;
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt run FILE.bpf.o PROG --data-in PKT [--repeat N] [--trace PROBE]...\n"
		"                  [--at PROG+INSN|FILE:LINE] [--count] [--filter EXPR]\n"
		"                  [--observer OBS.bpf.o [--probe P]] [--dormant]\n"
		"                  [--type TYPE] [--json]\n"
		"\n"
		"Load FILE, arm probes of program PROG, run PROG on the packet in file PKT\n"
		"with BPF_PROG_TEST_RUN, and print its return value, the probes' events and\n"
		"the kernel's mean duration of one run.\n"
		"\n"
		"  --data-in PKT      raw packet bytes (an Ethernet frame for XDP and tc)\n"
		"  --repeat N         run N times (default 1)\n"
		"  --dormant          arm nothing: the program as it runs untraced\n"
		"  --trace PROBE      record this probe's events (repeatable); default:\n"
		"                     every probe with sites in PROG, unless --observer\n"
		"  --count            count hits per site in the kernel instead of events\n"
		"  --filter EXPR      only events for which EXPR holds, decided in the kernel:\n"
		"                     e.g. 'arg1 == XDP_DROP && arg0 > 100'\n"
		"  --observer OBS.o   attach the SEC(\"bpf_sdt[/probe]\") programs of OBS.o and\n"
		"                     print their global variables after the run\n"
		"  --probe P          probe for observers whose section names none\n"
		"  --at PROG+INSN     a site at any instruction boundary (as bpfsdt list and\n"
		"  --at FILE:LINE     sweep number them) or source line: its events carry the\n"
		"                     registers set there; with --observer, the observers'\n"
		"                     probe unless --probe names one\n"
		TYPE_HELP
		"  -j, --json         JSON lines\n");
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "data-in", required_argument, NULL, 'd' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "trace", required_argument, NULL, 't' },
		{ "at", required_argument, NULL, 'a' },
		{ "count", no_argument, NULL, 'c' },
		{ "observer", required_argument, NULL, 'o' },
		{ "probe", required_argument, NULL, 'p' },
		{ "filter", required_argument, NULL, 'F' },
		{ "type", required_argument, NULL, 'T' },
		{ "dormant", no_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long long n;
	int c;

	a->repeat = 1;
	while ((c = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->data_in = optarg; break;
		case 't':
			if (probe_list_add(&a->trace, optarg))
				return -ENOMEM;
			break;
		case 'a': a->at = optarg; break;
		case 'c': a->count = true; break;
		case 'o': a->observer = optarg; break;
		case 'p': a->probe = optarg; break;
		case 'F': a->filter = optarg; break;
		case 'D': a->dormant = true; break;
		case 'j': cli.json = true; break;
		case 'r':
			if (cli_parse_uint("run", "--repeat", optarg, 1, UINT32_MAX, &n))
				return -EINVAL;
			a->repeat = (unsigned int)n;
			break;
		case 'T':
			if (type_arg_parse("run", optarg, &a->type, &a->attach_type))
				return -EINVAL;
			break;
		case 'v':
			cli.verbose = true; /* also after the command */
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
	if (a->dormant && (a->trace.n || a->at || a->count || a->filter || a->observer ||
			   a->probe)) {
		cli_error("run: --dormant arms nothing: it takes no --trace, --at, --count, --filter, --observer or --probe");
		return -EINVAL;
	}
	a->file = argv[optind];
	a->prog = argv[optind + 1];
	/* a dynamic site is traced, or is where observers naming no probe go */
	if (a->at && !a->observer && probe_list_add(&a->trace, a->at))
		return -ENOMEM;
	if (a->at && a->observer && !a->probe)
		a->probe = a->at;
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
	if (*size > MAX_PACKET) {
		cli_error("run: %s: a packet must have at most %d bytes", path, MAX_PACKET);
		goto fail;
	}
	if (*size < ETH_FRAME_MIN) {
		cli_error("run: %s: %zu byte%s: an Ethernet frame needs at least %d bytes", path,
			  *size, *size == 1 ? "" : "s", ETH_FRAME_MIN);
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

/*
 * How many bytes of a packet an XDP program sees in BPF_PROG_TEST_RUN: the
 * kernel puts the packet in one page after its headroom and before the
 * tailroom it reserves, and the rest in fragments, which only xdp.frags
 * programs can read. The tailroom is the kernel's own business, so ask it:
 * a program returning data_end - data, run on a page-sized packet. 0 if
 * the kernel cannot tell.
 */
static __u32 xdp_linear_limit(void)
{
	static const struct bpf_insn len_prog[] = {
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 4, 0 },	/* data_end */
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0 },	/* data */
		{ BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_2, 0, 0 },
		{ BPF_ALU64 | BPF_SUB | BPF_X, BPF_REG_0, BPF_REG_3, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};
	long page = sysconf(_SC_PAGESIZE);
	void *pkt = calloc(1, page > 0 ? (size_t)page : 4096);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt,
		    .data_size_in = page > 0 ? (__u32)page : 4096);
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "sdt_xdp_len", "GPL", len_prog,
			       sizeof(len_prog) / sizeof(len_prog[0]), NULL);
	__u32 limit = 0;

	if (fd >= 0 && pkt && !bpf_prog_test_run_opts(fd, &topts))
		limit = topts.retval;
	if (fd >= 0)
		close(fd);
	free(pkt);
	return limit;
}

static bool xdp_frags(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	return (bpf_program__flags(prog) & BPF_F_XDP_HAS_FRAGS) ||
	       !strcmp(sec, "xdp.frags") || !strncmp(sec, "xdp.frags/", 10);
}

/* XDP programs without fragments would silently see a cut packet. */
static int check_packet_fits(const struct run_args *a, const struct bpf_program *prog,
			     size_t size)
{
	__u32 limit;

	if (bpf_program__type(prog) != BPF_PROG_TYPE_XDP || xdp_frags(prog))
		return 0;
	limit = xdp_linear_limit();
	if (!limit || size <= limit)
		return 0;
	cli_error("run: %s: %zu bytes: an XDP program sees at most %u in BPF_PROG_TEST_RUN (a page less the kernel's headroom and tailroom); %s is not an xdp.frags program",
		  a->data_in, size, limit, a->prog);
	return -EINVAL;
}

static struct bpf_object *attach_observers(struct bpf_sdt_target *t, const struct run_args *a,
					   struct observer_links *links)
{
	struct bpf_object *obj = observers_open("run", a->observer);
	LIBBPF_OPTS(bpf_sdt_attach_opts, aopts, .target_prog = a->prog, .observer_obj = obj);
	struct bpf_program *prog;
	int n = 0;

	if (!obj)
		return NULL;
	bpf_object__for_each_program(prog, obj) {
		if (!observer_is(prog))
			continue;
		if (observer_links_attach(links, t, prog, observer_probe(prog, a->probe), &aopts))
			goto fail; /* said why */
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
	struct run_output out = { .json = cli.json, .sdt = bpf_sdt_target__probes(t), .target = t };
	struct bpf_program *prog = bpf_object__find_program_by_name(bpf_sdt_target__object(t),
								     a->prog);
	size_t size;
	void *pkt = read_packet(a->data_in, &size);
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = (__u32)size,
		    .repeat = a->repeat);
	int err;

	if (!pkt)
		return EXIT_BAD_INPUT;
	if (check_packet_fits(a, prog, size)) {
		free(pkt);
		return EXIT_BAD_INPUT;
	}
	err = bpf_prog_test_run_opts(bpf_sdt_target__prog_fd(t, a->prog), &topts);
	free(pkt);
	if (err) {
		cli_error("run: %s: BPF_PROG_TEST_RUN of %s failed: %s", a->file, a->prog,
			  cli_strerror(errno));
		return EXIT_BAD_INPUT;
	}
	if (tr && a->count)
		print_counts(&out, tr, a->trace.names, (int)a->trace.n, a->prog);
	else if (tr && bpf_sdt_tracer__poll(tr, 0, print_event, &out) < 0)
		cli_error("run: reading events failed");
	if (obs)
		print_globals(&out, obs);
	print_retval(&out, bpf_program__type(prog), topts.retval, tr ? bpf_sdt_tracer__lost(tr) : 0,
		     topts.duration);
	run_output_free(&out);
	return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {};
	struct bpf_sdt_target *t = NULL;
	struct bpf_sdt_tracer *tr = NULL;
	struct bpf_object *obs = NULL;
	struct observer_links links = {};
	int i, ret = EXIT_BAD_INPUT;

	i = parse_args(argc, argv, &a);
	if (i) {
		probe_list_free(&a.trace);
		return i > 0 ? EXIT_OK : EXIT_BAD_INPUT;
	}
	if (cli_require_privileges("run") || libbpfsdt_init())
		goto out;
	{
		/* only PROG runs: other programs in sections libbpf does not
		 * know stay unloaded rather than fail the object */
		LIBBPF_OPTS(bpf_sdt_target_opts, topts, .unknown_sec_type = a.type,
			    .unknown_sec_attach_type = a.attach_type, .unknown_sec_prog = a.prog,
			    .only_prog = a.prog);

		t = bpf_sdt_target__open_file(a.file, &topts);
	}
	if (!t)
		goto out;
	if (bpf_sdt_target__prog_fd(t, a.prog) < 0) {
		if (!type_arg_explain_unloaded("run", a.file, bpf_sdt_target__object(t), a.prog))
			cli_error("run: %s: no program %s", a.file, a.prog);
		goto out;
	}
	if (a.observer && !(obs = attach_observers(t, &a, &links)))
		goto out;
	if (!a.dormant && !a.trace.n && (!a.observer || a.count) &&
	    probe_list_add_defaults(&a.trace, t, a.prog)) {
		cli_error("run: out of memory");
		goto out;
	}
	if (a.trace.n) {
		LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = a.count,
			    .ringbuf_size = RUN_RINGBUF_SIZE, .target_prog = a.prog,
			    .filter = a.filter);

		tr = bpf_sdt_tracer__new(t, &topts);
		if (!tr)
			goto out;
		if (bpf_sdt_tracer__add_probes(tr, a.trace.names, a.trace.n))
			goto out;
	}
	ret = run(&a, t, tr, obs);
out:
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	observer_links_destroy(&links);
	bpf_object__close(obs);
	probe_list_free(&a.trace);
	return ret;
}
