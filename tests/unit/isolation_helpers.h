/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The isolation tests' fixture: a target, an object of observers, and what
 * one run of the target does -- its verdict, the packet it hands on and its
 * maps -- to compare a run with an observer against a run with none.
 */
#ifndef __BPFSDT_TEST_ISOLATION_HELPERS_H
#define __BPFSDT_TEST_ISOLATION_HELPERS_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include "libbpfsdt.h"

#define ISO_PKT_LEN 64

struct outcome {
	int ret;			/* the verdict */
	__u32 len;
	unsigned char pkt[ISO_PKT_LEN];	/* the packet after the run */
	__u64 verdict, bytes, packets;	/* isolation_target's maps */
};

struct iso {
	struct bpf_sdt_target *t;
	const char *prog;
	struct bpf_object *obs;
	struct outcome before;		/* a run with no observer */
};

/* Opens corpus target `target`, its program `prog` and observer object
 * `observers` (build/tests/bpf/observers/<observers>.bpf.o; NULL: none yet)
 * and records a run with no observer; 0 or -1. */
int iso_open(struct iso *f, const char *target, const char *prog, const char *observers);
void iso_close(struct iso *f);
/* The fd of the target's map `name`, or -1. */
int iso_map_fd(const struct iso *f, const char *name);
/* Puts the target's maps back as iso_open() found them and runs what now
 * runs of prog once, on the same packet; 0 or -1. */
int iso_run(struct iso *f, struct outcome *o);
bool outcome_equal(const struct outcome *a, const struct outcome *b);
/* "ret 2, bytes 64, packets 1, packet 00 01 02 03 ..." */
const char *outcome_str(const struct outcome *o);

/* Attaches observer `obs` (of f->obs, with f->obs as its object) to probe;
 * with unchecked, as the library's tests-only switch lets it: no observer
 * check, only the kernel's. */
struct bpf_sdt_link *iso_attach(struct iso *f, const char *obs, const char *probe,
				bool unchecked);
/* How many lines s has. */
int line_count(const char *s);

/* Attaching obs to probe is refused with one line naming the observer, the
 * probe and an instruction, and containing why; the target then runs
 * exactly as with no observer. (Test helpers: they stop the test.) */
void expect_refused(struct iso *f, const char *obs, const char *probe, const char *why);
/* Without the observer check the kernel arms obs, and the target's run
 * differs from the one with no observer: the refusal guards something. */
void expect_harm_unchecked(struct iso *f, const char *obs, const char *probe);
/* The whole case for one observer: target (corpus name, also its
 * program's) with observer obs of object observers on probe -- refused,
 * saying why, the target unchanged; with harm, also shown harmful when
 * unchecked. */
void refused_case(const char *target, const char *observers, const char *obs, const char *probe,
		  const char *why, bool harm);

/* The messages of the refusals. */
#define MAY_REACH_TARGET "which may point into the target's memory"
#define INTO_ARG_ARRAY "into its argument array, which is on the target's stack"

/* obs is accepted; the target's run equals the one with no observer; the
 * link is left attached. */
void expect_accepted(struct iso *f, const char *obs, const char *probe);

#endif
