// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdlib.h>
#include "helpers.h"
#include "test.h"

static struct test_case *tests;
static enum test_state state;

void test_register(struct test_case *tc)
{
	struct test_case **p = &tests;

	while (*p && strcmp((*p)->name, tc->name) < 0)
		p = &(*p)->next;
	tc->next = *p;
	*p = tc;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list args;

	if (state == TEST_FAILED)
		return;
	state = TEST_FAILED;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(args, fmt);
	vfprintf(stdout, fmt, args);
	va_end(args);
	fputc('\n', stdout);
}

void test_skip(const char *fmt, ...)
{
	va_list args;

	state = TEST_SKIPPED;
	fputs("    skipped: ", stdout);
	va_start(args, fmt);
	vfprintf(stdout, fmt, args);
	va_end(args);
	fputc('\n', stdout);
}

enum test_state test_state(void)
{
	return state;
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	struct test_case *tc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (tc = tests; tc; tc = tc->next) {
		if (!selected(tc->name, argc, argv))
			continue;
		state = TEST_PASSED;
		fflush(stdout);
		tc->fn();
		cmd_reap_leftovers(); /* a failed test's background commands */
		switch (state) {
		case TEST_PASSED: passed++; printf("ok   %s\n", tc->name); break;
		case TEST_FAILED: failed++; printf("FAIL %s\n", tc->name); break;
		case TEST_SKIPPED: skipped++; printf("skip %s\n", tc->name); break;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
