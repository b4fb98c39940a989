/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What `bpfsdt run` prints: events, counters, observer globals, the
 * program's return value; as text or as JSON lines. */
#ifndef __BPFSDT_RUN_OUTPUT_H
#define __BPFSDT_RUN_OUTPUT_H

#include <bpf/libbpf.h>
#include <stdbool.h>
#include "event_format.h"
#include "libbpfsdt.h"

struct event_format;

struct run_output {
	bool json;
	const struct bpf_sdt_object *sdt;
	struct bpf_sdt_target *target;	/* for dynamic sites (PROG+INSN, FILE:LINE) */
	unsigned long long events;
	struct event_format *fast;	/* created on the first event */
	int write_err;			/* the first failed write to stdout */
	struct event_stamp stamp;	/* -T; the capture's frame of the event */
};

/* Releases what printing events built up. */
void run_output_free(struct run_output *out);
/* Writes out what stdout buffers: 0, or the -errno of the first write that
 * failed (EPIPE, ENOSPC, EIO...), which every later call returns too. */
int run_output_flush(struct run_output *out);

int print_event(void *ctx, const struct bpf_sdt_event *ev);
/* Sites of the listed probes (in program prog, or all when NULL). */
void print_counts(struct run_output *out, const struct bpf_sdt_tracer *tracer,
		  const char *const *probes, int nprobes, const char *prog);
void print_globals(struct run_output *out, struct bpf_object *obj);
/* The summary: return value, events, lost, the kernel's mean duration of
 * one run in nanoseconds. */
void print_retval(struct run_output *out, enum bpf_prog_type type, __u32 retval,
		  unsigned long long lost, __u32 duration_ns);

#endif
