/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * More ways to damage a compiled BPF object, on top of mutate_elf.h: the
 * fields of section headers, symbols and relocation entries, and BTF type
 * records. Every helper returns a file offset into m->buf (or -1) or patches
 * in place; nothing moves, so the rest of the layout stays as compiled.
 */
#ifndef __BPFSDT_TEST_ELF_MUTATE_H
#define __BPFSDT_TEST_ELF_MUTATE_H

#include <stdbool.h>
#include <stddef.h>
#include "mutate_elf.h"

/* Little-endian fields of the image. */
void mutant_put16(struct mutant *m, long off, unsigned int v);
void mutant_put32(struct mutant *m, long off, unsigned int v);
void mutant_put64(struct mutant *m, long off, unsigned long long v);
unsigned int mutant_get32(const struct mutant *m, long off);
unsigned long long mutant_get64(const struct mutant *m, long off);

/* Section header field: `field` is offsetof(Elf64_Shdr, ...). */
bool mutant_set_shdr32(struct mutant *m, const char *section, size_t field, unsigned int v);
bool mutant_set_shdr64(struct mutant *m, const char *section, size_t field,
		       unsigned long long v);
/* Index of a section; -1 if absent. */
long mutant_section_index(struct mutant *m, const char *name);

/* st_value / st_shndx of the symbol named `name`. */
bool mutant_set_symbol_value(struct mutant *m, const char *name, unsigned long long v);
bool mutant_set_symbol_shndx(struct mutant *m, const char *name, unsigned int shndx);
/* Name of the symbol of section `section` at `value` (first in table
 * order); NULL if none. Valid until mutant_free(). */
const char *mutant_symbol_at(struct mutant *m, const char *section, unsigned long long value);

/* File offset of the Elf64_Rel entry of REL section `relsec` with r_offset
 * `at`; -1 if none. */
long mutant_reloc_entry(struct mutant *m, const char *relsec, unsigned long long at);
/* Removes that entry (the last one takes its place, the section shrinks). */
bool mutant_drop_reloc(struct mutant *m, const char *relsec, unsigned long long at);

/* File offset of BTF type record `id`; -1 if absent. */
long mutant_btf_type(struct mutant *m, unsigned int id);
/* Id of the BTF type named `name` of kind `kind`; negative if none. */
int mutant_btf_find(struct mutant *m, const char *name, int kind);
/* The type a BTF type (FUNC, PTR, DECL_TAG, ...) refers to; 0 if none. */
unsigned int mutant_btf_ref(struct mutant *m, unsigned int id);

#endif
