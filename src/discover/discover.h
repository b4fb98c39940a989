/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal types shared by the discovery stages of libbpfsdt. */
#ifndef __BPFSDT_INTERNAL_H
#define __BPFSDT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "libbpfsdt.h"

#define SDT_NOTES_SEC ".bpf_sdt_notes"
#define SDT_ENTRY_SYM_PREFIX "___sdt_jt_"
#define SDT_TAG_PREFIX "bpf_sdt:"
#define SDT_INSN_SZ 8

__attribute__((format(printf, 2, 3)))
void sdt_pr(enum bpf_sdt_print_level level, const char *fmt, ...);
/* Keeps the warnings of what runs until _end in buf (NUL-terminated,
 * truncated to size) instead of printing them: for trying something whose
 * failure is an answer, not an error (bpfsdt sweep narrowing down which
 * boundary the verifier refuses). Not nested, not thread-safe. */
void sdt_pr_capture_begin(char *buf, size_t size);
void sdt_pr_capture_end(void);
#define pr_warn(fmt, ...) sdt_pr(BPF_SDT_WARN, fmt "\n", ##__VA_ARGS__)
#define pr_info(fmt, ...) sdt_pr(BPF_SDT_INFO, fmt "\n", ##__VA_ARGS__)
#define pr_debug(fmt, ...) sdt_pr(BPF_SDT_DEBUG, fmt "\n", ##__VA_ARGS__)

/* A field of a caller's opts struct, or fallback when the caller's struct
 * predates it. */
#define SDT_OPTS_GET(opts, field, fallback)					\
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field) ? \
	 (opts)->field : (fallback))

/* Checked size arithmetic for allocations driven by untrusted counts. */
void *sdt_calloc(size_t n, size_t size);
char *sdt_strdup(const char *s);
/* A regular file's whole content (caller frees); NULL with *err set. */
void *sdt_read_file(const char *path, size_t *size, int *err);

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
	bool dynamic;		/* dynamic_sites.h: not from the ELF */
	int nargs;
	struct bpf_sdt_arg_loc args[BPF_SDT_MAX_ARGS];
};

struct bpf_sdt_probe {
	const struct sdt_decl *decl;
	size_t site_cnt;
	const struct bpf_sdt_site **sites;
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
};

#endif /* __BPFSDT_INTERNAL_H */
