// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt attach --xdp IFACE FILE.bpf.o OBSERVER.bpf.o [--probe P] [--duration S]
 *
 * Attaches the SEC("bpf_sdt[/probe]") programs of OBSERVER to the program
 * running on a hook until a signal (session_end.h) or --duration, then puts
 * the running program back (in one swap) and prints the observers'
 * globals. A guardian process puts it back if bpfsdt is killed.
 */
#include <bpf/libbpf.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "hook_args.h"
#include "libbpfsdt.h"
#include "num_args.h"
#include "observers.h"
#include "run_output.h"
#include "session_end.h"

static void attach_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt attach " HOOK_USAGE "\n"
		"                     FILE.bpf.o OBSERVER.bpf.o [--probe P | --at SITE]\n"
		"                     [--duration S] [--force] [--json]\n"
		"\n"
		"Attach your own observers (SEC(\"bpf_sdt[/probe]\") programs) to the\n"
		"program running on a hook until a signal or --duration; then put the\n"
		"program back and print the observers' global variables.\n"
		"\n"
		HOOK_HELP
		"  --probe P          probe for observers whose section names none\n"
		"  --at PROG+INSN     or a site at any instruction boundary or source line\n"
		"  --at FILE:LINE     (its arguments: the registers r0..r9 as u64)\n");
}

static int attach_all(struct bpf_sdt_target *t, struct bpf_object *obs, const char *probe,
		      struct observer_links *links)
{
	LIBBPF_OPTS(bpf_sdt_attach_opts, opts, .observer_obj = obs);
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, obs) {
		if (!observer_is(prog))
			continue;
		if (observer_links_attach(links, t, prog, observer_probe(prog, probe), &opts))
			return -1; /* said why; the target's close detaches */
		n++;
	}
	return n;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		HOOK_LONG_OPTIONS,
		{ "probe", required_argument, NULL, 'p' },
		{ "at", required_argument, NULL, 'a' },
		{ "duration", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct hook_args hook = {};
	const char *probe = NULL, *at = NULL;
	struct bpf_sdt_target *t = NULL;
	struct bpf_object *obs = NULL;
	struct observer_links links = {};
	struct run_output out = {};
	double duration = 0, waited = 0;
	bool force = false;
	int c, n, ret = EXIT_BAD_INPUT;

	while ((c = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		if (hook_args_option(&hook, c, optarg))
			continue;
		switch (c) {
		case 'p': probe = optarg; break;
		case 'a': at = optarg; break; /* a dynamic site */
		case 'd':
			if (cli_parse_seconds("attach", "--duration", optarg, &duration))
				return EXIT_BAD_INPUT;
			break;
		case 'f': force = true; break;
		case 'j': cli.json = true; break;
		case 'v':
			cli.verbose = true; /* also after the command */
			break;
		case 'h':
			attach_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'bpfsdt attach --help'.\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (argc - optind != 2) {
		cli_error("attach: needs FILE and OBSERVER (try 'bpfsdt attach --help')");
		return EXIT_BAD_INPUT;
	}
	if (cli_require_privileges("attach") || hook_args_resolve(&hook, "attach") ||
	    libbpfsdt_init())
		goto out;
	session_catch_signals(); /* signals end the session, never the process */
	{
		LIBBPF_OPTS(bpf_sdt_live_opts, lopts, .force = force, .guardian = true);

		t = bpf_sdt_target__open_live(argv[optind], &hook.hook, &lopts);
	}
	if (!t)
		goto out;
	obs = observers_open("attach", argv[optind + 1]);
	if (!obs)
		goto out;
	if (!session_stop_signal()) {
		n = attach_all(t, obs, probe ?: at, &links);
		if (n <= 0) {
			if (!n)
				cli_error("attach: %s: no SEC(\"bpf_sdt\") program",
					  argv[optind + 1]);
			goto out;
		}
		/* also with --json: says when every observer is attached */
		fprintf(stderr, "%d observer%s attached to the program on %s; Ctrl-C to detach\n",
			n, n == 1 ? "" : "s", hook.spec);
	}
	while (!session_stop_signal() && (!duration || waited < duration)) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
		waited += 0.1;
	}
	/* every observer off in one swap; if that fails one line said why */
	ret = bpf_sdt_target__disarm(t) ? EXIT_NOT_RESTORED : EXIT_OK;
	out.json = cli.json;
	if (session_stop_signal() != SIGPIPE) {
		print_globals(&out, obs);
		if (run_output_flush(&out)) {
			cli_error("attach: writing to standard output failed: %s",
				  strerror(-out.write_err));
			if (ret == EXIT_OK)
				ret = EXIT_OUTPUT_FAILED;
		}
	}
out:
	bpf_sdt_target__close(t);
	observer_links_destroy(&links);
	bpf_object__close(obs);
	hook_args_release(&hook);
	return session_exit_status(ret);
}
