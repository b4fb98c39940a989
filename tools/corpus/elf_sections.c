// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The code sections of an object libbpf cannot open: whether it holds
 * network programs decides whether its failure to open costs the corpus
 * anything (most such objects are meant to be linked first, or carry
 * tracing programs only).
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>
#include "classify.h"

int elf_code_sections(const char *path, code_section_fn fn, void *ctx)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd, n = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		n = -1;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (!gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_EXECINSTR) ||
		    !shdr.sh_size)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && strcmp(name, ".text")) {
			fn(name, ctx);
			n++;
		}
	}
out:
	elf_end(elf);
	close(fd);
	return n;
}
