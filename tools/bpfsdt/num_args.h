/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The numeric options of every command, parsed one way: plain decimal
 * digits (a fraction too for seconds), no sign, no blanks, nothing after the
 * number, inside the option's range. strtoul() and strtod() accept "-1"
 * (as a huge number), " 5", "0x10", "1e3", "inf" and "nan"; these do not.
 */
#ifndef __BPFSDT_NUM_ARGS_H
#define __BPFSDT_NUM_ARGS_H

/* The longest --duration accepted: a year. */
#define CLI_MAX_SECONDS (365.0 * 24 * 3600)

/* A whole number from min to max into *out; on error one line naming
 * "cmd: opt" and the range, and -EINVAL. */
int cli_parse_uint(const char *cmd, const char *opt, const char *arg, unsigned long long min,
		   unsigned long long max, unsigned long long *out);
/* A size in bytes, digits with an optional K, M or G (powers of 1024), a
 * power of two from min to max. */
int cli_parse_pow2_size(const char *cmd, const char *opt, const char *arg,
			unsigned long long min, unsigned long long max, unsigned long long *out);
/* A positive number of seconds (digits, optionally '.' and more digits) up
 * to CLI_MAX_SECONDS. */
int cli_parse_seconds(const char *cmd, const char *opt, const char *arg, double *out);

#endif
