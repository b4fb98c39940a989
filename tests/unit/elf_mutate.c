// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/btf.h>
#include <stddef.h>
#include <string.h>
#include "elf_mutate.h"

void mutant_put16(struct mutant *m, long off, unsigned int v)
{
	unsigned short s = (unsigned short)v;

	memcpy(m->buf + off, &s, sizeof(s));
}

void mutant_put32(struct mutant *m, long off, unsigned int v)
{
	memcpy(m->buf + off, &v, sizeof(v));
}

void mutant_put64(struct mutant *m, long off, unsigned long long v)
{
	memcpy(m->buf + off, &v, sizeof(v));
}

unsigned int mutant_get32(const struct mutant *m, long off)
{
	unsigned int v;

	memcpy(&v, m->buf + off, sizeof(v));
	return v;
}

unsigned long long mutant_get64(const struct mutant *m, long off)
{
	unsigned long long v;

	memcpy(&v, m->buf + off, sizeof(v));
	return v;
}

long mutant_section_index(struct mutant *m, const char *name)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = mutant_find_section(m, name, &shdr);

	return scn ? (long)elf_ndxscn(scn) : -1;
}

bool mutant_set_shdr32(struct mutant *m, const char *section, size_t field, unsigned int v)
{
	long hdr = mutant_section_header(m, section);

	if (hdr < 0 || field + 4 > sizeof(Elf64_Shdr))
		return false;
	mutant_put32(m, hdr + (long)field, v);
	return true;
}

bool mutant_set_shdr64(struct mutant *m, const char *section, size_t field,
		       unsigned long long v)
{
	long hdr = mutant_section_header(m, section);

	if (hdr < 0 || field + 8 > sizeof(Elf64_Shdr))
		return false;
	mutant_put64(m, hdr + (long)field, v);
	return true;
}

bool mutant_set_symbol_value(struct mutant *m, const char *name, unsigned long long v)
{
	long ent = mutant_symbol_entry(m, name);

	if (ent < 0)
		return false;
	mutant_put64(m, ent + (long)offsetof(Elf64_Sym, st_value), v);
	return true;
}

bool mutant_set_symbol_shndx(struct mutant *m, const char *name, unsigned int shndx)
{
	long ent = mutant_symbol_entry(m, name);

	if (ent < 0)
		return false;
	mutant_put16(m, ent + (long)offsetof(Elf64_Sym, st_shndx), shndx);
	return true;
}

const char *mutant_symbol_at(struct mutant *m, const char *section, unsigned long long value)
{
	long shndx = mutant_section_index(m, section);
	GElf_Shdr shdr;
	Elf_Scn *scn = mutant_find_section(m, ".symtab", &shdr);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	size_t i;

	for (i = 0; data && shndx > 0 && i < data->d_size / sizeof(Elf64_Sym); i++) {
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		if (sym.st_shndx == shndx && sym.st_value == value &&
		    GELF_ST_TYPE(sym.st_info) != STT_SECTION)
			return elf_strptr(m->elf, shdr.sh_link, sym.st_name);
	}
	return NULL;
}

long mutant_reloc_entry(struct mutant *m, const char *relsec, unsigned long long at)
{
	long off = mutant_section_offset(m, relsec), size = mutant_section_size(m, relsec), i;

	for (i = 0; off >= 0 && i + (long)sizeof(Elf64_Rel) <= size; i += sizeof(Elf64_Rel))
		if (mutant_get64(m, off + i + (long)offsetof(Elf64_Rel, r_offset)) == at)
			return off + i;
	return -1;
}

bool mutant_drop_reloc(struct mutant *m, const char *relsec, unsigned long long at)
{
	long ent = mutant_reloc_entry(m, relsec, at), size = mutant_section_size(m, relsec);
	long last = mutant_section_offset(m, relsec) + size - (long)sizeof(Elf64_Rel);

	if (ent < 0)
		return false;
	memmove(m->buf + ent, m->buf + last, sizeof(Elf64_Rel));
	return mutant_set_shdr64(m, relsec, offsetof(Elf64_Shdr, sh_size),
				 (unsigned long long)size - sizeof(Elf64_Rel));
}

/* BTF of the image as compiled (before the test patches it). */
static struct btf *image_btf(struct mutant *m, long *sec_off)
{
	long size = mutant_section_size(m, ".BTF");

	*sec_off = mutant_section_offset(m, ".BTF");
	if (*sec_off < 0 || size <= 0 || *sec_off + size > (long)m->size)
		return NULL;
	return btf__new(m->buf + *sec_off, (__u32)size);
}

long mutant_btf_type(struct mutant *m, unsigned int id)
{
	const char *first, *t;
	struct btf *btf;
	long sec_off, off = -1;

	btf = image_btf(m, &sec_off);
	if (!btf)
		return -1;
	/* libbpf keeps the type records in one copy, in file order */
	first = (const char *)btf__type_by_id(btf, 1);
	t = (const char *)btf__type_by_id(btf, id);
	if (id && first && t) {
		off = sec_off + (long)mutant_get32(m, sec_off + offsetof(struct btf_header, hdr_len)) +
		      (long)mutant_get32(m, sec_off + offsetof(struct btf_header, type_off)) +
		      (t - first);
	}
	btf__free(btf);
	return off;
}

int mutant_btf_find(struct mutant *m, const char *name, int kind)
{
	long sec_off;
	struct btf *btf = image_btf(m, &sec_off);
	int id;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, name, kind);
	btf__free(btf);
	return id;
}

unsigned int mutant_btf_ref(struct mutant *m, unsigned int id)
{
	long sec_off;
	struct btf *btf = image_btf(m, &sec_off);
	const struct btf_type *t;
	unsigned int ref = 0;

	if (!btf)
		return 0;
	t = btf__type_by_id(btf, id);
	if (t)
		ref = t->type;
	btf__free(btf);
	return ref;
}
