// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test runner: the host suite's harness (tests/unit/test_harness.c)
 * runs every TEST() of kernel/guest in name order, each test's cleanup list
 * drained after it, printing "ok   NAME" or the failure's file:line and
 * "FAIL NAME" per test and finally exactly "N passed, M failed, K skipped".
 * The host harness greps for these lines on the serial console, so nothing
 * else printed here may start with "ok " or "FAIL ". libbpf's messages are
 * kept per test and shown (prefixed "# ") only when that test fails, so a
 * verifier rejection is visible in the log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "guest.h"

const char *obj_dir = "/tests";

/* Tail of libbpf's output for the current test (the verifier's verdict is at the end). */
static char libbpf_log[8192];
static size_t libbpf_log_len;

const char *obj_path(const char *name)
{
	static char paths[4][4096];
	static int i;
	char *path = paths[i++ % 4];

	snprintf(path, sizeof(paths[0]), "%s/%s", obj_dir, name);
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

static void forget_libbpf_log(const struct test_case *tc)
{
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
}

static void print_libbpf_log(const struct test_case *tc)
{
	char *line, *save = NULL;

	if (test_state() != TEST_FAILED)
		return;
	for (line = strtok_r(libbpf_log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
}

int main(int argc, char **argv)
{
	static const struct test_hooks hooks = { .before = forget_libbpf_log,
						 .after = print_libbpf_log };

	if (argc > 1)
		obj_dir = argv[1];
	libbpf_set_print(libbpf_print);
	return test_main(1, argv, &hooks);
}
