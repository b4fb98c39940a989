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
 * program on its hook and carry a mark (armed_mark.h) naming it and this
 * session; disarming puts the running program back.
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
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relink/armed_mark.h"
#include "arm/guardian.h"
#include "live/live_hooks.h"
#include "live/map_binding.h"
#include "arm/native.h"
#include "target/object_load.h"
#include "target/prog_types.h"
#include "arm/swap.h"
#include "open.h"

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
 * program on the hook (and its mark, if it is an armed copy), and the
 * rebuild of the running program bound to the maps it uses. */
struct live_build {
	struct bpf_sdt_target *t;
	struct running_prog rp;
	struct sdt_armed_mark mark;	/* rp's, when armed */
	bool armed;
	struct bpf_object *obj;
	struct bpf_program *prog;	/* the rebuild's twin of the running one */
	struct sdt_map_refs refs;
	void *elf;
	size_t size;
};

static void live_build_release(struct live_build *b)
{
	sdt_running_prog_put(&b->rp);
	sdt_armed_mark_free(&b->mark);
	sdt_map_refs_free(&b->refs);
	sdt_capture_drop(b->obj); /* a rebuild no target took */
	bpf_object__close(b->obj);
	bpf_sdt_target__close(b->t);
	free(b->elf);
}

/* Opens the ELF and finds the program on hook (armed or not) and its twin. */
static int live_find(const char *path, const struct bpf_sdt_hook *hook,
		     const struct bpf_sdt_live_opts *opts, struct live_build *b)
{
	const char *name = SDT_OPTS_GET(opts, object_name, NULL) ?: path;
	int err;

	memset(b, 0, sizeof(*b));
	b->rp.fd = -1;
	if (!SDT_OPTS_VALID(opts, bpf_sdt_live_opts) || !hook ||
	    !SDT_OPTS_VALID(hook, bpf_sdt_hook) || !path)
		return -EINVAL;
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
	err = sdt_object_open(b->elf, b->size, name, &b->obj);
	if (err)
		return err;
	sdt_type_unknown_sections_live(b->obj, name, hook);
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
	err = sdt_armed_mark_read(b->rp.fd, &b->mark);
	b->armed = !err;
	if (err == -ENOENT)
		err = 0;
	else if (err)
		pr_warn("%s: cannot read the BTF of program %s (id %u) to tell whether it is an armed copy: %s",
			name, b->rp.info.name, b->rp.info.id, strerror(-err));
	return err;
}

/* Loads the object with the twin's maps bound to ids (the running
 * program's maps, in order of first reference). */
static int live_rebuild(struct live_build *b, const __u32 *ids, __u32 cnt)
{
	const char *name = b->t->name, *prog_name = bpf_program__name(b->prog);
	const char *filled = sdt_prefilled_prog_array(b->obj);
	int err;

	if (filled) {
		pr_warn("%s: prog array %s is filled from the ELF (values = { ... }): loading it would put rebuilt programs into the running one; not supported on a live hook",
			name, filled);
		return -EOPNOTSUPP;
	}
	err = sdt_map_refs_learn(b->elf, b->size, name, b->prog, &b->refs);
	if (!err)
		err = sdt_map_bind(name, prog_name, b->obj, &b->refs, ids, cnt);
	if (err)
		return err;
	err = sdt_object_load(b->obj, name, "rebuild");
	if (err)
		return err;
	return sdt_map_refs_check_load(name, b->prog, b->obj, &b->refs);
}

/* 0 if the rebuild has the running program's tag; 1 if not but forced
 * (the code differs: the binding cannot be checked reference by
 * reference); else -ESTALE after one line. */
static int check_tag(struct bpf_sdt_target *t, struct bpf_program *prog,
		     const struct running_prog *rp, bool force)
{
	char have[2 * BPF_TAG_SIZE + 1], want[2 * BPF_TAG_SIZE + 1];
	__u8 tag[BPF_TAG_SIZE];
	int err;

	err = prog_tag(bpf_program__fd(prog), tag);
	if (err)
		return err;
	if (!memcmp(tag, rp->info.tag, BPF_TAG_SIZE))
		return 0;
	sdt_tag_hex(tag, have);
	sdt_tag_hex(rp->info.tag, want);
	if (force) {
		pr_warn("%s: program %s: tag %s differs from the running program's %s; continuing (--force): its maps are bound by their order only",
			t->name, bpf_program__name(prog), have, want);
		return 1;
	}
	pr_warn("%s: program %s does not produce the running program (tag %s, running %s, id %u): wrong ELF? (--force to arm it anyway)",
		t->name, bpf_program__name(prog), have, want, rp->info.id);
	return -ESTALE;
}

/* A second session on a hook someone's armed copy holds. */
static int refuse_taken(const struct live_build *b)
{
	bool gone = !sdt_session_alive(&b->mark.session);
	char who[96];

	sdt_session_describe(&b->mark.session, who, sizeof(who));
	pr_warn("%s: the hook is taken: program %s (id %u) there is an armed copy (probes %s) of session %s; see 'bpfsdt status'%s",
		b->t->name, b->rp.info.name, b->rp.info.id,
		b->mark.probes && *b->mark.probes ? b->mark.probes : "none", who,
		gone ? ", and 'bpfsdt reset' to put the original back" : "");
	return -EBUSY;
}

/* The mark this session's armed copies of rp will carry. */
static struct sdt_armed_mark *session_mark(const struct running_prog *rp)
{
	struct sdt_armed_mark *m = calloc(1, sizeof(*m));
	__u32 n = rp->info.nr_map_ids;

	if (!m)
		return NULL;
	memcpy(m->tag, rp->info.tag, BPF_TAG_SIZE);
	m->prog_id = rp->info.id;
	m->map_ids = calloc(n ? n : 1, sizeof(*m->map_ids));
	if (!m->map_ids) {
		sdt_armed_mark_destroy(m);
		return NULL;
	}
	/* without /proc the start time stays 0: the session then reads as
	 * gone to others, which only lets `reset` act sooner */
	sdt_session_self(&m->session);
	memcpy(m->map_ids, rp->map_ids, n * sizeof(*m->map_ids));
	m->map_cnt = n;
	return m;
}

struct bpf_sdt_target *bpf_sdt_target__open_live(const char *path, const struct bpf_sdt_hook *hook,
						 const struct bpf_sdt_live_opts *opts)
{
	struct live_build b;
	struct sdt_target_prog *tp;
	struct bpf_sdt_target *t;
	int err, forced = 0;

	err = live_find(path, hook, opts, &b);
	if (!err && b.armed)
		err = refuse_taken(&b);
	if (!err)
		err = live_rebuild(&b, b.rp.map_ids, b.rp.info.nr_map_ids);
	if (!err)
		err = forced = check_tag(b.t, b.prog, &b.rp, SDT_OPTS_GET(opts, force, false));
	if (err >= 0)
		err = sdt_map_binding_prove(b.t->name, bpf_program__name(b.prog),
					    bpf_program__fd(b.prog), b.rp.map_ids, b.refs.cnt,
					    forced ? -1 : b.rp.fd, false);
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
	if (!tp->native && !tp->cap.func_info_cnt) {
		pr_warn("%s: program %s has no BTF function info: its armed copies could not carry the mark 'bpfsdt reset' and 'status' read; not armed on a live hook",
			t->name, tp->name);
		err = -EOPNOTSUPP;
	} else if (!(t->hook.mark = session_mark(&b.rp))) {
		err = -ENOMEM;
	}
	if (err) {
		bpf_sdt_target__close(t);
		goto fail;
	}
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

/* reset on a program without a mark: nothing is replaced. Fine (0) if it
 * is what the ELF builds, on its own maps: the hook is already dormant. */
static int reset_unmarked(struct live_build *b)
{
	char have[2 * BPF_TAG_SIZE + 1], want[2 * BPF_TAG_SIZE + 1];
	__u8 tag[BPF_TAG_SIZE];
	int err;

	err = live_rebuild(b, b->rp.map_ids, b->rp.info.nr_map_ids);
	if (!err)
		err = prog_tag(bpf_program__fd(b->prog), tag);
	if (err)
		return err;
	if (memcmp(tag, b->rp.info.tag, BPF_TAG_SIZE)) {
		sdt_tag_hex(tag, have);
		sdt_tag_hex(b->rp.info.tag, want);
		pr_warn("%s: program %s (id %u, tag %s) on the hook is no armed copy (it carries no bpfsdt mark) and not what this ELF builds (tag %s): nothing replaced",
			b->t->name, b->rp.info.name, b->rp.info.id, want, have);
		return -ESTALE;
	}
	err = sdt_map_binding_prove(b->t->name, bpf_program__name(b->prog),
				    bpf_program__fd(b->prog), b->rp.map_ids, b->refs.cnt, b->rp.fd,
				    false);
	if (!err)
		pr_info("%s: program %s (id %u) on the hook is the original: nothing to reset",
			b->t->name, b->rp.info.name, b->rp.info.id);
	return err;
}

/* The program to put back for an armed copy whose mark is m: the original
 * itself while it exists (its loader may hold it), else the rebuild, also
 * bound to the maps the original had bound without referencing them. */
static int dormant_fd(struct live_build *b, const struct sdt_armed_mark *m)
{
	int fd = bpf_prog_get_fd_by_id(m->prog_id), map_fd;
	__u8 tag[BPF_TAG_SIZE];
	__u32 k;

	if (fd >= 0 && !prog_tag(fd, tag) && !memcmp(tag, m->tag, BPF_TAG_SIZE))
		return fd;
	if (fd >= 0)
		close(fd);
	fd = bpf_program__fd(b->prog);
	for (k = b->refs.cnt; k < m->map_cnt; k++) {
		map_fd = bpf_map_get_fd_by_id(m->map_ids[k]);
		if (map_fd >= 0) {
			bpf_prog_bind_map(fd, map_fd, NULL);
			close(map_fd);
		}
	}
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* Whether the armed copy's map id, where the original has orig_id, is the
 * copy of the guards map the mark names. */
static bool guards_copy_of(const struct sdt_armed_mark *m, __u32 id, __u32 orig_id)
{
	return m->guards_copy_id && id == m->guards_copy_id && orig_id == m->guards_id;
}

/* The original's guards map is frozen read-only data, zeros as in the ELF,
 * which the armed copy replaced with its own copy: once the original is
 * gone (its loader exited, the copy took the hook), nothing holds it and
 * the rebuild creates it afresh (id 0 in ids: sdt_map_bind()). */
static void forget_gone_guards_map(const struct sdt_armed_mark *m, __u32 *ids)
{
	int fd;
	__u32 k;

	if (!m->guards_copy_id)
		return;
	fd = bpf_map_get_fd_by_id(m->guards_id);
	if (fd >= 0) {
		close(fd);
		return;
	}
	for (k = 0; k < m->map_cnt; k++)
		if (ids[k] == m->guards_id)
			ids[k] = 0;
}

/* reset on a marked armed copy: it must stand in for the program this ELF
 * builds, its session must be gone, and it must use the maps its mark
 * names; the rebuild binds to those maps. */
static int reset_armed(struct live_build *b)
{
	char have[2 * BPF_TAG_SIZE + 1], want[2 * BPF_TAG_SIZE + 1], who[96];
	const struct sdt_armed_mark *m = &b->mark;
	const char *name = b->t->name, *prog_name = bpf_program__name(b->prog);
	__u32 *armed_ids = NULL, armed_cnt = 0, *ids, k, j;
	__u8 tag[BPF_TAG_SIZE];
	int err, fd;

	sdt_session_describe(&m->session, who, sizeof(who));
	if (sdt_session_alive(&m->session)) {
		pr_warn("%s: the armed copy on the hook (program %s, id %u) belongs to session %s, which still runs: end it, it puts the original back; nothing replaced",
			name, b->rp.info.name, b->rp.info.id, who);
		return -EBUSY;
	}
	ids = calloc(m->map_cnt ? m->map_cnt : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	memcpy(ids, m->map_ids, m->map_cnt * sizeof(*ids));
	forget_gone_guards_map(m, ids);
	err = live_rebuild(b, ids, m->map_cnt);
	if (!err)
		err = prog_tag(bpf_program__fd(b->prog), tag);
	if (!err && memcmp(tag, m->tag, BPF_TAG_SIZE)) {
		sdt_tag_hex(tag, have);
		sdt_tag_hex(m->tag, want);
		pr_warn("%s: the armed copy on the hook (id %u) stands in for a program with tag %s (id %u), this ELF's program %s has tag %s: not its armed copy; nothing replaced",
			name, b->rp.info.id, want, m->prog_id, prog_name, have);
		err = -ESTALE;
	}
	if (err) {
		free(ids);
		return err;
	}
	/* the target's maps, in the target's order; a counter inlined at a
	 * site brings its own map in between, and with guards on the copy
	 * reads its own copy of the guards map */
	err = sdt_prog_map_ids(b->rp.fd, &armed_ids, &armed_cnt);
	for (k = 0, j = 0; !err && k < b->refs.cnt; k++, j++) {
		while (j < armed_cnt && armed_ids[j] != m->map_ids[k] &&
		       !guards_copy_of(m, armed_ids[j], m->map_ids[k]))
			j++;
		if (j == armed_cnt) {
			pr_warn("%s: the armed copy on the hook (id %u) does not use the maps its mark names (map %u: id %u is not among its maps after the ones before it): nothing replaced",
				name, b->rp.info.id, k, m->map_ids[k]);
			err = -ESTALE;
		}
	}
	free(armed_ids);
	/* with guards on, the copy's code runs blocks the original's lacks:
	 * its map references are no longer the original's in order, and its
	 * map ids (the original's but for the guards' copy) are the proof */
	if (!err)
		err = sdt_map_binding_prove(name, prog_name, bpf_program__fd(b->prog), ids,
					    b->refs.cnt, m->guards_copy_id ? -1 : b->rp.fd, true);
	free(ids);
	if (err)
		return err;
	fd = dormant_fd(b, m);
	if (fd < 0)
		return -errno;
	{
		struct sdt_target_prog stand_in = { .name = prog_name, .orig_fd = fd,
						    .armed_fd = b->rp.fd };

		b->t->hook.prog = &stand_in;
		err = sdt_swap(b->t, &stand_in, -1);
		if (!err)
			b->rp.fd = -1; /* sdt_swap closed it as the replaced armed copy */
		b->t->hook.prog = NULL;
	}
	close(fd);
	return err;
}

int bpf_sdt_live_reset(const char *path, const struct bpf_sdt_hook *hook,
		       const struct bpf_sdt_live_opts *opts)
{
	struct live_build b;
	int err;

	err = live_find(path, hook, opts, &b);
	if (!err)
		err = b.armed ? reset_armed(&b) : reset_unmarked(&b);
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
