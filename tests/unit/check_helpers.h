/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared by the kernel and offline check tests: one program of
 * check_cases.bpf.c checked in one mode, and what came out. */
#ifndef __BPFSDT_TEST_CHECK_HELPERS_H
#define __BPFSDT_TEST_CHECK_HELPERS_H

#include <stddef.h>
#include "libbpfsdt.h"

/* The findings of program prog ("file:line: [warning: ]message" lines),
 * their count, and how many are warnings. Offline mode opens the object
 * offline (nothing loaded). */
void check_prog(enum bpf_sdt_check_mode mode, const char *prog, size_t *cnt, size_t *warnings,
		char *text, size_t size);
/* The same for a program of another corpus object. */
void check_object_prog(enum bpf_sdt_check_mode mode, const char *object, const char *prog,
		       size_t *cnt, size_t *warnings, char *text, size_t size);
/* No finding at all. Kernel mode needs root. */
void expect_clean(enum bpf_sdt_check_mode mode, const char *prog);
/* Exactly one error, saying `says`. */
void expect_finding(enum bpf_sdt_check_mode mode, const char *prog, const char *says);
/* Exactly one warning, saying `says`. */
void expect_warning(enum bpf_sdt_check_mode mode, const char *prog, const char *says);

#endif
