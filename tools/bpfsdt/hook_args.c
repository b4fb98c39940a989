// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Parsing and resolving the hook options of the live commands. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "hook_args.h"

bool hook_args_option(struct hook_args *h, int c, const char *arg)
{
	static const enum bpf_sdt_hook_kind kinds[] = {
		[HOOK_OPT_XDP] = BPF_SDT_HOOK_XDP,
		[HOOK_OPT_TC] = BPF_SDT_HOOK_TC,
		[HOOK_OPT_LINK] = BPF_SDT_HOOK_LINK,
		[HOOK_OPT_PROG_ARRAY] = BPF_SDT_HOOK_PROG_ARRAY,
	};

	if (c < 0 || c >= (int)(sizeof(kinds) / sizeof(kinds[0])) || !kinds[c])
		return false;
	h->hook.sz = sizeof(h->hook);
	h->hook.kind = kinds[c];
	h->hook.prog_array_fd = -1;
	h->spec = arg;
	h->count++;
	return true;
}

static int resolve_iface(const char *cmd, const char *name)
{
	int ifindex = (int)if_nametoindex(name);

	if (!ifindex)
		cli_error("%s: no interface %s", cmd, name);
	return ifindex;
}

/* IFACE:ingress or IFACE:egress */
static int resolve_tc(struct hook_args *h, const char *cmd)
{
	const char *colon = strrchr(h->spec, ':');
	char iface[IF_NAMESIZE];

	if (!colon || colon == h->spec || (size_t)(colon - h->spec) >= sizeof(iface) ||
	    (strcmp(colon + 1, "ingress") && strcmp(colon + 1, "egress"))) {
		cli_error("%s: --tc needs IFACE:ingress or IFACE:egress, not '%s'", cmd, h->spec);
		return -EINVAL;
	}
	memcpy(iface, h->spec, colon - h->spec);
	iface[colon - h->spec] = '\0';
	h->hook.tc_attach_point = strcmp(colon + 1, "egress") ? BPF_TC_INGRESS : BPF_TC_EGRESS;
	h->hook.ifindex = resolve_iface(cmd, iface);
	return h->hook.ifindex ? 0 : -ENODEV;
}

/* PATH:KEY, PATH a pinned BPF_MAP_TYPE_PROG_ARRAY */
static int resolve_prog_array(struct hook_args *h, const char *cmd)
{
	const char *colon = strrchr(h->spec, ':');
	char path[PATH_MAX], *end;
	unsigned long key;

	if (!colon || colon == h->spec || (size_t)(colon - h->spec) >= sizeof(path) ||
	    !colon[1]) {
		cli_error("%s: --prog-array needs PATH:KEY, not '%s'", cmd, h->spec);
		return -EINVAL;
	}
	errno = 0;
	key = strtoul(colon + 1, &end, 0);
	if (*end || errno || key > UINT32_MAX) {
		cli_error("%s: --prog-array: '%s' is not a slot number", cmd, colon + 1);
		return -EINVAL;
	}
	memcpy(path, h->spec, colon - h->spec);
	path[colon - h->spec] = '\0';
	h->hook.key = key;
	h->hook.prog_array_fd = bpf_obj_get(path);
	if (h->hook.prog_array_fd < 0) {
		int err = -errno;

		cli_error("%s: cannot open pinned map %s: %s", cmd, path, strerror(-err));
		return err;
	}
	return 0;
}

int hook_args_resolve(struct hook_args *h, const char *cmd)
{
	if (h->count != 1) {
		cli_error("%s: needs exactly one of --xdp, --tc, --link, --prog-array (try 'bpfsdt %s --help')",
			  cmd, cmd);
		return -EINVAL;
	}
	switch (h->hook.kind) {
	case BPF_SDT_HOOK_XDP:
		h->hook.ifindex = resolve_iface(cmd, h->spec);
		return h->hook.ifindex ? 0 : -ENODEV;
	case BPF_SDT_HOOK_TC:
		return resolve_tc(h, cmd);
	case BPF_SDT_HOOK_LINK:
		h->hook.link_pin = h->spec;
		return 0;
	case BPF_SDT_HOOK_PROG_ARRAY:
		return resolve_prog_array(h, cmd);
	}
	return -EINVAL;
}

void hook_args_release(struct hook_args *h)
{
	if (h->hook.kind == BPF_SDT_HOOK_PROG_ARRAY && h->hook.prog_array_fd >= 0)
		close(h->hook.prog_array_fd);
	h->hook.prog_array_fd = -1;
}
