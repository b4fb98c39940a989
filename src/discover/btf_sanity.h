/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_BTF_SANITY_H
#define __BPFSDT_BTF_SANITY_H

#include "discover/discover.h"

struct btf;

/* 0 if every type id and name offset in btf resolves; else -EINVAL and one
 * diagnostic line naming the type. */
int sdt_btf_check_refs(const struct btf *btf, const char *file);
/* Before btf__new(): -EINVAL and one diagnostic line for the damage libbpf
 * 1.1 would report through its own print callback (a type record running
 * past the type section, stray bytes after the last one, byte-swapped BTF),
 * so a caller's stderr gets one line; 0 otherwise (btf__new() rejects the
 * rest quietly). */
int sdt_btf_check_layout(const void *data, size_t size, const char *file);

#endif
