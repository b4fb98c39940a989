// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt reset --xdp IFACE FILE.bpf.o
 *
 * A tracer killed with SIGKILL cannot disarm: its armed copy (verified, and
 * harmless) stays on the hook. reset rebuilds the dormant program from FILE
 * on the maps the running copy uses and puts it back.
 */
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "libbpfsdt.h"

static void reset_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpfsdt reset (--xdp IFACE | --link PATH) FILE.bpf.o\n"
		"\n"
		"Put the dormant program built from FILE back on IFACE, replacing an armed\n"
		"copy a killed tracer left there.\n");
}

int cmd_reset(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "xdp", required_argument, NULL, 'x' },
		{ "link", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *iface = NULL, *link = NULL;
	int c, ifindex = 0, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'x':
			iface = optarg;
			break;
		case 'l':
			link = optarg;
			break;
		case 'h':
			reset_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'bpfsdt reset --help'.\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (!iface == !link || argc - optind != 1) {
		cli_error("reset: needs FILE and one of --xdp IFACE or --link PATH (try 'bpfsdt reset --help')");
		return EXIT_BAD_INPUT;
	}
	if (iface && !(ifindex = (int)if_nametoindex(iface))) {
		cli_error("reset: no interface %s", iface);
		return EXIT_BAD_INPUT;
	}
	err = link ? bpf_sdt_link_reset(argv[optind], link, NULL) :
		     bpf_sdt_xdp_reset(argv[optind], ifindex, NULL);
	if (err)
		return EXIT_BAD_INPUT; /* libbpfsdt said why */
	if (!cli.json)
		fprintf(stderr, "the dormant program from %s runs on %s\n", argv[optind],
			iface ? iface : link);
	return EXIT_OK;
}
