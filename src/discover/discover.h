/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal types shared by the discovery stages of libbpfsdt: the probe
 * table an object is read into, and what builds it. */
#ifndef __BPFSDT_DISCOVER_H
#define __BPFSDT_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "libbpfsdt.h"
#include "util/util.h"

#define SDT_NOTES_SEC ".bpf_sdt_notes"
#define SDT_ENTRY_SYM_PREFIX "___sdt_jt_"
#define SDT_TAG_PREFIX "bpf_sdt:"
#define SDT_INSN_SZ 8
/* Guards (BPF_SDT_ENABLED): their notes, and the bytes they read. */
#define SDT_GUARD_NOTES_SEC ".bpf_sdt_guard_notes"
#define SDT_GUARD_ENTRY_SYM_PREFIX "___sdt_guard_"
#define SDT_GUARDS_SEC ".rodata.bpf_sdt_guards"
#define SDT_GUARD_VAR_PREFIX "___bpf_sdt_guard__"
/* r0 = <byte> ll (two slots); r0 = *(u8 *)(r0 + 0); if r0 != 0 goto <block> */
#define SDT_GUARD_INSNS 4
/* Function probes (BPF_SDT_FUNCn): the no-op function's tag. */
#define SDT_FUNC_TAG_PREFIX "bpf_sdt_func:"

/* A probe as declared in BTF (DECL_TAG "bpf_sdt:<name>:<nargs>"). */
struct sdt_decl {
	char *name;
	int nargs;
	__u32 proto_id;
	__u32 arg_type_ids[BPF_SDT_MAX_ARGS];
	char *arg_type_names[BPF_SDT_MAX_ARGS];
};

/* One .bpf_sdt_notes entry, resolved against its code section. */
struct sdt_note {
	char *probe_name;
	size_t note_off;	/* entry offset in .bpf_sdt_notes */
	size_t code_shndx;	/* section holding the NOP */
	__u64 nop_off;		/* NOP byte offset in that section */
	char *section;
	char *function;		/* NULL if no function symbol covers it */
	__u64 function_off;	/* function start in the section */
	int nargs;
	struct bpf_sdt_arg_loc args[BPF_SDT_MAX_ARGS];
};

/* One .bpf_sdt_guard_notes entry, resolved against its code section. */
struct sdt_guard_note {
	char *probe_name;
	size_t note_off;	/* entry offset in .bpf_sdt_guard_notes */
	size_t code_shndx;
	__u64 insn_off;		/* the guard's ld_imm64, bytes into its section */
	__s16 jump_off;		/* its jump's offset: where the block starts */
	char *section;
	char *function;		/* NULL if no function symbol covers it */
	__u64 function_off;
};

struct sdt_elf;

/* elf_image.c: the parts of a BPF ELF that discovery reads, through libelf. */
int sdt_elf_open(const void *buf, size_t size, const char *name, struct sdt_elf **out);
void sdt_elf_close(struct sdt_elf *elf);

/* btf_decls.c: probe declarations from the .BTF section. *btf is NULL when
 * the object has no BTF. */
int sdt_decls_parse(struct sdt_elf *elf, const char *name, struct btf **btf,
		    struct sdt_decl **decls, size_t *cnt);
void sdt_decls_free(struct sdt_decl *decls, size_t cnt);

/* notes.c: site entries from .bpf_sdt_notes with their relocations. */
/* elf_image.c: NUL-terminated copy of a string section ("license"); NULL
 * with 0 when absent. */
int sdt_elf_read_string_section(struct sdt_elf *elf, const char *name, char **out);

int sdt_notes_parse(struct sdt_elf *elf, const char *name,
		    struct sdt_note **notes, size_t *cnt);
void sdt_notes_free(struct sdt_note *notes, size_t cnt);

/* guard_notes.c: guard entries from .bpf_sdt_guard_notes, each checked to
 * be the three instructions BPF_SDT_ENABLED emits, reading its probe's byte. */
int sdt_guard_notes_parse(struct sdt_elf *elf, const char *name,
			  struct sdt_guard_note **notes, size_t *cnt);
void sdt_guard_notes_free(struct sdt_guard_note *notes, size_t cnt);
/* line_info.c: each site's source file and line from .BTF.ext; sites
 * without line info keep none. Never fails on what it cannot read (only
 * for want of memory). */
int sdt_line_info_apply(struct sdt_elf *elf, const struct btf *btf, struct bpf_sdt_site *sites,
			size_t site_cnt);

/* btf_decls.c: the probe declarations of BTF that did not come from an ELF
 * (a loaded program's, read back from the kernel). */
int sdt_decls_from_btf(const struct btf *btf, const char *name, struct sdt_decl **decls,
		       size_t *cnt);
/* object.c: an object of btf's probes without sites (takes btf). */
struct bpf_sdt_object *sdt_object_from_btf(struct btf *btf, const char *name);

/* type_names.c: C spelling of a BTF type and the probe argument type rule. */
int sdt_type_name(const struct btf *btf, __u32 id, char **out);
const char *sdt_arg_type_problem(const struct btf *btf, __u32 id);

struct bpf_sdt_site {
	const struct bpf_sdt_probe *probe;
	const char *section;
	const char *function;
	__u32 insn;
	__u32 section_insn;
	__u32 id;		/* its entry's position in .bpf_sdt_notes */
	const char *file;	/* source file (line info; in the object's BTF), or NULL */
	__u32 line;		/* source line, 0 if unknown */
	bool dynamic;		/* dynamic_sites.h: not from the ELF */
	const void *owner;	/* a dynamic site's program (its sdt_target_prog) */
	int nargs;
	struct bpf_sdt_arg_loc args[BPF_SDT_MAX_ARGS];
};

struct bpf_sdt_guard {
	const struct bpf_sdt_probe *probe;
	const char *section;
	const char *function;
	__u32 insn;		/* its first instruction, in the function */
	__u32 section_insn;	/* and in the section */
	__u32 block_insn;	/* the guarded block's first, in the function */
};

struct bpf_sdt_probe {
	const struct sdt_decl *decl;
	bool dynamic;		/* dynamic_sites.h: not from the ELF */
	bool func;		/* BPF_SDT_FUNCn: a global no-op function of its name */
	size_t site_cnt;
	const struct bpf_sdt_site **sites;
	size_t guard_cnt;
	const struct bpf_sdt_guard **guards;
};

struct bpf_sdt_object {
	char *name;
	char *license;		/* "license" section, NULL if absent */
	struct btf *btf;
	struct sdt_decl *decls;
	size_t decl_cnt;
	struct sdt_note *notes;
	size_t note_cnt;
	struct bpf_sdt_probe *probes;	/* one per decl, sorted by name */
	size_t probe_cnt;
	struct bpf_sdt_site *sites;	/* sorted by section, offset */
	size_t site_cnt;
	struct sdt_guard_note *guard_notes;
	size_t guard_note_cnt;
	struct bpf_sdt_guard *guards;	/* sorted by section, offset */
	size_t guard_cnt;
};

#endif /* __BPFSDT_DISCOVER_H */
