// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt reset HOOK FILE.bpf.o
 *
 * A tracer killed with SIGKILL cannot disarm: its armed copy (verified, and
 * harmless) stays on the hook. reset rebuilds the dormant program from FILE
 * on the maps the running copy uses and puts it back.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "hook_args.h"
#include "libbpfsdt.h"

static void reset_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt reset " HOOK_USAGE "\n"
		"                    FILE.bpf.o\n"
		"\n"
		"Put the dormant program built from FILE back on the hook, replacing an\n"
		"armed copy a killed tracer left there.\n"
		"\n"
		HOOK_HELP);
}

int cmd_reset(int argc, char **argv)
{
	static const struct option opts[] = {
		HOOK_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct hook_args hook = {};
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (hook_args_option(&hook, c, optarg))
			continue;
		switch (c) {
		case 'h':
			reset_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'bpfsdt reset --help'.\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (argc - optind != 1) {
		cli_error("reset: needs FILE (try 'bpfsdt reset --help')");
		return EXIT_BAD_INPUT;
	}
	err = cli_require_privileges("reset");
	if (!err)
		err = hook_args_resolve(&hook, "reset");
	if (!err)
		err = bpf_sdt_live_reset(argv[optind], &hook.hook, NULL);
	hook_args_release(&hook);
	if (err)
		return EXIT_BAD_INPUT; /* one line said why */
	if (!cli.json)
		fprintf(stderr, "the dormant program from %s runs on %s\n", argv[optind], hook.spec);
	return EXIT_OK;
}
