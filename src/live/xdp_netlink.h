/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Whether a bpf_link holds the XDP program of an interface of this network
 * namespace. XDP links only name their ifindex, which other namespaces
 * reuse; the kernel refuses a netlink replacement of a program a link holds
 * (-EBUSY, "Can't replace active BPF XDP link") before looking at anything
 * else, and treats replacing a program by itself as no change.
 */
#ifndef __BPFSDT_XDP_NETLINK_H
#define __BPFSDT_XDP_NETLINK_H

#include <linux/types.h>

/* 1 if a link holds prog_fd on ifindex (this namespace), 0 if netlink
 * attached it, or -errno. mode: XDP_FLAGS_{DRV,SKB}_MODE it runs in.
 * Changes nothing either way. */
int sdt_xdp_held_by_link(int ifindex, int prog_fd, __u32 mode);

#endif
