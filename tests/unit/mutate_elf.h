/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Mutating a compiled BPF object for malformed-input tests: load a copy,
 * find bytes through libelf (section data, section headers, symbols,
 * relocations, strings), patch them, write the result to a scratch file.
 */
#ifndef __BPFSDT_TEST_MUTATE_ELF_H
#define __BPFSDT_TEST_MUTATE_ELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>

struct mutant {
	unsigned char *buf;
	size_t size;
	Elf *elf;
};

int mutant_load(struct mutant *m, const char *path);
/* Writes the patched bytes; returns the path (scratch_path(name)) or NULL. */
const char *mutant_save(struct mutant *m, const char *name);
void mutant_free(struct mutant *m);

/* File offset of a section's data / of its header; -1 if absent. */
long mutant_section_offset(struct mutant *m, const char *name);
long mutant_section_header(struct mutant *m, const char *name);
/* A section by name, looked up in libelf's private (unpatched) copy. */
Elf_Scn *mutant_find_section(struct mutant *m, const char *name, GElf_Shdr *shdr);
/* Saves the mutant (and frees it), runs `bpfsdt list` on it and checks the
 * refusal is exactly "bpfsdt: <path>: <message>\n", exit 2, no output. */
void mutant_expect_refused(struct mutant *m, const char *name, const char *message);
/* Size of a section (from its header); -1 if absent. */
long mutant_section_size(struct mutant *m, const char *name);
/* Renames a section in place (`to` as long as `from`). */
bool mutant_rename_section(struct mutant *m, const char *from, const char *to);
/* File offset of the first occurrence of bytes in a section's data. */
long mutant_find_in_section(struct mutant *m, const char *section, const void *bytes, size_t n);
/* File offset of the symbol table entry named `name`, or its index. */
long mutant_symbol_entry(struct mutant *m, const char *name);
long mutant_symbol_index(struct mutant *m, const char *name);
/* Replaces the NUL-terminated string `from` in section `section` (in place,
 * `to` no longer than `from`). */
bool mutant_replace_string(struct mutant *m, const char *section, const char *from,
			   const char *to);

#endif
