// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one way a program on a live hook is replaced, and the one way what
 * the hook runs is read: for the session's swaps (swap.c) and for the
 * guardian (guardian.c) alike. Every replacement names the program it
 * expects to find there.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "arm/hook.h"

#define SDT_BPF_LINK_TYPE_TCX 11 /* kernel 6.6 UAPI: info.tcx.ifindex at info.xdp's place */

__u32 sdt_prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/* cls_bpf filters and prog array slots have no compare-and-replace in the
 * kernel: check what the hook runs right before replacing it. The window
 * left is the syscall in between; the datapath itself switches atomically. */
static int expect_running(__u32 running, int old_fd)
{
	return running == sdt_prog_id(old_fd) ? 0 : -EEXIST;
}

static int replace_tc_filter(const struct sdt_hook *h, int old_fd, int new_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h->ifindex,
		    .attach_point = h->tc_egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, query, .handle = h->tc_handle, .priority = h->tc_priority);
	LIBBPF_OPTS(bpf_tc_opts, replace, .handle = h->tc_handle, .priority = h->tc_priority,
		    .prog_fd = new_fd, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_query(&hook, &query);
	if (!err)
		err = expect_running(query.prog_id, old_fd);
	if (!err)
		err = bpf_tc_attach(&hook, &replace);
	return err;
}

static int replace_in_prog_array(const struct sdt_hook *h, int old_fd, int new_fd)
{
	__u32 running = 0;
	int err;

	/* from user space, a prog array slot reads as its program's id */
	if (bpf_map_lookup_elem(h->map_fd, &h->key, &running))
		return errno == ENOENT ? -EEXIST : -errno;
	err = expect_running(running, old_fd);
	if (!err && bpf_map_update_elem(h->map_fd, &h->key, &new_fd, BPF_ANY))
		err = -errno;
	return err;
}

int sdt_hook_replace(const struct sdt_hook *h, int old_fd, int new_fd)
{
	int err;

	switch (h->kind) {
	case SDT_HOOK_XDP_NETLINK: {
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);

		err = bpf_xdp_attach(h->ifindex, new_fd, h->xdp_mode | XDP_FLAGS_REPLACE, &opts);
		return err < 0 ? err : 0;
	}
	case SDT_HOOK_LINK: {
		LIBBPF_OPTS(bpf_link_update_opts, opts, .flags = BPF_F_REPLACE, .old_prog_fd = old_fd);

		err = bpf_link_update(h->link_fd, new_fd, &opts);
		return err < 0 ? -errno : 0;
	}
	case SDT_HOOK_TC_NETLINK:
		return replace_tc_filter(h, old_fd, new_fd);
	case SDT_HOOK_PROG_ARRAY:
		return replace_in_prog_array(h, old_fd, new_fd);
	default:
		return 0;
	}
}

static bool interface_gone(int ifindex)
{
	char name[IF_NAMESIZE];

	return !if_indextoname(ifindex, name) && errno == ENXIO;
}

int sdt_hook_running(const struct sdt_hook *h, __u32 *id)
{
	*id = 0;
	switch (h->kind) {
	case SDT_HOOK_XDP_NETLINK:
		if (interface_gone(h->ifindex))
			return -ENODEV;
		return bpf_xdp_query_id(h->ifindex, h->xdp_mode, id);
	case SDT_HOOK_LINK: {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(h->link_fd, &info, &len))
			return -errno;
		/* a link whose interface went away still names its program */
		if ((info.type == BPF_LINK_TYPE_XDP || info.type == SDT_BPF_LINK_TYPE_TCX) &&
		    !info.xdp.ifindex)
			return -ENOLINK;
		*id = info.prog_id;
		return 0;
	}
	case SDT_HOOK_TC_NETLINK: {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h->ifindex,
			    .attach_point = h->tc_egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, query, .handle = h->tc_handle, .priority = h->tc_priority);
		int err;

		if (interface_gone(h->ifindex))
			return -ENODEV;
		err = bpf_tc_query(&hook, &query);
		if (err == -ENOENT)
			return 0; /* the filter was deleted: it runs nothing */
		*id = err ? 0 : query.prog_id;
		return err;
	}
	case SDT_HOOK_PROG_ARRAY:
		if (!bpf_map_lookup_elem(h->map_fd, &h->key, id))
			return 0;
		return errno == ENOENT ? 0 : -errno;
	default:
		return -EINVAL;
	}
}

void sdt_hook_state_text(int err, __u32 running, char *buf, size_t size)
{
	if (err == -ENODEV)
		snprintf(buf, size, "its interface is gone");
	else if (err == -ENOLINK)
		snprintf(buf, size, "its link is detached (interface gone?)");
	else if (err)
		snprintf(buf, size, "what it runs cannot be read (%s)", strerror(-err));
	else if (!running)
		snprintf(buf, size, "the hook runs no program now");
	else
		snprintf(buf, size, "the hook runs program id %u now (replaced by someone else?)",
			 running);
}
