// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * How long `bpfsdt check` takes per object, offline and with the kernel:
 *   check-speed FILE.bpf.o [ROUNDS]
 * prints the object's sites and instructions, and the median time of each
 * mode over ROUNDS rounds (default 20); opening the object is included
 * (the offline open prepares the programs with libbpf's gen loader, the
 * kernel one loads them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "libbpfsdt.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One open + check; the findings count, or -1. */
static long once(const char *path, enum bpf_sdt_check_mode mode, double *ms)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = mode == BPF_SDT_CHECK_OFFLINE);
	LIBBPF_OPTS(bpf_sdt_check_opts, copts, .mode = mode);
	double start = now_ms();
	struct bpf_sdt_target *t = bpf_sdt_target__open_file(path, &topts);
	struct bpf_sdt_check *c = t ? bpf_sdt_target__check(t, &copts) : NULL;
	long n = c ? (long)bpf_sdt_check__finding_cnt(c) : -1;

	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
	*ms = now_ms() - start;
	return n;
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 20, r, m;
	static const enum bpf_sdt_check_mode modes[] = { BPF_SDT_CHECK_OFFLINE,
							 BPF_SDT_CHECK_KERNEL };
	double *t;

	if (argc < 2 || rounds < 1) {
		fprintf(stderr, "usage: check-speed FILE.bpf.o [ROUNDS]\n");
		return 2;
	}
	libbpf_set_print(NULL); /* "skipping unrecognized data section" per open */
	t = calloc(rounds, sizeof(*t));
	if (!t)
		return 1;
	{
		LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = true);
		struct bpf_sdt_target *tg = bpf_sdt_target__open_file(argv[1], &topts);

		if (!tg)
			return 1;
		printf("%s: %zu sites\n", argv[1],
		       bpf_sdt_object__site_cnt(bpf_sdt_target__probes(tg)));
		bpf_sdt_target__close(tg);
	}
	for (m = 0; m < 2; m++) {
		long findings = 0;

		for (r = 0; r < rounds; r++)
			findings = once(argv[1], modes[m], &t[r]);
		qsort(t, rounds, sizeof(*t), cmp);
		printf("  %-8s median %8.2f ms  min %8.2f ms  max %8.2f ms  (%ld findings)\n",
		       m ? "kernel" : "offline", t[rounds / 2], t[0], t[rounds - 1], findings);
	}
	free(t);
	return 0;
}
