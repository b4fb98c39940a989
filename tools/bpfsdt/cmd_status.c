// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt status HOOK
 *
 * What runs on a hook: for each program, whether it is the original or an
 * armed copy, and for an armed copy what it stands in for, which probes it
 * has armed and which session (still running or not) put it there.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "hook_args.h"
#include "json_writer.h"
#include "libbpfsdt.h"

static void status_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt status " HOOK_USAGE "\n"
		"\n"
		"Say what runs on the hook: the original program or an armed copy, and for\n"
		"an armed copy the program it stands in for, its probes and the session\n"
		"(pid, still running or not, since when) that armed it.\n"
		"\n"
		HOOK_HELP);
}

static void tag_hex(const __u8 *tag, char out[17])
{
	int i;

	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", tag[i]);
}

static void print_text(const char *spec, const struct bpf_sdt_hook_status *st)
{
	char tag[17], orig[17], when[32] = "?";
	time_t since = (time_t)st->since;
	struct tm tm;

	tag_hex(st->prog_tag, tag);
	printf("%s: %s id %u tag %s: ", spec, st->prog_name, st->prog_id, tag);
	if (!st->armed) {
		printf("original\n");
		return;
	}
	tag_hex(st->orig_tag, orig);
	if (localtime_r(&since, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("armed copy of id %u tag %s, probes %s, session pid %u (%s) since %s\n",
	       st->orig_prog_id, orig, st->probes[0] ? st->probes : "none", st->session_pid,
	       st->session_running ? "running" : "gone", when);
}

static void print_json(struct json_writer *w, const struct bpf_sdt_hook_status *st)
{
	char tag[17], probes[sizeof(st->probes)], *p, *save = NULL;

	json_object_start(w);
	json_key(w, "id");
	json_uint(w, st->prog_id);
	json_key(w, "name");
	json_string(w, st->prog_name);
	tag_hex(st->prog_tag, tag);
	json_key(w, "tag");
	json_string(w, tag);
	json_key(w, "armed");
	json_bool(w, st->armed);
	if (st->armed) {
		json_key(w, "original");
		json_object_start(w);
		json_key(w, "id");
		json_uint(w, st->orig_prog_id);
		tag_hex(st->orig_tag, tag);
		json_key(w, "tag");
		json_string(w, tag);
		json_object_end(w);
		json_key(w, "probes");
		json_array_start(w);
		memcpy(probes, st->probes, sizeof(probes));
		for (p = strtok_r(probes, ",", &save); p; p = strtok_r(NULL, ",", &save))
			json_string(w, p);
		json_array_end(w);
		json_key(w, "session");
		json_object_start(w);
		json_key(w, "pid");
		json_uint(w, st->session_pid);
		json_key(w, "running");
		json_bool(w, st->session_running);
		json_key(w, "since");
		json_uint(w, st->since);
		json_object_end(w);
	}
	json_object_end(w);
}

int cmd_status(int argc, char **argv)
{
	struct hook_args hook = {};
	struct json_writer w;
	int n, i;

	n = hook_args_parse_only(&hook, argc, argv, "status", status_usage);
	if (n >= 0)
		return n;
	if (argc != optind) {
		cli_error("status: takes no FILE, only the hook (try 'bpfsdt status --help')");
		return EXIT_BAD_INPUT;
	}
	if (hook_args_resolve(&hook, "status")) {
		hook_args_release(&hook);
		return EXIT_BAD_INPUT;
	}
	{
		LIBBPF_OPTS(bpf_sdt_hook_status, st);

		n = bpf_sdt_hook__status(&hook.hook, 0, &st);
	}
	if (n < 0) {
		hook_args_release(&hook);
		return EXIT_BAD_INPUT; /* one line said why */
	}
	if (cli.json) {
		json_init(&w, stdout);
		json_object_start(&w);
		json_key(&w, "hook");
		json_string(&w, hook.spec);
		json_key(&w, "programs");
		json_array_start(&w);
	} else if (!n) {
		printf("%s: no program runs there\n", hook.spec);
	}
	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_sdt_hook_status, st);

		/* a tc hook may change meanwhile: what is left of it */
		if (bpf_sdt_hook__status(&hook.hook, (size_t)i, &st) <= i)
			break;
		if (cli.json)
			print_json(&w, &st);
		else
			print_text(hook.spec, &st);
	}
	if (cli.json) {
		json_array_end(&w);
		json_object_end(&w);
		json_finish(&w);
	}
	hook_args_release(&hook);
	return EXIT_OK;
}
