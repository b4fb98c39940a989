// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Parsing --type (see type_arg.h). */
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include "cli.h"
#include "libbpfsdt.h"
#include "type_arg.h"

int type_arg_parse(const char *cmd, const char *arg, __u32 *type, __u32 *attach_type)
{
	enum bpf_attach_type eat;
	enum bpf_prog_type t;
	const char *name;

	libbpfsdt_init(); /* its section names too: "classifier", "action" */
	/* libbpf's names of the types first: "sched_cls", "socket_filter" */
	for (t = BPF_PROG_TYPE_UNSPEC + 1; (name = libbpf_bpf_prog_type_str(t)); t++) {
		if (!strcmp(name, arg)) {
			*type = t;
			*attach_type = t == BPF_PROG_TYPE_XDP ? BPF_XDP : 0;
			return 0;
		}
	}
	/* then section names libbpf (or libbpfsdt) knows: "tc", "cgroup_skb/egress" */
	if (!libbpf_prog_type_by_name(arg, &t, &eat) && t != BPF_PROG_TYPE_UNSPEC) {
		*type = t;
		*attach_type = eat;
		return 0;
	}
	cli_error("%s: --type: unknown program type '%s' (xdp, tc, sched_act, socket_filter, cgroup_skb/ingress, ...)",
		  cmd, arg);
	return -EINVAL;
}

int type_arg_explain_unloaded(const char *cmd, const char *file, struct bpf_object *obj,
			      const char *prog)
{
	struct bpf_program *p = obj ? bpf_object__find_program_by_name(obj, prog) : NULL;

	if (!p || bpf_program__type(p) != BPF_PROG_TYPE_UNSPEC)
		return 0;
	cli_error("%s: %s: program %s is in section \"%s\", which libbpf does not know: give its type with --type (xdp, tc, ...)",
		  cmd, file, prog, bpf_program__section_name(p));
	return 1;
}
