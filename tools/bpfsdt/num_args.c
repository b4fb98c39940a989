// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Strict parsing of numeric options (see num_args.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "num_args.h"

int cli_parse_uint(const char *cmd, const char *opt, const char *arg, unsigned long long min,
		   unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = arg;

	if (!*p)
		goto bad;
	for (; *p; p++) {
		unsigned int d = (unsigned char)*p - '0';

		if (!isdigit((unsigned char)*p) || v > max / 10)
			goto bad;
		v *= 10;
		if (d > max - v)
			goto bad; /* past max, before it could overflow */
		v += d;
	}
	if (v < min)
		goto bad;
	*out = v;
	return 0;
bad:
	cli_error("%s: %s needs a whole number from %llu to %llu, not '%s'", cmd, opt, min, max,
		  arg);
	return -EINVAL;
}

int cli_parse_pow2_size(const char *cmd, const char *opt, const char *arg,
			unsigned long long min, unsigned long long max, unsigned long long *out)
{
	static const char units[] = "KMG";
	const char *u = *arg ? strchr(units, arg[strlen(arg) - 1]) : NULL;
	unsigned long long v = 0, scale = 1;
	const char *p;

	if (u && *u)
		scale = 1ull << (10 * (u - units + 1));
	for (p = arg; *p && !(u && *u && !p[1]); p++) {
		if (!isdigit((unsigned char)*p) || v > max / 10)
			goto bad;
		v = v * 10 + (unsigned int)(*p - '0');
	}
	if (p == arg || v > max / scale)
		goto bad;
	v *= scale;
	if (v < min || v > max || (v & (v - 1)))
		goto bad;
	*out = v;
	return 0;
bad:
	cli_error("%s: %s needs a power of two from %lluK to %lluM bytes (K, M, G: KiB, MiB, GiB), not '%s'",
		  cmd, opt, min >> 10, max >> 20, arg);
	return -EINVAL;
}

int cli_parse_seconds(const char *cmd, const char *opt, const char *arg, double *out)
{
	const char *p = arg;
	size_t digits = 0;
	double v;

	/* digits [. digits]: what strtod reads of that is exactly the number */
	while (isdigit((unsigned char)*p))
		p++, digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (*p || !digits)
		goto bad;
	v = strtod(arg, NULL);
	if (!(v > 0) || v > CLI_MAX_SECONDS)
		goto bad;
	*out = v;
	return 0;
bad:
	cli_error("%s: %s needs a number of seconds above 0 and at most %.0f, not '%s'", cmd, opt,
		  CLI_MAX_SECONDS, arg);
	return -EINVAL;
}
