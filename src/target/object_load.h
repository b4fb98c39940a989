/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Opening and loading a target's bpf_object with one line of ours on
 * failure, never libbpf's words alone: the ELF is checked by discovery
 * first (libbpf 1.1 reads a truncated or non-ELF file as "Unknown error
 * 4001"), and a program the kernel refuses is named with the tail of its
 * verifier log, which libbpf would otherwise print between its own lines.
 */
#ifndef __BPFSDT_OBJECT_LOAD_H
#define __BPFSDT_OBJECT_LOAD_H

#include <bpf/libbpf.h>
#include <stddef.h>

/* 0 and *obj, or -errno after one line naming `name`. */
int sdt_object_open(const void *buf, size_t size, const char *name, struct bpf_object **obj);
/* bpf_object__load(), or -errno after one line (and the verifier's last
 * lines when a program was refused). what: "load" or "prepare" etc. for the
 * message: "<name>: cannot <what> program X: ...". */
int sdt_object_load(struct bpf_object *obj, const char *name, const char *what);
/* bpf_object__load() with the verifier's statistics of each program kept in
 * its capture (stack depths, which relinking needs, without loading it
 * again). -errno without a word when it fails: libbpf does not explain a
 * refusal at this log level, so the caller loads a fresh copy of the object
 * with sdt_object_load() to say why. */
int sdt_object_load_with_stats(struct bpf_object *obj);

#endif
