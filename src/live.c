// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live targets: a program already running on a hook, loaded by any loader.
 *
 * The running program's instructions cannot be read back as they were
 * loaded (the kernel only shows its rewritten form), so libbpfsdt rebuilds
 * the program from the ELF the user names, with every map replaced by the
 * running program's own map of the same name (.data, .bss and .rodata
 * included, so state is shared), and checks that the rebuild is the running
 * program: the kernel's tag hashes the instructions with map references
 * blanked, so equal tags mean equal code. Armed copies then replace the
 * running program on its hook, and disarming puts the running program back.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "guardian.h"
#include "live_hooks.h"
#include "native.h"
#include "swap.h"

/* libbpf names internal maps "<object prefix>.bss": compare what follows the
 * dot, so an object file renamed since loading still matches. */
static bool same_map_name(const char *kernel, const char *ours)
{
	const char *kd = strchr(kernel, '.'), *od = strchr(ours, '.');

	if (kd && od)
		return !strcmp(kd, od);
	return !strncmp(kernel, ours, BPF_OBJ_NAME_LEN - 1);
}

static int reuse_maps(struct bpf_sdt_target *t, struct bpf_object *obj, const struct running_prog *rp)
{
	struct bpf_map *map;
	__u32 i;
	int err;

	bpf_object__for_each_map(map, obj) {
		for (i = 0; i < rp->info.nr_map_ids; i++) {
			struct bpf_map_info info = {};
			__u32 len = sizeof(info);
			int fd = bpf_map_get_fd_by_id(rp->map_ids[i]);

			if (fd < 0)
				continue;
			if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
			    same_map_name(info.name, bpf_map__name(map))) {
				err = bpf_map__reuse_fd(map, fd);
				close(fd);
				if (err) {
					pr_warn("%s: cannot share map %s of the running program: %s",
						t->name, bpf_map__name(map), strerror(-err));
					return err;
				}
				break;
			}
			close(fd);
		}
		if (i == rp->info.nr_map_ids && bpf_map__type(map) != BPF_MAP_TYPE_PROG_ARRAY)
			pr_debug("%s: map %s is not used by the running program: a new one is created",
				 t->name, bpf_map__name(map));
	}
	return 0;
}

/* The kernel's tag of a loaded program. */
static int prog_tag(const struct bpf_program *prog, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return -errno;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return 0;
}

static int check_tag(struct bpf_sdt_target *t, struct bpf_program *prog,
		     const struct running_prog *rp, bool force)
{
	char have[2 * BPF_TAG_SIZE + 1], want[2 * BPF_TAG_SIZE + 1];
	__u8 tag[BPF_TAG_SIZE];
	int i, err;

	err = prog_tag(prog, tag);
	if (err)
		return err;
	if (!memcmp(tag, rp->info.tag, BPF_TAG_SIZE))
		return 0;
	for (i = 0; i < BPF_TAG_SIZE; i++) {
		snprintf(have + 2 * i, 3, "%02x", tag[i]);
		snprintf(want + 2 * i, 3, "%02x", rp->info.tag[i]);
	}
	if (force) {
		pr_warn("%s: program %s: tag %s differs from the running program's %s; continuing (--force)",
			t->name, bpf_program__name(prog), have, want);
		return 0;
	}
	pr_warn("%s: program %s does not produce the running program (tag %s, running %s, id %u): wrong ELF? (--force to arm it anyway)",
		t->name, bpf_program__name(prog), have, want, rp->info.id);
	return -ESTALE;
}

/* What opening and resetting a live hook both start from: the ELF, the
 * program on the hook, and its rebuild on that program's maps. */
struct live_build {
	struct bpf_sdt_target *t;
	struct running_prog rp;
	struct bpf_object *obj;
	struct bpf_program *prog;	/* the rebuild's twin of the running one */
	void *elf;
	size_t size;
};

static void live_build_release(struct live_build *b)
{
	sdt_running_prog_put(&b->rp);
	bpf_object__close(b->obj);
	bpf_sdt_target__close(b->t);
	free(b->elf);
}

/* Finds the program on hook and rebuilds it from the ELF at path, sharing
 * its maps: the whole object is loaded, b->prog is the running one's twin. */
static int live_build(const char *path, const struct bpf_sdt_hook *hook,
		      const struct bpf_sdt_live_opts *opts, struct live_build *b)
{
	const char *name = SDT_OPTS_GET(opts, object_name, NULL) ?: path;
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = name);
	int err;

	memset(b, 0, sizeof(*b));
	b->rp.fd = -1;
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
	err = reuse_maps(b->t, b->obj, &b->rp);
	if (!err && (err = bpf_object__load(b->obj)))
		pr_warn("%s: rebuilding the running program failed: %s", name, strerror(-err));
	return err;
}

struct bpf_sdt_target *bpf_sdt_target__open_live(const char *path, const struct bpf_sdt_hook *hook,
						 const struct bpf_sdt_live_opts *opts)
{
	struct live_build b = { .rp.fd = -1 };
	struct sdt_target_prog *tp;
	struct bpf_sdt_target *t;
	int err;

	err = sdt_capture_init();
	if (!err)
		err = live_build(path, hook, opts, &b);
	if (!err)
		err = check_tag(b.t, b.prog, &b.rp, SDT_OPTS_GET(opts, force, false));
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
	if (SDT_OPTS_GET(opts, guardian, false) && !tp->native) {
		err = sdt_guardian_start(t);
		if (err) {
			bpf_sdt_target__close(t);
			errno = -err;
			return NULL;
		}
	}
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

	/* The maps the armed copy uses include the target's: rebuild the
	 * dormant program on them, and swap it in for the armed copy. */
	err = live_build(path, hook, opts, &b);
	if (!err)
		err = prog_tag(b.prog, tag);
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
