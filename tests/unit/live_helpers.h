/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Reading a live XDP target's state in tests. */
#ifndef __BPFSDT_TEST_LIVE_HELPERS_H
#define __BPFSDT_TEST_LIVE_HELPERS_H

#include <linux/types.h>
#include "libbpfsdt.h"

/* Id of the XDP program on ifindex (in the current namespace), 0 if none. */
__u32 xdp_prog_id(int ifindex);
/* Packets the example firewall counted itself: its per-CPU verdicts. */
__u64 firewall_own_count(struct bpf_sdt_target *t);
/* Sum over CPUs of slot key of the target's per-CPU array map. */
__u64 percpu_count(struct bpf_sdt_target *t, const char *map, __u32 key);
/* Id of the program of v0's ingress cls_bpf filter pref 1 handle 1 (the
 * one testnet_attach_tc() adds), 0 if none. */
__u32 tc_filter_prog_id(int ifindex);
/* In-kernel hits of every site of a probe, from a counting tracer. */
__u64 probe_hits(struct bpf_sdt_tracer *tr, struct bpf_sdt_target *t, const char *probe);
/* A libbpf loader's XDP dispatcher on ifindex: live_hooks' live_dispatch,
 * with its live_slot in slot 0 of the prog array "jump", pinned at pin
 * (unless NULL); the loaded object (the caller closes it), NULL on failure. */
struct bpf_object *xdp_dispatcher_up(int ifindex, const char *pin);
/* Id of the program in slot 0 of prog array map_fd, 0 if none. */
__u32 slot_id(int map_fd);

#endif
