// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Types for programs in sections libbpf does not know (see prog_types.h). */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/util.h"
#include "target/prog_types.h"
#include "live/tc_filters.h"

/* A program the capture's fallback handler took: libbpf gave it no type. */
static bool typeless(const struct bpf_program *prog)
{
	return bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC;
}

static void leave_unloaded(struct bpf_program *prog, const char *name)
{
	bpf_program__set_autoload(prog, false);
	pr_info("%s: program %s is not loaded: libbpf does not know its section \"%s\" (give its type: --type)",
		name, bpf_program__name(prog), bpf_program__section_name(prog));
}

static void give_type(struct bpf_program *prog, __u32 type, __u32 attach_type)
{
	bpf_program__set_type(prog, type);
	bpf_program__set_expected_attach_type(prog, attach_type);
}

void sdt_type_unknown_sections(struct bpf_object *obj, const char *name, __u32 type,
			       __u32 attach_type, const char *only)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		if (!typeless(prog))
			continue;
		if (type && (!only || !strcmp(only, bpf_program__name(prog))))
			give_type(prog, type, attach_type);
		else
			leave_unloaded(prog, name);
	}
}

/* Up to max ids of the programs running on hook (0 when it runs none). */
static int running_ids(const struct bpf_sdt_hook *hook, __u32 *ids, int max, __u32 *attach_type)
{
	struct bpf_link_info link = {};
	__u32 len = sizeof(link);
	int fd, n = 0;

	*attach_type = 0;
	switch (SDT_OPTS_GET(hook, kind, 0)) {
	case BPF_SDT_HOOK_XDP: {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);

		if (bpf_xdp_query(hook->ifindex, 0, &q))
			return 0;
		ids[n++] = q.prog_id ?: q.drv_prog_id ?: q.skb_prog_id;
		return n;
	}
	case BPF_SDT_HOOK_TC: {
		struct sdt_tc_prog *progs = NULL;
		int i, cnt = sdt_tc_list(hook->ifindex, hook->tc_attach_point == BPF_TC_EGRESS,
					 &progs);

		for (i = 0; i < cnt && n < max; i++)
			ids[n++] = progs[i].prog_id;
		free(progs);
		return n;
	}
	case BPF_SDT_HOOK_LINK:
		fd = hook->link_pin ? bpf_obj_get(hook->link_pin) : -1;
		if (fd < 0)
			return 0;
		if (!bpf_obj_get_info_by_fd(fd, &link, &len)) {
			ids[n++] = link.prog_id;
			/* the kernel compares attach types when a link's program
			 * is replaced: where it says which, use it */
			if (link.type == BPF_LINK_TYPE_CGROUP)
				*attach_type = link.cgroup.attach_type;
			else if (link.type == BPF_LINK_TYPE_NETNS)
				*attach_type = link.netns.attach_type;
		}
		close(fd);
		return n;
	case BPF_SDT_HOOK_PROG_ARRAY:
		if (hook->sz >= offsetof(struct bpf_sdt_hook, key) + sizeof(hook->key) &&
		    !bpf_map_lookup_elem(hook->prog_array_fd, &hook->key, &ids[0]))
			n = 1;
		return n;
	}
	return 0;
}

#define MAX_HOOK_PROGS 64

void sdt_type_unknown_sections_live(struct bpf_object *obj, const char *name,
				    const struct bpf_sdt_hook *hook)
{
	struct bpf_prog_info info[MAX_HOOK_PROGS];
	__u32 ids[MAX_HOOK_PROGS], attach_type;
	struct bpf_program *prog;
	int i, n;

	n = running_ids(hook, ids, MAX_HOOK_PROGS, &attach_type);
	for (i = 0; i < n; i++) {
		__u32 len = sizeof(info[i]);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		memset(&info[i], 0, sizeof(info[i]));
		if (fd >= 0) {
			bpf_obj_get_info_by_fd(fd, &info[i], &len);
			close(fd);
		}
	}
	bpf_object__for_each_program(prog, obj) {
		if (!typeless(prog))
			continue;
		/* names as the kernel keeps them: BPF_OBJ_NAME_LEN - 1 bytes */
		for (i = 0; i < n; i++)
			if (info[i].type && !strncmp(bpf_program__name(prog), info[i].name,
						     BPF_OBJ_NAME_LEN - 1))
				break;
		if (i < n) {
			pr_debug("%s: program %s in section \"%s\" has the running program's type, %s",
				 name, bpf_program__name(prog), bpf_program__section_name(prog),
				 libbpf_bpf_prog_type_str(info[i].type));
			give_type(prog, info[i].type, attach_type);
		} else {
			leave_unloaded(prog, name);
		}
	}
}

/* A prog array the ELF fills with its programs (`.values = { ... }`): the
 * name of the first, or NULL. libbpf writes those slots at load time, which
 * would put rebuilt programs into the running map once it is bound. */
const char *sdt_prefilled_prog_array(struct bpf_object *obj)
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
			const struct btf_type *def;
			const struct btf_member *m;
			struct bpf_map *map = bpf_object__find_map_by_name(obj, map_name);
			int j;

			def = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
			if (!def || !btf_is_struct(def) || !map ||
			    bpf_map__type(map) != BPF_MAP_TYPE_PROG_ARRAY)
				continue;
			m = btf_members(def);
			for (j = 0; j < btf_vlen(def); j++, m++)
				if (!strcmp(btf__name_by_offset(btf, m->name_off), "values"))
					return map_name;
		}
	}
	return NULL;
}
