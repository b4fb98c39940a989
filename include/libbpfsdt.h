/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpfsdt - discover, check and arm BPF static-defined tracing probes.
 *
 * Conventions follow libbpf: opaque objects, bpf_sdt_<object>__<verb>(),
 * options structs whose first member is their size (use LIBBPF_OPTS), NULL
 * with errno set or a negative errno on failure, and diagnostics through a
 * print callback (one line per failure, naming the file and the probe).
 */
#ifndef __LIBBPFSDT_H
#define __LIBBPFSDT_H

#include <stdarg.h>
#include <stddef.h>
#include <linux/types.h>
#include <bpf/libbpf_common.h> /* LIBBPF_OPTS() for our opts structs too */

#ifdef __cplusplus
extern "C" {
#endif

#define LIBBPFSDT_API __attribute__((visibility("default")))

#ifndef BPF_SDT_MAX_ARGS
#define BPF_SDT_MAX_ARGS 12 /* same limit as bpf_sdt.h */
#endif

enum bpf_sdt_print_level {
	BPF_SDT_WARN,
	BPF_SDT_INFO,
	BPF_SDT_DEBUG,
};

typedef int (*bpf_sdt_print_fn_t)(enum bpf_sdt_print_level level,
				  const char *fmt, va_list args);

/* Sets the diagnostics callback and returns the previous one. The default
 * prints warnings to stderr; NULL silences the library. */
LIBBPFSDT_API bpf_sdt_print_fn_t bpf_sdt_set_print(bpf_sdt_print_fn_t fn);

struct btf;
struct bpf_sdt_object;
struct bpf_sdt_probe;
struct bpf_sdt_site;

struct bpf_sdt_open_opts {
	size_t sz; /* size of this struct, for forward/backward compatibility */
	/* Name used in diagnostics; defaults to the path, or "<memory>". */
	const char *object_name;
	size_t :0;
};
#define bpf_sdt_open_opts__last_field object_name

/*
 * Discover the probes of a BPF ELF object: declarations from BTF, sites from
 * .bpf_sdt_notes. On invalid input nothing is returned (NULL, errno set,
 * usually EINVAL) and exactly one diagnostic line is printed.
 * An object without probes opens fine and has no probes.
 */
LIBBPFSDT_API struct bpf_sdt_object *
bpf_sdt_object__open_file(const char *path, const struct bpf_sdt_open_opts *opts);
/* The buffer is only read during the call (skeletons can pass their
 * embedded ELF). */
LIBBPFSDT_API struct bpf_sdt_object *
bpf_sdt_object__open_mem(const void *buf, size_t size,
			 const struct bpf_sdt_open_opts *opts);
LIBBPFSDT_API void bpf_sdt_object__close(struct bpf_sdt_object *obj);

LIBBPFSDT_API const char *bpf_sdt_object__name(const struct bpf_sdt_object *obj);
/* The object's BTF (NULL when it has none); owned by the object. */
LIBBPFSDT_API const struct btf *bpf_sdt_object__btf(const struct bpf_sdt_object *obj);

/* Probes, sorted by name. */
LIBBPFSDT_API size_t bpf_sdt_object__probe_cnt(const struct bpf_sdt_object *obj);
LIBBPFSDT_API const struct bpf_sdt_probe *
bpf_sdt_object__probe(const struct bpf_sdt_object *obj, size_t idx);
LIBBPFSDT_API const struct bpf_sdt_probe *
bpf_sdt_object__find_probe(const struct bpf_sdt_object *obj, const char *name);

/* All sites of the object, sorted by section name, then offset. */
LIBBPFSDT_API size_t bpf_sdt_object__site_cnt(const struct bpf_sdt_object *obj);
LIBBPFSDT_API const struct bpf_sdt_site *
bpf_sdt_object__site(const struct bpf_sdt_object *obj, size_t idx);

LIBBPFSDT_API const char *bpf_sdt_probe__name(const struct bpf_sdt_probe *probe);
LIBBPFSDT_API int bpf_sdt_probe__arg_cnt(const struct bpf_sdt_probe *probe);
/* BTF id of the probe's FUNC_PROTO in bpf_sdt_object__btf(). */
LIBBPFSDT_API __u32 bpf_sdt_probe__proto_type_id(const struct bpf_sdt_probe *probe);
/* BTF id and C spelling ("unsigned int", "struct ethhdr *") of argument idx
 * (0-based); 0 / NULL when idx is out of range. */
LIBBPFSDT_API __u32 bpf_sdt_probe__arg_type_id(const struct bpf_sdt_probe *probe, int idx);
LIBBPFSDT_API const char *bpf_sdt_probe__arg_type_name(const struct bpf_sdt_probe *probe,
							int idx);
/* Sites of this probe, in the object's site order. */
LIBBPFSDT_API size_t bpf_sdt_probe__site_cnt(const struct bpf_sdt_probe *probe);
LIBBPFSDT_API const struct bpf_sdt_site *
bpf_sdt_probe__site(const struct bpf_sdt_probe *probe, size_t idx);

/* Where a site finds one argument at its NOP. */
enum bpf_sdt_arg_kind {
	BPF_SDT_ARG_REG, /* in register reg */
	BPF_SDT_ARG_MEM, /* u64 at *(reg + off): arguments 10..12 of long probes */
};

struct bpf_sdt_arg_loc {
	enum bpf_sdt_arg_kind kind;
	__u8 reg;
	__s16 off;
};

LIBBPFSDT_API const struct bpf_sdt_probe *bpf_sdt_site__probe(const struct bpf_sdt_site *site);
/* ELF section holding the site's NOP ("xdp", ".text", ...). */
LIBBPFSDT_API const char *bpf_sdt_site__section(const struct bpf_sdt_site *site);
/* Function symbol containing the NOP (a .text subprogram is its own
 * function); NULL if no function symbol covers it. */
LIBBPFSDT_API const char *bpf_sdt_site__function(const struct bpf_sdt_site *site);
/* Instruction index of the NOP relative to the function's first instruction
 * and to the section's. */
LIBBPFSDT_API __u32 bpf_sdt_site__insn(const struct bpf_sdt_site *site);
LIBBPFSDT_API __u32 bpf_sdt_site__section_insn(const struct bpf_sdt_site *site);
LIBBPFSDT_API int bpf_sdt_site__arg_cnt(const struct bpf_sdt_site *site);
LIBBPFSDT_API const struct bpf_sdt_arg_loc *
bpf_sdt_site__arg(const struct bpf_sdt_site *site, int idx);

#ifdef __cplusplus
}
#endif

#endif /* __LIBBPFSDT_H */
