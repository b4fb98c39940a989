/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every guest test uses: the host suite's harness (tests/unit/test.h:
 * TEST(), ASSERT_*(), the per-test cleanup list, run by runner.c) and the
 * test objects' directory.
 */
#ifndef GUEST_H
#define GUEST_H

#include "test.h"

/* Directory holding the *.bpf.o test objects (argv[1], default /tests). */
extern const char *obj_dir;

/* Path of a test object inside obj_dir (one of a few rotating buffers). */
const char *obj_path(const char *name);

#endif
