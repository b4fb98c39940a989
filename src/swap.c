// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Handing a program's new version to what runs it. Every replacement on a
 * live hook names the program it expects to find there, so a concurrent
 * change by someone else makes it fail (nothing changed) instead of
 * silently undoing theirs.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <string.h>
#include <unistd.h>
#include "swap.h"

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* cls_bpf filters and prog array slots have no compare-and-replace in the
 * kernel: check what the hook runs right before replacing it. The window
 * left is the syscall in between; the datapath itself switches atomically. */
static int expect_running(__u32 running, int old_fd)
{
	return running == prog_id(old_fd) ? 0 : -EEXIST;
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

static int replace_on_hook(const struct sdt_hook *h, int old_fd, int new_fd)
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

int sdt_swap(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int new_fd)
{
	int old = tp->armed_fd, cur = old >= 0 ? old : tp->orig_fd;
	int next = new_fd >= 0 ? new_fd : tp->orig_fd, err;

	if (new_fd < 0) { /* back to the original: nothing built or verified */
		tp->stats.build_ns = tp->stats.verify_ns = 0;
		tp->stats.insn_cnt = tp->cap.insn_cnt;
	}
	tp->stats.swap_ns = 0;
	if (t->hook.prog == tp && cur != next) {
		__u64 start = sdt_now_ns();

		err = replace_on_hook(&t->hook, cur, next);
		tp->stats.swap_ns = sdt_now_ns() - start;
		if (err) {
			pr_warn("%s: program %s: replacing it on its hook failed: %s%s", t->name,
				tp->name, strerror(-err),
				err == -EEXIST || err == -EINVAL ?
				" (did something else replace it meanwhile?)" : "");
			return err;
		}
	}
	if (cur != next)
		tp->swaps++;
	tp->armed_fd = new_fd;
	if (old >= 0)
		close(old);
	return 0;
}
