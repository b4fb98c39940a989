/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_BTF_SANITY_H
#define __BPFSDT_BTF_SANITY_H

#include "internal.h"

struct btf;

/* 0 if every type id and name offset in btf resolves; else -EINVAL and one
 * diagnostic line naming the type. */
int sdt_btf_check_refs(const struct btf *btf, const char *file);

#endif
