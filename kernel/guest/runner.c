// SPDX-License-Identifier: GPL-2.0
/* Guest test runner: runs every test in guest_tests[], prints
 * "ok NAME" or "FAIL NAME: reason" per test and finally exactly
 * "N passed, M failed".  The host harness greps for these lines on the
 * serial console, so nothing else printed here may start with "ok " or
 * "FAIL ".  libbpf's messages are kept per test and shown (prefixed "# ")
 * only when that test fails, so a verifier rejection is visible in the log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "runner.h"

const char *obj_dir = "/tests";

static char fail_reason[512];

/* Tail of libbpf's output for the current test (the verifier's verdict is at the end). */
static char libbpf_log[8192];
static size_t libbpf_log_len;

int test_fail(const char *fmt, ...)
{
	va_list ap;

	if (fail_reason[0])	/* keep the first reason: it is the cause */
		return -1;
	va_start(ap, fmt);
	vsnprintf(fail_reason, sizeof(fail_reason), fmt, ap);
	va_end(ap);
	return -1;
}

const char *obj_path(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", obj_dir, name);
	return path;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;
	size_t len, room;

	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return n;
	len = strlen(line);
	room = sizeof(libbpf_log) - 1;
	if (len > room)
		len = room;
	if (libbpf_log_len + len > room) {	/* drop the oldest bytes */
		size_t drop = libbpf_log_len + len - room;

		memmove(libbpf_log, libbpf_log + drop, libbpf_log_len - drop);
		libbpf_log_len -= drop;
	}
	memcpy(libbpf_log + libbpf_log_len, line, len);
	libbpf_log_len += len;
	libbpf_log[libbpf_log_len] = '\0';
	return n;
}

static void print_libbpf_log(void)
{
	char *line, *save = NULL;

	for (line = strtok_r(libbpf_log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
}

int main(int argc, char **argv)
{
	const struct guest_test *t;
	int passed = 0, failed = 0;

	if (argc > 1)
		obj_dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);

	for (t = guest_tests; t->name; t++) {
		fail_reason[0] = '\0';
		libbpf_log_len = 0;
		libbpf_log[0] = '\0';
		if (t->fn() == 0 && !fail_reason[0]) {
			printf("ok %s\n", t->name);
			passed++;
		} else {
			print_libbpf_log();
			printf("FAIL %s: %s\n", t->name, fail_reason[0] ? fail_reason : "failed (no reason given)");
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
