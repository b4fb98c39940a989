/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace --prom-textfile FILE: counts and aggregates in the Prometheus text
 * format, for node_exporter's textfile collector, so hosts already scraped
 * by Prometheus export them with no new server. The file is written anew
 * every interval: into a temporary file beside it, then renamed over it,
 * so the collector never reads half a file.
 */
#ifndef __BPFSDT_PROM_TEXTFILE_H
#define __BPFSDT_PROM_TEXTFILE_H

#include "aggregates.h"
#include "libbpfsdt.h"

struct prom_source {
	const struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	const char *const *probes;
	size_t nprobes;
	bool counts;			/* --count: hits per site */
	const struct agg_set *aggs;
	const char *hook;		/* "xdp:eth0" */
};

/* 0, or -EINVAL after one line (node_exporter reads only *.prom). */
int prom_textfile_check(const char *path);
/* Writes every metric to path, atomically. 0 or -errno after one line. */
int prom_textfile_write(const char *path, const struct prom_source *src);

#endif
