// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Guards in a loaded program and the map copies that turn them on
 * (guards.h).
 *
 * A copy with guards on must not differ from the program in anything but
 * those bytes: the copy of the map is made from the map the program itself
 * reads (found in its instructions, so a live program's is the running
 * program's), with the same type, sizes, flags and current contents, then
 * frozen like the original, so the verifier treats the bytes as the
 * constants they are and removes the blocks of guards that are still off.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "target/target.h"

bool sdt_guard_all_on(void *ctx, const struct bpf_sdt_probe *probe)
{
	return true;
}

static bool is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

int sdt_guards_variant(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		       sdt_guard_on_fn on, void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	bool any = false;
	__u8 *value;
	size_t i;
	int fd, err;

	for (i = 0; i < tp->guard_cnt; i++)
		any |= on(ctx, bpf_sdt_guard__probe(tp->guards[i].guard));
	if (!any || tp->guards_map_fd < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(tp->guards_map_fd, &info, &len)) {
		err = -errno;
		pr_warn("%s: program %s: cannot read its guards map: %s", t->name, tp->name,
			strerror(-err));
		return err;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 || info.max_entries != 1 ||
	    !info.value_size) {
		pr_warn("%s: program %s: its guards map (id %u) is not a one-element array",
			t->name, tp->name, info.id);
		return -EINVAL;
	}
	value = calloc(1, info.value_size);
	if (!value)
		return -ENOMEM;
	if (bpf_map_lookup_elem(tp->guards_map_fd, &zero, value)) {
		err = -errno;
		pr_warn("%s: program %s: cannot read its guards map (id %u): %s", t->name,
			tp->name, info.id, strerror(-err));
		free(value);
		return err;
	}
	for (i = 0; i < tp->guard_cnt; i++) {
		const struct sdt_prog_guard *pg = &tp->guards[i];

		if (pg->value_off < info.value_size && on(ctx, bpf_sdt_guard__probe(pg->guard)))
			value[pg->value_off] = 1;
	}
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = info.map_flags);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, info.name, 4, info.value_size, 1, &opts);
	if (fd < 0 || bpf_map_update_elem(fd, &zero, value, 0) || bpf_map_freeze(fd)) {
		err = -errno;
		pr_warn("%s: program %s: cannot make a copy of its guards map (id %u): %s",
			t->name, tp->name, info.id, strerror(-err));
		if (fd >= 0)
			close(fd);
		fd = err;
	}
	free(value);
	return fd;
}

void sdt_guards_rebind(struct bpf_insn *insns, __u32 cnt, int from_fd, int to_fd)
{
	__u32 i;

	for (i = 0; i + 1 < cnt; i++) {
		if (!is_ld_imm64(&insns[i]))
			continue;
		if ((insns[i].src_reg == BPF_PSEUDO_MAP_VALUE ||
		     insns[i].src_reg == BPF_PSEUDO_MAP_FD) && insns[i].imm == from_fd)
			insns[i].imm = to_fd;
		i++; /* its second half */
	}
}
