// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt check FILE.bpf.o [--kernel | --offline] [--json]
 *
 * Checks every probe site against the probe's declared types, by the kernel
 * verifier (root) or offline (anyone), and prints the findings in compiler
 * style. Exit 0 clean (warnings allowed), 1 errors found, 2 bad input, 3 no
 * errors but some sites could not be checked.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "json_writer.h"
#include "libbpfsdt.h"
#include "type_arg.h"

/* No error found, but not every site could be checked: not clean either. */
#define EXIT_UNCHECKED 3

static void check_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt check FILE.bpf.o [--kernel | --offline] [--type TYPE] [--json]\n"
		"\n"
		"Check that every probe site passes values of the probe's declared types:\n"
		"integers, enums and bools need scalars, a pointer to the program's context\n"
		"type the context, other pointers a non-NULL pointer.\n"
		"\n"
		"  --kernel     let the kernel verifier decide (needs root; the default\n"
		"               when running as root): nothing is attached\n"
		"  --offline    decide by analysing the instructions (no kernel, no root;\n"
		"               the default otherwise)\n"
		"  --type TYPE  type of programs in sections libbpf does not know\n"
		"               (SEC(\"prog\"), SEC(\"tc/ingress\")...): xdp, tc, sched_act,\n"
		"               socket_filter, cgroup_skb/ingress, ...; without it their\n"
		"               sites are not checked\n"
		"  -j, --json   one JSON document\n"
		"\n"
		"Exit status: 0 clean (warnings allowed), 1 errors found, 2 bad input,\n"
		"3 no errors but some sites could not be checked.\n");
}

static size_t site_total(const struct bpf_sdt_object *sdt)
{
	return sdt ? bpf_sdt_object__site_cnt(sdt) : 0;
}

static void print_text(const char *file, const struct bpf_sdt_check *c)
{
	size_t i;

	for (i = 0; i < bpf_sdt_check__finding_cnt(c); i++) {
		const struct bpf_sdt_finding *f = bpf_sdt_check__finding(c, i);

		if (f->file && f->line)
			printf("%s:%u: ", f->file, f->line);
		else
			printf("%s: %s insn %u: ", file, bpf_sdt_site__function(f->site) ?: "?",
			       bpf_sdt_site__insn(f->site));
		printf("%s%s\n", f->warning ? "warning: " : "", f->message);
	}
}

static const char *severity(const struct bpf_sdt_finding *f)
{
	return f->unchecked ? "unchecked" : f->warning ? "warning" : "error";
}

static void print_json(const char *file, const char *mode, size_t sites, size_t unchecked,
		       const struct bpf_sdt_check *c)
{
	struct json_writer w;
	size_t i;

	json_init(&w, stdout);
	json_object_start(&w);
	json_key(&w, "file");
	json_string(&w, file);
	json_key(&w, "mode");
	json_string(&w, mode);
	json_key(&w, "sites");
	json_uint(&w, sites);
	json_key(&w, "findings");
	json_array_start(&w);
	for (i = 0; i < bpf_sdt_check__finding_cnt(c); i++) {
		const struct bpf_sdt_finding *f = bpf_sdt_check__finding(c, i);

		json_object_start(&w);
		json_key(&w, "severity");
		json_string(&w, severity(f));
		json_key(&w, "file");
		json_string(&w, f->file);
		json_key(&w, "line");
		json_uint(&w, f->line);
		json_key(&w, "program");
		json_string(&w, f->prog);
		json_key(&w, "function");
		json_string(&w, bpf_sdt_site__function(f->site));
		json_key(&w, "insn");
		json_uint(&w, bpf_sdt_site__insn(f->site));
		json_key(&w, "probe");
		json_string(&w, bpf_sdt_probe__name(bpf_sdt_site__probe(f->site)));
		json_key(&w, "arg");
		if (f->arg >= 0)
			json_int(&w, f->arg);
		else
			json_null(&w);
		json_key(&w, "message");
		json_string(&w, f->message);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "unchecked"); /* findings of severity "unchecked" */
	json_uint(&w, unchecked);
	json_object_end(&w);
	json_finish(&w);
}

/* Programs left unloaded for want of a type: their sites went unchecked. */
static void warn_unchecked(const char *file, struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC)
			fprintf(stderr, "%s: warning: program %s not checked: libbpf does not know its section \"%s\" (give its type with --type)\n",
				file, bpf_program__name(prog), bpf_program__section_name(prog));
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", no_argument, NULL, 'k' },
		{ "offline", no_argument, NULL, 'o' },
		{ "type", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	enum bpf_sdt_check_mode mode = 0;
	struct bpf_sdt_target *t = NULL;
	struct bpf_sdt_check *c = NULL;
	const char *file, *mode_name;
	size_t i, errors = 0, warnings = 0, unchecked = 0;
	__u32 type = 0, attach_type = 0;
	int opt, ret = EXIT_BAD_INPUT;

	while ((opt = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
		case 'o':
			if (mode) {
				cli_error("check: --kernel and --offline exclude each other");
				return EXIT_BAD_INPUT;
			}
			mode = opt == 'k' ? BPF_SDT_CHECK_KERNEL : BPF_SDT_CHECK_OFFLINE;
			break;
		case 'T':
			if (type_arg_parse("check", optarg, &type, &attach_type))
				return EXIT_BAD_INPUT;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'v':
			cli.verbose = true; /* also after the command */
			break;
		case 'h':
			check_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'bpfsdt check --help'.\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (argc - optind != 1) {
		cli_error("check: needs one FILE (try 'bpfsdt check --help')");
		return EXIT_BAD_INPUT;
	}
	file = argv[optind];
	if (!mode) /* loading programs takes privileges; analysing them does not */
		mode = geteuid() == 0 ? BPF_SDT_CHECK_KERNEL : BPF_SDT_CHECK_OFFLINE;
	mode_name = mode == BPF_SDT_CHECK_KERNEL ? "kernel" : "offline";
	{
		LIBBPF_OPTS(bpf_sdt_check_opts, copts, .mode = mode);
		LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = mode == BPF_SDT_CHECK_OFFLINE,
			    .unknown_sec_type = type, .unknown_sec_attach_type = attach_type);

		t = bpf_sdt_target__open_file(file, &topts);
		if (t)
			c = bpf_sdt_target__check(t, &copts);
	}
	if (!t && errno == EPERM && mode == BPF_SDT_CHECK_KERNEL)
		cli_error("check: the kernel check loads programs, which needs privileges; --offline needs none");
	if (!c)
		goto out; /* libbpfsdt said why */
	warn_unchecked(file, bpf_sdt_target__object(t));
	for (i = 0; i < bpf_sdt_check__finding_cnt(c); i++) {
		const struct bpf_sdt_finding *f = bpf_sdt_check__finding(c, i);

		if (f->unchecked)
			unchecked++;
		else if (f->warning)
			warnings++;
		else
			errors++;
	}
	if (cli.json) {
		print_json(file, mode_name, site_total(bpf_sdt_target__probes(t)), unchecked, c);
	} else {
		print_text(file, c);
		fprintf(stderr, "%s: %zu site%s checked by the %s: %zu error%s, %zu warning%s",
			file, site_total(bpf_sdt_target__probes(t)),
			site_total(bpf_sdt_target__probes(t)) == 1 ? "" : "s",
			mode == BPF_SDT_CHECK_KERNEL ? "kernel verifier" : "offline analysis",
			errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
		if (unchecked)
			fprintf(stderr, ", %zu could not be checked", unchecked);
		fputc('\n', stderr);
	}
	ret = errors ? EXIT_FINDINGS : unchecked ? EXIT_UNCHECKED : EXIT_OK;
out:
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
	return ret;
}
