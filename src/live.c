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
#include <linux/if_link.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "swap.h"
#include "target.h"

struct running_prog {
	int fd;
	struct bpf_prog_info info;
	__u32 *map_ids;
};

static int running_prog_get(__u32 id, struct running_prog *rp)
{
	__u32 len = sizeof(rp->info), nr_maps;

	memset(rp, 0, sizeof(*rp));
	rp->fd = bpf_prog_get_fd_by_id(id);
	if (rp->fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(rp->fd, &rp->info, &len))
		return -errno;
	nr_maps = rp->info.nr_map_ids;
	rp->map_ids = calloc(nr_maps ? nr_maps : 1, sizeof(__u32));
	if (!rp->map_ids)
		return -ENOMEM;
	memset(&rp->info, 0, sizeof(rp->info));
	rp->info.nr_map_ids = nr_maps;
	rp->info.map_ids = (__u64)(unsigned long)rp->map_ids;
	len = sizeof(rp->info);
	if (bpf_obj_get_info_by_fd(rp->fd, &rp->info, &len))
		return -errno;
	return 0;
}

static void running_prog_put(struct running_prog *rp)
{
	free(rp->map_ids);
	if (rp->fd >= 0)
		close(rp->fd);
}

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

static struct bpf_program *find_running(struct bpf_object *obj, const struct running_prog *rp)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (!strncmp(bpf_program__name(prog), rp->info.name, BPF_OBJ_NAME_LEN - 1) &&
		    bpf_program__type(prog) == rp->info.type)
			return prog;
	return NULL;
}

static int check_tag(struct bpf_sdt_target *t, struct bpf_program *prog,
		     const struct running_prog *rp, bool force)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char have[2 * BPF_TAG_SIZE + 1], want[2 * BPF_TAG_SIZE + 1];
	int i;

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return -errno;
	if (!memcmp(info.tag, rp->info.tag, BPF_TAG_SIZE))
		return 0;
	for (i = 0; i < BPF_TAG_SIZE; i++) {
		snprintf(have + 2 * i, 3, "%02x", info.tag[i]);
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

/* The bpf_link holding ifindex's XDP program, if it was attached with one. */
static int find_xdp_link(int ifindex)
{
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
		    (int)info.xdp.ifindex == ifindex)
			return fd;
		close(fd);
	}
	return -ENOENT;
}

static int xdp_running(struct bpf_sdt_target *t, int ifindex, __u32 *prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char ifname[IF_NAMESIZE] = "?";
	int err;

	if_indextoname(ifindex, ifname);
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		pr_warn("%s: cannot query XDP on %s: %s", t->name, ifname, strerror(-err));
		return err;
	}
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		t->hook.xdp_mode = XDP_FLAGS_DRV_MODE;
		*prog_id = q.drv_prog_id ? q.drv_prog_id : q.prog_id;
		return 0;
	case XDP_ATTACHED_SKB:
		t->hook.xdp_mode = XDP_FLAGS_SKB_MODE;
		*prog_id = q.skb_prog_id ? q.skb_prog_id : q.prog_id;
		return 0;
	case XDP_ATTACHED_NONE:
		pr_warn("%s: no XDP program runs on %s", t->name, ifname);
		return -ENOENT;
	default:
		pr_warn("%s: the XDP program on %s is offloaded or attached in several modes: not supported",
			t->name, ifname);
		return -EOPNOTSUPP;
	}
}

/* Rebuilds the running program rp from the ELF, sharing its maps: loads the
 * whole object and returns it with *prog, the running program's twin. */
static int rebuild(struct bpf_sdt_target *t, const void *elf, size_t size,
		   const struct running_prog *rp, struct bpf_object **objp, struct bpf_program **prog)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = t->name);
	struct bpf_object *obj;
	int err;

	obj = bpf_object__open_mem(elf, size, &oopts);
	if (!obj) {
		err = -errno;
		pr_warn("%s: libbpf cannot open the object: %s", t->name, strerror(-err));
		return err;
	}
	*prog = find_running(obj, rp);
	if (!*prog) {
		pr_warn("%s: has no %s program named %s (the one running, id %u)", t->name,
			libbpf_bpf_prog_type_str(rp->info.type) ?: "such", rp->info.name,
			rp->info.id);
		err = -ENOENT;
		goto fail;
	}
	err = reuse_maps(t, obj, rp);
	if (!err && (err = bpf_object__load(obj)))
		pr_warn("%s: rebuilding the running program failed: %s", t->name, strerror(-err));
	if (err)
		goto fail;
	*objp = obj;
	return 0;
fail:
	bpf_object__close(obj);
	return err;
}

/* The XDP program on ifindex and how it is attached, into t->hook. */
static int hook_xdp(struct bpf_sdt_target *t, int ifindex, struct running_prog *rp)
{
	__u32 id = 0;
	int err;

	err = xdp_running(t, ifindex, &id);
	if (!err)
		err = running_prog_get(id, rp);
	if (err)
		return err;
	t->hook.ifindex = ifindex;
	t->hook.link_fd = find_xdp_link(ifindex);
	t->hook.kind = t->hook.link_fd >= 0 ? SDT_HOOK_LINK : SDT_HOOK_XDP_NETLINK;
	return 0;
}

/* The program a pinned bpf_link runs, into t->hook. */
static int hook_link(struct bpf_sdt_target *t, const char *pin, struct running_prog *rp)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int err;

	t->hook.link_fd = bpf_obj_get(pin);
	if (t->hook.link_fd < 0) {
		err = -errno;
		pr_warn("%s: cannot open link %s: %s", t->name, pin, strerror(-err));
		return err;
	}
	if (bpf_obj_get_info_by_fd(t->hook.link_fd, &info, &len)) {
		err = -errno;
		pr_warn("%s: %s is not a bpf_link: %s", t->name, pin, strerror(-err));
		return err;
	}
	t->hook.kind = SDT_HOOK_LINK;
	return running_prog_get(info.prog_id, rp);
}

/* A live target on the hook `xdp_ifindex` (XDP) or `link_pin` names. */
static struct bpf_sdt_target *open_live(const char *path, int xdp_ifindex, const char *link_pin,
					const struct bpf_sdt_live_opts *opts)
{
	struct running_prog rp = { .fd = -1 };
	const char *name = SDT_OPTS_GET(opts, object_name, NULL) ?: path;
	struct bpf_sdt_target *t = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct sdt_target_prog *tp;
	void *elf = NULL;
	size_t size = 0;
	int err;

	err = sdt_capture_init();
	if (err)
		goto fail;
	elf = sdt_read_file(path, &size, &err);
	if (!elf) {
		pr_warn("%s: cannot read: %s", name, strerror(-err));
		goto fail;
	}
	t = sdt_target_new(name);
	if (!t) {
		err = -ENOMEM;
		goto fail;
	}
	err = link_pin ? hook_link(t, link_pin, &rp) : hook_xdp(t, xdp_ifindex, &rp);
	if (!err)
		err = rebuild(t, elf, size, &rp, &obj, &prog);
	if (!err)
		err = check_tag(t, prog, &rp, SDT_OPTS_GET(opts, force, false));
	if (err)
		goto fail;
	t->obj = obj;
	t->own_obj = true;
	obj = NULL;
	if (!sdt_target_adopt(t, elf, size)) {
		t = NULL; /* adopt closed it */
		err = -errno;
		goto fail;
	}
	tp = sdt_target_find_prog(t, bpf_program__name(prog));
	tp->orig_fd = rp.fd; /* disarming puts back the very program that ran */
	rp.fd = -1;
	t->hook.prog = tp;
	running_prog_put(&rp);
	free(elf);
	return t;
fail:
	running_prog_put(&rp);
	bpf_object__close(obj);
	bpf_sdt_target__close(t);
	free(elf);
	errno = -err;
	return NULL;
}

struct bpf_sdt_target *bpf_sdt_target__open_xdp(const char *path, int ifindex,
						const struct bpf_sdt_live_opts *opts)
{
	return open_live(path, ifindex, NULL, opts);
}

struct bpf_sdt_target *bpf_sdt_target__open_link(const char *path, const char *link_pin,
						 const struct bpf_sdt_live_opts *opts)
{
	if (!link_pin) {
		errno = EINVAL;
		return NULL;
	}
	return open_live(path, 0, link_pin, opts);
}

static int reset(const char *path, int xdp_ifindex, const char *link_pin,
		 const struct bpf_sdt_live_opts *opts)
{
	struct running_prog rp = { .fd = -1 };
	const char *name = SDT_OPTS_GET(opts, object_name, NULL) ?: path;
	struct bpf_sdt_target *t;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	void *elf;
	size_t size = 0;
	int err;

	elf = sdt_read_file(path, &size, &err);
	if (!elf) {
		pr_warn("%s: cannot read: %s", name, strerror(-err));
		return err;
	}
	t = sdt_target_new(name);
	if (!t) {
		free(elf);
		return -ENOMEM;
	}
	/* The maps the armed copy uses include the target's: rebuild the
	 * dormant program on them, and swap it in for the armed copy. */
	err = link_pin ? hook_link(t, link_pin, &rp) : hook_xdp(t, xdp_ifindex, &rp);
	if (!err)
		err = rebuild(t, elf, size, &rp, &obj, &prog);
	if (!err && bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		err = -errno;
	if (!err && !memcmp(info.tag, rp.info.tag, BPF_TAG_SIZE)) {
		pr_debug("%s: the running program is already the dormant one", name);
	} else if (!err) {
		struct sdt_target_prog stand_in = { .name = bpf_program__name(prog),
						    .orig_fd = bpf_program__fd(prog),
						    .armed_fd = rp.fd };

		t->hook.prog = &stand_in;
		err = sdt_swap(t, &stand_in, -1);
		if (!err)
			rp.fd = -1; /* sdt_swap closed it as the replaced armed copy */
		t->hook.prog = NULL;
	}
	running_prog_put(&rp);
	bpf_object__close(obj);
	bpf_sdt_target__close(t);
	free(elf);
	return err;
}

int bpf_sdt_xdp_reset(const char *path, int ifindex, const struct bpf_sdt_live_opts *opts)
{
	return reset(path, ifindex, NULL, opts);
}

int bpf_sdt_link_reset(const char *path, const char *link_pin, const struct bpf_sdt_live_opts *opts)
{
	return link_pin ? reset(path, 0, link_pin, opts) : -EINVAL;
}
