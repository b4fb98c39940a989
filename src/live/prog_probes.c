// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The probes of a loaded program without its ELF (bpf_sdt_object__open_prog_id()):
 * the kernel keeps the BTF a program was loaded with, declarations and
 * all, so an operator can ask what a running program offers before
 * looking for the file it came from. Its sites are another matter: the
 * notes never reach the kernel and the verifier drops the NOPs, so they
 * need the ELF.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "discover/discover.h"

struct bpf_sdt_object *bpf_sdt_object__open_prog_id(__u32 prog_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_sdt_object *obj;
	char name[64];
	struct btf *btf;
	int fd, err;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0) {
		err = -errno;
		pr_warn("prog %u: %s", prog_id, err == -ENOENT ? "no such program" : strerror(-err));
		errno = -err;
		return NULL;
	}
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err) {
		pr_warn("prog %u: cannot read its info: %s", prog_id, strerror(-err));
		errno = -err;
		return NULL;
	}
	snprintf(name, sizeof(name), "prog %u (%s)", prog_id, info.name);
	if (!info.btf_id) {
		pr_warn("%s: was loaded without BTF: its probes need its ELF (bpfsdt list FILE)", name);
		errno = ENODATA;
		return NULL;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		err = -errno;
		pr_warn("%s: cannot read its BTF (id %u): %s", name, info.btf_id, strerror(-err));
		errno = -err;
		return NULL;
	}
	obj = sdt_object_from_btf(btf, name);
	if (!obj)
		return NULL;
	if (!bpf_sdt_object__probe_cnt(obj)) {
		pr_warn("%s: its BTF declares no probes: they need its ELF (bpfsdt list FILE)", name);
		bpf_sdt_object__close(obj);
		errno = ENODATA;
		return NULL;
	}
	return obj;
}
