// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Handing a program's new version to what runs it. Every replacement on a
 * live hook names the program it expects to find there, so a concurrent
 * change by someone else makes it fail (nothing changed) instead of
 * silently undoing theirs.
 *
 * When a replacement fails, what the hook runs then decides what it means:
 * still our version (a passing error: nothing changed, we may try again),
 * already the version we wanted (done), or anything else: someone else's
 * program, no program, no hook at all. Then the hook is no longer ours; we
 * leave it as it is, say so once, and never touch it again.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "arm/guardian.h"
#include "arm/swap.h"

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

/* After replacing cur with next failed with err: 0 if the hook runs next
 * anyway, err if it still runs cur (nothing changed), or -EEXIST/-ENODEV
 * once the hook is no longer ours: then t->hook.lost is set, and the one
 * line saying so is printed. */
static int judge_failure(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int cur, int next,
			 int err)
{
	const char *what = next == tp->orig_fd ? "cannot put the original back"
					       : "cannot swap the armed copy in";
	char state[128];
	__u32 running;
	int qerr = sdt_hook_running(&t->hook, &running);

	if (!qerr && running && running == sdt_prog_id(next))
		return 0; /* e.g. the guardian or `bpfsdt reset` put it back already */
	if (!qerr && running && running == sdt_prog_id(cur) && err != -ENOLINK) {
		pr_warn("%s: program %s: %s: replacing it on its hook failed: %s", t->name,
			tp->name, what, strerror(-err));
		return err;
	}
	if (err == -ENOLINK && !qerr)
		qerr = -ENOLINK;
	sdt_hook_state_text(qerr, running, state, sizeof(state));
	pr_warn("%s: program %s: %s: %s; left as it is", t->name, tp->name, what, state);
	t->hook.lost = qerr == -ENODEV || qerr == -ENOLINK ? -ENODEV : -EEXIST;
	return t->hook.lost;
}

/* Replaces cur with next on t's hook, covered by the guardian (if any):
 * it holds next before next can run, and learns what runs afterwards. */
static int swap_on_hook(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int cur, int next)
{
	__u64 start;
	int err;

	if (t->hook.lost) {
		if (next != tp->orig_fd)
			pr_warn("%s: program %s: its hook is no longer ours (see above): not arming it",
				t->name, tp->name);
		return t->hook.lost;
	}
	if (t->guardian && next != tp->orig_fd) {
		err = sdt_guardian_expect(t->guardian, next);
		if (err) {
			pr_warn("%s: program %s: its guardian process is gone (%s): not arming without it",
				t->name, tp->name, strerror(-err));
			return err;
		}
	}
	start = sdt_now_ns();
	err = sdt_hook_replace(&t->hook, cur, next);
	tp->stats.swap_ns = sdt_now_ns() - start;
	if (err)
		err = judge_failure(t, tp, cur, next, err);
	if (t->guardian)
		sdt_guardian_settle(t->guardian, err ? (t->hook.lost ? -1 : cur) : next);
	return err;
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
		err = swap_on_hook(t, tp, cur, next);
		if (err && t->hook.lost && old >= 0) {
			/* not on the hook any more: ours to release, never to put back */
			close(old);
			tp->armed_fd = -1;
		}
		if (err)
			return err;
	}
	if (cur != next)
		tp->swaps++;
	tp->armed_fd = new_fd;
	if (old >= 0)
		close(old);
	return 0;
}
