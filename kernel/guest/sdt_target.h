/* SPDX-License-Identifier: GPL-2.0 */
/* Types sdt_target.bpf.c's probes pass, as its observers see them. */
#ifndef GUEST_SDT_TARGET_H
#define GUEST_SDT_TARGET_H

struct flow {
	__u32 proto;
	__u32 len;
};

#endif
