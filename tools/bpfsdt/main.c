// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfsdt: command-line front end of libbpfsdt, in the style of bpftool. */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cli.h"
#include <bpf/libbpf.h>
#include "libbpfsdt.h"

#ifndef BPFSDT_VERSION
#define BPFSDT_VERSION "0.2.0"
#endif

struct cli_globals cli;

void cli_error(const char *fmt, ...)
{
	va_list args;

	fputs("bpfsdt: ", stderr);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
}

/* Library diagnostics are complete lines naming the file: prefix them like
 * our own errors. */
static int print_diag(enum bpf_sdt_print_level level, const char *fmt, va_list args)
{
	if (level != BPF_SDT_WARN && !(level == BPF_SDT_INFO && cli.verbose))
		return 0;
	fputs("bpfsdt: ", stderr);
	return vfprintf(stderr, fmt, args);
}

/* libbpf's own lines would stand beside ours, in its words and format
 * ("libbpf: prog 'x': failed to load: -22"): every failure they describe is
 * said in one line of ours (with the verifier's last words when the kernel
 * refuses a program), so they are shown only with --verbose. */
static int libbpf_lines(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level != LIBBPF_DEBUG && cli.verbose ? vfprintf(stderr, fmt, args) : 0;
}

const char *cli_strerror(int err)
{
	static char buf[128];

	/* libbpf's own codes (4000 and up) have no strerror() text */
	if (libbpf_strerror(err, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "error %d", err < 0 ? -err : err);
	return buf;
}

/* Effective capability cap (capget: no libcap needed). */
static bool has_cap(unsigned int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

int cli_require_privileges(const char *cmd)
{
	bool bpf = has_cap(CAP_SYS_ADMIN) || (has_cap(CAP_BPF) && has_cap(CAP_PERFMON));

	if (bpf && has_cap(CAP_NET_ADMIN))
		return 0;
	cli_error("%s: needs root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN): it loads BPF programs", cmd);
	return -EPERM;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "list", cmd_list, "list the probes and sites of BPF objects" },
	{ "check", cmd_check, "check probe sites against their declared types" },
	{ "run", cmd_run, "run a program on a packet with its probes armed" },
	{ "trace", cmd_trace, "trace, count and capture the probes of a running program" },
	{ "attach", cmd_attach, "attach your observers to a running program" },
	{ "reset", cmd_reset, "put the dormant program back after a killed tracer" },
	{ "status", cmd_status, "say whether a hook runs an original or an armed copy" },
	{ "sweep", cmd_sweep, "arm every instruction boundary and check nothing changes" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: bpfsdt [--json] [--verbose] COMMAND [ARGS...]\n"
		"       bpfsdt COMMAND --help\n"
		"       bpfsdt --version\n"
		"\n"
		"Static-defined tracing probes for BPF programs.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -j, --json     machine-readable output\n"
		"  -v, --verbose  say how probes are armed (relinking or in-kernel SDT links),\n"
		"                 and show libbpf's own messages (also after COMMAND)\n"
		"  -h, --help     this help\n"
		"  -V, --version  print the version\n"
		"\n"
		"Exit status: 0 ok, 1 findings, 2 bad usage or invalid input.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	size_t i;
	int c;

	bpf_sdt_set_print(print_diag);
	libbpf_set_print(libbpf_lines);
	/* '+': stop at the command name; the rest belongs to the command. */
	while ((c = getopt_long(argc, argv, "+jvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli.json = true;
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("bpfsdt %s\n", BPFSDT_VERSION);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'bpfsdt --help'.\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (optind >= argc) {
		cli_error("missing command (try 'bpfsdt --help')");
		return EXIT_BAD_INPUT;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			argc -= optind;
			argv += optind;
			optind = 0; /* reset getopt for the command's own options */
			return commands[i].run(argc, argv);
		}
	}
	cli_error("unknown command '%s' (try 'bpfsdt --help')", argv[optind]);
	return EXIT_BAD_INPUT;
}
