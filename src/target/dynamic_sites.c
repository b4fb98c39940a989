// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dynamic sites. A spec names either a program's final instruction
 * ("xdp_prog+12": the index libbpf loaded it at, the one `bpfsdt list` and
 * `bpfsdt sweep` print) or a source line ("xdp_filter.bpf.c:57": through the
 * program's line info, the first instruction of the line in each function
 * that has it, as a debugger sets a line breakpoint). The probe and its
 * sites live with the target; each site is added to its program's site
 * list marked `insert`, so relinking puts its sequence before the
 * instruction; relinking counts the registers it reads only while it is
 * armed with a call.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "target/dynamic_sites.h"
#include "insn/insn_patch.h"

struct sdt_dynamic_probe {
	struct sdt_dynamic_probe *next;
	struct sdt_dynamic_probe *hnext;	/* in t->dyn_hash */
	struct sdt_decl decl;
	struct bpf_sdt_probe probe;
	struct bpf_sdt_site *sites;
	const struct bpf_sdt_site **site_ptrs;
	size_t site_cnt;
};

__u32 sdt_prog_boundaries(const struct sdt_target_prog *tp, __u32 *idx)
{
	__u32 i, n = 0;

	for (i = 0; i < tp->cap.insn_cnt; i += sdt_insn_is_ld_imm64(&tp->cap.insns[i]) ? 2 : 1)
		idx[n++] = i;
	return n;
}

static bool is_boundary(const struct sdt_target_prog *tp, __u32 insn)
{
	return insn < tp->cap.insn_cnt &&
	       !(insn && sdt_insn_is_ld_imm64(&tp->cap.insns[insn - 1]));
}

static __u32 func_of(const struct sdt_target_prog *tp, __u32 idx)
{
	__u32 f = 0;

	while (f + 1 < tp->nfuncs && tp->funcs[f + 1].start <= idx)
		f++;
	return f;
}

static const char *func_name(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
			     __u32 f)
{
	const struct btf_type *ft;

	if (!f || !t->btf)
		return tp->name;
	ft = btf__type_by_id(t->btf, tp->func_type_ids[f]);
	return ft ? btf__name_by_offset(t->btf, ft->name_off) : "?";
}

/* "unsigned long long" in the object's BTF, added if it has none: the
 * type the event printer formats each register with. */
static __u32 u64_type(struct bpf_sdt_target *t)
{
	struct btf *btf = (struct btf *)bpf_sdt_object__btf(t->sdt);
	int id;

	if (!btf)
		return 0;
	id = btf__find_by_name_kind(btf, "unsigned long long", BTF_KIND_INT);
	if (id < 0)
		id = btf__add_int(btf, "unsigned long long", 8, 0);
	return id < 0 ? 0 : (__u32)id;
}

static struct sdt_dynamic_probe *probe_new(struct bpf_sdt_target *t, const char *spec)
{
	struct sdt_dynamic_probe *d = calloc(1, sizeof(*d));
	__u32 u64 = u64_type(t);
	int r;

	if (!d || !(d->decl.name = strdup(spec))) {
		free(d);
		return NULL;
	}
	d->decl.nargs = SDT_DYNAMIC_NARGS;
	for (r = 0; r < SDT_DYNAMIC_NARGS; r++) {
		d->decl.arg_type_ids[r] = u64;
		d->decl.arg_type_names[r] = "unsigned long long";
	}
	d->probe.decl = &d->decl;
	d->probe.dynamic = true;
	return d;
}

static void probe_free(struct sdt_dynamic_probe *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->site_cnt; i++)
		free((char *)d->sites[i].function);
	free(d->sites);
	free(d->site_ptrs);
	free(d->decl.name);
	free(d);
}

/* Adds a site of d at instruction idx of tp. */
static int add_site(struct bpf_sdt_target *t, struct sdt_dynamic_probe *d,
		    struct sdt_target_prog *tp, __u32 idx)
{
	struct bpf_sdt_site *s;
	__u32 f = func_of(tp, idx);
	int r, err;

	err = sdt_target_prog_prepare(t, tp); /* which registers are set here */
	if (err)
		return err;
	s = realloc(d->sites, (d->site_cnt + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	d->sites = s;
	s = &d->sites[d->site_cnt];
	memset(s, 0, sizeof(*s));
	s->probe = &d->probe;
	s->section = f ? ".text" : bpf_program__section_name(tp->prog);
	s->function = strdup(func_name(t, tp, f));
	if (!s->function)
		return -ENOMEM;
	s->insn = idx - tp->funcs[f].start;
	s->section_insn = s->insn;
	s->id = SDT_DYNAMIC_SITE_ID_BASE + t->dyn_site_cnt;
	s->dynamic = true;
	s->owner = tp;
	s->nargs = SDT_DYNAMIC_NARGS;
	for (r = 0; r < SDT_DYNAMIC_NARGS; r++) {
		s->args[r].reg = (__u8)r;
		s->args[r].kind = tp->regs[idx].init_in & SDT_REG_BIT(r) ? BPF_SDT_ARG_REG :
									    BPF_SDT_ARG_NONE;
	}
	d->site_cnt++;
	t->dyn_site_cnt++;
	return 0;
}

/* Records d's sites in their programs' site lists (room first: nothing is
 * half-recorded). Dynamic sites need no argument check. */
/* Room for n more sites in tp's lists: grown geometrically, so that
 * thousands of dynamic probes (a sweep) do not copy the lists thousands of
 * times. */
static int reserve_sites(struct sdt_target_prog *tp, size_t n)
{
	size_t cap = tp->site_cap ? tp->site_cap : 8;
	struct sdt_prog_site *ps;
	__u8 *verdict;

	if (tp->site_cnt + n <= tp->site_cap)
		return 0;
	while (cap < tp->site_cnt + n)
		cap *= 2;
	ps = realloc(tp->sites, cap * sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	tp->sites = ps;
	if (tp->site_verdict) {
		verdict = realloc(tp->site_verdict, cap + 1);
		if (!verdict)
			return -ENOMEM;
		tp->site_verdict = verdict;
	}
	tp->site_cap = cap;
	return 0;
}

static int publish(struct bpf_sdt_target *t, struct sdt_dynamic_probe *d,
		   struct sdt_target_prog **progs, const __u32 *idx)
{
	size_t i;
	int err;

	d->site_ptrs = calloc(d->site_cnt ? d->site_cnt : 1, sizeof(*d->site_ptrs));
	if (!d->site_ptrs)
		return -ENOMEM;
	for (i = 0; i < d->site_cnt; i++) {
		err = reserve_sites(progs[i], d->site_cnt);
		if (err)
			return err;
	}
	for (i = 0; i < d->site_cnt; i++) {
		struct sdt_target_prog *tp = progs[i];

		if (tp->site_verdict)
			tp->site_verdict[tp->site_cnt] = SDT_SITE_OK;
		tp->sites[tp->site_cnt++] = (struct sdt_prog_site){
			.site = &d->sites[i], .idx = idx[i], .func = func_of(tp, idx[i]),
			.insert = true,
		};
		d->site_ptrs[i] = &d->sites[i];
	}
	d->probe.sites = d->site_ptrs;
	d->probe.site_cnt = d->site_cnt;
	(void)t;
	return 0;
}

static size_t name_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct sdt_dynamic_probe *find_dynamic(const struct bpf_sdt_target *t, const char *spec)
{
	struct sdt_dynamic_probe *d;

	if (!t->dyn_hash_size)
		return NULL;
	for (d = t->dyn_hash[name_hash(spec) & (t->dyn_hash_size - 1)]; d; d = d->hnext)
		if (!strcmp(d->decl.name, spec))
			return d;
	return NULL;
}

/* Lists d with the target's dynamic probes and in its name index (grown
 * to twice the probes, rehashed). */
static int remember(struct bpf_sdt_target *t, struct sdt_dynamic_probe *d)
{
	if (2 * (t->dyn_cnt + 1) > t->dyn_hash_size) {
		size_t size = t->dyn_hash_size ? 2 * t->dyn_hash_size : 64;
		struct sdt_dynamic_probe **h = calloc(size, sizeof(*h)), *e;

		if (!h)
			return -ENOMEM;
		for (e = t->dyn; e; e = e->next) {
			size_t b = name_hash(e->decl.name) & (size - 1);

			e->hnext = h[b];
			h[b] = e;
		}
		free(t->dyn_hash);
		t->dyn_hash = h;
		t->dyn_hash_size = size;
	}
	d->next = t->dyn;
	t->dyn = d;
	d->hnext = t->dyn_hash[name_hash(d->decl.name) & (t->dyn_hash_size - 1)];
	t->dyn_hash[name_hash(d->decl.name) & (t->dyn_hash_size - 1)] = d;
	t->dyn_cnt++;
	return 0;
}

static bool parse_u32(const char *s, __u32 *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > UINT_MAX)
		return false;
	*out = (__u32)v;
	return true;
}

/* Does line info file name `file` name the file the user wrote? */
static bool same_file(const char *file, const char *want)
{
	size_t fl = strlen(file), wl = strlen(want);

	return !strcmp(file, want) ||
	       (fl > wl && file[fl - wl - 1] == '/' && !strcmp(file + fl - wl, want));
}

struct found {
	struct sdt_target_prog **progs;
	__u32 *idx;
	size_t cnt, cap;
};

static int found_add(struct found *f, struct sdt_target_prog *tp, __u32 idx)
{
	size_t i;

	for (i = 0; i < f->cnt; i++)
		if (f->progs[i] == tp && f->idx[i] == idx)
			return 0;
	if (f->cnt == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		struct sdt_target_prog **p = realloc(f->progs, cap * sizeof(*p));
		__u32 *x = p ? realloc(f->idx, cap * sizeof(*x)) : NULL;

		if (p)
			f->progs = p;
		if (!x)
			return -ENOMEM;
		f->idx = x;
		f->cap = cap;
	}
	f->progs[f->cnt] = tp;
	f->idx[f->cnt++] = idx;
	return 0;
}

/* For each function of each program, the first instruction of file:line. */
static int resolve_line(struct bpf_sdt_target *t, const char *file, __u32 line,
			struct found *out)
{
	size_t p;
	int err = 0;

	for (p = 0; p < t->prog_cnt && !err; p++) {
		struct sdt_target_prog *tp = &t->progs[p];
		__u32 i, f, best_f = UINT_MAX, best = 0;

		if (!tp->captured || !t->btf || tp->native)
			continue;
		for (i = 0; i < tp->cap.line_info_cnt && !err; i++) {
			const struct bpf_line_info *li = (const void *)((const char *)tp->cap.line_info +
				(size_t)i * tp->cap.line_info_rec_size);
			const char *name = btf__name_by_offset(t->btf, li->file_name_off);

			if (BPF_LINE_INFO_LINE_NUM(li->line_col) != line || !name ||
			    !same_file(name, file) || !is_boundary(tp, li->insn_off))
				continue;
			f = func_of(tp, li->insn_off);
			if (f == best_f)
				continue; /* the line's later pieces in the same function */
			if (best_f != UINT_MAX)
				err = found_add(out, tp, best);
			best_f = f;
			best = li->insn_off;
		}
		if (!err && best_f != UINT_MAX)
			err = found_add(out, tp, best);
	}
	return err;
}

/* The boundaries spec names: 0 with out filled, -ENOENT when spec is not
 * a dynamic spec at all, other errors after a diagnostic. */
static int resolve(struct bpf_sdt_target *t, const char *spec, struct found *out)
{
	const char *plus = strrchr(spec, '+'), *colon = strrchr(spec, ':');
	char name[256];
	__u32 n;

	if (plus && parse_u32(plus + 1, &n) && (size_t)(plus - spec) < sizeof(name)) {
		struct sdt_target_prog *tp;

		memcpy(name, spec, plus - spec);
		name[plus - spec] = '\0';
		tp = sdt_target_find_prog(t, name);
		if (!tp)
			return -ENOENT;
		if (tp->native) {
			pr_warn("%s: %s: program %s holds its sites in the kernel (in-kernel SDT); dynamic sites need relinking (BPFSDT_NATIVE=0)",
				t->name, spec, name);
			return -EOPNOTSUPP;
		}
		if (!tp->captured || !is_boundary(tp, n)) {
			pr_warn("%s: %s: program %s has no instruction boundary %u (%u instructions%s)",
				t->name, spec, name, n, tp->cap.insn_cnt,
				tp->captured && n < tp->cap.insn_cnt ?
				"; that is the second half of a 16-byte load" : "");
			return -EINVAL;
		}
		return found_add(out, tp, n);
	}
	if (colon && colon != spec && parse_u32(colon + 1, &n) &&
	    (size_t)(colon - spec) < sizeof(name)) {
		int err;

		memcpy(name, spec, colon - spec);
		name[colon - spec] = '\0';
		err = resolve_line(t, name, n, out);
		if (!err && !out->cnt) {
			pr_warn("%s: %s: no program has code from line %u of %s (line info)", t->name,
				spec, n, name);
			return -EINVAL;
		}
		return err;
	}
	return -ENOENT;
}

const struct bpf_sdt_probe *sdt_dynamic_probe(struct bpf_sdt_target *t, const char *spec)
{
	struct sdt_dynamic_probe *d;
	struct found f = {};
	size_t i;
	int err;

	d = find_dynamic(t, spec);
	if (d)
		return &d->probe;
	err = resolve(t, spec, &f);
	d = err ? NULL : probe_new(t, spec);
	if (!err && !d)
		err = -ENOMEM;
	for (i = 0; i < f.cnt && !err; i++)
		err = add_site(t, d, f.progs[i], f.idx[i]);
	if (!err)
		err = remember(t, d);
	else
		probe_free(d); /* not listed: nobody else frees it */
	/* after this, d is listed: a failed publish (no memory) leaves it a
	 * probe without sites, freed with the target */
	if (!err)
		err = publish(t, d, f.progs, f.idx);
	free(f.progs);
	free(f.idx);
	if (err) {
		errno = -err;
		return NULL;
	}
	return &d->probe;
}

const struct bpf_sdt_site *sdt_dynamic_site_by_id(const struct bpf_sdt_target *t, __u32 id)
{
	const struct sdt_dynamic_probe *d;
	size_t i;

	for (d = t->dyn; d; d = d->next)
		for (i = 0; i < d->site_cnt; i++)
			if (d->sites[i].id == id)
				return &d->sites[i];
	return NULL;
}

bool sdt_probe_is_dynamic(const struct bpf_sdt_target *t, const struct bpf_sdt_probe *probe)
{
	(void)t;
	return probe->dynamic;
}

void sdt_dynamic_free(struct bpf_sdt_target *t)
{
	struct sdt_dynamic_probe *d, *next;

	for (d = t->dyn; d; d = next) {
		next = d->next;
		probe_free(d);
	}
	t->dyn = NULL;
	free(t->dyn_hash);
	t->dyn_hash = NULL;
	t->dyn_hash_size = t->dyn_cnt = 0;
}

const struct bpf_sdt_probe *bpf_sdt_target__find_probe(struct bpf_sdt_target *t, const char *name)
{
	const struct bpf_sdt_probe *p;

	if (!t || !name) {
		errno = EINVAL;
		return NULL;
	}
	p = bpf_sdt_object__find_probe(t->sdt, name);
	if (p)
		return p;
	p = sdt_dynamic_probe(t, name);
	if (!p && errno == ENOENT)
		pr_warn("%s: the target declares no probe %s (nor is it a PROG+INSN or FILE:LINE site)",
			t->name, name);
	return p;
}

const struct bpf_sdt_site *bpf_sdt_target__site_by_id(const struct bpf_sdt_target *t, __u32 id)
{
	return id >= SDT_DYNAMIC_SITE_ID_BASE ? sdt_dynamic_site_by_id(t, id) :
						 bpf_sdt_object__site_by_id(t->sdt, id);
}

bool bpf_sdt_site__is_dynamic(const struct bpf_sdt_site *site)
{
	return site && site->dynamic;
}
