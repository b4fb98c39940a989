/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Guards (BPF_SDT_ENABLED) in a loaded program, and the private copies of
 * their map that turn them on.
 *
 * Every guard of an object reads a byte of one frozen read-only array map,
 * the object's .rodata.bpf_sdt_guards, in which every byte is 0: the
 * verifier knows it and removes each guarded block as dead code. A copy of
 * a program in which some guards are on reads its own frozen copy of that
 * map with their bytes set to 1 -- the map is the guards' alone, so nothing
 * else of the program is forked: every other map it keeps by identity.
 */
#ifndef __BPFSDT_GUARDS_H
#define __BPFSDT_GUARDS_H

#include <stdbool.h>
#include <linux/bpf.h>
#include "discover/discover.h"

struct bpf_sdt_target;
struct sdt_target_prog;

/* A guard located in a program's final instructions. */
struct sdt_prog_guard {
	const struct bpf_sdt_guard *guard;
	__u32 idx;		/* its ld_imm64 */
	__u32 value_off;	/* the byte it reads, in the map's value */
};

/* Which guards a copy turns on: by probe. */
typedef bool (*sdt_guard_on_fn)(void *ctx, const struct bpf_sdt_probe *probe);
bool sdt_guard_all_on(void *ctx, const struct bpf_sdt_probe *probe);

/* A frozen copy of tp's guards map with the byte of every guard on() turns
 * on set: its fd; -ENOENT when no guard of tp is on (the program reads the
 * original); another -errno after one line. */
int sdt_guards_variant(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		       sdt_guard_on_fn on, void *ctx);

/* Makes every map reference to from_fd in insns[0..cnt) refer to to_fd. */
void sdt_guards_rebind(struct bpf_insn *insns, __u32 cnt, int from_fd, int to_fd);

#endif
