// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ELF access for discovery. Everything here treats the image as untrusted:
 * every index and size libelf hands back is bounds-checked before use. */
#include <errno.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include "discover/elf_image.h"

struct sdt_elf {
	Elf *elf;
	char *image;		/* private copy: libelf may keep pointers into it */
	const char *name;
	size_t shstrndx;
	size_t shnum;
	Elf_Scn *symtab;
	size_t sym_strndx;
	size_t sym_cnt;
	Elf_Data *sym_data;
};

static int elf_corrupt(const struct sdt_elf *elf, const char *what)
{
	pr_warn("%s: corrupt ELF: %s: %s", elf->name, what, elf_errmsg(-1));
	return -EINVAL;
}

static int find_symtab(struct sdt_elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(elf->elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			return elf_corrupt(elf, "section header");
		if (shdr.sh_type != SHT_SYMTAB)
			continue;
		if (elf->symtab) {
			pr_warn("%s: corrupt ELF: more than one symbol table", elf->name);
			return -EINVAL;
		}
		elf->sym_data = elf_getdata(scn, NULL);
		if (!elf->sym_data)
			return elf_corrupt(elf, "symbol table data");
		if (shdr.sh_link >= elf->shnum) {
			pr_warn("%s: corrupt ELF: symbol table links to section %u of %zu",
				elf->name, (unsigned)shdr.sh_link, elf->shnum);
			return -EINVAL;
		}
		elf->symtab = scn;
		elf->sym_strndx = shdr.sh_link;
		elf->sym_cnt = elf->sym_data->d_size / sizeof(Elf64_Sym);
	}
	return 0;
}

static bool past_end(__u64 off, __u64 len, size_t size)
{
	return off > size || len > size - off;
}

/*
 * libelf reads a section table or section data that lies past the end of
 * the image as no sections, or no data: a truncated object would read as
 * one without probes. Every header must lie inside the file, and every
 * section's bytes too (SHT_NOBITS sections have none).
 */
static int check_layout(struct sdt_elf *elf, const GElf_Ehdr *ehdr, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	if (ehdr->e_ehsize != sizeof(Elf64_Ehdr) || size < sizeof(Elf64_Ehdr)) {
		pr_warn("%s: corrupt ELF: header of %u bytes in a file of %zu", elf->name,
			ehdr->e_ehsize, size);
		return -EINVAL;
	}
	if (!ehdr->e_shoff) {
		pr_warn("%s: corrupt ELF: no section table", elf->name);
		return -EINVAL;
	}
	if (ehdr->e_shentsize != sizeof(Elf64_Shdr)) {
		pr_warn("%s: corrupt ELF: section headers of %u bytes, expected %zu", elf->name,
			ehdr->e_shentsize, sizeof(Elf64_Shdr));
		return -EINVAL;
	}
	/* e_shnum is 0 when the count is in section 0's sh_size: the first
	 * header has to be there either way */
	if (past_end(ehdr->e_shoff, (__u64)(ehdr->e_shnum ?: 1) * sizeof(Elf64_Shdr), size)) {
		pr_warn("%s: corrupt ELF: section table (%u entries at offset %llu) runs past the end of the file (%zu bytes)",
			elf->name, ehdr->e_shnum, (unsigned long long)ehdr->e_shoff, size);
		return -EINVAL;
	}
	if (elf_getshdrnum(elf->elf, &elf->shnum) || elf_getshdrstrndx(elf->elf, &elf->shstrndx))
		return elf_corrupt(elf, "section table");
	if (past_end(ehdr->e_shoff, (__u64)elf->shnum * sizeof(Elf64_Shdr), size)) {
		pr_warn("%s: corrupt ELF: section table (%zu entries at offset %llu) runs past the end of the file (%zu bytes)",
			elf->name, elf->shnum, (unsigned long long)ehdr->e_shoff, size);
		return -EINVAL;
	}
	if (!elf->shnum || elf->shstrndx >= elf->shnum) {
		pr_warn("%s: corrupt ELF: section name table is section %zu of %zu", elf->name,
			elf->shstrndx, elf->shnum);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(elf->elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			return elf_corrupt(elf, "section header");
		if (shdr.sh_type == SHT_NOBITS || !past_end(shdr.sh_offset, shdr.sh_size, size))
			continue;
		pr_warn("%s: corrupt ELF: section %zu (%s) of %llu bytes at offset %llu runs past the end of the file (%zu bytes)",
			elf->name, elf_ndxscn(scn),
			elf_strptr(elf->elf, elf->shstrndx, shdr.sh_name) ?: "?",
			(unsigned long long)shdr.sh_size, (unsigned long long)shdr.sh_offset, size);
		return -EINVAL;
	}
	return 0;
}

int sdt_elf_open(const void *buf, size_t size, const char *name, struct sdt_elf **out)
{
	struct sdt_elf *elf;
	GElf_Ehdr ehdr;
	int err = -EINVAL;

	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		pr_warn("%s: libelf initialisation failed: %s", name, elf_errmsg(-1));
		return -ENOTSUP;
	}
	elf = calloc(1, sizeof(*elf));
	if (!elf)
		return -ENOMEM;
	elf->name = name;
	elf->image = malloc(size ? size : 1);
	if (!elf->image) {
		free(elf);
		return -ENOMEM;
	}
	memcpy(elf->image, buf, size);
	elf->elf = elf_memory(elf->image, size);
	if (!elf->elf || elf_kind(elf->elf) != ELF_K_ELF) {
		pr_warn("%s: not an ELF file", name);
		goto fail;
	}
	if (!gelf_getehdr(elf->elf, &ehdr)) {
		err = elf_corrupt(elf, "ELF header");
		goto fail;
	}
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 || ehdr.e_machine != EM_BPF) {
		pr_warn("%s: not a BPF object (ELF class %u, machine %u)", name,
			ehdr.e_ident[EI_CLASS], ehdr.e_machine);
		goto fail;
	}
	if (ehdr.e_ident[EI_DATA] != ELFDATA2LSB) {
		pr_warn("%s: big-endian BPF objects are not supported", name);
		goto fail;
	}
	err = check_layout(elf, &ehdr, size);
	if (!err)
		err = find_symtab(elf);
	if (err)
		goto fail;
	*out = elf;
	return 0;
fail:
	sdt_elf_close(elf);
	return err;
}

void sdt_elf_close(struct sdt_elf *elf)
{
	if (!elf)
		return;
	elf_end(elf->elf);
	free(elf->image);
	free(elf);
}

static int load_section(struct sdt_elf *elf, Elf_Scn *scn, struct sdt_elf_section *sec)
{
	Elf_Data *data;

	memset(sec, 0, sizeof(*sec));
	if (!gelf_getshdr(scn, &sec->shdr))
		return elf_corrupt(elf, "section header");
	sec->idx = elf_ndxscn(scn);
	sec->name = elf_strptr(elf->elf, elf->shstrndx, sec->shdr.sh_name);
	if (!sec->name)
		sec->name = "";
	if (sec->shdr.sh_type == SHT_NOBITS || sec->shdr.sh_size == 0)
		return 0;
	data = elf_getdata(scn, NULL);
	if (!data) {
		pr_warn("%s: corrupt ELF: section %s has unreadable data: %s", elf->name,
			sec->name, elf_errmsg(-1));
		return -EINVAL;
	}
	sec->data = data->d_buf;
	sec->size = data->d_buf ? data->d_size : 0;
	return 0;
}

int sdt_elf_section_has_bytes(const struct sdt_elf *elf, const struct sdt_elf_section *sec)
{
	if (sec->shdr.sh_type == SHT_NOBITS) {
		pr_warn("%s: corrupt ELF: section %s has no bytes in the file (SHT_NOBITS)",
			elf->name, sec->name);
		return -EINVAL;
	}
	if (!sec->data || !sec->size) {
		pr_warn("%s: corrupt ELF: section %s is empty", elf->name, sec->name);
		return -EINVAL;
	}
	return 0;
}

int sdt_elf_section(struct sdt_elf *elf, size_t idx, struct sdt_elf_section *sec)
{
	Elf_Scn *scn;

	if (idx == SHN_UNDEF || idx >= elf->shnum || !(scn = elf_getscn(elf->elf, idx))) {
		pr_warn("%s: corrupt ELF: no section %zu", elf->name, idx);
		return -EINVAL;
	}
	return load_section(elf, scn, sec);
}

int sdt_elf_section_by_name(struct sdt_elf *elf, const char *name,
			    struct sdt_elf_section *sec, bool *found)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	const char *sname;

	*found = false;
	while ((scn = elf_nextscn(elf->elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			return elf_corrupt(elf, "section header");
		sname = elf_strptr(elf->elf, elf->shstrndx, shdr.sh_name);
		if (!sname || strcmp(sname, name))
			continue;
		if (*found) {
			pr_warn("%s: more than one %s section", elf->name, name);
			return -EINVAL;
		}
		*found = true;
		if (load_section(elf, scn, sec))
			return -EINVAL;
	}
	return 0;
}

size_t sdt_elf_symbol_cnt(const struct sdt_elf *elf)
{
	return elf->sym_cnt;
}

int sdt_elf_symbol(struct sdt_elf *elf, size_t idx, struct sdt_elf_symbol *sym)
{
	if (idx >= elf->sym_cnt || !gelf_getsym(elf->sym_data, (int)idx, &sym->sym)) {
		pr_warn("%s: corrupt ELF: no symbol %zu", elf->name, idx);
		return -EINVAL;
	}
	sym->name = elf_strptr(elf->elf, elf->sym_strndx, sym->sym.st_name);
	if (!sym->name)
		sym->name = "";
	return 0;
}

static int append_relocs(struct sdt_elf *elf, Elf_Scn *scn, const GElf_Shdr *shdr,
			 struct sdt_reloc **relocs, size_t *cnt)
{
	bool rela = shdr->sh_type == SHT_RELA;
	size_t entsz = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
	Elf_Data *data = elf_getdata(scn, NULL);
	struct sdt_reloc *grown;
	size_t n, i;

	if (!data)
		return elf_corrupt(elf, "relocation data");
	n = data->d_size / entsz;
	if (!n)
		return 0;
	if (n > SIZE_MAX / sizeof(**relocs) - *cnt)
		return -E2BIG;
	grown = realloc(*relocs, (*cnt + n) * sizeof(**relocs));
	if (!grown)
		return -ENOMEM;
	*relocs = grown;
	for (i = 0; i < n; i++) {
		struct sdt_reloc *r = &grown[*cnt + i];
		GElf_Rela ra;
		GElf_Rel rl;

		if (rela) {
			if (!gelf_getrela(data, (int)i, &ra))
				return elf_corrupt(elf, "relocation entry");
			r->offset = ra.r_offset;
			r->type = GELF_R_TYPE(ra.r_info);
			r->sym = GELF_R_SYM(ra.r_info);
			r->addend = ra.r_addend;
		} else {
			if (!gelf_getrel(data, (int)i, &rl))
				return elf_corrupt(elf, "relocation entry");
			r->offset = rl.r_offset;
			r->type = GELF_R_TYPE(rl.r_info);
			r->sym = GELF_R_SYM(rl.r_info);
			r->addend = 0;
		}
		r->rela = rela;
	}
	*cnt += n;
	return 0;
}

int sdt_elf_relocs_for(struct sdt_elf *elf, size_t target_idx,
		       struct sdt_reloc **relocs, size_t *cnt)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	int err;

	*relocs = NULL;
	*cnt = 0;
	while ((scn = elf_nextscn(elf->elf, scn))) {
		if (!gelf_getshdr(scn, &shdr)) {
			err = elf_corrupt(elf, "section header");
			goto fail;
		}
		if ((shdr.sh_type != SHT_REL && shdr.sh_type != SHT_RELA) ||
		    shdr.sh_info != target_idx)
			continue;
		err = append_relocs(elf, scn, &shdr, relocs, cnt);
		if (err)
			goto fail;
	}
	return 0;
fail:
	free(*relocs);
	*relocs = NULL;
	*cnt = 0;
	return err;
}

int sdt_elf_read_string_section(struct sdt_elf *elf, const char *name, char **out)
{
	struct sdt_elf_section sec;
	bool found;
	int err;

	*out = NULL;
	err = sdt_elf_section_by_name(elf, name, &sec, &found);
	if (err || !found || !sec.data)
		return err;
	*out = strndup(sec.data, sec.size);
	return *out ? 0 : -ENOMEM;
}
