/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The contents of a program's maps, taken from user space: to run a
 * program twice from the same state (restore) and to tell whether two runs
 * left the same state behind (compare). Keyed maps are read entry by entry
 * (per-CPU values for every possible CPU); prog arrays and maps of maps by
 * the ids of what they hold; queues and stacks by popping and pushing
 * back; ring buffers as the records produced since the last snapshot
 * (taking one consumes them). Maps user space cannot enumerate (bloom
 * filters, local storages, perf event arrays, ...) are recorded as not
 * comparable, with the reason.
 */
#ifndef __BPFSDT_MAP_SNAPSHOT_H
#define __BPFSDT_MAP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/types.h>

struct sdt_map_image {
	int fd;			/* borrowed */
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
	enum bpf_map_type type;
	__u32 key_size, value_size;	/* value_size: all CPUs' values */
	const char *not_comparable;	/* why, or NULL */
	__u32 cnt;
	void *keys, *values;		/* cnt entries each, sorted by key */
	/* ring buffers: the records, each preceded by its __u32 length */
	void *stream;
	size_t stream_len;
};

struct sdt_maps_snapshot {
	struct sdt_map_image *maps;
	size_t cnt;
};

/* Takes the contents of the n maps (fds borrowed; they must outlive the
 * snapshot's use). 0 or -errno. */
int sdt_maps_snapshot(const int *fds, size_t n, struct sdt_maps_snapshot *out);
/* Makes the maps hold what s recorded again (ring buffers: drains them).
 * Entries already equal are left alone, so frozen maps that did not change
 * are fine. 0 or -errno. */
int sdt_maps_restore(const struct sdt_maps_snapshot *s);
/* false with the first difference described in why ("map counts: key
 * 01000000: value 0500000000000000 != 0600000000000000"). Maps skip[i]
 * (NULL: none) are not compared; neither are the not comparable ones. */
bool sdt_maps_equal(const struct sdt_maps_snapshot *a, const struct sdt_maps_snapshot *b,
		    const bool *skip, char *why, size_t why_size);
void sdt_maps_snapshot_free(struct sdt_maps_snapshot *s);

#endif
