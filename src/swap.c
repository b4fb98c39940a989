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
	tp->armed_fd = new_fd;
	if (old >= 0)
		close(old);
	return 0;
}
