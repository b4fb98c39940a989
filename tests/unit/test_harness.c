// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The harness of test.h: registration, verdicts, the per-test cleanup list
 * and the loop running the tests (host suite and kernel guest alike). */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/types.h>
#include "test.h"

static struct test_case *tests;
static enum test_state state;

struct deferred {
	test_cleanup_fn fn;
	void *arg;
};

static struct deferred *deferred;
static size_t ndeferred, deferred_cap;

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

static ssize_t find_deferred(const void *arg)
{
	size_t i;

	for (i = ndeferred; i-- > 0;)
		if (deferred[i].arg == arg)
			return (ssize_t)i;
	return -1;
}

static void take(size_t i)
{
	memmove(&deferred[i], &deferred[i + 1], (ndeferred - i - 1) * sizeof(*deferred));
	ndeferred--;
}

void test_defer(test_cleanup_fn fn, void *arg)
{
	struct deferred *grown;

	if (!arg || find_deferred(arg) >= 0)
		return;
	if (ndeferred == deferred_cap) {
		deferred_cap = deferred_cap ? 2 * deferred_cap : 32;
		grown = realloc(deferred, deferred_cap * sizeof(*deferred));
		if (!grown) {
			/* nothing can be listed: release it now, and say so */
			test_fail(__FILE__, __LINE__, "out of memory for the cleanup list");
			fn(arg);
			return;
		}
		deferred = grown;
	}
	deferred[ndeferred++] = (struct deferred){ fn, arg };
}

bool test_forget(void *arg)
{
	ssize_t i = find_deferred(arg);

	if (i < 0)
		return false;
	take((size_t)i);
	return true;
}

bool test_cleanup(void *arg)
{
	ssize_t i = find_deferred(arg);
	struct deferred d;

	if (i < 0)
		return false;
	d = deferred[i];
	take((size_t)i);
	d.fn(d.arg);
	return true;
}

void test_drain(void)
{
	struct deferred d;

	/* an entry's release may take others off the list: one at a time */
	while (ndeferred) {
		d = deferred[--ndeferred];
		d.fn(d.arg);
	}
}

void test_forget_all(void)
{
	ndeferred = 0;
}

static bool selected(const struct test_case *tc, bool unit_only, int argc, char **argv)
{
	bool any = false;
	int i;

	if (unit_only && !tc->unit)
		return false;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--unit"))
			continue;
		any = true;
		if (strstr(tc->name, argv[i]))
			return true;
	}
	return !any;
}

enum test_state test_run(const struct test_case *tc, const struct test_hooks *hooks)
{
	state = TEST_PASSED;
	if (hooks && hooks->before)
		hooks->before(tc);
	fflush(stdout);
	tc->fn();
	if (hooks && hooks->ended)
		hooks->ended(tc);
	test_drain();
	if (hooks && hooks->after)
		hooks->after(tc);
	return state;
}

int test_main(int argc, char **argv, const struct test_hooks *hooks)
{
	int passed = 0, failed = 0, skipped = 0, i;
	bool unit_only = false;
	struct test_case *tc;

	for (i = 1; i < argc; i++)
		unit_only |= !strcmp(argv[i], "--unit");
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (tc = tests; tc; tc = tc->next) {
		if (!selected(tc, unit_only, argc, argv))
			continue;
		switch (test_run(tc, hooks)) {
		case TEST_PASSED: passed++; printf("ok   %s\n", tc->name); break;
		case TEST_FAILED: failed++; printf("FAIL %s\n", tc->name); break;
		case TEST_SKIPPED: skipped++; printf("skip %s\n", tc->name); break;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
