// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
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

int observer_read_section(struct bpf_object *obj, const char *suffix, void *buf, size_t size)
{
	struct bpf_map *map;
	__u32 key = 0;
	size_t n = strlen(suffix), len;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		len = strlen(name);
		if (len >= n && !strcmp(name + len - n, suffix)) {
			if (bpf_map__value_size(map) < size)
				return -1;
			{
				char *val = calloc(1, bpf_map__value_size(map));
				int err;

				if (!val)
					return -1;
				err = bpf_map_lookup_elem(bpf_map__fd(map), &key, val);
				memcpy(buf, val, size);
				free(val);
				return err;
			}
		}
	}
	return -1;
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
