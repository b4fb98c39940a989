/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace --hist/--sum/--min/--max: what was asked of which argument, the
 * tracer's in-kernel aggregations that answer it, and printing them as
 * bpftrace prints its maps (text) or as JSON.
 */
#ifndef __BPFSDT_AGGREGATES_H
#define __BPFSDT_AGGREGATES_H

#include <stdbool.h>
#include <stdio.h>
#include "libbpfsdt.h"

enum { AGG_SUM = 1, AGG_MIN = 2, AGG_MAX = 4, AGG_HIST = 8 };

struct agg_request {
	int arg;
	unsigned int what;		/* AGG_* */
	struct bpf_sdt_aggregation spec;
	int idx;			/* the tracer's aggregation */
};

struct agg_set {
	struct agg_request v[BPF_SDT_MAX_ARGS];
	size_t n;
	bool per_probe;
};

/* One option: what is AGG_*, spec "argN" (with --hist also
 * "argN,MIN,MAX,STEP"). 0, or -EINVAL after one line. */
int agg_set_add(struct agg_set *s, unsigned int what, const char *opt, const char *spec);
/* Hands the aggregations to the tracer (before its probes are added). */
int agg_set_install(struct agg_set *s, struct bpf_sdt_tracer *tr);

/* One result: a probe (per probe) or a site. */
struct agg_row {
	const struct agg_request *req;
	const struct bpf_sdt_probe *probe;
	const struct bpf_sdt_site *site;	/* NULL per probe */
	struct bpf_sdt_agg_value val;
};

/* Calls fn for each result of the traced probes (names as given to
 * trace, PROBE@SITES included). */
void agg_set_walk(const struct agg_set *s, const struct bpf_sdt_tracer *tr,
		  struct bpf_sdt_target *t, const char *const *probes, size_t nprobes,
		  void (*fn)(void *ctx, const struct agg_row *row), void *ctx);
/* The events the aggregations saw: each of them counts every event of the
 * traced probes (the summary's count when no event leaves the kernel). */
unsigned long long agg_set_events(const struct agg_set *s, const struct bpf_sdt_tracer *tr,
				  struct bpf_sdt_target *t, const char *const *probes,
				  size_t nprobes);
/* Every result, as text or one JSON line {"aggregates": [...]}. */
void agg_set_print(const struct agg_set *s, const struct bpf_sdt_tracer *tr,
		   struct bpf_sdt_target *t, const char *const *probes, size_t nprobes, bool json,
		   FILE *out);

/* Bucket i's bounds: [lo, hi) with lo_inf / hi_inf for an open end. */
struct agg_bucket {
	__s64 lo, hi;			/* as signed, or unsigned when !is_signed */
	bool lo_inf, hi_inf;
};
void agg_bucket_bounds(const struct agg_request *r, const struct bpf_sdt_agg_value *v, __u32 i,
		       struct agg_bucket *b);

/* The probe a name given to trace stands for ("verdict@5": verdict). */
const struct bpf_sdt_probe *agg_probe_of(struct bpf_sdt_target *t, const char *name);

#endif
