// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Finding the program on a live hook, in this process's network namespace.
 * XDP: the interface's program, with the bpf_link holding it if it has one.
 * tc: tcx links and cls_bpf filters (which only direct-action filters for
 * all protocols can be replaced through libbpf's API without changing what
 * the filter does). A pinned link: its program. A prog array slot: the
 * program in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "live/live_hooks.h"
#include "live/tc_filters.h"
#include "target/prog_types.h"
#include "live/xdp_netlink.h"

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

void sdt_running_prog_put(struct running_prog *rp)
{
	free(rp->map_ids);
	if (rp->fd >= 0)
		close(rp->fd);
}

struct bpf_program *sdt_running_twin(struct bpf_object *obj, const struct bpf_prog_info *info)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (!strncmp(bpf_program__name(prog), info->name, BPF_OBJ_NAME_LEN - 1) &&
		    bpf_program__type(prog) == info->type)
			return prog;
	return NULL;
}

/*
 * The bpf_link holding the XDP program rp on ifindex of this network
 * namespace, -ENOENT when netlink attached it there. The system-wide link
 * table names only ifindexes, which other namespaces reuse: a candidate
 * must run the very program netlink reports here, and the kernel says
 * whether a link holds that program here at all (xdp_netlink.h).
 */
static int find_xdp_link(struct bpf_sdt_target *t, int ifindex, const struct running_prog *rp)
{
	char ifname[IF_NAMESIZE] = "?";
	int found = -ENOENT, n = 0, held;
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
		    (int)info.xdp.ifindex == ifindex && info.prog_id == rp->info.id && !n++) {
			found = fd;
			continue;
		}
		close(fd);
	}
	if (!n)
		return -ENOENT;
	held = sdt_xdp_held_by_link(ifindex, rp->fd, t->hook.xdp_mode);
	if (held == 1 && n == 1)
		return found;
	close(found);
	if (!held)
		return -ENOENT; /* the candidates run it in other namespaces */
	if_indextoname(ifindex, ifname);
	if (held < 0) {
		pr_warn("%s: cannot tell whether a bpf_link holds the XDP program on %s: %s",
			t->name, ifname, strerror(-held));
		return held;
	}
	pr_warn("%s: %d XDP links run program %s (id %u) on interfaces with ifindex %d (%s here, others in other network namespaces): name the link with --link",
		t->name, n, rp->info.name, rp->info.id, ifindex, ifname);
	return -EOPNOTSUPP;
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
	err = find_xdp_link(t, ifindex, rp);
	if (err >= 0) {
		t->hook.link_fd = err;
		t->hook.kind = SDT_HOOK_LINK;
	} else if (err == -ENOENT) {
		t->hook.kind = SDT_HOOK_XDP_NETLINK;
	} else {
		return err;
	}
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


/* Of the programs on a tc hook, the one obj has a twin of, into *rp. */
static int pick_tc_prog(struct bpf_sdt_target *t, const char *where, struct bpf_object *obj,
			const struct sdt_tc_prog *progs, int n, struct running_prog *rp)
{
	int i, pick = -1, matches = 0;

	for (i = 0; i < n; i++) {
		struct running_prog cand;

		if (!running_prog_get(progs[i].prog_id, &cand) &&
		    sdt_running_twin(obj, &cand.info) && matches++ == 0) {
			pick = i;
			*rp = cand;
			continue;
		}
		sdt_running_prog_put(&cand);
	}
	if (!n) {
		pr_warn("%s: no BPF program runs on %s", t->name, where);
		return -ENOENT;
	}
	if (!matches) {
		pr_warn("%s: none of the %d BPF programs on %s is a program of this object", t->name,
			n, where);
		return -ENOENT;
	}
	if (matches > 1) {
		pr_warn("%s: %d programs of this object run on %s: name one with --link", t->name,
			matches, where);
		return -EOPNOTSUPP;
	}
	return pick;
}

static int hook_tc(struct bpf_sdt_target *t, int ifindex, __u32 attach_point,
		   struct bpf_object *obj, struct running_prog *rp)
{
	bool egress = attach_point == BPF_TC_EGRESS;
	char ifname[IF_NAMESIZE] = "?", where[IF_NAMESIZE + 16];
	struct sdt_tc_prog *progs = NULL, *p;
	int n, i, err = 0;

	if (attach_point != BPF_TC_INGRESS && attach_point != BPF_TC_EGRESS) {
		pr_warn("%s: a tc hook is ingress or egress", t->name);
		return -EINVAL;
	}
	if_indextoname(ifindex, ifname);
	snprintf(where, sizeof(where), "%s %s", ifname, egress ? "egress" : "ingress");
	n = sdt_tc_list(ifindex, egress, &progs);
	if (n < 0) {
		pr_warn("%s: cannot list the tc programs on %s: %s", t->name, where, strerror(-n));
		return n;
	}
	i = pick_tc_prog(t, where, obj, progs, n, rp);
	if (i < 0) {
		free(progs);
		return i;
	}
	p = &progs[i];
	if (p->tcx) {
		t->hook.kind = SDT_HOOK_LINK;
		t->hook.link_fd = bpf_link_get_fd_by_id(p->link_id);
		if (t->hook.link_fd < 0)
			err = -errno;
	} else if (!p->direct_action || p->has_classid || !p->all_protocols) {
		pr_warn("%s: the cls_bpf filter running %s on %s (handle %#x, priority %u) is not a direct-action filter for all protocols: only those can be replaced (tc filter ... bpf da)",
			t->name, rp->info.name, where, p->handle, p->priority);
		err = -EOPNOTSUPP;
	} else {
		t->hook.kind = SDT_HOOK_TC_NETLINK;
		t->hook.ifindex = ifindex;
		t->hook.tc_egress = egress;
		t->hook.tc_handle = p->handle;
		t->hook.tc_priority = p->priority;
	}
	free(progs);
	return err;
}

static int hook_prog_array(struct bpf_sdt_target *t, int map_fd, __u32 key,
			   struct running_prog *rp)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id = 0;
	int err;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len)) {
		err = -errno;
		pr_warn("%s: prog array fd %d: %s", t->name, map_fd, strerror(-err));
		return err;
	}
	if (info.type != BPF_MAP_TYPE_PROG_ARRAY) {
		pr_warn("%s: map %s (id %u) is not a prog array", t->name, info.name, info.id);
		return -EINVAL;
	}
	/* from user space, a prog array slot reads as its program's id */
	if (bpf_map_lookup_elem(map_fd, &key, &id)) {
		err = -errno;
		if (err == -ENOENT)
			pr_warn("%s: slot %u of prog array %s is empty", t->name, key, info.name);
		else
			pr_warn("%s: cannot read slot %u of prog array %s: %s", t->name, key,
				info.name, strerror(-err));
		return err;
	}
	t->hook.map_fd = fcntl(map_fd, F_DUPFD_CLOEXEC, 3);
	if (t->hook.map_fd < 0)
		return -errno;
	t->hook.kind = SDT_HOOK_PROG_ARRAY;
	t->hook.key = key;
	return running_prog_get(id, rp);
}

int sdt_hook_find(struct bpf_sdt_target *t, const struct bpf_sdt_hook *h,
		  struct bpf_object *obj, struct running_prog *rp)
{
	switch (SDT_OPTS_GET(h, kind, 0)) {
	case BPF_SDT_HOOK_XDP:
		return hook_xdp(t, h->ifindex, rp);
	case BPF_SDT_HOOK_TC:
		return hook_tc(t, h->ifindex, SDT_OPTS_GET(h, tc_attach_point, 0), obj, rp);
	case BPF_SDT_HOOK_LINK:
		if (SDT_OPTS_GET(h, link_pin, NULL))
			return hook_link(t, h->link_pin, rp);
		break;
	case BPF_SDT_HOOK_PROG_ARRAY:
		if (SDT_OPTS_HAS(h, key))
			return hook_prog_array(t, h->prog_array_fd, h->key, rp);
		break;
	}
	pr_warn("%s: no such hook", t->name);
	return -EINVAL;
}

static int xdp_prog_ids(const char *name, int ifindex, __u32 *ids)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char ifname[IF_NAMESIZE] = "?";
	int err, n = 0;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		if_indextoname(ifindex, ifname);
		pr_warn("%s: cannot query XDP on %s: %s", name, ifname, strerror(-err));
		return err;
	}
	if (q.drv_prog_id)
		ids[n++] = q.drv_prog_id;
	if (q.skb_prog_id)
		ids[n++] = q.skb_prog_id;
	if (q.hw_prog_id)
		ids[n++] = q.hw_prog_id;
	if (!n && q.prog_id)
		ids[n++] = q.prog_id;
	return n;
}

static int link_prog_id(const char *name, const char *pin, __u32 *id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(pin), err = 0;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		pr_warn("%s: cannot open link %s: %s", name, pin, strerror(-err));
	}
	if (fd >= 0)
		close(fd);
	*id = info.prog_id;
	return err ? err : 1;
}

static int slot_prog_id(const char *name, int map_fd, __u32 key, __u32 *id)
{
	int err;

	if (!bpf_map_lookup_elem(map_fd, &key, id))
		return 1;
	err = -errno;
	if (err == -ENOENT)
		return 0;
	pr_warn("%s: cannot read slot %u of the prog array: %s", name, key, strerror(-err));
	return err;
}

int sdt_hook_prog_ids(const char *name, const struct bpf_sdt_hook *h, __u32 **ids)
{
	struct sdt_tc_prog *progs = NULL;
	__u32 attach_point = SDT_OPTS_GET(h, tc_attach_point, 0);
	int n = -EINVAL, i;

	*ids = calloc(3, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	switch (SDT_OPTS_GET(h, kind, 0)) {
	case BPF_SDT_HOOK_XDP:
		n = xdp_prog_ids(name, h->ifindex, *ids);
		break;
	case BPF_SDT_HOOK_TC:
		if (attach_point != BPF_TC_INGRESS && attach_point != BPF_TC_EGRESS)
			goto no_hook;
		n = sdt_tc_list(h->ifindex, attach_point == BPF_TC_EGRESS, &progs);
		if (n < 0) {
			pr_warn("%s: cannot list the tc programs there: %s", name, strerror(-n));
			break;
		}
		free(*ids);
		*ids = calloc(n ? n : 1, sizeof(**ids));
		for (i = 0; *ids && i < n; i++)
			(*ids)[i] = progs[i].prog_id;
		if (!*ids)
			n = -ENOMEM;
		free(progs);
		break;
	case BPF_SDT_HOOK_LINK:
		if (!SDT_OPTS_GET(h, link_pin, NULL))
			goto no_hook;
		n = link_prog_id(name, h->link_pin, *ids);
		break;
	case BPF_SDT_HOOK_PROG_ARRAY:
		if (!SDT_OPTS_HAS(h, key))
			goto no_hook;
		n = slot_prog_id(name, h->prog_array_fd, h->key, *ids);
		break;
	default:
		goto no_hook;
	}
	if (n < 0) {
		free(*ids);
		*ids = NULL;
	}
	return n;
no_hook:
	pr_warn("%s: no such hook", name);
	free(*ids);
	*ids = NULL;
	return -EINVAL;
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
		if (SDT_OPTS_HAS(hook, key) &&
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
	sdt_type_unknown_sections_as(obj, name, info, n, attach_type);
}
