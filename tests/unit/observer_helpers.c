// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"

struct bpf_object *observer_open(const char *name)
{
	char path[512];
	struct bpf_object *obj;

	if (libbpfsdt_init())
		return NULL;
	snprintf(path, sizeof(path), "%s/tests/bpf/observers/%s.bpf.o", TEST_BUILD_DIR, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return NULL;
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

struct bpf_program *observer_prog(struct bpf_object *obj)
{
	return bpf_object__next_program(obj, NULL);
}

const struct bpf_sdt_attach_opts *observer_opts(const struct bpf_object *obj)
{
	static struct bpf_sdt_attach_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.observer_obj = obj;
	return &opts;
}

static struct bpf_map *map_of_section(struct bpf_object *obj, const char *sec)
{
	size_t n = strlen(sec), len;
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		len = strlen(bpf_map__name(map));
		if (len >= n && !strcmp(bpf_map__name(map) + len - n, sec))
			return map;
	}
	return NULL;
}

int observer_read_var(struct bpf_object *obj, const char *name, void *buf, size_t size)
{
	const struct btf *btf = bpf_object__btf(obj);
	__u32 id, n = btf ? btf__type_cnt(btf) : 0;
	__u32 key = 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *v;
		struct bpf_map *map;
		char *val;
		int i, err;

		if (!btf_is_datasec(t))
			continue;
		v = btf_var_secinfos(t);
		for (i = 0; i < btf_vlen(t); i++) {
			const struct btf_type *var = btf__type_by_id(btf, v[i].type);

			if (strcmp(btf__name_by_offset(btf, var->name_off), name))
				continue;
			map = map_of_section(obj, btf__name_by_offset(btf, t->name_off));
			if (!map || v[i].offset + size > bpf_map__value_size(map))
				return -1;
			val = calloc(1, bpf_map__value_size(map));
			if (!val)
				return -1;
			err = bpf_map_lookup_elem(bpf_map__fd(map), &key, val);
			memcpy(buf, val + v[i].offset, size);
			free(val);
			return err;
		}
	}
	return -1;
}

long long observer_var(struct bpf_object *obj, const char *name)
{
	long long v = 0;
	const struct btf *btf = bpf_object__btf(obj);
	__s32 id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_VAR) : -1;
	__s64 size = id > 0 ? btf__resolve_size(btf, btf__type_by_id(btf, id)->type) : -1;

	if (size <= 0 || size > 8 || observer_read_var(obj, name, &v, (size_t)size))
		return -1;
	if (size < 8 && (v >> (size * 8 - 1)) & 1) /* sign-extend narrower ints */
		v |= (long long)(~0ULL << (size * 8));
	return v;
}

int run_packet(int prog_fd, size_t pkt_len)
{
	unsigned char pkt[1514];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (__u32)pkt_len,
		    .repeat = 1);
	size_t i;

	if (pkt_len > sizeof(pkt))
		return -1;
	for (i = 0; i < pkt_len; i++)
		pkt[i] = (unsigned char)i;
	if (pkt_len >= 14) {
		pkt[12] = 0x08; /* IPv4 ethertype */
		pkt[13] = 0x00;
	}
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -1;
	return (int)opts.retval;
}
