// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What runs on a hook: originals and armed copies (bpf_sdt_hook__status()). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relink/armed_mark.h"
#include "live/live_hooks.h"

static void fill(struct bpf_sdt_hook_status *st, const struct bpf_prog_info *info,
		 const struct sdt_armed_mark *m)
{
	size_t n;

	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	st->prog_id = info->id;
	memcpy(st->prog_name, info->name, sizeof(st->prog_name) - 1);
	memcpy(st->prog_tag, info->tag, sizeof(st->prog_tag));
	if (!m)
		return;
	st->armed = true;
	st->orig_prog_id = m->prog_id;
	memcpy(st->orig_tag, m->tag, sizeof(st->orig_tag));
	st->session_pid = m->session.pid;
	st->session_running = sdt_session_alive(&m->session);
	st->since = m->session.since;
	n = strlen(m->probes);
	if (n < sizeof(st->probes)) {
		memcpy(st->probes, m->probes, n + 1);
	} else {
		memcpy(st->probes, m->probes, sizeof(st->probes) - 4);
		strcpy(st->probes + sizeof(st->probes) - 4, "...");
	}
}

int bpf_sdt_hook__status(const struct bpf_sdt_hook *hook, size_t idx,
			 struct bpf_sdt_hook_status *status)
{
	struct bpf_sdt_hook_status st;
	struct bpf_prog_info info = {};
	struct sdt_armed_mark m;
	__u32 len = sizeof(info), *ids = NULL;
	int n, fd = -1, err;

	if (!hook || !SDT_OPTS_VALID(hook, bpf_sdt_hook) ||
	    !SDT_OPTS_VALID_OUT(status, bpf_sdt_hook_status))
		return -EINVAL;
	n = sdt_hook_prog_ids("status", hook, &ids);
	if (n <= 0 || idx >= (size_t)n)
		goto out;
	fd = bpf_prog_get_fd_by_id(ids[idx]);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		n = -errno;
		pr_warn("status: cannot read program id %u: %s", ids[idx], strerror(-n));
		goto out;
	}
	err = sdt_armed_mark_read(fd, &m);
	if (err && err != -ENOENT) {
		n = err;
		pr_warn("status: cannot read the BTF of program %s (id %u): %s", info.name, info.id,
			strerror(-err));
		goto out;
	}
	fill(&st, &info, err ? NULL : &m);
	if (!err)
		sdt_armed_mark_free(&m);
	memcpy((char *)status + sizeof(size_t), (char *)&st + sizeof(size_t),
	       (status->sz < sizeof(st) ? status->sz : sizeof(st)) - sizeof(size_t));
out:
	if (fd >= 0)
		close(fd);
	free(ids);
	return n;
}
