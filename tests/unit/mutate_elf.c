// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "mutate_elf.h"
#include "test.h"

int mutant_load(struct mutant *m, const char *path)
{
	memset(m, 0, sizeof(*m));
	elf_version(EV_CURRENT);
	m->buf = read_whole_file(path, &m->size);
	if (!m->buf)
		return -1;
	/* libelf parses a private copy, so patches never confuse it */
	{
		char *copy = malloc(m->size);

		if (!copy)
			return -1;
		memcpy(copy, m->buf, m->size);
		m->elf = elf_memory(copy, m->size);
	}
	return m->elf ? 0 : -1;
}

const char *mutant_save(struct mutant *m, const char *name)
{
	const char *path = scratch_path(name);
	FILE *f = fopen(path, "wb");

	if (!f)
		return NULL;
	if (fwrite(m->buf, 1, m->size, f) != m->size) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return path;
}

void mutant_free(struct mutant *m)
{
	if (m->elf) {
		char *image = elf_rawfile(m->elf, NULL);

		elf_end(m->elf);
		free(image);
	}
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

Elf_Scn *mutant_find_section(struct mutant *m, const char *name, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(m->elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(m->elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, shdr))
			return NULL;
		n = elf_strptr(m->elf, shstrndx, shdr->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

long mutant_section_offset(struct mutant *m, const char *name)
{
	GElf_Shdr shdr;

	return mutant_find_section(m, name, &shdr) ? (long)shdr.sh_offset : -1;
}

long mutant_section_header(struct mutant *m, const char *name)
{
	GElf_Ehdr ehdr;
	GElf_Shdr shdr;
	Elf_Scn *scn = mutant_find_section(m, name, &shdr);

	if (!scn || !gelf_getehdr(m->elf, &ehdr))
		return -1;
	return (long)(ehdr.e_shoff + elf_ndxscn(scn) * ehdr.e_shentsize);
}

long mutant_find_in_section(struct mutant *m, const char *section, const void *bytes, size_t n)
{
	GElf_Shdr shdr;
	unsigned char *p;

	if (!mutant_find_section(m, section, &shdr) || shdr.sh_offset + shdr.sh_size > m->size)
		return -1;
	p = memmem(m->buf + shdr.sh_offset, shdr.sh_size, bytes, n);
	return p ? p - m->buf : -1;
}

long mutant_symbol_index(struct mutant *m, const char *name)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = mutant_find_section(m, ".symtab", &shdr);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	GElf_Sym sym;
	long i;

	for (i = 0; data && i < (long)(data->d_size / sizeof(Elf64_Sym)); i++) {
		const char *n;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		n = elf_strptr(m->elf, shdr.sh_link, sym.st_name);
		if (n && !strcmp(n, name))
			return i;
	}
	return -1;
}

long mutant_symbol_entry(struct mutant *m, const char *name)
{
	long idx = mutant_symbol_index(m, name), off = mutant_section_offset(m, ".symtab");

	return idx < 0 || off < 0 ? -1 : off + idx * (long)sizeof(Elf64_Sym);
}

bool mutant_replace_string(struct mutant *m, const char *section, const char *from, const char *to)
{
	long off = mutant_find_in_section(m, section, from, strlen(from) + 1);

	if (off < 0 || strlen(to) > strlen(from))
		return false;
	memcpy(m->buf + off, to, strlen(to) + 1);
	return true;
}

long mutant_section_size(struct mutant *m, const char *name)
{
	GElf_Shdr shdr;

	return mutant_find_section(m, name, &shdr) ? (long)shdr.sh_size : -1;
}

bool mutant_rename_section(struct mutant *m, const char *from, const char *to)
{
	GElf_Shdr shdr, strhdr;
	size_t shstrndx;
	Elf_Scn *strscn;

	if (strlen(to) != strlen(from) || !mutant_find_section(m, from, &shdr) ||
	    elf_getshdrstrndx(m->elf, &shstrndx) || !(strscn = elf_getscn(m->elf, shstrndx)) ||
	    !gelf_getshdr(strscn, &strhdr))
		return false;
	memcpy(m->buf + strhdr.sh_offset + shdr.sh_name, to, strlen(to));
	return true;
}

void mutant_expect_refused(struct mutant *m, const char *name, const char *message)
{
	const char *path = mutant_save(m, name);
	char *argv[] = { (char *)bpfsdt_bin(), "list", (char *)path, NULL };
	char expected[1024];
	struct cmd_result r;

	mutant_free(m);
	ASSERT_TRUE(path != NULL);
	snprintf(expected, sizeof(expected), "bpfsdt: %s: %s\n", path, message);
	ASSERT_EQ(run_cmd(argv, &r), 0);
	if (strcmp(r.err, expected))
		fprintf(stdout, "    expected: %s    got:      %s", expected, r.err);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, expected);
	cmd_result_free(&r);
}
