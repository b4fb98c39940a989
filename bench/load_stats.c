// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What verifying a program costs the kernel, from its own statistics (log
 * level 4): the verification time, the instructions it processed and the
 * states it kept, median over ROUNDS loads of FILE.
 *
 *   load-stats FILE.bpf.o [ROUNDS]
 *
 * Prints one line: "verify_us N insns_processed N total_states N
 * peak_states N" (the program's first, the only one in bench programs).
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SIZE (1u << 20)

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static unsigned int median(unsigned int *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_uint);
	return v[n / 2];
}

enum { TIME, INSNS, STATES, PEAK, NSTATS };

/* The kernel's statistics lines of one load. */
static int load_once(const char *path, char *log, unsigned int *st)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log, .kernel_log_size = LOG_SIZE,
		    .kernel_log_level = 4);
	struct bpf_object *obj = bpf_object__open_file(path, &opts);
	const char *p;
	int err = obj ? bpf_object__load(obj) : -1;

	bpf_object__close(obj);
	if (err)
		return -1;
	p = strstr(log, "verification time ");
	if (!p || sscanf(p, "verification time %u usec", &st[TIME]) != 1)
		return -1;
	p = strstr(log, "processed ");
	if (!p || sscanf(p, "processed %u insns (limit %*u) max_states_per_insn %*u total_states %u "
			 "peak_states %u", &st[INSNS], &st[STATES], &st[PEAK]) != 3)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 5, r, k;
	unsigned int *v[NSTATS], st[NSTATS];
	char *log = malloc(LOG_SIZE);

	if (argc < 2 || rounds < 1 || !log) {
		fprintf(stderr, "usage: load-stats FILE.bpf.o [ROUNDS]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	for (k = 0; k < NSTATS; k++)
		if (!(v[k] = calloc(rounds, sizeof(unsigned int))))
			return 1;
	for (r = 0; r < rounds; r++) {
		log[0] = '\0';
		if (load_once(argv[1], log, st)) {
			fprintf(stderr, "load-stats: %s: no statistics from the kernel\n", argv[1]);
			return 1;
		}
		for (k = 0; k < NSTATS; k++)
			v[k][r] = st[k];
	}
	printf("verify_us %u insns_processed %u total_states %u peak_states %u\n",
	       median(v[TIME], rounds), median(v[INSNS], rounds), median(v[STATES], rounds),
	       median(v[PEAK], rounds));
	return 0;
}
