// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt attach --xdp IFACE FILE.bpf.o OBSERVER.bpf.o [--probe P] [--duration S]
 *
 * Attaches the SEC("bpf_sdt[/probe]") programs of OBSERVER to the XDP
 * program running on IFACE until SIGINT/SIGTERM (or --duration), then puts
 * the running program back and prints the observers' globals.
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
#include "run_output.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void attach_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt attach " HOOK_USAGE "\n"
		"                     FILE.bpf.o OBSERVER.bpf.o [--probe P]\n"
		"                     [--duration S] [--force] [--json]\n"
		"\n"
		"Attach your own observers (SEC(\"bpf_sdt[/probe]\") programs) to the\n"
		"program running on a hook until SIGINT/SIGTERM or --duration; then put the\n"
		"program back and print the observers' global variables.\n"
		"\n"
		HOOK_HELP);
}

static int attach_all(struct bpf_sdt_target *t, struct bpf_object *obs, const char *probe)
{
	LIBBPF_OPTS(bpf_sdt_attach_opts, opts, .observer_obj = obs);
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, obs) {
		if (strncmp(bpf_program__section_name(prog), "bpf_sdt", 7))
			continue;
		if (!bpf_sdt_target__attach(t, prog, probe, &opts))
			return -1; /* libbpfsdt said why; the target's close detaches */
		n++;
	}
	return n;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		HOOK_LONG_OPTIONS,
		{ "probe", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct hook_args hook = {};
	const char *probe = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_sdt_target *t = NULL;
	struct bpf_object *obs = NULL;
	struct run_output out = {};
	double duration = 0, waited = 0;
	bool force = false;
	int c, n, ret = EXIT_BAD_INPUT;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (hook_args_option(&hook, c, optarg))
			continue;
		switch (c) {
		case 'p': probe = optarg; break;
		case 'd': duration = atof(optarg); break;
		case 'f': force = true; break;
		case 'j': cli.json = true; break;
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
	if (hook_args_resolve(&hook, "attach") || libbpfsdt_init())
		goto out;
	{
		LIBBPF_OPTS(bpf_sdt_live_opts, lopts, .force = force);

		t = bpf_sdt_target__open_live(argv[optind], &hook.hook, &lopts);
	}
	if (!t)
		goto out;
	obs = bpf_object__open_file(argv[optind + 1], NULL);
	if (!obs || bpf_object__load(obs)) {
		cli_error("attach: %s: cannot load the observer object", argv[optind + 1]);
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	n = attach_all(t, obs, probe);
	if (n <= 0) {
		if (!n)
			cli_error("attach: %s: no SEC(\"bpf_sdt\") program", argv[optind + 1]);
		goto out;
	}
	/* also with --json: says when every observer is attached */
	fprintf(stderr, "%d observer%s attached to the program on %s; Ctrl-C to detach\n",
		n, n == 1 ? "" : "s", hook.spec);
	while (!stop && (!duration || waited < duration)) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
		waited += 0.1;
	}
	bpf_sdt_target__close(t); /* detach: the running program goes back */
	t = NULL;
	out.json = cli.json;
	print_globals(&out, obs);
	ret = EXIT_OK;
out:
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
	hook_args_release(&hook);
	return ret;
}
