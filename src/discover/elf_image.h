/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Read-only view of a BPF ELF object through libelf: sections, symbols and
 * the relocations that target one section. Keeps libelf out of the other
 * discovery stages. */
#ifndef __BPFSDT_ELF_IMAGE_H
#define __BPFSDT_ELF_IMAGE_H

#include <gelf.h>
#include <stdbool.h>
#include "discover/discover.h"

struct sdt_elf_section {
	size_t idx;
	const char *name;
	GElf_Shdr shdr;
	const void *data;	/* NULL for SHT_NOBITS or empty sections */
	size_t size;		/* bytes available at data */
};

struct sdt_elf_symbol {
	const char *name;	/* "" when it has none */
	GElf_Sym sym;
};

struct sdt_reloc {
	__u64 offset;		/* in the target section */
	__u32 type;
	__u32 sym;
	__s64 addend;
	bool rela;		/* addend is explicit (SHT_RELA) */
};

/* 0 and *found = false when there is no such section. */
int sdt_elf_section_by_name(struct sdt_elf *elf, const char *name,
			    struct sdt_elf_section *sec, bool *found);
int sdt_elf_section(struct sdt_elf *elf, size_t idx, struct sdt_elf_section *sec);
/* Sections whose contents are the point (.BTF, .bpf_sdt_notes): one that is
 * SHT_NOBITS or empty is a lie (it would read as "no probes"). 0, or
 * -EINVAL after one line. */
int sdt_elf_section_has_bytes(const struct sdt_elf *elf, const struct sdt_elf_section *sec);
size_t sdt_elf_symbol_cnt(const struct sdt_elf *elf);
int sdt_elf_symbol(struct sdt_elf *elf, size_t idx, struct sdt_elf_symbol *sym);
/* All REL/RELA entries whose section targets section idx (caller frees). */
int sdt_elf_relocs_for(struct sdt_elf *elf, size_t target_idx,
		       struct sdt_reloc **relocs, size_t *cnt);

#endif /* __BPFSDT_ELF_IMAGE_H */
