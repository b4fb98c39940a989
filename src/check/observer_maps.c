// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which maps are an observer's own. An ld_imm64 names a map by an fd of the
 * loading process: a literal number in the observer (BPF_PSEUDO_MAP_FD with
 * no relocation) would name whatever that fd is when the armed copy is
 * loaded -- perhaps one of the target's maps. So the observer may name only
 * maps its own bpf_object created, compared by kernel map id, and only if
 * the target does not use them too (an object can reuse a pinned map).
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "insn/insn_patch.h"
#include "check/observer_maps.h"
#include "util/util.h"

#define MAX_PROG_MAPS 64	/* MAX_USED_MAPS in the kernel */

struct id_set {
	__u32 *ids;
	size_t cnt, cap;
};

static int id_add(struct id_set *s, __u32 id)
{
	size_t k;

	for (k = 0; k < s->cnt; k++)
		if (s->ids[k] == id)
			return 0;
	if (sdt_reserve((void **)&s->ids, &s->cap, s->cnt, sizeof(*s->ids), 16))
		return -ENOMEM;
	s->ids[s->cnt++] = id;
	return 0;
}

static bool id_has(const struct id_set *s, __u32 id)
{
	size_t k;

	for (k = 0; k < s->cnt; k++)
		if (s->ids[k] == id)
			return true;
	return false;
}

static bool map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, info, &len);
}

static bool is_map_ref(const struct bpf_insn *insn)
{
	return sdt_insn_is_ld_imm64(insn) &&
	       (insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_VALUE);
}

/* The maps in a map-in-map, as they are now. */
static int add_inner_maps(struct id_set *s, int fd, const struct bpf_map_info *outer)
{
	char key[256], next[256];
	void *prev = NULL;
	__u32 inner, n;
	int err = 0;

	if ((outer->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && outer->type != BPF_MAP_TYPE_HASH_OF_MAPS) ||
	    outer->key_size > sizeof(key))
		return 0;
	for (n = 0; n < outer->max_entries && !err && !bpf_map_get_next_key(fd, prev, next); n++) {
		memcpy(key, next, outer->key_size);
		prev = key;
		if (!bpf_map_lookup_elem(fd, key, &inner) && inner)
			err = id_add(s, inner);
	}
	return err;
}

static int add_map(struct id_set *s, int fd)
{
	struct bpf_map_info info;
	int err;

	if (!map_info(fd, &info))
		return 0;
	err = id_add(s, info.id);
	return err ? err : add_inner_maps(s, fd, &info);
}

/* Every map a program of t uses: what its code names and what the kernel
 * says its running original uses. */
static int target_maps(const struct bpf_sdt_target *t, struct id_set *s)
{
	__u32 ids[MAX_PROG_MAPS];
	size_t p;
	__u32 i;
	int err = 0;

	for (p = 0; p < t->prog_cnt && !err; p++) {
		const struct sdt_target_prog *tp = &t->progs[p];
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		for (i = 0; i + 1 < tp->cap.insn_cnt && !err; i++)
			if (is_map_ref(&tp->cap.insns[i]))
				err = add_map(s, tp->cap.insns[i].imm);
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = MAX_PROG_MAPS;
		info.map_ids = (__u64)(unsigned long)ids;
		if (err || tp->orig_fd < 0 || bpf_obj_get_info_by_fd(tp->orig_fd, &info, &len))
			continue;
		for (i = 0; i < info.nr_map_ids && i < MAX_PROG_MAPS && !err; i++) {
			int fd = bpf_map_get_fd_by_id(ids[i]);

			err = id_add(s, ids[i]);
			if (!err && fd >= 0)
				err = add_map(s, fd);
			if (fd >= 0)
				close(fd);
		}
	}
	return err;
}

int sdt_observer_own_maps(const struct bpf_sdt_target *t, const struct bpf_object *obj,
			  __u32 **ids, size_t *cnt)
{
	struct id_set theirs = {}, own = {};
	struct bpf_map_info info;
	struct bpf_map *map;
	int err;

	*ids = NULL;
	*cnt = 0;
	if (!obj)
		return 0;
	err = target_maps(t, &theirs);
	bpf_object__for_each_map(map, obj) {
		if (err)
			break;
		if (map_info(bpf_map__fd(map), &info) && !id_has(&theirs, info.id))
			err = id_add(&own, info.id);
	}
	free(theirs.ids);
	if (err) {
		free(own.ids);
		return err;
	}
	*ids = own.ids;
	*cnt = own.cnt;
	return 0;
}

int sdt_observer_bind_maps(struct bpf_insn *insns, __u32 cnt, int **fds, size_t *nfds)
{
	struct bpf_map_info info, dup_info;
	__u32 i;
	size_t k;
	int dup;

	*fds = NULL;
	*nfds = 0;
	for (i = 0; i + 1 < cnt; i++) {
		int fd = insns[i].imm, *grown;

		if (!is_map_ref(&insns[i]))
			continue;
		for (k = 0; k < *nfds && (*fds)[2 * k] != fd; k++)
			;
		if (k < *nfds) {
			insns[i].imm = (*fds)[2 * k + 1];
			continue;
		}
		if (!map_info(fd, &info))
			continue; /* not a map: the check refuses it */
		dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (dup < 0)
			continue;
		if (!map_info(dup, &dup_info) || dup_info.id != info.id) {
			close(dup); /* the fd changed under us: leave it to the check */
			continue;
		}
		grown = realloc(*fds, 2 * (*nfds + 1) * sizeof(**fds));
		if (!grown) {
			close(dup);
			return -ENOMEM;
		}
		*fds = grown;
		(*fds)[2 * *nfds] = fd;
		(*fds)[2 * *nfds + 1] = dup;
		(*nfds)++;
		insns[i].imm = dup;
	}
	return 0;
}

void sdt_observer_release_maps(int *fds, size_t nfds)
{
	size_t k;

	for (k = 0; k < nfds; k++)
		close(fds[2 * k + 1]);
	free(fds);
}
