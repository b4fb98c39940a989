// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace --prom-textfile (prom_textfile.h). The metrics, each with labels
 * probe, site, function (per site; left out per probe), hook and host:
 *
 *   bpfsdt_site_hits_total         counter    --count: hits of each site
 *   bpfsdt_arg_histogram           histogram  --hist argN: cumulative buckets
 *                                             (le: the largest value in
 *                                             them), _sum and _count
 *   bpfsdt_arg_events_total        counter    --sum/--min/--max argN: events
 *   bpfsdt_arg_sum, _min, _max     gauge      ... and their sum, min, max
 *
 * Aggregates have the label arg ("arg1") too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "prom_textfile.h"

struct prom_ctx {
	FILE *f;
	const struct prom_source *src;
	char host[256];
	const char *family;
	unsigned int what;
};

int prom_textfile_check(const char *path)
{
	size_t n = strlen(path);

	if (n < 5 || strcmp(path + n - 5, ".prom")) {
		cli_error("trace: --prom-textfile %s: node_exporter's textfile collector reads only files named *.prom",
			  path);
		return -EINVAL;
	}
	return 0;
}

static void put_label(FILE *f, const char *key, const char *v, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", key);
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static void put_site_labels(const struct prom_ctx *c, const struct bpf_sdt_probe *probe,
			    const struct bpf_sdt_site *site, int arg)
{
	char id[16], a[16];

	put_label(c->f, "probe", bpf_sdt_probe__name(probe), true);
	if (site) {
		snprintf(id, sizeof(id), "%u", bpf_sdt_site__id(site));
		put_label(c->f, "site", id, false);
		put_label(c->f, "function", bpf_sdt_site__function(site) ?: "?", false);
	}
	if (arg >= 0) {
		snprintf(a, sizeof(a), "arg%d", arg);
		put_label(c->f, "arg", a, false);
	}
	put_label(c->f, "hook", c->src->hook, false);
	put_label(c->f, "host", c->host, false);
}

static void put_value(FILE *f, __u64 v, bool is_signed)
{
	if (is_signed)
		fprintf(f, " %lld\n", (long long)v);
	else
		fprintf(f, " %llu\n", (unsigned long long)v);
}

static void write_hits(struct prom_ctx *c)
{
	const struct prom_source *s = c->src;
	size_t k, i;

	fputs("# HELP bpfsdt_site_hits_total Times a probe site was hit, counted in the kernel.\n"
	      "# TYPE bpfsdt_site_hits_total counter\n", c->f);
	for (k = 0; k < s->nprobes; k++) {
		const struct bpf_sdt_probe *p = agg_probe_of(s->t, s->probes[k]);

		for (i = 0; p && i < bpf_sdt_probe__site_cnt(p); i++) {
			const struct bpf_sdt_site *site = bpf_sdt_probe__site(p, i);

			if (!bpf_sdt_tracer__traces_site(s->tr, site))
				continue;
			fputs("bpfsdt_site_hits_total{", c->f);
			put_site_labels(c, p, site, -1);
			fprintf(c->f, "} %llu\n",
				(unsigned long long)bpf_sdt_tracer__site_hits(s->tr, site));
		}
	}
}

static void hist_row(struct prom_ctx *c, const struct agg_row *row)
{
	const struct bpf_sdt_agg_value *v = &row->val;
	__u64 cum = 0;
	__u32 i, last = 0;

	for (i = 0; i < v->bucket_cnt; i++)
		if (v->buckets[i])
			last = i;
	for (i = 0; i <= last && i < v->bucket_cnt; i++) {
		struct agg_bucket b;

		agg_bucket_bounds(row->req, v, i, &b);
		cum += v->buckets[i];
		if (!i && !v->is_signed && row->req->spec.hist == BPF_SDT_HIST_LOG2)
			continue; /* negative values: none */
		if (b.hi_inf)
			break; /* the +Inf bucket below */
		fputs("bpfsdt_arg_histogram_bucket{", c->f);
		put_site_labels(c, row->probe, row->site, row->req->arg);
		/* integer values: [lo, hi) holds values up to hi - 1 */
		fprintf(c->f, ",le=\"%lld\"} %llu\n", (long long)(b.hi - 1),
			(unsigned long long)cum);
	}
	fputs("bpfsdt_arg_histogram_bucket{", c->f);
	put_site_labels(c, row->probe, row->site, row->req->arg);
	fprintf(c->f, ",le=\"+Inf\"} %llu\n", (unsigned long long)v->count);
	fputs("bpfsdt_arg_histogram_sum{", c->f);
	put_site_labels(c, row->probe, row->site, row->req->arg);
	fputc('}', c->f);
	put_value(c->f, v->sum, v->is_signed);
	fputs("bpfsdt_arg_histogram_count{", c->f);
	put_site_labels(c, row->probe, row->site, row->req->arg);
	fprintf(c->f, "} %llu\n", (unsigned long long)v->count);
}

static void on_row(void *ctx, const struct agg_row *row)
{
	struct prom_ctx *c = ctx;
	const struct bpf_sdt_agg_value *v = &row->val;

	if (!(row->req->what & c->what))
		return;
	if (c->what == AGG_HIST) {
		hist_row(c, row);
		return;
	}
	if (c->what != AGG_SUM && !v->count)
		return; /* no minimum or maximum of nothing */
	fprintf(c->f, "%s{", c->family);
	put_site_labels(c, row->probe, row->site, row->req->arg);
	fputc('}', c->f);
	if (!strcmp(c->family, "bpfsdt_arg_events_total"))
		fprintf(c->f, " %llu\n", (unsigned long long)v->count);
	else
		put_value(c->f, c->what == AGG_SUM ? v->sum : c->what == AGG_MIN ? v->min : v->max,
			  v->is_signed);
}

static void write_aggregates(struct prom_ctx *c)
{
	static const struct {
		unsigned int what;
		const char *family, *type, *help;
	} fam[] = {
		{ AGG_HIST, "bpfsdt_arg_histogram", "histogram",
		  "Distribution of a probe argument, aggregated in the kernel." },
		{ AGG_SUM | AGG_MIN | AGG_MAX, "bpfsdt_arg_events_total", "counter",
		  "Events whose argument was aggregated." },
		{ AGG_SUM, "bpfsdt_arg_sum", "gauge", "Sum of a probe argument." },
		{ AGG_MIN, "bpfsdt_arg_min", "gauge", "Smallest value of a probe argument." },
		{ AGG_MAX, "bpfsdt_arg_max", "gauge", "Largest value of a probe argument." },
	};
	const struct prom_source *s = c->src;
	size_t i, k;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		bool any = false;

		for (k = 0; k < s->aggs->n; k++)
			any |= !!(s->aggs->v[k].what & fam[i].what);
		if (!any)
			continue;
		fprintf(c->f, "# HELP %s %s\n# TYPE %s %s\n", fam[i].family, fam[i].help,
			fam[i].family, fam[i].type);
		c->family = fam[i].family;
		c->what = fam[i].what;
		agg_set_walk(s->aggs, s->tr, s->t, s->probes, s->nprobes, on_row, c);
	}
}

int prom_textfile_write(const char *path, const struct prom_source *src)
{
	struct prom_ctx c = { .src = src };
	char tmp[4096];
	int err = 0;

	if (gethostname(c.host, sizeof(c.host) - 1))
		strcpy(c.host, "unknown");
	/* not *.prom: the collector must not read it half written */
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	c.f = fopen(tmp, "w");
	if (!c.f) {
		err = -errno;
		cli_error("trace: --prom-textfile: cannot write %s: %s", tmp, strerror(-err));
		return err;
	}
	if (src->counts)
		write_hits(&c);
	if (src->aggs && src->aggs->n)
		write_aggregates(&c);
	if (fflush(c.f) || ferror(c.f) || fsync(fileno(c.f)))
		err = -errno ?: -EIO;
	if (fclose(c.f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		cli_error("trace: --prom-textfile %s: %s", path, strerror(-err));
		unlink(tmp);
	}
	return err;
}
