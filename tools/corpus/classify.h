/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * corpus-classify: which programs of the kernel's BPF selftests objects are
 * network programs (XDP, tc, socket filter, cgroup_skb), whether this kernel
 * loads them through libbpf, and what they are made of.
 */
#ifndef __CORPUS_CLASSIFY_H
#define __CORPUS_CLASSIFY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>

struct bpf_object;
struct bpf_program;
struct btf;

/* What a selftest says about one program (bpf_misc.h's __success,
 * __failure, __retval(), __flag() ... as BTF decl tags on its function). */
struct selftest_spec {
	const char *expect;	/* "success", "failure", "unpriv" (only unprivileged
				 * expectations), "other-arch", or "-" (none stated) */
	/* __retval(): what BPF_PROG_TEST_RUN returns on 64 zero bytes, as
	 * written ("0", "INT_MIN", "POINTER_VALUE"...); "-" if not stated */
	char retval[32];
	__u32 prog_flags;	/* __flag(): load flags the test loads it with */
	bool auxiliary;		/* __auxiliary: loaded with each program of its
				 * object (a tail call target, say) */
};

void selftest_spec_read(const struct btf *btf, const char *prog_name, struct selftest_spec *spec);

/* Features of a program's final (relocated) instructions. */
enum prog_feature {
	FEAT_TAIL_CALL = 1 << 0,
	FEAT_BPF_LOOP = 1 << 1,
	FEAT_CALLBACK = 1 << 2,		/* a function passed by address (bpf_loop...) */
	FEAT_GLOBAL_FUNC = 1 << 3,
	FEAT_SPIN_LOCK = 1 << 4,
	FEAT_DYNPTR = 1 << 5,
	FEAT_KFUNC = 1 << 6,
	FEAT_LD_ABS = 1 << 7,		/* legacy packet loads (LD_ABS/LD_IND) */
	FEAT_ATOMIC = 1 << 8,
	FEAT_MAY_GOTO = 1 << 9,
};

struct prog_shape {
	unsigned int insns;
	unsigned int subprogs;		/* functions, the main one included */
	unsigned int features;		/* enum prog_feature */
};

/* Scans insns; kernel_btf (may be NULL) names kfuncs. */
void prog_shape_scan(const struct bpf_insn *insns, size_t cnt, const struct btf *kernel_btf,
		     struct prog_shape *shape);
/* Adds what only the kernel knows of a loaded program: global functions
 * (from its func_info and the object's BTF). */
void prog_shape_add_loaded(int prog_fd, const struct btf *obj_btf, struct prog_shape *shape);
/* "tail_call,bpf_loop" or "-" into buf. */
const char *prog_features_str(unsigned int features, char *buf, size_t size);

/* Calls fn for each code section of the ELF object at path but .text;
 * returns how many, or -1 if it is not an ELF file. */
typedef void (*code_section_fn)(const char *name, void *ctx);
int elf_code_sections(const char *path, code_section_fn fn, void *ctx);

/* libbpf's messages while one load attempt runs (load_log_print is the
 * libbpf print callback). */
void load_log_begin(void);
int load_log_print(enum libbpf_print_level level, const char *fmt, va_list args);
/* The program libbpf said failed to load, NULL if none. */
const char *load_log_failed_prog(void);
/* The verifier's error line for prog if the verifier refused it, else NULL. */
const char *load_log_refusal(const char *prog);
/* libbpf's first warning that says what went wrong (not a wrap-up line),
 * tabs and newlines made spaces. Never NULL. */
const char *load_log_reason(char *buf, size_t size);

#endif
