// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfsdt list [--json] FILE...: the probes declared in BPF objects and the
 * sites that fire them. All files are read before anything is printed, so an
 * invalid file produces an error and no partial table.
 * bpfsdt list (--xdp IFACE | ... | --prog-id N): the probes a running
 * program's BTF declares, without the ELF (and so without sites). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "hook_args.h"
#include "json_writer.h"
#include "libbpfsdt.h"
#include "num_args.h"

static void list_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt list [--json] FILE...\n"
		"       bpfsdt list [--json] " HOOK_USAGE "\n"
		"       bpfsdt list [--json] --prog-id N\n"
		"\n"
		"List the probes of BPF ELF objects: each probe's argument types, its\n"
		"sites (id, function, section, instruction index, source file:line,\n"
		"argument registers) and its guards (BPF_SDT_ENABLED: where each is,\n"
		"where its block starts). Site ids and lines select sites in 'bpfsdt\n"
		"trace' (PROBE@ID, PROBE@FILE:LINE).\n"
		"With a hook or --prog-id: the probes a loaded program's BTF declares,\n"
		"without its ELF; their sites need the ELF.\n"
		"\n"
		HOOK_HELP
		"  --prog-id N        the loaded program with id N\n"
		"  -j, --json         one JSON document: an object for one FILE, an array\n"
		"                     of them for several\n"
		"  -v, --verbose      also libbpf's own messages\n"
		"  -h, --help         this help\n");
}

static void format_arg_loc(const struct bpf_sdt_arg_loc *loc, char *buf, size_t size)
{
	if (loc->kind == BPF_SDT_ARG_MEM)
		snprintf(buf, size, "[r%u%+d]", loc->reg, loc->off);
	else
		snprintf(buf, size, "r%u", loc->reg);
}

static void print_signature(const struct bpf_sdt_probe *p)
{
	int i;

	printf("%s(", bpf_sdt_probe__name(p));
	for (i = 0; i < bpf_sdt_probe__arg_cnt(p); i++)
		printf("%s%s", i ? ", " : "", bpf_sdt_probe__arg_type_name(p, i));
	printf(")");
}

static void print_site_text(const struct bpf_sdt_site *s)
{
	char loc[32];
	int i;

	printf("    site %u: %s insn %u (%s insn %u)", bpf_sdt_site__id(s),
	       bpf_sdt_site__function(s) ?: "?", bpf_sdt_site__insn(s), bpf_sdt_site__section(s),
	       bpf_sdt_site__section_insn(s));
	if (bpf_sdt_site__file(s))
		printf(" at %s:%u", bpf_sdt_site__file(s), bpf_sdt_site__line(s));
	for (i = 0; i < bpf_sdt_site__arg_cnt(s); i++) {
		format_arg_loc(bpf_sdt_site__arg(s, i), loc, sizeof(loc));
		printf("%s%s", i ? ", " : " args ", loc);
	}
	printf("\n");
}

static void print_guard_text(const struct bpf_sdt_guard *g)
{
	printf("    guard %s insn %u (%s insn %u), block at insn %u\n",
	       bpf_sdt_guard__function(g) ?: "?", bpf_sdt_guard__insn(g),
	       bpf_sdt_guard__section(g), bpf_sdt_guard__section_insn(g),
	       bpf_sdt_guard__block_insn(g));
}

static void print_text(const struct bpf_sdt_object *obj, bool live)
{
	size_t i, j, n = bpf_sdt_object__probe_cnt(obj);

	if (live)
		printf("%s: %zu probe%s (from its BTF; the sites need its ELF)\n",
		       bpf_sdt_object__name(obj), n, n == 1 ? "" : "s");
	else
		printf("%s: %zu probe%s, %zu site%s\n", bpf_sdt_object__name(obj), n,
		       n == 1 ? "" : "s", bpf_sdt_object__site_cnt(obj),
		       bpf_sdt_object__site_cnt(obj) == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		const struct bpf_sdt_probe *p = bpf_sdt_object__probe(obj, i);
		size_t sites = bpf_sdt_probe__site_cnt(p), guards = bpf_sdt_probe__guard_cnt(p);

		printf("  ");
		print_signature(p);
		if (bpf_sdt_object__site_cnt(obj) || !live)
			printf(": %zu site%s", sites, sites == 1 ? "" : "s");
		if (guards)
			printf(", %zu guard%s", guards, guards == 1 ? "" : "s");
		printf("%s\n", bpf_sdt_probe__is_func(p) ? " (function probe)" : "");
		for (j = 0; j < sites; j++)
			print_site_text(bpf_sdt_probe__site(p, j));
		for (j = 0; j < guards; j++)
			print_guard_text(bpf_sdt_probe__guard(p, j));
	}
}

/* Where a site or guard is: its function and section, and its instruction
 * in each. */
static void print_place_json(struct json_writer *w, const char *function, const char *section,
			     __u32 insn, __u32 section_insn)
{
	json_key(w, "function");
	json_string(w, function);
	json_key(w, "section");
	json_string(w, section);
	json_key(w, "insn");
	json_uint(w, insn);
	json_key(w, "section_insn");
	json_uint(w, section_insn);
}

static void print_site_json(struct json_writer *w, const struct bpf_sdt_site *s)
{
	char loc[32];
	int i;

	json_object_start(w);
	print_place_json(w, bpf_sdt_site__function(s), bpf_sdt_site__section(s),
			 bpf_sdt_site__insn(s), bpf_sdt_site__section_insn(s));
	json_key(w, "regs");
	json_array_start(w);
	for (i = 0; i < bpf_sdt_site__arg_cnt(s); i++) {
		format_arg_loc(bpf_sdt_site__arg(s, i), loc, sizeof(loc));
		json_string(w, loc);
	}
	json_array_end(w);
	json_key(w, "id");
	json_uint(w, bpf_sdt_site__id(s));
	json_key(w, "file");
	json_string(w, bpf_sdt_site__file(s));
	json_key(w, "line");
	json_uint(w, bpf_sdt_site__line(s));
	json_object_end(w);
}

static void print_guard_json(struct json_writer *w, const struct bpf_sdt_guard *g)
{
	json_object_start(w);
	print_place_json(w, bpf_sdt_guard__function(g), bpf_sdt_guard__section(g),
			 bpf_sdt_guard__insn(g), bpf_sdt_guard__section_insn(g));
	json_key(w, "block_insn");
	json_uint(w, bpf_sdt_guard__block_insn(g));
	json_object_end(w);
}

static void print_json(struct json_writer *w, const struct bpf_sdt_object *obj)
{
	size_t i, j;
	int a;

	json_object_start(w);
	json_key(w, "file");
	json_string(w, bpf_sdt_object__name(obj));
	json_key(w, "probes");
	json_array_start(w);
	for (i = 0; i < bpf_sdt_object__probe_cnt(obj); i++) {
		const struct bpf_sdt_probe *p = bpf_sdt_object__probe(obj, i);

		json_object_start(w);
		json_key(w, "name");
		json_string(w, bpf_sdt_probe__name(p));
		json_key(w, "args");
		json_array_start(w);
		for (a = 0; a < bpf_sdt_probe__arg_cnt(p); a++) {
			json_object_start(w);
			json_key(w, "type");
			json_string(w, bpf_sdt_probe__arg_type_name(p, a));
			json_object_end(w);
		}
		json_array_end(w);
		json_key(w, "sites");
		json_array_start(w);
		for (j = 0; j < bpf_sdt_probe__site_cnt(p); j++)
			print_site_json(w, bpf_sdt_probe__site(p, j));
		json_array_end(w);
		/* only for probes that have them: older readers see no change */
		if (bpf_sdt_probe__guard_cnt(p)) {
			json_key(w, "guards");
			json_array_start(w);
			for (j = 0; j < bpf_sdt_probe__guard_cnt(p); j++)
				print_guard_json(w, bpf_sdt_probe__guard(p, j));
			json_array_end(w);
		}
		if (bpf_sdt_probe__is_func(p)) {
			json_key(w, "function_probe");
			json_bool(w, true);
		}
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

/* The probes of the program on a hook, or of --prog-id. */
static int list_loaded(struct hook_args *h, unsigned long long prog_id, int nfiles)
{
	struct bpf_sdt_hook_status st = { .sz = sizeof(st) };
	struct bpf_sdt_object *obj;
	struct json_writer w;
	int n;

	if (nfiles) {
		cli_error("list: FILE or a loaded program, not both (try 'bpfsdt list --help')");
		return EXIT_BAD_INPUT;
	}
	if (h->count && prog_id) {
		cli_error("list: a hook or --prog-id, not both");
		return EXIT_BAD_INPUT;
	}
	if (h->count) {
		if (hook_args_resolve(h, "list"))
			return EXIT_BAD_INPUT;
		n = bpf_sdt_hook__status(&h->hook, 0, &st);
		if (n <= 0) {
			if (n < 0)
				cli_error("list: %s: %s", h->spec, cli_strerror(n));
			else
				cli_error("list: no program runs on %s", h->spec);
			return EXIT_BAD_INPUT;
		}
		prog_id = st.prog_id;
	}
	obj = bpf_sdt_object__open_prog_id((__u32)prog_id);
	if (!obj)
		return EXIT_BAD_INPUT; /* the library said why in one line */
	if (cli.json) {
		json_init(&w, stdout);
		print_json(&w, obj);
		json_finish(&w);
	} else {
		print_text(obj, true);
	}
	bpf_sdt_object__close(obj);
	return EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		HOOK_LONG_OPTIONS,
		{ "prog-id", required_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct hook_args hook = {};
	unsigned long long prog_id = 0;
	struct bpf_sdt_object **objs;
	struct json_writer w;
	int c, i, n, ret = EXIT_OK;

	while ((c = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		if (hook_args_option(&hook, c, optarg))
			continue;
		switch (c) {
		case 'I':
			if (cli_parse_uint("list", "--prog-id", optarg, 1, UINT_MAX, &prog_id))
				return EXIT_BAD_INPUT;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'h':
			list_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'bpfsdt list --help'.\n");
			return EXIT_BAD_INPUT;
		}
	}
	n = argc - optind;
	if (hook.count || prog_id) {
		ret = list_loaded(&hook, prog_id, n);
		hook_args_release(&hook);
		return ret;
	}
	if (n <= 0) {
		cli_error("list: missing FILE (try 'bpfsdt list --help')");
		return EXIT_BAD_INPUT;
	}
	objs = calloc(n, sizeof(*objs));
	if (!objs) {
		cli_error("list: out of memory");
		return EXIT_BAD_INPUT;
	}
	for (i = 0; i < n; i++) {
		objs[i] = bpf_sdt_object__open_file(argv[optind + i], NULL);
		if (!objs[i]) {
			ret = EXIT_BAD_INPUT; /* the library printed why */
			goto out;
		}
	}
	json_init(&w, stdout);
	if (cli.json && n > 1)
		json_array_start(&w);
	for (i = 0; i < n; i++) {
		if (cli.json)
			print_json(&w, objs[i]);
		else
			print_text(objs[i], false);
	}
	if (cli.json && n > 1)
		json_array_end(&w);
	if (cli.json)
		json_finish(&w);
out:
	for (i = 0; i < n; i++)
		bpf_sdt_object__close(objs[i]);
	free(objs);
	return ret;
}
