/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The BPF programs attached to a tc hook: tcx links (kernel 6.6+) and
 * cls_bpf filters on the clsact qdisc. libbpf can query one cls_bpf filter
 * whose handle and priority are known, but not list them, nor tell whether
 * a filter runs in direct-action mode; this lists them with a netlink dump.
 */
#ifndef __BPFSDT_TC_FILTERS_H
#define __BPFSDT_TC_FILTERS_H

#include <stdbool.h>
#include <linux/types.h>

struct sdt_tc_prog {
	__u32 prog_id;
	bool tcx;		/* a tcx link: link_id names it */
	__u32 link_id;
	/* cls_bpf only */
	__u32 handle, priority;	/* what bpf_tc_query()/bpf_tc_attach() need */
	bool direct_action;	/* TCA_BPF_FLAG_ACT_DIRECT ("da") */
	bool has_classid;	/* classic mode with a class */
	bool all_protocols;	/* protocol "all", what libbpf's API handles */
};

/* Every BPF program on ifindex's ingress (egress false) or egress hook, tcx
 * links first, in the order they run. *progs is the caller's to free.
 * Returns the count, or a negative errno. */
int sdt_tc_list(int ifindex, bool egress, struct sdt_tc_prog **progs);

#endif
