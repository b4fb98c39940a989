// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The result of checking probe sites, and the words findings are made of:
 * what a declared type requires, where an argument is, where the site is in
 * the source (BTF line info of the program the site was checked in).
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check/findings.h"
#include "insn/prog_ctx.h"

void sdt_arg_requirement(const struct btf *btf, __u32 type_id, enum bpf_prog_type type,
			 struct sdt_arg_requirement *out)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, type_id));
	const char *ctx = sdt_ctx_struct_name(type);

	memset(out, 0, sizeof(*out));
	out->req = SDT_REQ_SCALAR;
	out->width = 64;
	if (!t)
		return;
	if (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t)) {
		out->width = btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL) ? 1 : t->size * 8;
		out->is_signed = btf_is_int(t) ? btf_int_encoding(t) & BTF_INT_SIGNED : btf_kflag(t);
		return;
	}
	if (!btf_is_ptr(t))
		return;
	out->req = SDT_REQ_PTR;
	t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
	if (t && btf_is_struct(t) && ctx && !strcmp(btf__name_by_offset(btf, t->name_off), ctx)) {
		out->req = SDT_REQ_CTX;
		return;
	}
	if (t && (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) || btf_is_composite(t)))
		out->mem_size = t->size;
}

const char *sdt_requirement_text(const struct sdt_arg_requirement *r, enum bpf_prog_type type,
				 char *buf, size_t size)
{
	switch (r->req) {
	case SDT_REQ_SCALAR:
		snprintf(buf, size, "a scalar");
		break;
	case SDT_REQ_CTX:
		snprintf(buf, size, "the program's context (struct %s *)", sdt_ctx_struct_name(type));
		break;
	case SDT_REQ_PTR:
		if (r->mem_size)
			snprintf(buf, size, "a non-NULL pointer to %u readable bytes", r->mem_size);
		else
			snprintf(buf, size, "a non-NULL pointer");
		break;
	}
	return buf;
}

const char *sdt_arg_location(const struct bpf_sdt_site *site, int arg, char *buf, size_t size)
{
	const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(site, arg);

	if (!a)
		snprintf(buf, size, "?");
	else if (a->kind == BPF_SDT_ARG_REG)
		snprintf(buf, size, "r%d", a->reg);
	else
		snprintf(buf, size, "the stack block at r%d%+d", a->reg, a->off);
	return buf;
}

/* The source line of instruction idx: the last line_info record at or
 * before it. */
static void source_of(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp, __u32 idx,
		      const char **file, unsigned int *line)
{
	const struct sdt_prog_capture *c = &tp->cap;
	const struct bpf_line_info *best = NULL;
	__u32 i;

	*file = NULL;
	*line = 0;
	if (!c->line_info || c->line_info_rec_size < sizeof(struct bpf_line_info) || !t->btf)
		return;
	for (i = 0; i < c->line_info_cnt; i++) {
		const struct bpf_line_info *li =
			(const void *)((const char *)c->line_info + (size_t)i * c->line_info_rec_size);

		if (li->insn_off <= idx && (!best || li->insn_off >= best->insn_off))
			best = li;
	}
	if (!best)
		return;
	*file = btf__name_by_offset(t->btf, best->file_name_off);
	if (*file && strrchr(*file, '/'))
		*file = strrchr(*file, '/') + 1;
	*line = BPF_LINE_INFO_LINE_NUM(best->line_col);
}

int sdt_check_add(struct bpf_sdt_check *c, const struct bpf_sdt_target *t,
		  const struct sdt_target_prog *tp, const struct sdt_prog_site *ps, int arg,
		  const char *fmt, ...)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	struct bpf_sdt_finding *n, *f;
	char detail[512], *msg;
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (arg >= 0)
		len = asprintf(&msg, "probe %s, argument %d (%s): %s", bpf_sdt_probe__name(probe),
			       arg, bpf_sdt_probe__arg_type_name(probe, arg), detail);
	else
		len = asprintf(&msg, "probe %s: %s", bpf_sdt_probe__name(probe), detail);
	if (len < 0)
		return -ENOMEM;
	n = realloc(c->findings, (c->cnt + 1) * sizeof(*n));
	if (!n) {
		free(msg);
		return -ENOMEM;
	}
	c->findings = n;
	f = &c->findings[c->cnt++];
	memset(f, 0, sizeof(*f));
	f->site = ps->site;
	f->prog = tp->name;
	f->arg = arg;
	f->message = msg;
	source_of(t, tp, ps->idx, &f->file, &f->line);
	return 0;
}

void sdt_check_last_is_warning(struct bpf_sdt_check *c)
{
	if (c->cnt)
		c->findings[c->cnt - 1].warning = true;
}

int sdt_check_add_unchecked(struct bpf_sdt_check *c, const struct bpf_sdt_target *t,
			    const struct sdt_target_prog *tp, const struct sdt_prog_site *ps,
			    const char *fmt, ...)
{
	char why[400];
	va_list ap;
	int err;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	err = sdt_check_add(c, t, tp, ps, -1, "could not check: %s", why);
	if (!err)
		c->findings[c->cnt - 1].unchecked = true;
	return err;
}

size_t bpf_sdt_check__finding_cnt(const struct bpf_sdt_check *c)
{
	return c ? c->cnt : 0;
}

const struct bpf_sdt_finding *bpf_sdt_check__finding(const struct bpf_sdt_check *c, size_t idx)
{
	return c && idx < c->cnt ? &c->findings[idx] : NULL;
}

void sdt_check_free_findings(struct bpf_sdt_check *c)
{
	size_t i;

	for (i = 0; i < c->cnt; i++)
		free((char *)c->findings[i].message);
	free(c->findings);
	c->findings = NULL;
	c->cnt = 0;
}

void bpf_sdt_check__free(struct bpf_sdt_check *c)
{
	if (!c)
		return;
	sdt_check_free_findings(c);
	free(c);
}
