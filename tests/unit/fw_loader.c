// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fw_loader.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

static __u32 map_id(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (!map || bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return 0;
	return info.id;
}

/* Offset of variable var in data section sec, from the object's BTF. */
static int var_offset(struct bpf_object *obj, const char *sec, const char *var, __u32 *off)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const struct btf_var_secinfo *vsi;
	int id, i;

	id = btf ? btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC) : -1;
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	for (i = 0, vsi = btf_var_secinfos(t); i < btf_vlen(t); i++, vsi++) {
		const struct btf_type *v = btf__type_by_id(btf, vsi->type);

		if (!strcmp(btf__name_by_offset(btf, v->name_off), var)) {
			*off = vsi->offset;
			return 0;
		}
	}
	return -1;
}

int fw_load(struct fw_loader *l, const char *path, __u8 blocked_proto, int ifindex,
	    enum fw_attach how)
{
	struct bpf_program *prog;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), off;
	size_t size;
	__u8 *rodata;

	memset(l, 0, sizeof(*l));
	l->obj = bpf_object__open_file(path, NULL);
	if (!l->obj)
		return -1;
	rodata = (__u8 *)bpf_map__initial_value(bpf_object__find_map_by_name(l->obj, ".rodata"), &size);
	if (!rodata || var_offset(l->obj, ".rodata", "blocked_proto", &off) || off >= size ||
	    var_offset(l->obj, ".bss", "packets_seen", &l->off_packets_seen) ||
	    var_offset(l->obj, ".bss", "last_len", &l->off_last_len))
		return -1;
	rodata[off] = blocked_proto;
	if (bpf_object__load(l->obj))
		return -1;
	prog = bpf_object__find_program_by_name(l->obj, "identity_fw");
	if (how == FW_LINK) {
		l->link = bpf_program__attach_xdp(prog, ifindex);
		if (!l->link)
			return -1;
	} else if (bpf_xdp_attach(ifindex, bpf_program__fd(prog), 0, NULL)) {
		return -1;
	}
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return -1;
	l->prog_id = info.id;
	l->rodata_id = map_id(l->obj, ".rodata");
	l->bss_id = map_id(l->obj, ".bss");
	l->data_id = map_id(l->obj, ".data");
	l->pass_id = map_id(l->obj, "per_verdict_count_pass");
	l->drop_id = map_id(l->obj, "per_verdict_count_drop");
	return l->rodata_id && l->bss_id && l->data_id && l->pass_id && l->drop_id ? 0 : -1;
}

void fw_loader_exit(struct fw_loader *l)
{
	bpf_object__close(l->obj);
	l->obj = NULL;
}

void fw_unload(struct fw_loader *l, int ifindex)
{
	if (l->link)
		bpf_link__destroy(l->link);
	else if (ifindex)
		bpf_xdp_detach(ifindex, 0, NULL);
	l->link = NULL;
	fw_loader_exit(l);
}

/* The value of key 0 of map id, into buf (size bytes at most). */
static int read_value(__u32 id, __u32 key, void *buf, size_t size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id), err = -1;
	void *val;

	if (fd < 0)
		return -1;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && (val = calloc(1, info.value_size))) {
		if (!bpf_map_lookup_elem(fd, &key, val)) {
			memcpy(buf, val, info.value_size < size ? info.value_size : size);
			err = 0;
		}
		free(val);
	}
	close(fd);
	return err;
}

int fw_read(const struct fw_loader *l, struct fw_state *st)
{
	char bss[64] = {};
	__u64 pass[2] = {};

	memset(st, 0, sizeof(*st));
	if (read_value(l->rodata_id, 0, &st->blocked_proto, 1) ||
	    read_value(l->bss_id, 0, bss, sizeof(bss)) ||
	    read_value(l->data_id, 0, &st->data_counter, sizeof(st->data_counter)) ||
	    read_value(l->pass_id, 0, &pass[0], 8) || read_value(l->pass_id, 1, &pass[1], 8) ||
	    read_value(l->drop_id, 0, &st->drop_packets, 8))
		return -1;
	memcpy(&st->packets_seen, bss + l->off_packets_seen, 8);
	memcpy(&st->last_len, bss + l->off_last_len, 8);
	st->pass_packets = pass[0];
	st->pass_bytes = pass[1];
	return 0;
}

struct fw_state fw_delta(const struct fw_state *before, const struct fw_state *after)
{
	return (struct fw_state){
		.blocked_proto = after->blocked_proto,
		.packets_seen = after->packets_seen - before->packets_seen,
		.last_len = after->last_len,
		.data_counter = after->data_counter - before->data_counter,
		.pass_packets = after->pass_packets - before->pass_packets,
		.pass_bytes = after->pass_bytes - before->pass_bytes,
		.drop_packets = after->drop_packets - before->drop_packets,
	};
}

bool fw_maps_used_by(const struct fw_loader *l, __u32 prog_id)
{
	const __u32 want[] = { l->rodata_id, l->bss_id, l->data_id, l->pass_id, l->drop_id };
	struct bpf_prog_info info = {};
	__u32 ids[64], len = sizeof(info), i, k;
	int fd = bpf_prog_get_fd_by_id(prog_id);
	bool all = fd >= 0;

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		all = false;
	for (k = 0; all && k < sizeof(want) / sizeof(want[0]); k++) {
		for (i = 0; i < info.nr_map_ids && i < 64 && ids[i] != want[k]; i++)
			;
		all = i < info.nr_map_ids && i < 64;
	}
	if (fd >= 0)
		close(fd);
	return all;
}

bool fw_pings_pass(struct testnet *net)
{
	return testnet_ping(net, FW_PINGS, "0.01") == 0;
}

void fw_expect_tracing_changes_nothing(struct testnet *net, struct fw_loader *l,
				       const char *path)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct fw_state s0, s1, s2, plain, traced;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	bool passed_plain, passed_traced;
	__u64 hits;

	ASSERT_EQ(fw_read(l, &s0), 0);
	passed_plain = fw_pings_pass(net);
	ASSERT_EQ(fw_read(l, &s1), 0);
	t = bpf_sdt_target__open_xdp(path, net->ifindex, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "fw_verdict"));
	ASSERT_NE(xdp_prog_id(net->ifindex), l->prog_id); /* the armed copy runs */
	ASSERT_TRUE(fw_maps_used_by(l, xdp_prog_id(net->ifindex)));
	passed_traced = fw_pings_pass(net);
	ASSERT_EQ(fw_read(l, &s2), 0);
	hits = probe_hits(tr, t, "fw_verdict");
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
	plain = fw_delta(&s0, &s1);
	traced = fw_delta(&s1, &s2);
	ASSERT_EQ(passed_traced, passed_plain);
	ASSERT_EQ(traced.blocked_proto, s0.blocked_proto);
	ASSERT_EQ(plain.packets_seen, FW_PINGS);
	ASSERT_EQ(traced.packets_seen, plain.packets_seen);
	ASSERT_EQ(traced.last_len, plain.last_len);
	ASSERT_EQ(traced.data_counter, plain.data_counter);
	ASSERT_EQ(traced.pass_packets, plain.pass_packets);
	ASSERT_EQ(traced.pass_bytes, plain.pass_bytes);
	ASSERT_EQ(traced.drop_packets, plain.drop_packets);
	ASSERT_EQ(hits, traced.packets_seen);
}

void fw_run(int n, const char *path, __u8 blocked_proto, bool exits,
	    void (*body)(struct testnet *net, struct fw_loader *l))
{
	struct fw_loader l = {};
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, n) || testnet_enter(&net) ||
	    fw_load(&l, path, blocked_proto, net.ifindex, FW_NETLINK)) {
		fw_unload(&l, net.ifindex);
		testnet_down(&net);
		FAIL("cannot load the firewall on the test network");
	}
	if (exits)
		fw_loader_exit(&l);
	body(&net, &l);
	fw_unload(&l, net.ifindex);
	testnet_down(&net);
}
