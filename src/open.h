/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_OPEN_H
#define __BPFSDT_OPEN_H

#include "target/target.h"

/* The model of t (t->obj loaded) with its programs marked native where the
 * kernel holds their sites; closes t and returns NULL with errno on
 * failure. For open.c and live targets (live.c). */
struct bpf_sdt_target *sdt_target_adopt(struct bpf_sdt_target *t, const void *elf, size_t size);

#endif
