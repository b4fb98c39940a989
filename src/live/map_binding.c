// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Binding a rebuild to the running program's maps by identity (map_binding.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "target/capture.h"
#include "util/util.h"
#include "live/map_binding.h"

/* kernel UAPI: ld_imm64 naming a map by its index in fd_array (libbpf's
 * gen loader writes these) */
#ifndef BPF_PSEUDO_MAP_IDX
#define BPF_PSEUDO_MAP_IDX 5
#endif
#ifndef BPF_PSEUDO_MAP_IDX_VALUE
#define BPF_PSEUDO_MAP_IDX_VALUE 6
#endif

static bool is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static bool is_map_ref(const struct bpf_insn *insn)
{
	return is_ld_imm64(insn) &&
	       (insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_VALUE ||
		insn->src_reg == BPF_PSEUDO_MAP_IDX || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE);
}

static struct bpf_map *map_at(struct bpf_object *obj, __u32 idx)
{
	struct bpf_map *map;
	__u32 i = 0;

	bpf_object__for_each_map(map, obj)
		if (i++ == idx)
			return map;
	return NULL;
}

void sdt_map_refs_free(struct sdt_map_refs *refs)
{
	free(refs->elf_idx);
	free(refs->insns);
	memset(refs, 0, sizeof(*refs));
}

/* The distinct map indices of code's ld_imm64s, first reference first. */
static int first_references(const struct bpf_insn *insns, __u32 cnt, struct sdt_map_refs *refs)
{
	__u32 i, k;

	refs->elf_idx = calloc(cnt ? cnt : 1, sizeof(*refs->elf_idx));
	if (!refs->elf_idx)
		return -ENOMEM;
	for (i = 0; i + 1 < cnt; i++) {
		if (!is_ld_imm64(&insns[i]))
			continue;
		if (is_map_ref(&insns[i])) {
			if (insns[i].src_reg != BPF_PSEUDO_MAP_IDX &&
			    insns[i].src_reg != BPF_PSEUDO_MAP_IDX_VALUE)
				return -EINVAL; /* not what the gen loader writes */
			for (k = 0; k < refs->cnt && refs->elf_idx[k] != (__u32)insns[i].imm; k++)
				;
			if (k == refs->cnt)
				refs->elf_idx[refs->cnt++] = (__u32)insns[i].imm;
		}
		i++; /* the second half */
	}
	return 0;
}

int sdt_map_refs_learn(const void *elf, size_t size, const char *name,
		       const struct bpf_program *twin, struct sdt_map_refs *refs)
{
	const char *prog_name = bpf_program__name(twin);
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = name);
	LIBBPF_OPTS(gen_loader_opts, gen);
	struct sdt_prog_capture cap = {};
	struct bpf_program *prog, *p;
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;

	memset(refs, 0, sizeof(*refs));
	obj = bpf_object__open_mem(elf, size, &oopts);
	if (!obj)
		return -errno;
	prog = bpf_object__find_program_by_name(obj, prog_name);
	if (!prog) {
		err = -ENOENT;
		goto out;
	}
	/* only this program, typed as the rebuild's twin (a section libbpf
	 * does not know has the running program's type); no map is created
	 * or pinned in this mode, and a pin path would make libbpf look for
	 * the pinned map */
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	bpf_program__set_type(prog, bpf_program__type(twin));
	bpf_program__set_expected_attach_type(prog, bpf_program__expected_attach_type(twin));
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	err = bpf_object__gen_loader(obj, &gen);
	sdt_capture_begin(obj);
	if (!err)
		err = bpf_object__load(obj);
	sdt_capture_end();
	if (err) {
		pr_warn("%s: cannot learn which maps program %s references (libbpf's gen loader: %s)",
			name, prog_name, strerror(-err));
		goto out;
	}
	err = sdt_capture_take(prog, &cap);
	if (err) {
		pr_warn("%s: program %s (section %s) cannot be relinked: libbpfsdt does not handle its section",
			name, prog_name, bpf_program__section_name(prog));
		goto out;
	}
	err = first_references(cap.insns, cap.insn_cnt, refs);
	if (!err) {
		refs->insns = cap.insns;
		refs->insn_cnt = cap.insn_cnt;
		cap.insns = NULL;
	} else {
		pr_warn("%s: program %s: unexpected map references in its relocated code", name,
			prog_name);
	}
out:
	sdt_capture_release(&cap);
	sdt_capture_drop(obj);
	bpf_object__close(obj);
	if (err)
		sdt_map_refs_free(refs);
	return err;
}

static const char *map_type_name(enum bpf_map_type type)
{
	return libbpf_bpf_map_type_str(type) ?: "?";
}

static int bind_one(const char *name, const char *prog_name, struct bpf_map *map, __u32 id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd, err;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		pr_warn("%s: program %s: cannot open map id %u of the running program: %s", name,
			prog_name, id, strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map)) {
		pr_warn("%s: program %s: its map %s (%s, key %u, value %u) is where the running program uses map id %u %s (%s, key %u, value %u): the ELF's maps do not match the running program's; nothing changed",
			name, prog_name, bpf_map__name(map), map_type_name(bpf_map__type(map)),
			bpf_map__key_size(map), bpf_map__value_size(map), id, info.name,
			map_type_name(info.type), info.key_size, info.value_size);
		close(fd);
		return -ESTALE;
	}
	err = bpf_map__reuse_fd(map, fd);
	close(fd);
	if (err)
		pr_warn("%s: program %s: cannot share map id %u of the running program: %s", name,
			prog_name, id, strerror(-err));
	return err;
}

int sdt_map_bind(const char *name, const char *prog_name, struct bpf_object *obj,
		 const struct sdt_map_refs *refs, const __u32 *ids, __u32 id_cnt)
{
	struct bpf_map *map;
	__u32 k;
	int err;

	if (refs->cnt > id_cnt) {
		pr_warn("%s: program %s references %u maps, the running program %u: the ELF's maps do not match the running program's; nothing changed",
			name, prog_name, refs->cnt, id_cnt);
		return -ESTALE;
	}
	for (k = 0; k < refs->cnt; k++) {
		map = map_at(obj, refs->elf_idx[k]);
		if (!map)
			return -EINVAL;
		if (!ids[k])
			continue; /* created afresh: see sdt_map_bind() in map_binding.h */
		err = bind_one(name, prog_name, map, ids[k]);
		if (err)
			return err;
	}
	/* Pinning would leave a trace; a bound map needs no pin to be found,
	 * and the maps left (only other programs of the object use them)
	 * never reach the hook: see live.c. */
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	return 0;
}

int sdt_map_refs_check_load(const char *name, const struct bpf_program *prog,
			    struct bpf_object *obj, const struct sdt_map_refs *refs)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	__u32 cnt = (__u32)bpf_program__insn_cnt(prog), i = 0;

	if (!insns || cnt != refs->insn_cnt)
		goto differ;
	for (i = 0; i < cnt; i++) {
		const struct bpf_insn *a = &insns[i], *b = &refs->insns[i];
		struct bpf_map *map;

		/* CO-RE relocations may differ (the gen loader leaves them to
		 * its loader program): opcodes must not */
		if (!is_map_ref(a) && !is_map_ref(b)) {
			if (a->code != b->code)
				goto differ;
			continue;
		}
		map = is_map_ref(a) && is_map_ref(b) && i + 1 < cnt ?
		      map_at(obj, (__u32)b->imm) : NULL;
		if (!map || a->imm != bpf_map__fd(map) || a->dst_reg != b->dst_reg ||
		    (a->src_reg == BPF_PSEUDO_MAP_VALUE) !=
		    (b->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) ||
		    memcmp(&a[1], &b[1], sizeof(*a)))
			goto differ;
		i++;
	}
	return 0;
differ:
	pr_warn("%s: program %s: libbpf relocated it differently when loading it than when learning its maps (insn %u)",
		name, bpf_program__name(prog), i);
	return -EINVAL;
}

int sdt_prog_map_ids(int prog_fd, __u32 **ids, __u32 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n;

	*ids = NULL;
	*cnt = 0;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.nr_map_ids;
	*ids = calloc(n ? n : 1, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)*ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		free(*ids);
		*ids = NULL;
		return -errno;
	}
	*cnt = info.nr_map_ids < n ? info.nr_map_ids : n;
	return 0;
}

/* A map reference in translated code: the kernel shows the map's id and,
 * for a value address, the offset into the value. */
struct xlated_ref {
	__u32 insn;
	__u8 type;		/* BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE */
	__u32 map_id;
	__u32 off;
};

static int xlated_refs(int prog_fd, struct xlated_ref **refs, __u32 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, i;
	struct bpf_insn *insns;

	*refs = NULL;
	*cnt = 0;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.xlated_prog_len / sizeof(*insns);
	insns = calloc(n ? n : 1, sizeof(*insns));
	*refs = calloc(n ? n : 1, sizeof(**refs));
	if (!insns || !*refs) {
		free(insns);
		return -ENOMEM;
	}
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		free(insns);
		return -errno;
	}
	for (i = 0; i + 1 < n; i++) {
		if (!is_ld_imm64(&insns[i]))
			continue;
		if (insns[i].src_reg == BPF_PSEUDO_MAP_FD ||
		    insns[i].src_reg == BPF_PSEUDO_MAP_VALUE)
			(*refs)[(*cnt)++] = (struct xlated_ref){ i, insns[i].src_reg,
								 (__u32)insns[i].imm,
								 (__u32)insns[i + 1].imm };
		i++;
	}
	free(insns);
	return 0;
}

static const char *ref_kind(const struct xlated_ref *r)
{
	return r->type == BPF_PSEUDO_MAP_VALUE ? "a value of " : "";
}

/*
 * Why the map references and not the whole translated code: the tags
 * already say the code is the same up to map references (the kernel's tag
 * blanks them, value offsets included), and raw pointers the verifier
 * writes (callback addresses, prog->aux) legitimately differ between two
 * loads. What is left to compare is which map, at which offset, each
 * reference reaches, in order; the verifier keeps that order (it removes
 * the same dead code from both). Under constant blinding the translated
 * code shows no map at all: then the map_ids are all the kernel gives, and
 * a rebuild loaded with blinding against a running program loaded without
 * (or the reverse) is refused rather than guessed at.
 */
int sdt_map_binding_prove(const char *name, const char *prog_name, int rebuild_fd,
			  const __u32 *ids, __u32 cnt, int running_fd, bool prefix)
{
	struct xlated_ref *ours = NULL, *theirs = NULL;
	__u32 *have = NULL, nhave = 0, nours = 0, ntheirs = 0, k;
	int err;

	err = sdt_prog_map_ids(rebuild_fd, &have, &nhave);
	if (!err && running_fd >= 0)
		err = xlated_refs(rebuild_fd, &ours, &nours);
	if (!err && running_fd >= 0)
		err = xlated_refs(running_fd, &theirs, &ntheirs);
	if (err) {
		pr_warn("%s: program %s: cannot read the kernel's view of its maps: %s", name,
			prog_name, strerror(-err));
		goto out;
	}
	err = -ESTALE;
	for (k = 0; k < cnt; k++)
		if (k >= nhave || (ids[k] && have[k] != ids[k])) {
			pr_warn("%s: program %s: the kernel lists map id %u as its map %u, not the running program's %u: the ELF's maps do not match; nothing changed",
				name, prog_name, k < nhave ? have[k] : 0, k, ids[k]);
			goto out;
		}
	if (running_fd < 0) { /* the code differs (forced): map_ids are all there is */
		err = 0;
		goto out;
	}
	if (prefix) { /* an armed copy: only its references to the target's maps */
		__u32 kept = 0, j;

		for (k = 0; k < ntheirs; k++) {
			for (j = 0; j < cnt && ids[j] != theirs[k].map_id; j++)
				;
			if (j < cnt)
				theirs[kept++] = theirs[k];
		}
		ntheirs = kept;
	}
	if (!nours && !ntheirs) {
		/* blinded constants (or no live map reference): map_ids are all
		 * the kernel shows */
		pr_debug("%s: program %s: translated code shows no map references; bound by map_ids alone",
			 name, prog_name);
		err = 0;
		goto out;
	}
	for (k = 0; k < nours && k < ntheirs; k++)
		if (ours[k].type != theirs[k].type || ours[k].map_id != theirs[k].map_id ||
		    ours[k].off != theirs[k].off)
			break;
	if (k < nours || (!prefix && k < ntheirs)) {
		if (k < nours && k < ntheirs)
			pr_warn("%s: program %s: its map reference %u (translated insn %u) is %smap id %u + %u, the running program's is %smap id %u + %u: the ELF's maps do not match; nothing changed",
				name, prog_name, k, ours[k].insn, ref_kind(&ours[k]),
				ours[k].map_id, ours[k].off, ref_kind(&theirs[k]), theirs[k].map_id,
				theirs[k].off);
		else
			pr_warn("%s: program %s references maps %u times, the running program %u: the ELF's maps do not match; nothing changed",
				name, prog_name, nours, ntheirs);
		goto out;
	}
	err = 0;
out:
	free(have);
	free(ours);
	free(theirs);
	return err;
}
