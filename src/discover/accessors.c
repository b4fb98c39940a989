// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Read-only accessors of discovered objects, probes and sites. */
#include <string.h>
#include "discover/discover.h"

const char *bpf_sdt_object__name(const struct bpf_sdt_object *obj)
{
	return obj->name;
}

const struct btf *bpf_sdt_object__btf(const struct bpf_sdt_object *obj)
{
	return obj->btf;
}

size_t bpf_sdt_object__probe_cnt(const struct bpf_sdt_object *obj)
{
	return obj->probe_cnt;
}

const struct bpf_sdt_probe *bpf_sdt_object__probe(const struct bpf_sdt_object *obj, size_t idx)
{
	return idx < obj->probe_cnt ? &obj->probes[idx] : NULL;
}

const struct bpf_sdt_probe *bpf_sdt_object__find_probe(const struct bpf_sdt_object *obj,
							const char *name)
{
	size_t i;

	for (i = 0; i < obj->probe_cnt; i++)
		if (!strcmp(obj->probes[i].decl->name, name))
			return &obj->probes[i];
	return NULL;
}

size_t bpf_sdt_object__site_cnt(const struct bpf_sdt_object *obj)
{
	return obj->site_cnt;
}

const struct bpf_sdt_site *bpf_sdt_object__site(const struct bpf_sdt_object *obj, size_t idx)
{
	return idx < obj->site_cnt ? &obj->sites[idx] : NULL;
}

const struct bpf_sdt_site *bpf_sdt_object__site_by_id(const struct bpf_sdt_object *obj, __u32 id)
{
	size_t i;

	for (i = 0; i < obj->site_cnt; i++)
		if (obj->sites[i].id == id)
			return &obj->sites[i];
	return NULL;
}

const char *bpf_sdt_probe__name(const struct bpf_sdt_probe *probe)
{
	return probe->decl->name;
}

int bpf_sdt_probe__arg_cnt(const struct bpf_sdt_probe *probe)
{
	return probe->decl->nargs;
}

__u32 bpf_sdt_probe__proto_type_id(const struct bpf_sdt_probe *probe)
{
	return probe->decl->proto_id;
}

__u32 bpf_sdt_probe__arg_type_id(const struct bpf_sdt_probe *probe, int idx)
{
	return idx >= 0 && idx < probe->decl->nargs ? probe->decl->arg_type_ids[idx] : 0;
}

const char *bpf_sdt_probe__arg_type_name(const struct bpf_sdt_probe *probe, int idx)
{
	return idx >= 0 && idx < probe->decl->nargs ? probe->decl->arg_type_names[idx] : NULL;
}

size_t bpf_sdt_probe__site_cnt(const struct bpf_sdt_probe *probe)
{
	return probe->site_cnt;
}

const struct bpf_sdt_site *bpf_sdt_probe__site(const struct bpf_sdt_probe *probe, size_t idx)
{
	return idx < probe->site_cnt ? probe->sites[idx] : NULL;
}

const struct bpf_sdt_probe *bpf_sdt_site__probe(const struct bpf_sdt_site *site)
{
	return site->probe;
}

const char *bpf_sdt_site__section(const struct bpf_sdt_site *site)
{
	return site->section;
}

const char *bpf_sdt_site__function(const struct bpf_sdt_site *site)
{
	return site->function;
}

__u32 bpf_sdt_site__insn(const struct bpf_sdt_site *site)
{
	return site->insn;
}

__u32 bpf_sdt_site__section_insn(const struct bpf_sdt_site *site)
{
	return site->section_insn;
}

__u32 bpf_sdt_site__id(const struct bpf_sdt_site *site)
{
	return site->id;
}

int bpf_sdt_site__arg_cnt(const struct bpf_sdt_site *site)
{
	return site->nargs;
}

const struct bpf_sdt_arg_loc *bpf_sdt_site__arg(const struct bpf_sdt_site *site, int idx)
{
	return idx >= 0 && idx < site->nargs ? &site->args[idx] : NULL;
}

size_t bpf_sdt_object__guard_cnt(const struct bpf_sdt_object *obj)
{
	return obj->guard_cnt;
}

const struct bpf_sdt_guard *bpf_sdt_object__guard(const struct bpf_sdt_object *obj, size_t idx)
{
	return idx < obj->guard_cnt ? &obj->guards[idx] : NULL;
}

size_t bpf_sdt_probe__guard_cnt(const struct bpf_sdt_probe *probe)
{
	return probe->guard_cnt;
}

const struct bpf_sdt_guard *bpf_sdt_probe__guard(const struct bpf_sdt_probe *probe, size_t idx)
{
	return idx < probe->guard_cnt ? probe->guards[idx] : NULL;
}

bool bpf_sdt_probe__is_func(const struct bpf_sdt_probe *probe)
{
	return probe->func;
}

const struct bpf_sdt_probe *bpf_sdt_guard__probe(const struct bpf_sdt_guard *guard)
{
	return guard->probe;
}

const char *bpf_sdt_guard__section(const struct bpf_sdt_guard *guard)
{
	return guard->section;
}

const char *bpf_sdt_guard__function(const struct bpf_sdt_guard *guard)
{
	return guard->function;
}

__u32 bpf_sdt_guard__insn(const struct bpf_sdt_guard *guard)
{
	return guard->insn;
}

__u32 bpf_sdt_guard__section_insn(const struct bpf_sdt_guard *guard)
{
	return guard->section_insn;
}

__u32 bpf_sdt_guard__block_insn(const struct bpf_sdt_guard *guard)
{
	return guard->block_insn;
}

const char *bpf_sdt_site__file(const struct bpf_sdt_site *site)
{
	return site->file;
}

__u32 bpf_sdt_site__line(const struct bpf_sdt_site *site)
{
	return site->line;
}
