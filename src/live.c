// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live targets: a program already running on a hook, loaded by any loader.
 *
 * The running program's instructions cannot be read back as they were
 * loaded (the kernel only shows its translated form), so libbpfsdt rebuilds
 * the program from the ELF the user names, with every map its code
 * references bound to the map the running program uses at the same place,
 * by what the kernel reports and never by name (map_binding.h): named and
 * internal maps alike, so a .rodata a loader configured, .data and .bss are
 * the running program's. The kernel then proves that the rebuild is the
 * running program: equal tags (the code, up to map references) and the
 * same maps at the same references. Armed copies replace the running
 * program on its hook, and disarming puts the running program back.
 *
 * The object's other programs are loaded too (their probes are listed and
 * accepted as before), sharing the maps the hook's program uses; maps only
 * they reference are fresh. That is safe because none of them ever runs:
 * nothing attaches them, only the hook's program is ever swapped, and the
 * prog arrays it tail-calls through are the running ones, holding the
 * running programs. The one way libbpf would put a rebuilt program where
 * something runs, a prog array the ELF fills (`.values = { ... }`), is
 * refused. A shared map-in-map holds the running inner maps (libbpf fills
 * only maps it creates); a fresh one holds fresh maps nothing reads. No map
 * is pinned.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "live_hooks.h"
#include "map_binding.h"
#include "native.h"
#include "swap.h"

/* The kernel's tag of a loaded program. */
static int prog_tag(int fd, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return 0;
}

/* What opening and resetting a live hook both start from: the ELF, the
 * program on the hook, and the rebuild of the running program bound to the
 * maps it uses. */
struct live_build {
	struct bpf_sdt_target *t;
	struct running_prog rp;
	struct bpf_object *obj;
	struct bpf_program *prog;	/* the rebuild's twin of the running one */
	struct sdt_map_refs refs;
	void *elf;
	size_t size;
};

static void live_build_release(struct live_build *b)
{
	sdt_running_prog_put(&b->rp);
	sdt_map_refs_free(&b->refs);
	bpf_object__close(b->obj);
	bpf_sdt_target__close(b->t);
	free(b->elf);
}

/* Opens the ELF and finds the program on hook and its twin. */
static int live_find(const char *path, const struct bpf_sdt_hook *hook,
		     const struct bpf_sdt_live_opts *opts, struct live_build *b)
{
	const char *name = SDT_OPTS_GET(opts, object_name, NULL) ?: path;
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = name);
	int err;

	memset(b, 0, sizeof(*b));
	b->rp.fd = -1;
	err = sdt_capture_init();
	if (err)
		return err;
	b->elf = sdt_read_file(path, &b->size, &err);
	if (!b->elf) {
		pr_warn("%s: cannot read: %s", name, strerror(-err));
		return err;
	}
	b->t = sdt_target_new(name);
	if (!b->t)
		return -ENOMEM;
	b->obj = bpf_object__open_mem(b->elf, b->size, &oopts);
	if (!b->obj) {
		err = -errno;
		pr_warn("%s: libbpf cannot open the object: %s", name, strerror(-err));
		return err;
	}
	err = sdt_hook_find(b->t, hook, b->obj, &b->rp);
	if (err)
		return err;
	b->prog = sdt_running_twin(b->obj, &b->rp.info);
	if (!b->prog) {
		pr_warn("%s: has no %s program named %s (the one running, id %u)", name,
			libbpf_bpf_prog_type_str(b->rp.info.type) ?: "such", b->rp.info.name,
			b->rp.info.id);
		return -ENOENT;
	}
	return 0;
}

/* A prog array the ELF fills with its programs (`.values = { ... }`): the
 * name of the first, or NULL. libbpf writes those slots at load time, which
 * would put rebuilt programs into the running map once it is bound. */
static const char *prefilled_prog_array(struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	__u32 id, n = btf ? btf__type_cnt(btf) : 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *sec = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
		int i;

		if (!btf_is_datasec(sec) || strcmp(btf__name_by_offset(btf, sec->name_off), ".maps"))
			continue;
		for (i = 0; i < btf_vlen(sec); i++, vsi++) {
			const struct btf_type *var = btf__type_by_id(btf, vsi->type);
			const char *map_name = btf__name_by_offset(btf, var->name_off);
			const struct btf_type *def = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
			const struct btf_member *m = def && btf_is_struct(def) ? btf_members(def) : NULL;
			struct bpf_map *map = bpf_object__find_map_by_name(obj, map_name);
			int j;

			if (!m || !map || bpf_map__type(map) != BPF_MAP_TYPE_PROG_ARRAY)
				continue;
			for (j = 0; j < btf_vlen(def); j++, m++)
				if (!strcmp(btf__name_by_offset(btf, m->name_off), "values"))
					return map_name;
		}
	}
	return NULL;
}

/* Loads the object with the twin's maps bound to ids (the running
 * program's maps, in order of first reference). */
static int live_rebuild(struct live_build *b, const __u32 *ids, __u32 cnt)
{
	const char *name = b->t->name, *prog_name = bpf_program__name(b->prog);
	const char *filled = prefilled_prog_array(b->obj);
	int err;

	if (filled) {
		pr_warn("%s: prog array %s is filled from the ELF (values = { ... }): loading it would put rebuilt programs into the running one; not supported on a live hook",
			name, filled);
		return -EOPNOTSUPP;
	}
	err = sdt_map_refs_learn(b->elf, b->size, name, prog_name, &b->refs);
	if (!err)
		err = sdt_map_bind(name, prog_name, b->obj, &b->refs, ids, cnt);
	if (err)
		return err;
	err = bpf_object__load(b->obj);
	if (err) {
		pr_warn("%s: rebuilding the running program failed: %s", name, strerror(-err));
		return err;
	}
	return sdt_map_refs_check_load(name, b->prog, b->obj, &b->refs);
}

static int check_tag(struct bpf_sdt_target *t, struct bpf_program *prog,
		     const struct running_prog *rp, bool force)
{
	char have[2 * BPF_TAG_SIZE + 1], want[2 * BPF_TAG_SIZE + 1];
	__u8 tag[BPF_TAG_SIZE];
	int i, err;

	err = prog_tag(bpf_program__fd(prog), tag);
	if (err)
		return err;
	if (!memcmp(tag, rp->info.tag, BPF_TAG_SIZE))
		return 0;
	for (i = 0; i < BPF_TAG_SIZE; i++) {
		snprintf(have + 2 * i, 3, "%02x", tag[i]);
		snprintf(want + 2 * i, 3, "%02x", rp->info.tag[i]);
	}
	if (force) {
		pr_warn("%s: program %s: tag %s differs from the running program's %s; continuing (--force): its maps are bound by their order only",
			t->name, bpf_program__name(prog), have, want);
		return 0;
	}
	pr_warn("%s: program %s does not produce the running program (tag %s, running %s, id %u): wrong ELF? (--force to arm it anyway)",
		t->name, bpf_program__name(prog), have, want, rp->info.id);
	return -ESTALE;
}

struct bpf_sdt_target *bpf_sdt_target__open_live(const char *path, const struct bpf_sdt_hook *hook,
						 const struct bpf_sdt_live_opts *opts)
{
	bool force = SDT_OPTS_GET(opts, force, false);
	struct live_build b;
	struct sdt_target_prog *tp;
	struct bpf_sdt_target *t;
	int err;

	err = live_find(path, hook, opts, &b);
	if (!err)
		err = live_rebuild(&b, b.rp.map_ids, b.rp.info.nr_map_ids);
	if (!err)
		err = check_tag(b.t, b.prog, &b.rp, force);
	if (!err)
		err = sdt_map_binding_prove(b.t->name, bpf_program__name(b.prog),
					    bpf_program__fd(b.prog), b.rp.map_ids, b.refs.cnt,
					    force ? -1 : b.rp.fd, false);
	if (err)
		goto fail;
	b.t->obj = b.obj;
	b.t->own_obj = true;
	b.obj = NULL;
	t = sdt_target_adopt(b.t, b.elf, b.size);
	b.t = NULL; /* adopted, or closed by adopt on failure */
	if (!t) {
		err = -errno;
		goto fail;
	}
	tp = sdt_target_find_prog(t, bpf_program__name(b.prog));
	tp->orig_fd = b.rp.fd; /* disarming puts back the very program that ran */
	b.rp.fd = -1;
	t->hook.prog = tp;
	sdt_native_detect(t, tp); /* loaded with its sites? then no swapping */
	live_build_release(&b);
	return t;
fail:
	live_build_release(&b);
	errno = -err;
	return NULL;
}

int bpf_sdt_live_reset(const char *path, const struct bpf_sdt_hook *hook,
		       const struct bpf_sdt_live_opts *opts)
{
	struct live_build b;
	__u8 tag[BPF_TAG_SIZE];
	int err;

	/* An armed copy's code references the target's maps first, in the
	 * target's order: rebuild the dormant program on them, and swap it in
	 * for the armed copy. */
	err = live_find(path, hook, opts, &b);
	if (!err)
		err = live_rebuild(&b, b.rp.map_ids, b.rp.info.nr_map_ids);
	if (!err)
		err = prog_tag(bpf_program__fd(b.prog), tag);
	if (!err && !memcmp(tag, b.rp.info.tag, BPF_TAG_SIZE)) {
		pr_debug("%s: the running program is already the dormant one", b.t->name);
	} else if (!err) {
		struct sdt_target_prog stand_in = { .name = bpf_program__name(b.prog),
						    .orig_fd = bpf_program__fd(b.prog),
						    .armed_fd = b.rp.fd };

		b.t->hook.prog = &stand_in;
		err = sdt_swap(b.t, &stand_in, -1);
		if (!err)
			b.rp.fd = -1; /* sdt_swap closed it as the replaced armed copy */
		b.t->hook.prog = NULL;
	}
	live_build_release(&b);
	return err;
}

struct bpf_sdt_target *bpf_sdt_target__open_xdp(const char *path, int ifindex,
						const struct bpf_sdt_live_opts *opts)
{
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_XDP, .ifindex = ifindex);

	return bpf_sdt_target__open_live(path, &hook, opts);
}

struct bpf_sdt_target *bpf_sdt_target__open_link(const char *path, const char *link_pin,
						 const struct bpf_sdt_live_opts *opts)
{
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_LINK, .link_pin = link_pin);

	return bpf_sdt_target__open_live(path, &hook, opts);
}

int bpf_sdt_xdp_reset(const char *path, int ifindex, const struct bpf_sdt_live_opts *opts)
{
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_XDP, .ifindex = ifindex);

	return bpf_sdt_live_reset(path, &hook, opts);
}

int bpf_sdt_link_reset(const char *path, const char *link_pin, const struct bpf_sdt_live_opts *opts)
{
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_LINK, .link_pin = link_pin);

	return bpf_sdt_live_reset(path, &hook, opts);
}
