// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* trace --hist/--sum/--min/--max (aggregates.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aggregates.h"
#include "cli.h"
#include "json_writer.h"

#define BAR_WIDTH 52

static int parse_s64(const char *s, __s64 *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int agg_set_add(struct agg_set *s, unsigned int what, const char *opt, const char *spec)
{
	char buf[128], *parts[4], *save = NULL, *tok;
	struct agg_request *r = NULL;
	int n = 0, arg;
	char *end;
	size_t i;

	if (strlen(spec) >= sizeof(buf))
		goto bad;
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok && n < 4; tok = strtok_r(NULL, ",", &save))
		parts[n++] = tok;
	if (tok || !n || strncmp(parts[0], "arg", 3) || !parts[0][3])
		goto bad;
	arg = (int)strtol(parts[0] + 3, &end, 10);
	if (*end || arg < 0 || arg >= BPF_SDT_MAX_ARGS || (n != 1 && (what != AGG_HIST || n != 4)))
		goto bad;
	for (i = 0; i < s->n; i++)
		if (s->v[i].arg == arg)
			r = &s->v[i];
	if (!r) {
		r = &s->v[s->n++];
		memset(r, 0, sizeof(*r));
		r->arg = arg;
		r->spec.sz = sizeof(r->spec);
		r->spec.arg = arg;
		r->idx = -1;
	}
	if (what == AGG_HIST && r->what & AGG_HIST) {
		cli_error("trace: %s %s: arg%d has a histogram already", opt, spec, arg);
		return -EINVAL;
	}
	r->what |= what;
	if (what != AGG_HIST)
		return 0;
	r->spec.hist = n == 4 ? BPF_SDT_HIST_LINEAR : BPF_SDT_HIST_LOG2;
	if (n == 4 && (parse_s64(parts[1], &r->spec.min) || parse_s64(parts[2], &r->spec.max) ||
		       parse_s64(parts[3], &r->spec.step)))
		goto bad;
	return 0;
bad:
	cli_error("trace: %s needs argN%s, not '%s'", opt,
		  what == AGG_HIST ? " (log2 buckets) or argN,MIN,MAX,STEP (linear)" : "", spec);
	return -EINVAL;
}

int agg_set_install(struct agg_set *s, struct bpf_sdt_tracer *tr)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		s->v[i].spec.per_probe = s->per_probe;
		s->v[i].idx = bpf_sdt_tracer__aggregate(tr, &s->v[i].spec);
		if (s->v[i].idx < 0)
			return s->v[i].idx; /* the library said why */
	}
	return 0;
}

const struct bpf_sdt_probe *agg_probe_of(struct bpf_sdt_target *t, const char *name)
{
	const char *at = strchr(name, '@');
	char buf[256];

	if (!at || (size_t)(at - name) >= sizeof(buf))
		return bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), name) ?:
		       bpf_sdt_target__find_probe(t, name);
	memcpy(buf, name, at - name);
	buf[at - name] = '\0';
	return bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), buf);
}

void agg_set_walk(const struct agg_set *s, const struct bpf_sdt_tracer *tr,
		  struct bpf_sdt_target *t, const char *const *probes, size_t nprobes,
		  void (*fn)(void *ctx, const struct agg_row *row), void *ctx)
{
	const struct bpf_sdt_probe *seen[256];
	struct agg_row row;
	size_t a, k, i, nseen = 0, j;

	for (k = 0; k < nprobes && nseen < 256; k++) {
		const struct bpf_sdt_probe *p = agg_probe_of(t, probes[k]);

		for (j = 0; p && j < nseen && seen[j] != p; j++)
			;
		if (p && j == nseen)
			seen[nseen++] = p;
	}
	for (a = 0; a < s->n; a++) {
		for (k = 0; k < nseen; k++) {
			memset(&row, 0, sizeof(row));
			row.req = &s->v[a];
			row.probe = seen[k];
			if (s->per_probe) {
				if (!bpf_sdt_tracer__agg_read(tr, s->v[a].idx, row.probe, NULL,
							      &row.val))
					fn(ctx, &row);
				continue;
			}
			for (i = 0; i < bpf_sdt_probe__site_cnt(row.probe); i++) {
				row.site = bpf_sdt_probe__site(row.probe, i);
				if (bpf_sdt_tracer__traces_site(tr, row.site) &&
				    !bpf_sdt_tracer__agg_read(tr, s->v[a].idx, NULL, row.site,
							      &row.val))
					fn(ctx, &row);
			}
		}
	}
}

static __s64 pow2(int k)
{
	return k >= 63 ? INT64_MAX : (__s64)1 << k;
}

void agg_bucket_bounds(const struct agg_request *r, const struct bpf_sdt_agg_value *v, __u32 i,
		       struct agg_bucket *b)
{
	memset(b, 0, sizeof(*b));
	if (r->spec.hist == BPF_SDT_HIST_LOG2) {
		if (i == 0) {
			b->lo_inf = true;
			b->hi = 0;
		} else if (i == 1) {
			b->lo = 0;
			b->hi = 1;
		} else {
			b->lo = pow2((int)i - 2);
			b->hi = pow2((int)i - 1);
			b->hi_inf = i == 65;
		}
		return;
	}
	if (i == 0) {
		b->lo_inf = true;
		b->hi = r->spec.min;
	} else if (i == v->bucket_cnt - 1) {
		b->lo = r->spec.max;
		b->hi_inf = true;
	} else {
		b->lo = r->spec.min + (__s64)(i - 1) * r->spec.step;
		b->hi = b->lo + r->spec.step;
	}
}

/* bpftrace's bucket labels: powers of 1024 as K, M, G, ... */
static void label_num(char *buf, size_t size, __s64 v, bool log2)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (log2 && v >= 1024 && !(v % 1024) && u < 5) {
		v /= 1024;
		u++;
	}
	if (u >= 0)
		snprintf(buf, size, "%lld%c", (long long)v, units[u]);
	else
		snprintf(buf, size, "%lld", (long long)v);
}

static void bucket_label(const struct agg_request *r, const struct agg_bucket *b, char *buf,
			 size_t size)
{
	bool log2 = r->spec.hist == BPF_SDT_HIST_LOG2;
	char lo[32], hi[32];

	label_num(lo, sizeof(lo), b->lo, log2);
	label_num(hi, sizeof(hi), b->hi, log2);
	if (b->lo_inf)
		snprintf(buf, size, "(..., %s)", hi);
	else if (b->hi_inf)
		snprintf(buf, size, "[%s, ...)", lo);
	else if (log2 && b->hi - b->lo == 1)
		snprintf(buf, size, "[%s]", lo);
	else
		snprintf(buf, size, "[%s, %s)", lo, hi);
}

static void print_value(FILE *out, __u64 v, bool is_signed)
{
	if (is_signed)
		fprintf(out, "%lld", (long long)v);
	else
		fprintf(out, "%llu", (unsigned long long)v);
}

static void row_title(FILE *out, const struct agg_row *row)
{
	fprintf(out, "@%s_arg%d", bpf_sdt_probe__name(row->probe), row->req->arg);
	if (row->site)
		fprintf(out, "[site %u, %s insn %u]", bpf_sdt_site__id(row->site),
			bpf_sdt_site__function(row->site) ?: "?", bpf_sdt_site__insn(row->site));
}

static void print_text_row(void *ctx, const struct agg_row *row)
{
	const struct bpf_sdt_agg_value *v = &row->val;
	unsigned int what = row->req->what;
	__u32 i, first = 0, last = 0;
	FILE *out = ctx;
	__u64 top = 0;

	if (what & (AGG_SUM | AGG_MIN | AGG_MAX) || !v->count) {
		row_title(out, row);
		fprintf(out, ": count %llu", (unsigned long long)v->count);
		if (what & AGG_SUM) {
			fputs(", sum ", out);
			print_value(out, v->sum, v->is_signed);
		}
		if (what & AGG_MIN && v->count) {
			fputs(", min ", out);
			print_value(out, v->min, v->is_signed);
		}
		if (what & AGG_MAX && v->count) {
			fputs(", max ", out);
			print_value(out, v->max, v->is_signed);
		}
		fputc('\n', out);
	}
	if (!(what & AGG_HIST) || !v->count)
		return;
	for (i = 0; i < v->bucket_cnt; i++) {
		if (!v->buckets[i])
			continue;
		if (!top)
			first = i;
		last = i;
		top = v->buckets[i] > top ? v->buckets[i] : top;
	}
	row_title(out, row);
	fputs(":\n", out);
	for (i = first; i <= last; i++) {
		struct agg_bucket b;
		char label[80], bar[BAR_WIDTH + 1];
		int w = (int)(v->buckets[i] * BAR_WIDTH / top);

		agg_bucket_bounds(row->req, v, i, &b);
		bucket_label(row->req, &b, label, sizeof(label));
		memset(bar, '@', (size_t)w);
		memset(bar + w, ' ', (size_t)(BAR_WIDTH - w));
		bar[BAR_WIDTH] = '\0';
		fprintf(out, "%-20s %8llu |%s|\n", label, (unsigned long long)v->buckets[i], bar);
	}
	fputc('\n', out);
}

static void json_value(struct json_writer *w, __u64 v, bool is_signed)
{
	if (is_signed)
		json_int(w, (long long)v);
	else
		json_uint(w, v);
}

static void print_json_row(void *ctx, const struct agg_row *row)
{
	const struct bpf_sdt_agg_value *v = &row->val;
	struct json_writer *w = ctx;
	__u32 i;

	json_object_start(w);
	json_key(w, "probe");
	json_string(w, bpf_sdt_probe__name(row->probe));
	if (row->site) {
		json_key(w, "site");
		json_uint(w, bpf_sdt_site__id(row->site));
		json_key(w, "function");
		json_string(w, bpf_sdt_site__function(row->site));
		json_key(w, "insn");
		json_uint(w, bpf_sdt_site__insn(row->site));
	}
	json_key(w, "arg");
	json_uint(w, (unsigned)row->req->arg);
	json_key(w, "count");
	json_uint(w, v->count);
	json_key(w, "sum");
	json_value(w, v->sum, v->is_signed);
	json_key(w, "min");
	if (v->count)
		json_value(w, v->min, v->is_signed);
	else
		json_null(w);
	json_key(w, "max");
	if (v->count)
		json_value(w, v->max, v->is_signed);
	else
		json_null(w);
	if (row->req->what & AGG_HIST) {
		json_key(w, "hist");
		json_array_start(w);
		for (i = 0; i < v->bucket_cnt; i++) {
			struct agg_bucket b;

			if (!v->buckets[i])
				continue;
			agg_bucket_bounds(row->req, v, i, &b);
			json_object_start(w);
			json_key(w, "min");
			if (b.lo_inf)
				json_null(w);
			else
				json_int(w, b.lo);
			json_key(w, "max");
			if (b.hi_inf)
				json_null(w);
			else
				json_int(w, b.hi);
			json_key(w, "count");
			json_uint(w, v->buckets[i]);
			json_object_end(w);
		}
		json_array_end(w);
	}
	json_object_end(w);
}

struct first_count {
	const struct agg_request *first;
	unsigned long long n;
};

static void add_first_count(void *ctx, const struct agg_row *row)
{
	struct first_count *c = ctx;

	if (row->req == c->first)
		c->n += row->val.count;
}

unsigned long long agg_set_events(const struct agg_set *s, const struct bpf_sdt_tracer *tr,
				  struct bpf_sdt_target *t, const char *const *probes,
				  size_t nprobes)
{
	struct first_count c = { s->v, 0 };

	if (s->n)
		agg_set_walk(s, tr, t, probes, nprobes, add_first_count, &c);
	return c.n;
}

void agg_set_print(const struct agg_set *s, const struct bpf_sdt_tracer *tr,
		   struct bpf_sdt_target *t, const char *const *probes, size_t nprobes, bool json,
		   FILE *out)
{
	struct json_writer w;

	if (!s->n)
		return;
	if (!json) {
		agg_set_walk(s, tr, t, probes, nprobes, print_text_row, out);
		return;
	}
	json_init(&w, out);
	json_object_start(&w);
	json_key(&w, "aggregates");
	json_array_start(&w);
	agg_set_walk(s, tr, t, probes, nprobes, print_json_row, &w);
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}
