/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small test harness, shared by the host suite (tests/unit, run by
 * run_tests.c) and the kernel guest's (kernel/guest/runner.c): TEST(name) registers
 * a function; the runner runs them in name order, or those whose names
 * contain one of its arguments, and ends with "N passed, N failed, N
 * skipped". UNIT_TEST(name) marks a test of pure functions -- no kernel,
 * no privileges, no other process -- which `make check-unit` runs alone.
 *
 * ASSERT_* stop the test at the first failure with file:line and the values
 * involved; SKIP() ends it as skipped with a reason.
 *
 * Whatever a test acquires is released after it, passed or failed: the
 * runner drains a per-test cleanup list, newest first. test_defer() adds
 * to it; test_cleanup() releases one entry now (to look at the state
 * after a close, say). A local struct is released with __cleanup(). In the host suite, opening a target, a tracer, a
 * link, a probe table or a libbpf object adds itself, and closing it takes
 * it off again (test_wrap.c), so a failed assertion in the middle of a
 * test leaves no armed program, capture or namespace behind.
 */
#ifndef __BPFSDT_TEST_H
#define __BPFSDT_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	bool unit;
	struct test_case *next;
};

enum test_state { TEST_PASSED, TEST_FAILED, TEST_SKIPPED };

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
enum test_state test_state(void);

/* The per-test cleanup list. fn(arg) runs after the test (newest first);
 * an arg already listed is not listed twice. */
typedef void (*test_cleanup_fn)(void *arg);
void test_defer(test_cleanup_fn fn, void *arg);
/* Runs arg's entry now and takes it off the list; false if not listed. */
bool test_cleanup(void *arg);
/* Takes arg's entry off the list without running it (it was released
 * some other way); false if not listed. */
bool test_forget(void *arg);
/* Runs every entry, newest first (the runner, after each test). */
void test_drain(void);
/* Empties the list without running anything: a forked child's copy of its
 * parent's list is not the child's to release. */
void test_forget_all(void);
/* test_defer() with a function of any pointer argument (a close, a free);
 * arg must outlive the test function: not the address of a local. */
#define DEFER(fn, arg) test_defer((test_cleanup_fn)(void (*)(void))(fn), (void *)(arg))
/* A local released when it goes out of scope, however the test ends:
 * struct sdt_insn_buf b __cleanup(sdt_insn_buf_free) = {}; */
#define __cleanup(fn) __attribute__((cleanup(fn)))

/* What a runner adds around each test (any may be NULL): before it; when
 * it returns, before its cleanup list is drained (ending processes it
 * started); and after that -- where a check of what every test must leave
 * behind can still fail it. */
struct test_hooks {
	void (*before)(const struct test_case *tc);
	void (*ended)(const struct test_case *tc);
	void (*after)(const struct test_case *tc);
};

/* Runs the selected tests (argv: name substrings; --unit: UNIT_TEST()s
 * only) and prints the summary; the exit status. */
int test_main(int argc, char **argv, const struct test_hooks *hooks);
/* Runs one test, its cleanup list drained after it: its verdict. */
enum test_state test_run(const struct test_case *tc, const struct test_hooks *hooks);

#define TEST_CASE(name, is_unit)					\
	static void test_##name(void);					\
	static struct test_case tc_##name = { #name, test_##name, is_unit, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)	\
	{ test_register(&tc_##name); }					\
	static void test_##name(void)
#define TEST(name) TEST_CASE(name, false)
#define UNIT_TEST(name) TEST_CASE(name, true)

#define TEST_STOPPED() (test_state() != TEST_PASSED)

#define FAIL(...) do { test_fail(__FILE__, __LINE__, __VA_ARGS__); return; } while (0)
/* The failure without the return: for a helper that returns a value its
 * caller asserts on (the first failure is the one reported). */
#define FAIL_NOTE(...) test_fail(__FILE__, __LINE__, __VA_ARGS__)
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
