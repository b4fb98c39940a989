/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Binding a rebuilt program to the maps of the program running on a hook
 * by identity: what the kernel says the running program uses, never names.
 *
 * The kernel lists a program's maps (bpf_prog_info.map_ids) in the order
 * its code first references them (the verifier's used_maps, filled while it
 * resolves each ld_imm64 in instruction order), followed by maps bound to
 * it later (BPF_PROG_BIND_MAP: libbpf binds .rodata to every program).
 * The ELF maps the rebuild's code references are learned without creating
 * any map, from a copy of the object that libbpf's gen loader prepares
 * (its ld_imm64s name maps by their index in the object). The k-th of those
 * is bound to map_ids[k]; after loading, the kernel's view of the rebuild
 * proves the binding (sdt_map_binding_prove()).
 */
#ifndef __BPFSDT_MAP_BINDING_H
#define __BPFSDT_MAP_BINDING_H

#include <stdbool.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct sdt_map_refs {
	__u32 *elf_idx;		/* each referenced map's index among the object's maps
				 * (bpf_object__for_each_map() order), in order of
				 * first reference */
	__u32 cnt;
	struct bpf_insn *insns;	/* the program's relocated code, maps by index */
	__u32 insn_cnt;
};

/* The maps program prog_name of the ELF references. One line on failure. */
int sdt_map_refs_learn(const void *elf, size_t size, const char *name,
		       const struct bpf_program *twin, struct sdt_map_refs *refs);
void sdt_map_refs_free(struct sdt_map_refs *refs);

/* Before obj is loaded: the map refs->elf_idx[k] of obj reuses the map with
 * id ids[k], for every k but those with id 0, which libbpf creates afresh
 * (a frozen read-only map whose running instance is gone: the same by
 * construction; sdt_map_binding_prove() skips them too). Refuses (one line, nothing bound) when the
 * running program uses fewer maps than the code references, or a map's
 * type, key or value size differs. No map of obj is pinned by its load. */
int sdt_map_bind(const char *name, const char *prog_name, struct bpf_object *obj,
		 const struct sdt_map_refs *refs, const __u32 *ids, __u32 id_cnt);

/* After obj's load: prog's instructions are those refs was learned from
 * (same count and opcodes), with its map ld_imm64s where refs has them,
 * referencing the maps refs names there. One line and -EINVAL if not. */
int sdt_map_refs_check_load(const char *name, const struct bpf_program *prog,
			    struct bpf_object *obj, const struct sdt_map_refs *refs);

/*
 * The kernel's proof that the loaded rebuild uses the maps the running
 * program uses, at the same instructions: the rebuild's map_ids start with
 * ids[0..cnt), and the maps (and value offsets) its translated code
 * references, in order, are those of the running program's translated code
 * (all of them; or with prefix, when the running program is an armed copy,
 * its first references to ids[0..cnt): the observers it calls come after
 * the target's code, while counters and code inlined at its sites reference
 * maps of their own among the target's). With constant blinding (bpf_jit_harden=2)
 * translated code shows no map; map_ids are then the proof, as they are
 * with running_fd -1 (code known to differ). One line and -ESTALE if they
 * differ.
 */
int sdt_map_binding_prove(const char *name, const char *prog_name, int rebuild_fd,
			  const __u32 *ids, __u32 cnt, int running_fd, bool prefix);

/* The map ids of a loaded program (caller frees *ids). */
int sdt_prog_map_ids(int prog_fd, __u32 **ids, __u32 *cnt);

#endif
