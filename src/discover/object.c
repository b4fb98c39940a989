// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_sdt_object: the probe table of one BPF ELF object.
 *
 * Opening runs every discovery stage and keeps only their result: nothing of
 * the ELF image is referenced afterwards, and on any failure nothing is
 * returned at all.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "discover/discover.h"

#define MEM_OBJECT_NAME "<memory>"

static const struct sdt_decl *find_decl(const struct bpf_sdt_object *obj, const char *name)
{
	size_t lo = 0, hi = obj->decl_cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, obj->decls[mid].name);

		if (!c)
			return &obj->decls[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int cmp_site(const void *a, const void *b)
{
	const struct bpf_sdt_site *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	if (c)
		return c;
	return x->section_insn < y->section_insn ? -1 : x->section_insn > y->section_insn;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* A site's id: how many .bpf_sdt_notes entries precede its own. */
static __u32 entry_position(const __u64 *sorted_offs, size_t n, __u64 off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted_offs[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (__u32)lo;
}

/* Sites: every note matched to its declaration, sorted by section and
 * offset; then each probe's list of its own sites in that order. */
static int link_sites(struct bpf_sdt_object *obj)
{
	__u64 *offs;
	size_t i, p;

	obj->sites = sdt_calloc(obj->note_cnt, sizeof(*obj->sites));
	obj->probes = sdt_calloc(obj->decl_cnt, sizeof(*obj->probes));
	offs = sdt_calloc(obj->note_cnt, sizeof(*offs));
	if (!obj->sites || !obj->probes || !offs) {
		free(offs);
		return -ENOMEM;
	}
	for (i = 0; i < obj->note_cnt; i++)
		offs[i] = obj->notes[i].note_off;
	qsort(offs, obj->note_cnt, sizeof(*offs), cmp_u64);
	obj->probe_cnt = obj->decl_cnt;
	for (p = 0; p < obj->decl_cnt; p++)
		obj->probes[p].decl = &obj->decls[p];

	for (i = 0; i < obj->note_cnt; i++) {
		const struct sdt_note *n = &obj->notes[i];
		const struct sdt_decl *d = find_decl(obj, n->probe_name);
		struct bpf_sdt_site *s = &obj->sites[i];
		unsigned long long at = n->nop_off / SDT_INSN_SZ;

		if (!d) {
			pr_warn("%s: probe %s at %s insn %llu: no declaration in BTF (no DECL_TAG \"bpf_sdt:%s:%d\")",
				obj->name, n->probe_name, n->section, at, n->probe_name, n->nargs);
			free(offs);
			return -EINVAL;
		}
		if (d->nargs != n->nargs) {
			pr_warn("%s: probe %s at %s insn %llu: site passes %d arguments, the probe is declared with %d",
				obj->name, n->probe_name, n->section, at, n->nargs, d->nargs);
			free(offs);
			return -EINVAL;
		}
		s->probe = &obj->probes[d - obj->decls];
		s->section = n->section;
		s->function = n->function;
		s->section_insn = (__u32)at;
		s->insn = (__u32)((n->nop_off - (n->function ? n->function_off : 0)) / SDT_INSN_SZ);
		s->nargs = n->nargs;
		s->id = entry_position(offs, obj->note_cnt, n->note_off);
		memcpy(s->args, n->args, sizeof(s->args));
	}
	free(offs);
	obj->site_cnt = obj->note_cnt;
	qsort(obj->sites, obj->site_cnt, sizeof(*obj->sites), cmp_site);

	for (i = 0; i < obj->site_cnt; i++)
		((struct bpf_sdt_probe *)obj->sites[i].probe)->site_cnt++;
	for (p = 0; p < obj->probe_cnt; p++) {
		obj->probes[p].sites = sdt_calloc(obj->probes[p].site_cnt, sizeof(void *));
		if (!obj->probes[p].sites)
			return -ENOMEM;
		obj->probes[p].site_cnt = 0;
	}
	for (i = 0; i < obj->site_cnt; i++) {
		struct bpf_sdt_probe *probe = (struct bpf_sdt_probe *)obj->sites[i].probe;

		probe->sites[probe->site_cnt++] = &obj->sites[i];
	}
	return 0;
}

static int cmp_guard(const void *a, const void *b)
{
	const struct bpf_sdt_guard *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	if (c)
		return c;
	return x->section_insn < y->section_insn ? -1 : x->section_insn > y->section_insn;
}

/* Guards: every guard note matched to its probe's declaration, sorted by
 * section and offset; then each probe's list of its own. */
static int link_guards(struct bpf_sdt_object *obj)
{
	size_t i, p;

	obj->guards = sdt_calloc(obj->guard_note_cnt ? obj->guard_note_cnt : 1,
				 sizeof(*obj->guards));
	if (!obj->guards)
		return -ENOMEM;
	for (i = 0; i < obj->guard_note_cnt; i++) {
		const struct sdt_guard_note *n = &obj->guard_notes[i];
		const struct sdt_decl *d = find_decl(obj, n->probe_name);
		struct bpf_sdt_guard *g = &obj->guards[i];
		__u64 base = n->function ? n->function_off : 0;

		if (!d) {
			pr_warn("%s: guard of probe %s at %s insn %llu: no declaration in BTF",
				obj->name, n->probe_name, n->section,
				(unsigned long long)(n->insn_off / SDT_INSN_SZ));
			return -EINVAL;
		}
		g->probe = &obj->probes[d - obj->decls];
		g->section = n->section;
		g->function = n->function;
		g->section_insn = (__u32)(n->insn_off / SDT_INSN_SZ);
		g->insn = (__u32)((n->insn_off - base) / SDT_INSN_SZ);
		g->block_insn = (__u32)((__s64)g->insn + SDT_GUARD_INSNS + n->jump_off);
	}
	obj->guard_cnt = obj->guard_note_cnt;
	qsort(obj->guards, obj->guard_cnt, sizeof(*obj->guards), cmp_guard);
	for (i = 0; i < obj->guard_cnt; i++)
		((struct bpf_sdt_probe *)obj->guards[i].probe)->guard_cnt++;
	for (p = 0; p < obj->probe_cnt; p++) {
		struct bpf_sdt_probe *probe = &obj->probes[p];

		probe->guards = sdt_calloc(probe->guard_cnt ? probe->guard_cnt : 1,
					   sizeof(void *));
		if (!probe->guards)
			return -ENOMEM;
		probe->guard_cnt = 0;
	}
	for (i = 0; i < obj->guard_cnt; i++) {
		struct bpf_sdt_probe *probe = (struct bpf_sdt_probe *)obj->guards[i].probe;

		probe->guards[probe->guard_cnt++] = &obj->guards[i];
	}
	return 0;
}

/* Function probes (BPF_SDT_FUNCn): a global FUNC named after the probe,
 * tagged "bpf_sdt_func:<probe>:<nargs>". */
static void mark_func_probes(struct bpf_sdt_object *obj)
{
	__u32 id, n = obj->btf ? btf__type_cnt(obj->btf) : 0;
	size_t p;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, id), *fn;
		const char *tag, *name;

		if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1)
			continue;
		tag = btf__name_by_offset(obj->btf, t->name_off);
		fn = btf__type_by_id(obj->btf, t->type);
		if (!tag || strncmp(tag, SDT_FUNC_TAG_PREFIX, strlen(SDT_FUNC_TAG_PREFIX)) ||
		    !fn || !btf_is_func(fn) || btf_vlen(fn) != BTF_FUNC_GLOBAL)
			continue;
		name = btf__name_by_offset(obj->btf, fn->name_off);
		for (p = 0; name && p < obj->probe_cnt; p++)
			if (!strcmp(obj->probes[p].decl->name, name))
				obj->probes[p].func = true;
	}
}

static int discover(struct bpf_sdt_object *obj, const void *buf, size_t size)
{
	struct sdt_elf *elf;
	int err;

	err = sdt_elf_open(buf, size, obj->name, &elf);
	if (err)
		return err;
	err = sdt_decls_parse(elf, obj->name, &obj->btf, &obj->decls, &obj->decl_cnt);
	if (!err)
		err = sdt_notes_parse(elf, obj->name, &obj->notes, &obj->note_cnt);
	if (!err)
		err = sdt_guard_notes_parse(elf, obj->name, &obj->guard_notes,
					    &obj->guard_note_cnt);
	if (!err)
		err = sdt_elf_read_string_section(elf, "license", &obj->license);
	if (!err && obj->note_cnt && !obj->btf) {
		pr_warn("%s: has %s but no .BTF section (compile with clang -g)", obj->name,
			SDT_NOTES_SEC);
		err = -EINVAL;
	}
	if (!err)
		err = link_sites(obj);
	if (!err)
		err = sdt_line_info_apply(elf, obj->btf, obj->sites, obj->site_cnt);
	sdt_elf_close(elf);
	if (!err)
		err = link_guards(obj);
	if (!err)
		mark_func_probes(obj);
	return err;
}

struct bpf_sdt_object *sdt_object_from_btf(struct btf *btf, const char *name)
{
	struct bpf_sdt_object *obj = calloc(1, sizeof(*obj));
	int err = -ENOMEM;

	if (!obj) {
		btf__free(btf);
		errno = ENOMEM;
		return NULL;
	}
	obj->btf = btf;
	obj->name = strdup(name);
	if (obj->name)
		err = sdt_decls_from_btf(btf, name, &obj->decls, &obj->decl_cnt);
	if (!err)
		err = link_sites(obj);
	if (err) {
		bpf_sdt_object__close(obj);
		errno = -err;
		return NULL;
	}
	mark_func_probes(obj);
	return obj;
}

static const char *opts_name(const struct bpf_sdt_open_opts *opts, const char *fallback)
{
	return SDT_OPTS_GET(opts, object_name, NULL) ?: fallback;
}

struct bpf_sdt_object *bpf_sdt_object__open_mem(const void *buf, size_t size,
						const struct bpf_sdt_open_opts *opts)
{
	struct bpf_sdt_object *obj;
	int err;

	if (!SDT_OPTS_VALID(opts, bpf_sdt_open_opts) || !buf) {
		errno = EINVAL;
		return NULL;
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	obj->name = strdup(opts_name(opts, MEM_OBJECT_NAME));
	err = obj->name ? discover(obj, buf, size) : -ENOMEM;
	if (err) {
		bpf_sdt_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

struct bpf_sdt_object *bpf_sdt_object__open_file(const char *path,
						 const struct bpf_sdt_open_opts *opts)
{
	struct bpf_sdt_open_opts named = { .sz = sizeof(named) };
	struct bpf_sdt_object *obj;
	void *buf = NULL;
	size_t size = 0;
	int err;

	if (!SDT_OPTS_VALID(opts, bpf_sdt_open_opts) || !path) {
		errno = EINVAL;
		return NULL;
	}
	named.object_name = opts_name(opts, path);
	buf = sdt_read_file(path, &size, &err);
	if (!buf) {
		pr_warn("%s: cannot read: %s", named.object_name,
			err == -EINVAL ? "not a regular file" : strerror(-err));
		errno = -err;
		return NULL;
	}
	obj = bpf_sdt_object__open_mem(buf, size, &named);
	err = errno;
	free(buf);
	errno = err;
	return obj;
}

void bpf_sdt_object__close(struct bpf_sdt_object *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->probe_cnt; i++) {
		free(obj->probes[i].sites);
		free(obj->probes[i].guards);
	}
	free(obj->probes);
	free(obj->sites);
	free(obj->guards);
	sdt_guard_notes_free(obj->guard_notes, obj->guard_note_cnt);
	sdt_notes_free(obj->notes, obj->note_cnt);
	sdt_decls_free(obj->decls, obj->decl_cnt);
	btf__free(obj->btf);
	free(obj->license);
	free(obj->name);
	free(obj);
}
