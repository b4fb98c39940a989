/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The mark an armed copy carries: a BTF DECL_TAG on its main FUNC naming the
 * program it stands in for (tag, id, maps) and the session that put it
 * there. `reset` replaces only marked copies of the ELF it is given and
 * binds the rebuild to the maps the mark names; a second session and
 * `bpfsdt status` read who holds the hook. Format (docs/abi.md):
 *
 *   bpfsdt:armed:v=1:tag=<16 hex>:prog=<id>:maps=<id,...>:pid=<pid>:
 *   start=<ticks>:since=<unix time>:probes=<name,...>[:guards=<id>,<id>]
 */
#ifndef __BPFSDT_ARMED_MARK_H
#define __BPFSDT_ARMED_MARK_H

#include <bpf/bpf.h>
#include "relink/relink.h"
#include "relink/session.h"

#define SDT_ARMED_MARK_PREFIX "bpfsdt:armed:"
#define SDT_ARMED_MARK_VERSION 1

struct sdt_armed_mark {
	__u8 tag[BPF_TAG_SIZE];		/* the original program's kernel tag */
	__u32 prog_id;			/* and id */
	__u32 *map_ids;			/* its bpf_prog_info.map_ids, in order */
	__u32 map_cnt;
	struct sdt_session session;
	char *probes;			/* armed probes, comma-separated */
	/* a copy with guards on reads its own guards map in place of the
	 * original's (target/guards.h): both ids, 0 when it has none */
	__u32 guards_id, guards_copy_id;
};

/* The mark's text (caller frees), NULL on ENOMEM. */
char *sdt_armed_mark_format(const struct sdt_armed_mark *m);
/* Parses a mark's text; -EINVAL if it is not one. Unknown keys are
 * skipped (later versions may add some). */
int sdt_armed_mark_parse(const char *text, struct sdt_armed_mark *m);
void sdt_armed_mark_free(struct sdt_armed_mark *m);
/* Frees m and its contents. */
void sdt_armed_mark_destroy(struct sdt_armed_mark *m);

/* The mark of the loaded program prog_fd: 0, -ENOENT when it carries none
 * (an original, or no BTF), another -errno when its BTF cannot be read. */
int sdt_armed_mark_read(int prog_fd, struct sdt_armed_mark *m);

/* The mark of an armed copy of tp with observers obs, as a DECL_TAG on its
 * main FUNC in btf (the merged BTF, whose ids are tp's). Nothing (0) unless
 * tp runs on t's live hook. guards_copy_fd: the copy's own guards map, or
 * -1. */
int sdt_armed_mark_add(struct btf *btf, const struct bpf_sdt_target *t,
		       const struct sdt_target_prog *tp, const struct sdt_arm_obs *obs,
		       size_t nobs, int guards_copy_fd);

/* The tag as 16 hex digits. */
void sdt_tag_hex(const __u8 tag[BPF_TAG_SIZE], char out[2 * BPF_TAG_SIZE + 1]);

#endif
