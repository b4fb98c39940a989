// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt reset HOOK FILE.bpf.o
 *
 * A tracer killed with SIGKILL cannot disarm: its armed copy (verified, and
 * harmless) stays on the hook. reset puts the original back: the very
 * program while it exists, else the one FILE builds on the maps the armed
 * copy's mark names. It replaces only an armed copy of FILE's program whose
 * session has ended; anything else is refused and left as it is.
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
		"Put the dormant program back on the hook, replacing the armed copy of\n"
		"FILE's program a killed tracer left there (its mark says whose it is):\n"
		"the original itself while it exists, else FILE's program rebuilt on the\n"
		"maps the original used. Nothing else is replaced: an unmarked program\n"
		"stays (fine if it is FILE's), an armed copy of another program or of a\n"
		"session still running is refused.\n"
		"\n"
		HOOK_HELP);
}

int cmd_reset(int argc, char **argv)
{
	struct hook_args hook = {};
	int err;

	err = hook_args_parse_only(&hook, argc, argv, "reset", reset_usage);
	if (err >= 0)
		return err;
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
