// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Probe declarations from BTF.
 *
 * BPF_SDT_DECLAREn emits DECL_TAG "bpf_sdt:<probe>:<nargs>" on either a FUNC
 * (the RFC's stub, up to five arguments) or a VAR whose type points to the
 * FUNC_PROTO (six and more). A probe declared identically more than once
 * (e.g. after linking objects that share a header) is one probe.
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "discover/btf_sanity.h"
#include "discover/elf_image.h"

struct decls_ctx {
	const char *file;
	const struct btf *btf;
	struct sdt_decl *decls;
	size_t cnt;
};

/* "bpf_sdt:<identifier>:<0..12>" */
static int parse_tag(const char *tag, char **name, int *nargs)
{
	const char *p = tag + strlen(SDT_TAG_PREFIX), *colon = strchr(p, ':');
	size_t len, i;
	char *end;
	long n;

	if (!colon || colon == p || !(isalpha((unsigned char)*p) || *p == '_'))
		return -EINVAL;
	len = (size_t)(colon - p);
	for (i = 0; i < len; i++)
		if (!(isalnum((unsigned char)p[i]) || p[i] == '_'))
			return -EINVAL;
	if (!isdigit((unsigned char)colon[1]) || strlen(colon + 1) > 3)
		return -EINVAL;
	n = strtol(colon + 1, &end, 10);
	if (*end)
		return -EINVAL;
	*name = strndup(p, len);
	if (!*name)
		return -ENOMEM;
	*nargs = (int)n;
	return 0;
}

static __u32 skip_mods_typedefs(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;
	int hops;

	for (hops = 0; hops < 32 && (t = btf__type_by_id(btf, id)); hops++) {
		if (!btf_is_mod(t) && !btf_is_typedef(t) && !btf_is_type_tag(t))
			return id;
		id = t->type;
	}
	return 0;
}

/* The FUNC_PROTO a declaration tag describes, or 0 with a diagnostic. */
static __u32 tagged_proto(struct decls_ctx *ctx, const char *probe, __u32 tag_id,
			  const struct btf_type *tag)
{
	const struct btf_type *target = btf__type_by_id(ctx->btf, tag->type), *t;
	__u32 id = 0;

	if (btf_decl_tag(tag)->component_idx != -1) {
		pr_warn("%s: probe %s: DECL_TAG [%u] tags parameter %d, not the declaration",
			ctx->file, probe, tag_id, btf_decl_tag(tag)->component_idx);
		return 0;
	}
	if (target && btf_is_func(target)) {
		id = target->type;
	} else if (target && btf_is_var(target)) {
		id = skip_mods_typedefs(ctx->btf, target->type);
		t = btf__type_by_id(ctx->btf, id);
		id = t && btf_is_ptr(t) ? skip_mods_typedefs(ctx->btf, t->type) : 0;
	}
	t = id ? btf__type_by_id(ctx->btf, id) : NULL;
	if (!t || !btf_is_func_proto(t)) {
		pr_warn("%s: probe %s: DECL_TAG [%u] is not on a function or a function-pointer variable",
			ctx->file, probe, tag_id);
		return 0;
	}
	return id;
}

static int fill_args(struct decls_ctx *ctx, struct sdt_decl *d)
{
	const struct btf_type *proto = btf__type_by_id(ctx->btf, d->proto_id);
	const struct btf_param *params = btf_params(proto);
	const char *problem;
	int i, err;

	if (btf_vlen(proto) != d->nargs) {
		pr_warn("%s: probe %s: tag declares %d arguments but its prototype has %u",
			ctx->file, d->name, d->nargs, btf_vlen(proto));
		return -EINVAL;
	}
	for (i = 0; i < d->nargs; i++) {
		d->arg_type_ids[i] = params[i].type;
		if (!params[i].type) {
			pr_warn("%s: probe %s: prototype is variadic", ctx->file, d->name);
			return -EINVAL;
		}
		err = sdt_type_name(ctx->btf, params[i].type, &d->arg_type_names[i]);
		if (err) {
			pr_warn("%s: probe %s argument %d: BTF type [%u] cannot be spelled in C (%s)",
				ctx->file, d->name, i + 1, params[i].type,
				err == -ELOOP ? "cyclic or too deep" :
				err == -E2BIG ? "its spelling would be too large" :
				"it is not a well-formed C type");
			return -EINVAL;
		}
		problem = sdt_arg_type_problem(ctx->btf, params[i].type);
		if (problem) {
			pr_warn("%s: probe %s argument %d: type '%s' %s", ctx->file, d->name, i + 1,
				d->arg_type_names[i], problem);
			return -EINVAL;
		}
	}
	return 0;
}

static void format_signature(const struct sdt_decl *d, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < d->nargs && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "", d->arg_type_names[i]);
}

static bool same_signature(const struct sdt_decl *a, const struct sdt_decl *b)
{
	int i;

	if (a->nargs != b->nargs)
		return false;
	for (i = 0; i < a->nargs; i++)
		if (strcmp(a->arg_type_names[i], b->arg_type_names[i]))
			return false;
	return true;
}

static void decl_release(struct sdt_decl *d)
{
	int i;

	free(d->name);
	for (i = 0; i < BPF_SDT_MAX_ARGS; i++)
		free(d->arg_type_names[i]);
	memset(d, 0, sizeof(*d));
}

/* Adds d (taking ownership) unless an identical declaration exists. */
static int add_decl(struct decls_ctx *ctx, struct sdt_decl *d)
{
	char a[512], b[512];
	size_t i;

	for (i = 0; i < ctx->cnt; i++) {
		if (strcmp(ctx->decls[i].name, d->name))
			continue;
		if (same_signature(&ctx->decls[i], d)) {
			decl_release(d);
			return 0;
		}
		format_signature(&ctx->decls[i], a, sizeof(a));
		format_signature(d, b, sizeof(b));
		pr_warn("%s: probe %s: conflicting declarations (%s) and (%s)", ctx->file, d->name,
			a, b);
		return -EINVAL;
	}
	ctx->decls[ctx->cnt++] = *d;
	memset(d, 0, sizeof(*d));
	return 0;
}

static int parse_decl(struct decls_ctx *ctx, __u32 tag_id, const struct btf_type *t)
{
	const char *tag = btf__name_by_offset(ctx->btf, t->name_off);
	struct sdt_decl d = {};
	int err;

	if (strncmp(tag, SDT_TAG_PREFIX, strlen(SDT_TAG_PREFIX)))
		return 0;
	err = parse_tag(tag, &d.name, &d.nargs);
	if (err) {
		if (err == -EINVAL)
			pr_warn("%s: BTF DECL_TAG [%u] \"%s\": unknown probe tag syntax, expected bpf_sdt:<probe>:<nargs>",
				ctx->file, tag_id, tag);
		return err;
	}
	if (d.nargs > BPF_SDT_MAX_ARGS) {
		pr_warn("%s: probe %s: tag declares %d arguments, at most %d are supported",
			ctx->file, d.name, d.nargs, BPF_SDT_MAX_ARGS);
		err = -EINVAL;
		goto out;
	}
	d.proto_id = tagged_proto(ctx, d.name, tag_id, t);
	err = d.proto_id ? fill_args(ctx, &d) : -EINVAL;
	if (!err)
		err = add_decl(ctx, &d);
out:
	decl_release(&d);
	return err;
}

static int cmp_decl(const void *a, const void *b)
{
	return strcmp(((const struct sdt_decl *)a)->name, ((const struct sdt_decl *)b)->name);
}

int sdt_decls_parse(struct sdt_elf *elf, const char *file, struct btf **btfp,
		    struct sdt_decl **out, size_t *cnt)
{
	struct sdt_elf_section sec;
	struct btf *btf;
	bool found;
	int err;

	*btfp = NULL;
	*out = NULL;
	*cnt = 0;
	err = sdt_elf_section_by_name(elf, ".BTF", &sec, &found);
	if (err || !found)
		return err;
	err = sdt_elf_section_has_bytes(elf, &sec);
	if (err)
		return err;
	err = sdt_btf_check_layout(sec.data, sec.size, file);
	if (err)
		return err;
	btf = btf__new(sec.data, sec.size);
	if (!btf) {
		err = -errno;
		pr_warn("%s: .BTF: invalid BTF (%s)", file, strerror(-err));
		return -EINVAL;
	}
	err = sdt_btf_check_refs(btf, file);
	if (!err)
		err = sdt_decls_from_btf(btf, file, out, cnt);
	if (err) {
		btf__free(btf);
		return err;
	}
	*btfp = btf;
	return 0;
}

int sdt_decls_from_btf(const struct btf *btf, const char *file, struct sdt_decl **out,
		       size_t *cnt)
{
	struct decls_ctx ctx = { .file = file, .btf = btf };
	__u32 id, n = btf__type_cnt(btf);
	int err = 0;

	*out = NULL;
	*cnt = 0;
	ctx.decls = sdt_calloc(n, sizeof(*ctx.decls));
	if (!ctx.decls)
		return -ENOMEM;
	for (id = 1; id < n && !err; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_decl_tag(t))
			err = parse_decl(&ctx, id, t);
	}
	if (err) {
		sdt_decls_free(ctx.decls, ctx.cnt);
		return err;
	}
	qsort(ctx.decls, ctx.cnt, sizeof(*ctx.decls), cmp_decl);
	*out = ctx.decls;
	*cnt = ctx.cnt;
	return 0;
}

void sdt_decls_free(struct sdt_decl *decls, size_t cnt)
{
	size_t i;

	if (!decls)
		return;
	for (i = 0; i < cnt; i++)
		decl_release(&decls[i]);
	free(decls);
}
