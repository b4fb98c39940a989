// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <unistd.h>
#include "helpers.h"
#include "live_helpers.h"

__u32 xdp_prog_id(int ifindex)
{
	__u32 id = 0;

	bpf_xdp_query_id(ifindex, 0, &id);
	return id;
}

__u64 percpu_count(struct bpf_sdt_target *t, const char *name, __u32 key)
{
	struct bpf_map *map = bpf_object__find_map_by_name(bpf_sdt_target__object(t), name);
	int ncpus = libbpf_num_possible_cpus(), c;
	__u64 *vals = calloc(ncpus, sizeof(*vals)), sum = 0;

	if (map && vals && !bpf_map_lookup_elem(bpf_map__fd(map), &key, vals))
		for (c = 0; c < ncpus; c++)
			sum += vals[c];
	free(vals);
	return sum;
}

__u64 firewall_own_count(struct bpf_sdt_target *t)
{
	__u64 sum = 0;
	__u32 key;

	for (key = 0; key <= XDP_REDIRECT; key++)
		sum += percpu_count(t, "verdicts", key);
	return sum;
}

__u32 tc_filter_prog_id(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = 1, .priority = 1);

	return bpf_tc_query(&hook, &q) ? 0 : q.prog_id;
}

__u64 probe_hits(struct bpf_sdt_tracer *tr, struct bpf_sdt_target *t, const char *probe)
{
	const struct bpf_sdt_probe *p = bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), probe);
	__u64 sum = 0;
	size_t i;

	for (i = 0; p && i < bpf_sdt_probe__site_cnt(p); i++)
		sum += bpf_sdt_tracer__site_hits(tr, bpf_sdt_probe__site(p, i));
	return sum;
}

struct bpf_object *xdp_dispatcher_up(int ifindex, const char *pin)
{
	struct bpf_object *obj = bpf_object__open_file(corpus_path("live_hooks"), NULL);
	int jump, slot, disp;
	__u32 key = 0;

	if (!obj)
		return NULL;
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	jump = bpf_map__fd(bpf_object__find_map_by_name(obj, "jump"));
	slot = bpf_program__fd(bpf_object__find_program_by_name(obj, "live_slot"));
	disp = bpf_program__fd(bpf_object__find_program_by_name(obj, "live_dispatch"));
	if (pin)
		unlink(pin);
	if (bpf_map_update_elem(jump, &key, &slot, BPF_ANY) || (pin && bpf_obj_pin(jump, pin)) ||
	    bpf_xdp_attach(ifindex, disp, 0, NULL)) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

__u32 slot_id(int map_fd)
{
	__u32 key = 0, id = 0;

	bpf_map_lookup_elem(map_fd, &key, &id);
	return id;
}
