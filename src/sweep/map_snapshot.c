// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Map contents from user space. Keyed maps are read with the batch
 * operations where the kernel has them (one call per few thousand entries
 * instead of two per entry: selftests' load balancers have maps of half a
 * million slots) and entry by entry otherwise; entries are kept sorted by
 * key so two snapshots compare in one pass whatever order a hash table
 * iterates in.
 */
#define _GNU_SOURCE /* qsort_r */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/util.h"
#include "sweep/map_snapshot.h"

#define BATCH 4096
#define ENOTSUPP 524 /* the kernel's, for map types without batch operations */

enum map_class { MAP_KEYED, MAP_IDS, MAP_FIFO, MAP_STREAM, MAP_OPAQUE };

static enum map_class classify(enum bpf_map_type type, const char **why)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
		return MAP_KEYED;
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return MAP_IDS; /* user space reads the ids of what they hold */
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return MAP_FIFO;
	case BPF_MAP_TYPE_RINGBUF:
		return MAP_STREAM;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		*why = "its events go to perf buffers nobody reads here";
		return MAP_OPAQUE;
	case BPF_MAP_TYPE_STACK_TRACE:
		*why = "stack traces hold the running code's own addresses";
		return MAP_OPAQUE;
	case BPF_MAP_TYPE_BLOOM_FILTER:
		*why = "a bloom filter cannot be enumerated";
		return MAP_OPAQUE;
	default:
		*why = "user space cannot enumerate this map type";
		return MAP_OPAQUE;
	}
}

static bool per_cpu(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static int grow(void **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

struct entries {
	void *keys, *values;
	size_t kcap, vcap;
	__u32 cnt;
};

static int add_entry(struct sdt_map_image *m, struct entries *e, const void *key,
		     const void *value)
{
	if (grow(&e->keys, &e->kcap, (size_t)(e->cnt + 1) * m->key_size) ||
	    grow(&e->values, &e->vcap, (size_t)(e->cnt + 1) * m->value_size))
		return -ENOMEM;
	if (m->key_size) /* queues and stacks have none */
		memcpy((char *)e->keys + (size_t)e->cnt * m->key_size, key, m->key_size);
	memcpy((char *)e->values + (size_t)e->cnt * m->value_size, value, m->value_size);
	e->cnt++;
	return 0;
}

/* All entries with the batch lookup; -EINVAL/-ENOTSUPP when the map type
 * has none. */
static int read_batch(struct sdt_map_image *m, struct entries *e)
{
	__u8 token[64], next[64];
	void *in = NULL;
	int err = 0;

	if (m->key_size > sizeof(token))
		return -ENOTSUPP;
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 n = BATCH;

		if (grow(&e->keys, &e->kcap, (size_t)(e->cnt + BATCH) * m->key_size) ||
		    grow(&e->values, &e->vcap, (size_t)(e->cnt + BATCH) * m->value_size))
			return -ENOMEM;
		err = bpf_map_lookup_batch(m->fd, in, next,
					   (char *)e->keys + (size_t)e->cnt * m->key_size,
					   (char *)e->values + (size_t)e->cnt * m->value_size, &n,
					   &opts);
		if (err && errno != ENOENT)
			return -errno;
		e->cnt += n;
		if (err) /* ENOENT: that was the last batch */
			return 0;
		memcpy(token, next, sizeof(token));
		in = token;
	}
}

static int read_one_by_one(struct sdt_map_image *m, struct entries *e)
{
	void *key = calloc(1, m->key_size ? m->key_size : 1);
	void *prev = calloc(1, m->key_size ? m->key_size : 1);
	void *value = calloc(1, m->value_size ? m->value_size : 1);
	bool first = true;
	int err = 0;

	if (!key || !prev || !value) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(m->fd, first ? NULL : prev, key)) {
		first = false;
		memcpy(prev, key, m->key_size);
		if (bpf_map_lookup_elem(m->fd, key, value)) {
			if (errno == ENOENT)
				continue; /* an empty prog array slot, or deleted meanwhile */
			err = -errno;
			goto out;
		}
		err = add_entry(m, e, key, value);
		if (err)
			goto out;
	}
	if (errno != ENOENT)
		err = -errno;
out:
	free(key);
	free(prev);
	free(value);
	return err;
}

static int cmp_entry(const void *a, const void *b, void *ctx)
{
	const struct sdt_map_image *m = ctx;

	return memcmp((const char *)m->keys + (size_t)*(const __u32 *)a * m->key_size,
		      (const char *)m->keys + (size_t)*(const __u32 *)b * m->key_size, m->key_size);
}

/* Sorts m's entries by key (hash tables enumerate in no useful order). */
static int sort_entries(struct sdt_map_image *m)
{
	__u32 *order = calloc(m->cnt ? m->cnt : 1, sizeof(*order)), i;
	void *keys = malloc((size_t)m->cnt * m->key_size + 1);
	void *values = malloc((size_t)m->cnt * m->value_size + 1);

	if (!order || !keys || !values) {
		free(order);
		free(keys);
		free(values);
		return -ENOMEM;
	}
	for (i = 0; i < m->cnt; i++)
		order[i] = i;
	qsort_r(order, m->cnt, sizeof(*order), cmp_entry, m);
	for (i = 0; i < m->cnt; i++) {
		memcpy((char *)keys + (size_t)i * m->key_size,
		       (char *)m->keys + (size_t)order[i] * m->key_size, m->key_size);
		memcpy((char *)values + (size_t)i * m->value_size,
		       (char *)m->values + (size_t)order[i] * m->value_size, m->value_size);
	}
	free(order);
	free(m->keys);
	free(m->values);
	m->keys = keys;
	m->values = values;
	return 0;
}

static int read_keyed(struct sdt_map_image *m)
{
	struct entries e = {};
	int err = read_batch(m, &e);

	if (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP) {
		e.cnt = 0;
		err = read_one_by_one(m, &e);
	}
	m->keys = e.keys;
	m->values = e.values;
	m->cnt = e.cnt;
	return err ? err : sort_entries(m);
}

/* Pushes m's values into its emptied queue or stack so that they come out
 * again in the order they were read: a stack pops its top first, so it is
 * pushed from the bottom. */
static int push_fifo(const struct sdt_map_image *m)
{
	__u32 i;

	for (i = 0; i < m->cnt; i++) {
		__u32 k = m->type == BPF_MAP_TYPE_STACK ? m->cnt - 1 - i : i;

		if (bpf_map_update_elem(m->fd, NULL, (char *)m->values + (size_t)k * m->value_size,
					BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Queues and stacks: pop everything, push it back in the order it was. */
static int read_fifo(struct sdt_map_image *m)
{
	struct entries e = {};
	void *value = malloc(m->value_size ? m->value_size : 1);
	int err = 0;

	if (!value)
		return -ENOMEM;
	while (!bpf_map_lookup_and_delete_elem(m->fd, NULL, value)) {
		err = add_entry(m, &e, NULL, value);
		if (err)
			break;
	}
	if (!err && errno != ENOENT)
		err = -errno;
	m->values = e.values;
	m->cnt = e.cnt;
	if (!err)
		err = push_fifo(m);
	free(value);
	return err;
}

static int collect_record(void *ctx, void *data, size_t size)
{
	struct sdt_map_image *m = ctx;
	__u32 len = (__u32)size;
	char *p = realloc(m->stream, m->stream_len + sizeof(len) + size);

	if (!p)
		return -ENOMEM;
	memcpy(p + m->stream_len, &len, sizeof(len));
	memcpy(p + m->stream_len + sizeof(len), data, size);
	m->stream = p;
	m->stream_len += sizeof(len) + size;
	return 0;
}

static int drop_record(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

/* Hands every record waiting in the ring buffer to cb. */
static int drain_ringbuf(int fd, ring_buffer_sample_fn cb, void *ctx)
{
	struct ring_buffer *rb = ring_buffer__new(fd, cb, ctx, NULL);
	int err;

	if (!rb)
		return -errno;
	err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return err < 0 ? err : 0;
}

static int read_map(int fd, struct sdt_map_image *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	enum map_class cls;
	int ncpus;

	m->fd = fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	m->id = info.id;
	memcpy(m->name, info.name, sizeof(m->name));
	m->type = info.type;
	m->key_size = info.key_size;
	m->value_size = info.value_size;
	if (per_cpu(m->type)) {
		ncpus = libbpf_num_possible_cpus();
		if (ncpus < 0)
			return ncpus;
		m->value_size = ((info.value_size + 7) & ~7u) * ncpus;
	}
	cls = classify(m->type, &m->not_comparable);
	switch (cls) {
	case MAP_KEYED:
	case MAP_IDS:
		return read_keyed(m);
	case MAP_FIFO:
		return read_fifo(m);
	case MAP_STREAM:
		return drain_ringbuf(fd, collect_record, m);
	default:
		return 0;
	}
}

int sdt_maps_snapshot(const int *fds, size_t n, struct sdt_maps_snapshot *out)
{
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->maps = calloc(n ? n : 1, sizeof(*out->maps));
	if (!out->maps)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++, out->cnt++)
		err = read_map(fds[i], &out->maps[i]);
	if (err)
		sdt_maps_snapshot_free(out);
	return err;
}

/* An id-valued map is written with fds of what the ids name. */
static int id_to_fd(enum bpf_map_type type, __u32 id)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY ? bpf_prog_get_fd_by_id(id) :
						 bpf_map_get_fd_by_id(id);
}

static int write_entry(const struct sdt_map_image *m, const void *key, const void *value)
{
	int fd = -1, err = 0;

	if (classify(m->type, &(const char *){ NULL }) == MAP_IDS) {
		fd = id_to_fd(m->type, *(const __u32 *)value);
		if (fd < 0)
			return -errno;
		value = &fd;
	}
	if (bpf_map_update_elem(m->fd, key, value, BPF_ANY))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

static int restore_keyed(const struct sdt_map_image *m)
{
	struct sdt_map_image now = {};
	__u32 i = 0, j = 0;
	int err;

	err = read_map(m->fd, &now);
	/* both sorted: walk them together */
	while (!err && (i < m->cnt || j < now.cnt)) {
		const char *k = (const char *)m->keys + (size_t)i * m->key_size;
		const char *nk = (const char *)now.keys + (size_t)j * m->key_size;
		int c = i == m->cnt ? 1 : j == now.cnt ? -1 : memcmp(k, nk, m->key_size);

		if (c > 0) { /* not in the snapshot: delete (arrays never get here) */
			if (bpf_map_delete_elem(m->fd, nk) && errno != ENOENT)
				err = -errno;
			j++;
			continue;
		}
		if (c < 0 || memcmp((const char *)m->values + (size_t)i * m->value_size,
				    (const char *)now.values + (size_t)j * m->value_size,
				    m->value_size))
			err = write_entry(m, k, (const char *)m->values + (size_t)i * m->value_size);
		i++;
		if (c == 0)
			j++;
	}
	free(now.keys);
	free(now.values);
	free(now.stream);
	return err;
}

static int restore_fifo(const struct sdt_map_image *m)
{
	void *value = malloc(m->value_size ? m->value_size : 1);
	int err;

	if (!value)
		return -ENOMEM;
	while (!bpf_map_lookup_and_delete_elem(m->fd, NULL, value))
		;
	err = push_fifo(m);
	free(value);
	return err;
}

int sdt_maps_restore(const struct sdt_maps_snapshot *s)
{
	size_t i;
	int err = 0;

	for (i = 0; i < s->cnt && !err; i++) {
		const struct sdt_map_image *m = &s->maps[i];

		switch (classify(m->type, &(const char *){ NULL })) {
		case MAP_KEYED:
		case MAP_IDS:
			err = restore_keyed(m);
			break;
		case MAP_FIFO:
			err = restore_fifo(m);
			break;
		case MAP_STREAM: /* what a snapshot holds was consumed: none left */
			err = drain_ringbuf(m->fd, drop_record, NULL);
			break;
		default:
			break;
		}
		if (err)
			pr_debug("map %s (id %u): cannot restore its contents: %s", m->name, m->id,
				 strerror(-err));
	}
	return err;
}

static void hex(char *out, size_t size, const void *data, __u32 len)
{
	static const char digits[] = "0123456789abcdef";
	const __u8 *p = data;
	size_t o = 0;
	__u32 i;

	for (i = 0; i < len && o + 3 < size; i++) {
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 15];
	}
	if (i < len && o + 4 < size)
		memcpy(out + o, "...", 3), o += 3;
	out[o < size ? o : size - 1] = '\0';
}

/* Entry i's key; NULL for maps without keys (queues, stacks). */
static const void *key_at(const struct sdt_map_image *m, __u32 i)
{
	return m->key_size ? (const char *)m->keys + (size_t)i * m->key_size : NULL;
}

static bool image_equal(const struct sdt_map_image *a, const struct sdt_map_image *b, char *why,
			size_t size)
{
	char kx[80], ax[80], bx[80];
	__u32 i;

	if (a->stream_len != b->stream_len ||
	    (a->stream_len && memcmp(a->stream, b->stream, a->stream_len))) {
		snprintf(why, size, "map %s: the records it received differ (%zu vs %zu bytes)",
			 a->name, a->stream_len, b->stream_len);
		return false;
	}
	for (i = 0; i < a->cnt && i < b->cnt; i++) {
		const void *ka = key_at(a, i);
		const void *va = (const char *)a->values + (size_t)i * a->value_size;
		const void *vb = (const char *)b->values + (size_t)i * a->value_size;

		if (a->key_size && memcmp(ka, key_at(b, i),
					  a->key_size))
			break;
		if (memcmp(va, vb, a->value_size)) {
			hex(kx, sizeof(kx), ka, a->key_size);
			hex(ax, sizeof(ax), va, a->value_size);
			hex(bx, sizeof(bx), vb, a->value_size);
			snprintf(why, size, "map %s: %s%s: %s != %s", a->name,
				 a->key_size ? "key " : "entry ", a->key_size ? kx : "", ax, bx);
			return false;
		}
	}
	if (i < a->cnt || i < b->cnt) {
		const struct sdt_map_image *m = i < a->cnt ? a : b;

		hex(kx, sizeof(kx), key_at(m, i), m->key_size);
		snprintf(why, size, "map %s: %s %s only in one of them (%u vs %u entries)", a->name,
			 a->key_size ? "key" : "entry", a->key_size ? kx : "", a->cnt, b->cnt);
		return false;
	}
	return true;
}

bool sdt_maps_equal(const struct sdt_maps_snapshot *a, const struct sdt_maps_snapshot *b,
		    const bool *skip, char *why, size_t why_size)
{
	size_t i;

	if (a->cnt != b->cnt) {
		snprintf(why, why_size, "%zu maps vs %zu", a->cnt, b->cnt);
		return false;
	}
	for (i = 0; i < a->cnt; i++) {
		if ((skip && skip[i]) || a->maps[i].not_comparable)
			continue;
		if (a->maps[i].fd != b->maps[i].fd) {
			snprintf(why, why_size, "map %zu is %s in one snapshot and %s in the other",
				 i, a->maps[i].name, b->maps[i].name);
			return false;
		}
		if (!image_equal(&a->maps[i], &b->maps[i], why, why_size))
			return false;
	}
	return true;
}

void sdt_maps_snapshot_free(struct sdt_maps_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->cnt; i++) {
		free(s->maps[i].keys);
		free(s->maps[i].values);
		free(s->maps[i].stream);
	}
	free(s->maps);
	memset(s, 0, sizeof(*s));
}
