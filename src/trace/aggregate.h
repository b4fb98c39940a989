/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The tracer's in-kernel aggregations (bpf_sdt_tracer__aggregate()): one
 * per-CPU hash map per aggregation, keyed by site id (or by the probe's
 * position among the aggregation's probes), each value u64 slots
 * {count, sum, min, max, buckets...}, updated by generated code.
 */
#ifndef __BPFSDT_AGGREGATE_H
#define __BPFSDT_AGGREGATE_H

#include "discover/discover.h"
#include "insn/emit.h"

struct sdt_agg {
	struct bpf_sdt_aggregation spec;
	int fd;
	__u32 bucket_cnt;
	const struct bpf_sdt_probe **probes;	/* per probe: key i is probes[i] */
	size_t nprobes;
};

/* Checks spec and creates the map. 0 or -errno (-EINVAL with why). */
int sdt_agg_init(struct sdt_agg *a, const struct bpf_sdt_aggregation *spec, char *why,
		 size_t why_size);
void sdt_agg_release(struct sdt_agg *a);
/* Makes room for probe's events (its sites, or the probe itself), before
 * its code runs; the probe's argument must be a number. 0 or -errno
 * (-EINVAL with why). */
int sdt_agg_add_probe(struct sdt_agg *a, const struct btf *btf, const struct bpf_sdt_probe *probe,
		      char *why, size_t why_size);
/* The code adding an event of probe (argument array in r6) to a; uses
 * r0..r5, r7..r9 and the u32 at r10 - 4. */
void sdt_agg_emit(const struct sdt_agg *a, struct sdt_insn_buf *b, const struct btf *btf,
		  const struct bpf_sdt_probe *probe);
/* Sums up every CPU's value for probe (per probe) or site. */
int sdt_agg_read(const struct sdt_agg *a, const struct btf *btf,
		 const struct bpf_sdt_probe *probe, const struct bpf_sdt_site *site,
		 struct bpf_sdt_agg_value *out);

#endif
