/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading a BPF ring buffer in batches. libbpf's reader publishes its
 * position after every record, and the producer reads that position at
 * every reservation: at millions of events a second the cache line holding
 * it crosses between the two cores for each event. This reader publishes
 * it once per stretch of records (an eighth of the ring, or when it runs
 * out), and leaves waking up to the caller, who polls with a timeout: the
 * tracer's producers wake it only once a batch of data is waiting.
 */
#ifndef __BPFSDT_RING_READER_H
#define __BPFSDT_RING_READER_H

#include <linux/types.h>
#include <stddef.h>

struct sdt_ring {
	int map_fd;
	int epoll_fd;
	__u32 size;			/* of the data area, a power of two */
	long page_size;
	unsigned long *consumer_pos;	/* mapped writable */
	const unsigned long *producer_pos;
	const unsigned char *data;	/* mapped twice in a row: a record that
					 * wraps around reads straight on */
};

/* Maps ring buffer map_fd: 0 or -errno. */
int sdt_ring_open(struct sdt_ring *r, int map_fd);
void sdt_ring_close(struct sdt_ring *r);
/* Hands each committed record to cb, until there are none or cb returns
 * non-zero (that record is consumed). Returns the records handed over, or
 * cb's non-zero return. */
long sdt_ring_consume(struct sdt_ring *r, int (*cb)(void *ctx, void *data, size_t size),
		      void *ctx);
/* Waits up to timeout_ms for the producer to signal data: 1 if it did, 0
 * if not, -errno. */
int sdt_ring_wait(struct sdt_ring *r, int timeout_ms);

#endif
