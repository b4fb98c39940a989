/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A loader of tests/bpf/identity_fw.h's firewall, as an application would
 * write it with libbpf, and what tests check of it. The loader sets the
 * policy in .rodata before loading and attaches the program to an
 * interface. It records the ids of the maps it created, by their ELF names,
 * so a test can read the very maps the firewall uses whatever runs on the
 * hook afterwards.
 */
#ifndef __BPFSDT_TEST_FW_LOADER_H
#define __BPFSDT_TEST_FW_LOADER_H

#include <stdbool.h>
#include <linux/types.h>

struct bpf_object;
struct bpf_link;

struct fw_loader {
	struct bpf_object *obj;		/* NULL once the loader let go */
	struct bpf_link *link;		/* with FW_LINK */
	__u32 prog_id;
	__u32 rodata_id, bss_id, data_id, pass_id, drop_id;
	__u32 off_packets_seen, off_last_len;	/* in .bss */
};

enum fw_attach { FW_NETLINK, FW_LINK };

/* Loads path with blocked_proto set, attaches it to ifindex (this
 * namespace). 0 or -1. */
int fw_load(struct fw_loader *l, const char *path, __u8 blocked_proto, int ifindex,
	    enum fw_attach how);
/* Closes the loader's object (a netlink-attached program stays on its
 * hook, held by the kernel alone, as when a loader exits). */
void fw_loader_exit(struct fw_loader *l);
/* Detaches (netlink) and releases everything. */
void fw_unload(struct fw_loader *l, int ifindex);

struct testnet;

/* Runs body in ns_a of fresh test network n with the firewall of path on
 * v0, loaded by fw_load() with blocked_proto; torn down whatever
 * happens. With exits, the loader lets go of the object first, as a loader
 * process that ended would. */
void fw_run(int n, const char *path, __u8 blocked_proto, bool exits,
	    void (*body)(struct testnet *net, struct fw_loader *l));

/* What the firewall's maps hold, read by the ids the loader recorded. */
struct fw_state {
	__u8 blocked_proto;
	__u64 packets_seen, last_len, data_counter;
	__u64 pass_packets, pass_bytes, drop_packets;
};

int fw_read(const struct fw_loader *l, struct fw_state *st);
/* after - before, counter by counter (last_len and the policy: after's). */
struct fw_state fw_delta(const struct fw_state *before, const struct fw_state *after);
/* Whether every map the loader created is one the program prog_id uses. */
bool fw_maps_used_by(const struct fw_loader *l, __u32 prog_id);

/* FW_PINGS pings from ns_b to v0: whether all were answered. */
#define FW_PINGS 5
bool fw_pings_pass(struct testnet *net);

/*
 * FW_PINGS pings without an observer, then FW_PINGS with path's fw_verdict
 * traced (count only): the same verdicts, the same changes to every counter
 * of the firewall, the armed copy on the maps the loader created, each
 * packet seen once by the observer; the original back afterwards. For
 * tests (test.h assertions).
 */
void fw_expect_tracing_changes_nothing(struct testnet *net, struct fw_loader *l,
				       const char *path);

#endif
