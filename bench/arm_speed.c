// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * How long arming takes next to loading the program, by program size and
 * site count:
 *
 *   arm-speed FILE.bpf.o PROBE [ROUNDS]
 *
 * Each round, in turn: libbpf loads FILE on its own (the original's load,
 * the reference), libbpfsdt opens it (its load plus the model), a counting
 * tracer arms PROBE for the first time (the argument check, the armed
 * copy, its verification), disarms, arms it again (the check is
 * remembered) and disarms again. Prints each step's median over ROUNDS
 * (default 5) and, per round, its ratio to that round's load: the median
 * of those ratios holds when the machine's speed drifts between rounds.
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "libbpfsdt.h"

enum { LOAD, OPEN, FIRST_ARM, DISARM, REARM, NSTEPS };

static const char *const step_names[NSTEPS] = {
	"load (libbpf)", "open (libbpfsdt)", "first arm", "disarm", "re-arm",
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double plain_load(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	double start = now_ms(), ms;

	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "arm-speed: %s does not load\n", path);
		exit(1);
	}
	ms = now_ms() - start;
	bpf_object__close(obj);
	return ms;
}

static struct bpf_sdt_tracer *arm(struct bpf_sdt_target *t, const char *probe)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, opts, .count_only = true);
	struct bpf_sdt_tracer *tr = bpf_sdt_tracer__new(t, &opts);

	if (!tr || bpf_sdt_tracer__add_probe(tr, probe)) {
		fprintf(stderr, "arm-speed: cannot arm %s\n", probe);
		exit(1);
	}
	return tr;
}

int main(int argc, char **argv)
{
	int rounds = argc > 3 ? atoi(argv[3]) : 5, r, k;
	double *v[NSTEPS], *ratio[NSTEPS];
	size_t sites = 0;

	if (argc < 3 || rounds < 1) {
		fprintf(stderr, "usage: arm-speed FILE.bpf.o PROBE [ROUNDS]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	if (libbpfsdt_init())
		return 1;
	for (k = 0; k < NSTEPS; k++) {
		v[k] = calloc(rounds, sizeof(double));
		ratio[k] = calloc(rounds, sizeof(double));
		if (!v[k] || !ratio[k])
			return 1;
	}
	for (r = 0; r < rounds; r++) {
		struct bpf_sdt_target *t;
		struct bpf_sdt_tracer *tr;
		double start;

		v[LOAD][r] = plain_load(argv[1]);
		start = now_ms();
		t = bpf_sdt_target__open_file(argv[1], NULL);
		v[OPEN][r] = now_ms() - start;
		if (!t)
			return 1;
		sites = bpf_sdt_probe__site_cnt(
			bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), argv[2]));
		start = now_ms();
		tr = arm(t, argv[2]);
		v[FIRST_ARM][r] = now_ms() - start;
		start = now_ms();
		bpf_sdt_tracer__free(tr);
		v[DISARM][r] = now_ms() - start;
		start = now_ms();
		tr = arm(t, argv[2]);
		v[REARM][r] = now_ms() - start;
		bpf_sdt_tracer__free(tr);
		bpf_sdt_target__close(t);
		for (k = 0; k < NSTEPS; k++)
			ratio[k][r] = v[k][r] / v[LOAD][r];
	}
	printf("%s: probe %s, %zu sites; median of %d rounds\n", argv[1], argv[2], sites, rounds);
	for (k = 0; k < NSTEPS; k++) {
		printf("  %-18s %10.2f ms  %7.2fx load\n", step_names[k], median(v[k], rounds),
		       median(ratio[k], rounds));
		free(v[k]);
		free(ratio[k]);
	}
	return 0;
}
