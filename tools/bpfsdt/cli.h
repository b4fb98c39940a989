/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared conventions of the bpfsdt subcommands. */
#ifndef __BPFSDT_CLI_H
#define __BPFSDT_CLI_H

#include <stdbool.h>

/* Exit codes, as documented in bpfsdt(8). */
enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,
	EXIT_BAD_INPUT = 2,
	EXIT_NOT_RESTORED = 3,	/* trace/attach: the hook no longer ran our
				 * armed copy; the original was not put back */
	EXIT_OUTPUT_FAILED = 4,	/* trace/attach: stdout could not be written */
};

struct cli_globals {
	bool json;
	bool verbose;
};

extern struct cli_globals cli;

/* One-line error on stderr, prefixed "bpfsdt: ". */
__attribute__((format(printf, 1, 2))) void cli_error(const char *fmt, ...);

/* Text of an error code, libbpf's own (LIBBPF_ERRNO__*) included; either
 * sign. Static buffer. */
const char *cli_strerror(int err);
/* 0, or one line saying cmd needs root (and -EPERM). */
int cli_require_privileges(const char *cmd);

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#endif
