/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small test harness: TEST(name) registers a function; the runner
 * (run_tests.c) runs them in name order, or those matching argv filters,
 * and ends with "N passed, N failed, N skipped".
 *
 * ASSERT_* stop the test at the first failure with file:line and the values
 * involved; SKIP() ends it as skipped with a reason.
 */
#ifndef __BPFSDT_TEST_H
#define __BPFSDT_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

enum test_state { TEST_PASSED, TEST_FAILED, TEST_SKIPPED };

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
enum test_state test_state(void);

#define TEST(name)							\
	static void test_##name(void);					\
	static struct test_case tc_##name = { #name, test_##name, NULL };	\
	__attribute__((constructor)) static void reg_##name(void)	\
	{ test_register(&tc_##name); }					\
	static void test_##name(void)

#define TEST_STOPPED() (test_state() != TEST_PASSED)

#define FAIL(...) do { test_fail(__FILE__, __LINE__, __VA_ARGS__); return; } while (0)
#define SKIP(...) do { test_skip(__VA_ARGS__); return; } while (0)

#define ASSERT_TRUE(c) do { if (!(c)) FAIL("expected %s", #c); } while (0)
#define ASSERT_FALSE(c) do { if (c) FAIL("expected !(%s)", #c); } while (0)
#define ASSERT_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b);	\
} while (0)
#define ASSERT_NE(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a == _b) FAIL("%s != %s: both %lld", #a, #b, _a);		\
} while (0)
#define ASSERT_STREQ(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	if (!_a || !_b || strcmp(_a, _b))				\
		FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,		\
		     _a ? _a : "(null)", _b ? _b : "(null)");		\
} while (0)
#define ASSERT_CONTAINS(hay, needle) do {				\
	const char *_h = (hay), *_n = (needle);				\
	if (!_h || !strstr(_h, _n))					\
		FAIL("%s does not contain \"%s\": \"%s\"", #hay, _n,	\
		     _h ? _h : "(null)");				\
} while (0)
/* For assertions made inside helpers: stop the caller too. */
#define ASSERT_OK_HELPER(call) do { call; if (TEST_STOPPED()) return; } while (0)

#endif
