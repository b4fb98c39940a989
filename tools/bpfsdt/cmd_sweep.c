// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt sweep [--json] FILE.bpf.o PROG --data-in PKT... [--each] [--every N]
 *
 * Arms a counting site at every instruction boundary of PROG and checks
 * that the armed program does exactly what the unarmed one does on the
 * packets given (bpf_sdt_target__sweep()). Exit 0 only when every boundary
 * was armed and every run was identical; 1 otherwise, with each failing
 * boundary and why.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "json_writer.h"
#include "libbpfsdt.h"
#include "num_args.h"
#include "type_arg.h"

#define SWEEP_INPUT_MAX (64 * 1024)

struct sweep_args {
	const char *file, *prog;
	const char **data_in;
	int ninputs;
	bool each;
	unsigned int every;
	__u32 type, attach_type;
};

static void sweep_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt sweep FILE.bpf.o PROG --data-in PKT [--data-in PKT]...\n"
		"                    [--each] [--every N] [--type TYPE] [--json]\n"
		"\n"
		"Arm a counting site at every instruction boundary of program PROG, run it on\n"
		"each packet with BPF_PROG_TEST_RUN, and check that it does exactly what the\n"
		"unarmed program does: same return value, output packet and context, the same\n"
		"contents in every map, and hit counts that follow the control flow.\n"
		"\n"
		"  --data-in PKT   raw packet bytes (repeatable: each is run from the same state)\n"
		"  --each          arm one boundary at a time (default: all at once, narrowed\n"
		"                  down when something differs)\n"
		"  --every N       only every Nth boundary\n"
		TYPE_HELP
		"  -j, --json      {\"program\", \"boundaries\", \"armed\", \"identical\",\n"
		"                   \"failures\": [{\"insn\", \"reason\"}], \"notes\"}\n"
		"\n"
		"Exit status: 0 every boundary armed and identical, 1 not, 2 bad input.\n");
}

static int parse_args(int argc, char **argv, struct sweep_args *a)
{
	static const struct option opts[] = {
		{ "data-in", required_argument, NULL, 'd' },
		{ "each", no_argument, NULL, 'e' },
		{ "every", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long long v;
	int c;

	a->data_in = calloc(argc + 1, sizeof(*a->data_in));
	if (!a->data_in)
		return -ENOMEM;
	while ((c = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->data_in[a->ninputs++] = optarg; break;
		case 'e': a->each = true; break;
		case 'j': cli.json = true; break;
		case 'n':
			if (cli_parse_uint("sweep", "--every", optarg, 1, UINT_MAX, &v))
				return -EINVAL;
			a->every = (unsigned int)v;
			break;
		case 'T':
			if (type_arg_parse("sweep", optarg, &a->type, &a->attach_type))
				return -EINVAL;
			break;
		case 'v':
			cli.verbose = true; /* also after the command */
			break;
		case 'h':
			sweep_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'bpfsdt sweep --help'.\n");
			return -EINVAL;
		}
	}
	if (argc - optind != 2 || !a->ninputs) {
		cli_error("sweep: needs FILE, PROG and --data-in PKT (try 'bpfsdt sweep --help')");
		return -EINVAL;
	}
	a->file = argv[optind];
	a->prog = argv[optind + 1];
	return 0;
}

static int read_inputs(const struct sweep_args *a, struct bpf_sdt_run_input *in)
{
	int i;

	for (i = 0; i < a->ninputs; i++) {
		FILE *f = fopen(a->data_in[i], "rb");
		char *buf = malloc(SWEEP_INPUT_MAX + 1);
		size_t n = 0;

		if (f && buf)
			n = fread(buf, 1, SWEEP_INPUT_MAX + 1, f);
		if (f)
			fclose(f);
		if (!f || !buf || !n || n > SWEEP_INPUT_MAX) {
			cli_error("sweep: %s: %s", a->data_in[i],
				  !f ? strerror(errno) : !n ? "empty" : "larger than 64 KiB");
			free(buf);
			return -EINVAL;
		}
		in[i].data = buf;
		in[i].size = (__u32)n;
	}
	return 0;
}

static void print_result(const struct sweep_args *a, const struct bpf_sdt_sweep *s)
{
	size_t i, n = bpf_sdt_sweep__failure_cnt(s);
	const char *notes = bpf_sdt_sweep__notes(s);

	if (cli.json) {
		struct json_writer w;

		json_init(&w, stdout);
		json_object_start(&w);
		json_key(&w, "program");
		json_string(&w, a->prog);
		json_key(&w, "boundaries");
		json_uint(&w, bpf_sdt_sweep__boundaries(s));
		json_key(&w, "armed");
		json_uint(&w, bpf_sdt_sweep__armed(s));
		json_key(&w, "identical");
		json_uint(&w, bpf_sdt_sweep__identical(s));
		json_key(&w, "failures");
		json_array_start(&w);
		for (i = 0; i < n; i++) {
			json_object_start(&w);
			json_key(&w, "insn");
			json_uint(&w, bpf_sdt_sweep__failure(s, i)->insn);
			json_key(&w, "reason");
			json_string(&w, bpf_sdt_sweep__failure(s, i)->reason);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_key(&w, "notes");
		json_string(&w, notes);
		json_object_end(&w);
		json_finish(&w);
		return;
	}
	printf("%s: %u boundaries, %u armed, %u identical\n", a->prog,
	       bpf_sdt_sweep__boundaries(s), bpf_sdt_sweep__armed(s), bpf_sdt_sweep__identical(s));
	for (i = 0; i < n; i++)
		printf("  insn %u: %s\n", bpf_sdt_sweep__failure(s, i)->insn,
		       bpf_sdt_sweep__failure(s, i)->reason);
	if (notes)
		printf("  note: %s\n", notes);
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_args a = {};
	struct bpf_sdt_run_input *in = NULL;
	struct bpf_sdt_target *t = NULL;
	struct bpf_sdt_sweep *s = NULL;
	int i, ret = EXIT_BAD_INPUT;

	i = parse_args(argc, argv, &a);
	if (i) {
		free(a.data_in);
		return i > 0 ? EXIT_OK : EXIT_BAD_INPUT;
	}
	in = calloc(a.ninputs, sizeof(*in));
	if (!in || read_inputs(&a, in))
		goto out;
	{
		/* PROG alone: the object's other programs may need a hook or
		 * privileges this host does not give, and never run here */
		LIBBPF_OPTS(bpf_sdt_target_opts, topts, .only_prog = a.prog,
			    .unknown_sec_type = a.type, .unknown_sec_attach_type = a.attach_type,
			    .unknown_sec_prog = a.prog);

		t = bpf_sdt_target__open_file(a.file, &topts);
	}
	if (!t)
		goto out;
	if (type_arg_explain_unloaded("sweep", a.file, bpf_sdt_target__object(t), a.prog))
		goto out;
	{
		LIBBPF_OPTS(bpf_sdt_sweep_opts, opts, .inputs = in, .input_cnt = (size_t)a.ninputs,
			    .each = a.each, .every = a.every);

		s = bpf_sdt_target__sweep(t, a.prog, &opts);
	}
	if (!s)
		goto out;
	print_result(&a, s);
	ret = bpf_sdt_sweep__armed(s) == bpf_sdt_sweep__boundaries(s) &&
	      bpf_sdt_sweep__identical(s) == bpf_sdt_sweep__boundaries(s) ? EXIT_OK : EXIT_FINDINGS;
out:
	bpf_sdt_sweep__free(s);
	bpf_sdt_target__close(t);
	for (i = 0; in && i < a.ninputs; i++)
		free((void *)in[i].data);
	free(in);
	free(a.data_in);
	return ret;
}
