/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What libbpf hands the kernel for each program it loads: final relocated
 * instructions, func_info/line_info, load attributes. libbpf 1.1 has no
 * getters for most of these, so libbpfsdt registers its own section handlers
 * whose prog_prepare_load_fn copies them at load time.
 */
#ifndef __BPFSDT_CAPTURE_H
#define __BPFSDT_CAPTURE_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct sdt_prog_capture {
	const struct bpf_program *prog;
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	__u32 prog_flags;
	__u32 kern_version;
	__u32 prog_ifindex;
	__u32 btf_id;		/* kernel id of the program's BTF, 0 if none */
	struct bpf_insn *insns;
	__u32 insn_cnt;
	void *func_info;
	__u32 func_info_cnt, func_info_rec_size;
	void *line_info;
	__u32 line_info_cnt, line_info_rec_size;
	char *load_stats;	/* the verifier's BPF_LOG_STATS of the load, when
				 * it was asked for (sdt_capture_keep_stats()) */
};

/* Registers the handlers once (process-wide). Objects opened before this
 * use libbpf's own handlers and cannot be captured. From then on the
 * programs of an object libbpfsdt loads itself are recorded for it while
 * it loads it (between begin and end, in that thread), until the target
 * takes them or drops them; a caller's programs with BTF are recorded
 * while their object is open (capture.c says how that is known). */
int sdt_capture_init(void);
void sdt_capture_begin(const struct bpf_object *obj);
void sdt_capture_end(void);
/* Drops what was recorded for obj and not taken. */
void sdt_capture_drop(const struct bpf_object *obj);
/* How many records are held (the caller's closed objects' pruned). */
size_t sdt_capture_count(void);
/* Moves the capture of prog (recorded when it was loaded) to *out; -ENOENT
 * when none was recorded. */
int sdt_capture_take(const struct bpf_program *prog, struct sdt_prog_capture *out);
/* Copies it instead (observers may be attached many times). */
int sdt_capture_copy(const struct bpf_program *prog, struct sdt_prog_capture *out);
void sdt_capture_release(struct sdt_prog_capture *cap);
/* Deep copy. */
int sdt_capture_dup(const struct sdt_prog_capture *src, struct sdt_prog_capture *dst);
/* Keeps the statistics the verifier logged when it loaded prog with the
 * capture (a copy of stats): its functions' stack depths need no reload. */
int sdt_capture_keep_stats(const struct bpf_program *prog, const char *stats);

#endif
