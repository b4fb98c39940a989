/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --type TYPE: the type of programs in sections libbpf does not know
 * (iproute2's SEC("prog"), SEC("tc/ingress"), ...). TYPE is a program type
 * as libbpf names it (xdp, sched_cls, sched_act, socket_filter, cgroup_skb,
 * ...) or a section name libbpf knows (tc, classifier, socket,
 * cgroup_skb/ingress, ...), which also gives the expected attach type.
 */
#ifndef __BPFSDT_TYPE_ARG_H
#define __BPFSDT_TYPE_ARG_H

#include <linux/types.h>

#define TYPE_HELP \
	"  --type TYPE        type of programs in sections libbpf does not know\n" \
	"                     (SEC(\"prog\"), SEC(\"tc/ingress\")...): xdp, tc,\n" \
	"                     sched_act, socket_filter, cgroup_skb/ingress, ...\n"

/* 0, or one line naming cmd and -EINVAL. */
int type_arg_parse(const char *cmd, const char *arg, __u32 *type, __u32 *attach_type);
/* Why program prog of obj was not loaded, if because of its section: one
 * line naming cmd and file. True when that was the reason. */
struct bpf_object;
int type_arg_explain_unloaded(const char *cmd, const char *file, struct bpf_object *obj,
			      const char *prog);

#endif
