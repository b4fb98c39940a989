/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The offline check (check_offline.c): findings through findings.h. */
#ifndef __BPFSDT_CHECK_OFFLINE_H
#define __BPFSDT_CHECK_OFFLINE_H

#include "check/findings.h"

/* Offline mode: the kernel check's findings of every site of t, from the
 * value analysis; needs no privileges. 0, or -errno (said why). */
int sdt_check_offline(struct bpf_sdt_target *t, struct bpf_sdt_check *c);

#endif
