// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Arm/disarm latency on a live XDP hook, split into building the armed copy,
 * the kernel verifying it, and swapping it in.
 *
 *   arm-latency FILE.bpf.o IFACE PROBE CYCLES
 *
 * Each cycle arms PROBE with a counting tracer and disarms it again; prints
 * the median, 90th and 99th percentile of each part, in microseconds.
 */
#include <bpf/libbpf.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "libbpfsdt.h"

enum { BUILD, VERIFY, SWAP, ARM_TOTAL, DISARM_SWAP, DISARM_TOTAL, NPARTS };

static const char *const part_names[NPARTS] = {
	"arm: build", "arm: verify", "arm: swap", "arm: total",
	"disarm: swap", "disarm: total",
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static double pct(__u64 *v, int n, double p)
{
	return v[(int)(p * (n - 1))] / 1000.0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	LIBBPF_OPTS(bpf_sdt_arm_stats, st);
	struct bpf_sdt_target *t;
	const char *prog;
	__u64 *v[NPARTS], t0;
	int cycles, i, k;

	libbpf_set_print(quiet);
	if (argc != 5 || (cycles = atoi(argv[4])) <= 0) {
		fprintf(stderr, "usage: %s FILE.bpf.o IFACE PROBE CYCLES\n", argv[0]);
		return 2;
	}
	t = bpf_sdt_target__open_xdp(argv[1], (int)if_nametoindex(argv[2]), NULL);
	if (!t)
		return 1;
	prog = bpf_sdt_site__function(bpf_sdt_probe__site(
		bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), argv[3]), 0));
	for (k = 0; k < NPARTS; k++)
		v[k] = calloc(cycles, sizeof(__u64));
	for (i = 0; i < cycles; i++) {
		struct bpf_sdt_tracer *tr = bpf_sdt_tracer__new(t, &topts);

		t0 = now_ns();
		if (!tr || bpf_sdt_tracer__add_probe(tr, argv[3]))
			return 1;
		v[ARM_TOTAL][i] = now_ns() - t0;
		bpf_sdt_target__arm_stats(t, prog, &st);
		v[BUILD][i] = st.build_ns;
		v[VERIFY][i] = st.verify_ns;
		v[SWAP][i] = st.swap_ns;
		t0 = now_ns();
		bpf_sdt_tracer__free(tr);
		v[DISARM_TOTAL][i] = now_ns() - t0;
		bpf_sdt_target__arm_stats(t, prog, &st);
		v[DISARM_SWAP][i] = st.swap_ns;
	}
	printf("%d arm/disarm cycles of probe %s of %s on %s\n",
	       cycles, argv[3], prog, argv[2]);
	printf("%-15s %10s %10s %10s   (microseconds)\n", "", "median", "p90", "p99");
	for (k = 0; k < NPARTS; k++) {
		qsort(v[k], cycles, sizeof(__u64), cmp_u64);
		printf("%-15s %10.1f %10.1f %10.1f\n", part_names[k], pct(v[k], cycles, 0.5),
		       pct(v[k], cycles, 0.9), pct(v[k], cycles, 0.99));
		free(v[k]);
	}
	bpf_sdt_target__close(t);
	return 0;
}
