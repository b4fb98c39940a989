// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Selecting sites of a probe by id or by source line. An operator reads
 * both off `bpfsdt list` (site ids are the positions in .bpf_sdt_notes,
 * lines come from the object's line info) and wants one verdict site of
 * five, not all of them. Selection happens in the generated observer: the
 * id of the calling site is compared with the chosen ones, which is cheap
 * and leaves the relinker's all-sites-of-a-probe model alone.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relink/relink.h"
#include "trace/site_select.h"

static struct sdt_probe_sites *entry(struct sdt_site_selection *sel,
				     const struct bpf_sdt_probe *probe)
{
	struct sdt_probe_sites *grown;
	size_t i;

	for (i = 0; i < sel->n; i++)
		if (sel->v[i].probe == probe)
			return &sel->v[i];
	grown = realloc(sel->v, (sel->n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	sel->v = grown;
	memset(&grown[sel->n], 0, sizeof(*grown));
	grown[sel->n].probe = probe;
	return &grown[sel->n++];
}

static const struct sdt_probe_sites *find(const struct sdt_site_selection *sel,
					  const struct bpf_sdt_probe *probe)
{
	size_t i;

	for (i = 0; i < sel->n; i++)
		if (sel->v[i].probe == probe)
			return &sel->v[i];
	return NULL;
}

static int add_id(struct sdt_probe_sites *e, __u32 id)
{
	__u32 *grown;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->ids[i] == id)
			return 0;
	grown = realloc(e->ids, (e->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	e->ids = grown;
	e->ids[e->n++] = id;
	return 0;
}

/* Does line info file name `file` name the file the user wrote? */
static bool same_file(const char *file, const char *want)
{
	size_t fl = strlen(file), wl = strlen(want);

	return !strcmp(file, want) ||
	       (fl > wl && file[fl - wl - 1] == '/' && !strcmp(file + fl - wl, want));
}

static bool is_identifier(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

static const struct bpf_sdt_site *site_with_id(const struct bpf_sdt_probe *probe, __u32 id)
{
	size_t i;

	for (i = 0; i < bpf_sdt_probe__site_cnt(probe); i++)
		if (bpf_sdt_site__id(bpf_sdt_probe__site(probe, i)) == id)
			return bpf_sdt_probe__site(probe, i);
	return NULL;
}

static void list_ids(const struct bpf_sdt_probe *probe, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < bpf_sdt_probe__site_cnt(probe) && used + 16 < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%u", i ? ", " : "",
					 bpf_sdt_site__id(bpf_sdt_probe__site(probe, i)));
}

/* "3,5" */
static int select_ids(struct sdt_probe_sites *e, const char *t_name, const char *name,
		      const char *spec)
{
	const char *p = spec;
	char ids[128];

	while (*p) {
		unsigned long v;
		char *end;

		errno = 0;
		v = isdigit((unsigned char)*p) ? strtoul(p, &end, 10) : ULONG_MAX;
		if (v == ULONG_MAX || errno || v > UINT_MAX || (*end && *end != ',') ||
		    (*end == ',' && !end[1])) {
			pr_warn("%s: %s: after '@' comes site ids (3 or 3,5) or FILE:LINE",
				t_name, name);
			return -EINVAL;
		}
		if (!site_with_id(e->probe, (__u32)v)) {
			list_ids(e->probe, ids, sizeof(ids));
			pr_warn("%s: %s: probe %s has no site %lu (its sites: %s)", t_name, name,
				bpf_sdt_probe__name(e->probe), v, ids[0] ? ids : "none");
			return -EINVAL;
		}
		if (add_id(e, (__u32)v))
			return -ENOMEM;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* "xdp_filter.bpf.c:57" */
static int select_line(struct sdt_probe_sites *e, const char *t_name, const char *name,
		       const char *spec)
{
	const char *colon = strrchr(spec, ':');
	char file[256];
	unsigned long line;
	size_t i, before = e->n;
	char *end;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(file) ||
	    !isdigit((unsigned char)colon[1]))
		return -ENOENT;
	line = strtoul(colon + 1, &end, 10);
	if (*end)
		return -ENOENT;
	memcpy(file, spec, colon - spec);
	file[colon - spec] = '\0';
	for (i = 0; i < bpf_sdt_probe__site_cnt(e->probe); i++) {
		const struct bpf_sdt_site *s = bpf_sdt_probe__site(e->probe, i);

		if (bpf_sdt_site__file(s) && bpf_sdt_site__line(s) == line &&
		    same_file(bpf_sdt_site__file(s), file) && add_id(e, bpf_sdt_site__id(s)))
			return -ENOMEM;
	}
	if (e->n == before) {
		pr_warn("%s: %s: probe %s has no site on line %lu of %s (line info; see bpfsdt list)",
			t_name, name, bpf_sdt_probe__name(e->probe), line, file);
		return -EINVAL;
	}
	return 0;
}

const struct bpf_sdt_probe *sdt_site_selection_resolve(struct sdt_site_selection *sel,
							struct bpf_sdt_target *t, const char *name)
{
	const char *at = strchr(name, '@');
	const struct bpf_sdt_probe *probe;
	struct sdt_probe_sites *e;
	char pname[256];
	int err;

	if (!at || !is_identifier(name, (size_t)(at - name)) ||
	    (size_t)(at - name) >= sizeof(pname)) {
		probe = bpf_sdt_target__find_probe(t, name);
		if (probe && (e = entry(sel, probe)) && e->n) {
			/* named whole as well: every site */
			free(e->ids);
			e->ids = NULL;
			e->n = 0;
		}
		return probe;
	}
	memcpy(pname, name, at - name);
	pname[at - name] = '\0';
	probe = bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), pname);
	if (!probe) {
		pr_warn("%s: %s: no probe %s", t->name, name, pname);
		errno = ENOENT;
		return NULL;
	}
	e = entry(sel, probe);
	if (!e) {
		errno = ENOMEM;
		return NULL;
	}
	err = select_line(e, t->name, name, at + 1);
	if (err == -ENOENT)
		err = select_ids(e, t->name, name, at + 1);
	if (err) {
		errno = -err;
		return NULL;
	}
	return probe;
}

void sdt_site_selection_emit(const struct sdt_site_selection *sel,
			     const struct bpf_sdt_probe *probe, struct sdt_insn_buf *b)
{
	const struct sdt_probe_sites *e = find(sel, probe);
	int nargs = bpf_sdt_probe__arg_cnt(probe), selected;
	size_t i;

	if (!e || !e->n)
		return;
	selected = sdt_label_new(b);
	sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 8 * SDT_SLOT_SITE(nargs)));
	for (i = 0; i < e->n; i++)
		sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, (__s32)e->ids[i], 0), selected);
	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_0, 0));
	sdt_emit(b, BPF_EXIT_INSN());
	sdt_label_place(b, selected);
}

bool sdt_site_selection_has(const struct sdt_site_selection *sel, const struct bpf_sdt_site *site)
{
	const struct sdt_probe_sites *e = find(sel, bpf_sdt_site__probe(site));
	size_t i;

	if (!e)
		return false;
	for (i = 0; i < e->n; i++)
		if (e->ids[i] == bpf_sdt_site__id(site))
			return true;
	return !e->n;
}

void sdt_site_selection_free(struct sdt_site_selection *sel)
{
	size_t i;

	for (i = 0; i < sel->n; i++)
		free(sel->v[i].ids);
	free(sel->v);
	sel->v = NULL;
	sel->n = 0;
}
