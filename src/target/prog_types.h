/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Programs in ELF sections libbpf 1.1 does not know (iproute2's SEC("prog"),
 * SEC("tc/ingress"), SEC("classifier/..."), ...) open without a type and
 * refuse to load, taking the whole object down with them. These helpers run
 * between opening and loading: they give such programs a type when one is
 * known, and leave the others unloaded so that the rest of the object loads.
 */
#ifndef __BPFSDT_PROG_TYPES_H
#define __BPFSDT_PROG_TYPES_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpfsdt.h"

/* Typeless programs of obj get type/attach_type (only the one named `only`
 * when not NULL); type 0 or any other typeless program: not loaded. */
void sdt_type_unknown_sections(struct bpf_object *obj, const char *name, __u32 type,
			       __u32 attach_type, const char *only);

/* The typeless programs named as one of the n running programs the kernel
 * describes in running get its type (and attach_type); other typeless
 * programs are not loaded. */
void sdt_type_unknown_sections_as(struct bpf_object *obj, const char *name,
				  const struct bpf_prog_info *running, int n, __u32 attach_type);

/* A prog array the ELF fills with its programs (`.values = { ... }`): the
 * name of the first, or NULL. libbpf writes those slots at load time. */
const char *sdt_prefilled_prog_array(struct bpf_object *obj);

#endif
