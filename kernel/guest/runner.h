/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal test runner for the kernel guest: each test is a function that
 * returns 0, or fails with a one-line reason through test_fail().
 */
#ifndef GUEST_RUNNER_H
#define GUEST_RUNNER_H

#include <stdarg.h>

struct guest_test {
	const char *name;
	int (*fn)(void);
};

/* Directory holding the *.bpf.o test objects (argv[1], default /tests). */
extern const char *obj_dir;

/* Records why the running test failed; returns -1 so tests can `return test_fail(...)`. */
int test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Path of a test object inside obj_dir (static buffer, valid until the next call). */
const char *obj_path(const char *name);

extern const struct guest_test guest_tests[];

#endif
