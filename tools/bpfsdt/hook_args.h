/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The hook options of the live commands (trace, attach, reset): exactly one
 * of --xdp IFACE, --tc IFACE:ingress|egress, --link PATH, --prog-array
 * PATH:KEY, resolved into a struct bpf_sdt_hook.
 */
#ifndef __BPFSDT_HOOK_ARGS_H
#define __BPFSDT_HOOK_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "libbpfsdt.h"

#define HOOK_USAGE "(--xdp IFACE | --tc IFACE:ingress|egress | --link PATH |\n" \
		   "             --prog-array PATH:KEY)"
#define HOOK_HELP \
	"  --xdp IFACE        the XDP program on IFACE (netlink or bpf_link)\n" \
	"  --tc IFACE:DIR     the tc program on IFACE's ingress or egress (tcx link or\n" \
	"                     direct-action cls_bpf filter)\n" \
	"  --link PATH        the program a pinned bpf_link runs (XDP, tcx, cgroup...)\n" \
	"  --prog-array PATH:KEY\n" \
	"                     the program in slot KEY of the pinned prog array PATH\n"

/* Long options only: values no short option can take. */
#define HOOK_OPT_XDP 0x1001
#define HOOK_OPT_TC 0x1002
#define HOOK_OPT_LINK 0x1003
#define HOOK_OPT_PROG_ARRAY 0x1004
#define HOOK_LONG_OPTIONS \
	{ "xdp", required_argument, NULL, HOOK_OPT_XDP }, \
	{ "tc", required_argument, NULL, HOOK_OPT_TC }, \
	{ "link", required_argument, NULL, HOOK_OPT_LINK }, \
	{ "prog-array", required_argument, NULL, HOOK_OPT_PROG_ARRAY }

struct hook_args {
	const char *spec;	/* the option's argument as given */
	int count;		/* hook options seen */
	char label[512];	/* "xdp:eth0", "tc:eth0:ingress", "link:PATH", ... */
	struct bpf_sdt_hook hook;
};

/* Records getopt's option c if it is a hook option; false otherwise. */
bool hook_args_option(struct hook_args *h, int c, const char *arg);
/* Checks that exactly one hook was named and resolves it (interface, pinned
 * map). One line naming cmd on error; returns 0 or -errno. */
int hook_args_resolve(struct hook_args *h, const char *cmd);
void hook_args_release(struct hook_args *h);
/* The options of a command that takes only a hook, -v and -h (status,
 * reset); usage(stdout) for -h. Returns -1 with optind at the first operand,
 * else the exit status the command ends with. */
int hook_args_parse_only(struct hook_args *h, int argc, char **argv, const char *cmd,
			 void (*usage)(FILE *out));

#endif
