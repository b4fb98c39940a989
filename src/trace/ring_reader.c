// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A BPF ring buffer read in batches (ring_reader.h). */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "trace/ring_reader.h"

/* The kernel's record header: the length, flagged busy until committed or
 * discarded, then the record's page offset. */
#define RB_BUSY_BIT (1u << 31)
#define RB_DISCARD_BIT (1u << 30)
#define RB_HDR_SZ 8

int sdt_ring_open(struct sdt_ring *r, int map_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *p;
	int err;

	r->map_fd = map_fd;
	r->epoll_fd = -1;
	r->consumer_pos = NULL;
	r->producer_pos = NULL;
	r->page_size = sysconf(_SC_PAGESIZE);
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	r->size = info.max_entries;
	p = mmap(NULL, r->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = p;
	/* the producer's page, then the data twice */
	p = mmap(NULL, r->page_size + 2 * (size_t)r->size, PROT_READ, MAP_SHARED, map_fd,
		 r->page_size);
	if (p == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	r->producer_pos = p;
	r->data = (const unsigned char *)p + r->page_size;
	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epoll_fd < 0 || epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, map_fd, &ev)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	sdt_ring_close(r);
	return err;
}

void sdt_ring_close(struct sdt_ring *r)
{
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page_size);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page_size + 2 * (size_t)r->size);
	r->epoll_fd = -1;
	r->consumer_pos = NULL;
	r->producer_pos = NULL;
}

long sdt_ring_consume(struct sdt_ring *r, int (*cb)(void *ctx, void *data, size_t size),
		      void *ctx)
{
	unsigned long cons = __atomic_load_n(r->consumer_pos, __ATOMIC_RELAXED), published = cons;
	unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	unsigned long batch = r->size / 8;
	long n = 0;
	int ret = 0;

	while (!ret) {
		const unsigned char *rec;
		__u32 hdr;

		if (cons == prod) {
			prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
			if (cons == prod)
				break;
		}
		rec = r->data + (cons & (r->size - 1));
		hdr = __atomic_load_n((const __u32 *)rec, __ATOMIC_ACQUIRE);
		if (hdr & RB_BUSY_BIT)
			break; /* reserved, not committed yet */
		cons += ((hdr & ~(RB_BUSY_BIT | RB_DISCARD_BIT)) + RB_HDR_SZ + 7) & ~7ul;
		if (!(hdr & RB_DISCARD_BIT)) {
			ret = cb(ctx, (void *)(rec + RB_HDR_SZ), hdr & ~RB_DISCARD_BIT);
			n++;
		}
		if (cons - published >= batch) {
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
			published = cons;
		}
	}
	if (cons != published)
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return ret ? ret : n;
}

int sdt_ring_wait(struct sdt_ring *r, int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(r->epoll_fd, &ev, 1, timeout_ms);

	return n < 0 ? -errno : n > 0;
}
