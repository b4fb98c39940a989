// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Parsing and resolving the hook options of the live commands. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "hook_args.h"
#include "num_args.h"

int hook_args_parse_only(struct hook_args *h, int argc, char **argv, const char *cmd,
			 void (*usage)(FILE *out))
{
	static const struct option opts[] = {
		HOOK_LONG_OPTIONS,
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		if (hook_args_option(h, c, optarg))
			continue;
		switch (c) {
		case 'v':
			cli.verbose = true; /* also after the command */
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'bpfsdt %s --help'.\n", cmd);
			return EXIT_BAD_INPUT;
		}
	}
	return -1;
}

bool hook_args_option(struct hook_args *h, int c, const char *arg)
{
	enum bpf_sdt_hook_kind kind;

	switch (c) {
	case HOOK_OPT_XDP: kind = BPF_SDT_HOOK_XDP; break;
	case HOOK_OPT_TC: kind = BPF_SDT_HOOK_TC; break;
	case HOOK_OPT_LINK: kind = BPF_SDT_HOOK_LINK; break;
	case HOOK_OPT_PROG_ARRAY: kind = BPF_SDT_HOOK_PROG_ARRAY; break;
	default: return false;
	}
	h->hook.sz = sizeof(h->hook);
	h->hook.kind = kind;
	h->hook.prog_array_fd = -1;
	h->spec = arg;
	h->count++;
	snprintf(h->label, sizeof(h->label), "%s:%s",
		 c == HOOK_OPT_XDP ? "xdp" : c == HOOK_OPT_TC ? "tc" :
		 c == HOOK_OPT_LINK ? "link" : "prog-array", arg);
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

/* What a BPF object fd is, as the kernel shows it in fdinfo: "map",
 * "prog", "link", or NULL. bpf_obj_get() opens any of them, and their info
 * structs cannot tell each other apart. */
static const char *bpf_fd_kind(int fd)
{
	static const struct { const char *key, *kind; } kinds[] = {
		{ "map_type:", "map" }, { "prog_type:", "program" }, { "link_type:", "link" },
	};
	const char *kind = NULL;
	char path[64], line[256];
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (!kind && fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strncmp(line, kinds[i].key, strlen(kinds[i].key)))
				kind = kinds[i].kind;
	fclose(f);
	return kind;
}

/* Opens pinned object path, which must be a `want` ("link", "map"). */
static int open_pinned(const char *cmd, const char *opt, const char *path, const char *want)
{
	int fd = bpf_obj_get(path), err;
	const char *kind;

	if (fd < 0) {
		err = -errno;
		cli_error("%s: %s: cannot open pinned object %s: %s", cmd, opt, path,
			  cli_strerror(err));
		return err;
	}
	kind = bpf_fd_kind(fd);
	if (!kind || strcmp(kind, want)) {
		cli_error("%s: %s: %s is a pinned %s, not a %s%s", cmd, opt, path,
			  kind ?: "object of unknown kind", !strcmp(want, "link") ? "bpf_link" : want,
			  kind && !strcmp(kind, "map") ? " (a prog array slot is --prog-array PATH:KEY)" :
			  "");
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* PATH:KEY, PATH a pinned BPF_MAP_TYPE_PROG_ARRAY */
static int resolve_prog_array(struct hook_args *h, const char *cmd)
{
	const char *colon = strrchr(h->spec, ':');
	char path[PATH_MAX];
	unsigned long long key;

	if (!colon || colon == h->spec || (size_t)(colon - h->spec) >= sizeof(path) ||
	    !colon[1]) {
		cli_error("%s: --prog-array needs PATH:KEY, not '%s'", cmd, h->spec);
		return -EINVAL;
	}
	if (cli_parse_uint(cmd, "--prog-array KEY", colon + 1, 0, UINT32_MAX, &key))
		return -EINVAL;
	memcpy(path, h->spec, colon - h->spec);
	path[colon - h->spec] = '\0';
	h->hook.key = (__u32)key;
	h->hook.prog_array_fd = open_pinned(cmd, "--prog-array", path, "map");
	return h->hook.prog_array_fd < 0 ? h->hook.prog_array_fd : 0;
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
	case BPF_SDT_HOOK_LINK: {
		int fd = open_pinned(cmd, "--link", h->spec, "link");

		if (fd < 0)
			return fd;
		close(fd); /* libbpfsdt opens it again */
		h->hook.link_pin = h->spec;
		return 0;
	}
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
