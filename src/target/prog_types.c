// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Types for programs in sections libbpf does not know (see prog_types.h). */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/util.h"
#include "target/prog_types.h"

/* A program the capture's fallback handler took: libbpf gave it no type. */
static bool typeless(const struct bpf_program *prog)
{
	return bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC;
}

static void leave_unloaded(struct bpf_program *prog, const char *name)
{
	bpf_program__set_autoload(prog, false);
	pr_info("%s: program %s is not loaded: libbpf does not know its section \"%s\" (give its type: --type)",
		name, bpf_program__name(prog), bpf_program__section_name(prog));
}

static void give_type(struct bpf_program *prog, __u32 type, __u32 attach_type)
{
	bpf_program__set_type(prog, type);
	bpf_program__set_expected_attach_type(prog, attach_type);
}

void sdt_type_unknown_sections(struct bpf_object *obj, const char *name, __u32 type,
			       __u32 attach_type, const char *only)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		if (!typeless(prog))
			continue;
		if (type && (!only || !strcmp(only, bpf_program__name(prog))))
			give_type(prog, type, attach_type);
		else
			leave_unloaded(prog, name);
	}
}

void sdt_type_unknown_sections_as(struct bpf_object *obj, const char *name,
				  const struct bpf_prog_info *running, int n, __u32 attach_type)
{
	struct bpf_program *prog;
	int i;

	bpf_object__for_each_program(prog, obj) {
		if (!typeless(prog))
			continue;
		/* names as the kernel keeps them: BPF_OBJ_NAME_LEN - 1 bytes */
		for (i = 0; i < n; i++)
			if (running[i].type && !strncmp(bpf_program__name(prog), running[i].name,
							BPF_OBJ_NAME_LEN - 1))
				break;
		if (i < n) {
			pr_debug("%s: program %s in section \"%s\" has the running program's type, %s",
				 name, bpf_program__name(prog), bpf_program__section_name(prog),
				 libbpf_bpf_prog_type_str(running[i].type));
			give_type(prog, running[i].type, attach_type);
		} else {
			leave_unloaded(prog, name);
		}
	}
}

/* A prog array the ELF fills with its programs (`.values = { ... }`): the
 * name of the first, or NULL. libbpf writes those slots at load time, which
 * would put rebuilt programs into the running map once it is bound. */
const char *sdt_prefilled_prog_array(struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	__u32 id, n = btf ? btf__type_cnt(btf) : 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *sec = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
		int i;

		if (!btf_is_datasec(sec) || strcmp(btf__name_by_offset(btf, sec->name_off), ".maps"))
			continue;
		for (i = 0; i < btf_vlen(sec); i++, vsi++) {
			const struct btf_type *var = btf__type_by_id(btf, vsi->type);
			const char *map_name = btf__name_by_offset(btf, var->name_off);
			const struct btf_type *def;
			const struct btf_member *m;
			struct bpf_map *map = bpf_object__find_map_by_name(obj, map_name);
			int j;

			def = btf__type_by_id(btf, btf__resolve_type(btf, var->type));
			if (!def || !btf_is_struct(def) || !map ||
			    bpf_map__type(map) != BPF_MAP_TYPE_PROG_ARRAY)
				continue;
			m = btf_members(def);
			for (j = 0; j < btf_vlen(def); j++, m++)
				if (!strcmp(btf__name_by_offset(btf, m->name_off), "values"))
					return map_name;
		}
	}
	return NULL;
}
