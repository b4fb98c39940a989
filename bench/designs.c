// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * designs: the relinking rows of the design comparison (docs/perf.md,
 * docs/design-comparison.md) on the kernel this runs on.
 *
 *   designs OBJDIR [REPEAT]
 *
 * OBJDIR holds the comparison's programs, kernel/guest/cost_*.bpf.c built
 * (cost_plain<n>, cost_sdt<n>, cost_guarded<n> for n = 1 and 64) and
 * guard_observers.bpf.o (its empty SDT observer `empty_sdt`). For each
 * program with SDT sites, bare and guarded: the ns of an unobserved run,
 * of a run with the empty observer relinked in, the time attaching it
 * takes (building the armed copy and the kernel verifying it: a program on
 * a live hook adds the swap, docs/perf.md) and detaching (the original
 * back), and the cost with a second observer. The guest runs it with
 * BPFSDT_NATIVE=0, next to its in-kernel rows (kernel/guest/designs.c).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "libbpfsdt.h"

#define CYCLES 20

static const char *objdir;
static unsigned int repeat = 1000000;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static const char *path(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", objdir, name);
	return buf;
}

/* ns per run of prog_fd on a 64-byte frame, as the kernel measures it
 * (BPF_PROG_TEST_RUN's duration: whole nanoseconds), the best of 5 batches
 * of REPEAT runs, as the guest's in-kernel rows are measured. */
static int run_ns(int fd, double *ns)
{
	unsigned char pkt[64] = { [12] = 0x08 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = repeat);
	int i;

	*ns = 1e18;
	for (i = 0; i < 5; i++) {
		if (bpf_prog_test_run_opts(fd, &opts) || opts.retval != 2 /* XDP_PASS */) {
			fprintf(stderr, "designs: test run failed: %s\n", strerror(errno));
			return -1;
		}
		*ns = opts.duration < *ns ? opts.duration : *ns;
	}
	return 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static struct bpf_object *open_observer(void)
{
	struct bpf_object *obj = bpf_object__open_file(path("guard_observers.bpf.o"), NULL);
	struct bpf_program *prog;

	if (!obj)
		return NULL;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), "empty_sdt"));
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static int plain_ns(int n, double *ns)
{
	char name[64];
	struct bpf_object *obj;
	int err;

	snprintf(name, sizeof(name), "cost_plain%d.bpf.o", n);
	obj = bpf_object__open_file(path(name), NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "designs: cannot load %s\n", path(name));
		bpf_object__close(obj);
		return -1;
	}
	err = run_ns(bpf_program__fd(bpf_object__find_program_by_name(obj, "sdt_cost")), ns);
	bpf_object__close(obj);
	return err;
}

/* The function design (a guarded call of a no-op function) has no site to
 * relink: where extension programs are refused (this project's host) only
 * its dormant cost can be measured, as loaded by plain libbpf. */
static int dormant_row(const char *label, const char *design, int n)
{
	struct bpf_object *obj;
	double plain, dormant;
	char name[64];
	int err;

	snprintf(name, sizeof(name), "cost_%s%d.bpf.o", design, n);
	obj = bpf_object__open_file(path(name), NULL);
	if (!obj || bpf_object__load(obj) || plain_ns(n, &plain)) {
		fprintf(stderr, "designs: cannot load %s\n", path(name));
		bpf_object__close(obj);
		return -1;
	}
	err = run_ns(bpf_program__fd(bpf_object__find_program_by_name(obj, "sdt_cost")), &dormant);
	bpf_object__close(obj);
	if (!err)
		printf("%s | %d | %.0f | %.0f | - | - | - | - | -\n", label, n, plain, dormant);
	return err;
}

static int row(const char *label, const char *design, int n)
{
	LIBBPF_OPTS(bpf_sdt_attach_opts, opts);
	double plain, dormant, armed, two, att[CYCLES], det[CYCLES], t0;
	struct bpf_sdt_link *link = NULL, *link2;
	struct bpf_sdt_target *t;
	struct bpf_program *prog;
	struct bpf_object *obs;
	char name[64];
	int i, err = -1;

	snprintf(name, sizeof(name), "cost_%s%d.bpf.o", design, n);
	t = bpf_sdt_target__open_file(path(name), NULL);
	obs = open_observer();
	if (!t || !obs || plain_ns(n, &plain)) {
		fprintf(stderr, "designs: cannot open %s or its observer\n", path(name));
		goto out;
	}
	opts.observer_obj = obs;
	prog = bpf_object__find_program_by_name(obs, "empty_sdt");
	if (run_ns(bpf_sdt_target__prog_fd(t, "sdt_cost"), &dormant))
		goto out;
	for (i = 0; i < CYCLES; i++) {
		t0 = now_us();
		link = bpf_sdt_target__attach(t, prog, "step", &opts);
		att[i] = now_us() - t0;
		if (!link)
			goto out;
		if (i == CYCLES - 1)
			break;
		t0 = now_us();
		bpf_sdt_link__destroy(link);
		det[i] = now_us() - t0;
		link = NULL;
	}
	if (run_ns(bpf_sdt_target__prog_fd(t, "sdt_cost"), &armed))
		goto out;
	link2 = bpf_sdt_target__attach(t, prog, "step", &opts);
	if (!link2 || run_ns(bpf_sdt_target__prog_fd(t, "sdt_cost"), &two))
		goto out;
	bpf_sdt_link__destroy(link2);
	t0 = now_us();
	bpf_sdt_link__destroy(link);
	det[CYCLES - 1] = now_us() - t0;
	link = NULL;
	printf("%s | %d | %.0f | %.0f | %.0f | %.1f | %.0f | %.0f | yes (+%.1f ns/hit)\n",
	       label, n, plain, dormant, armed, (armed - dormant) / n, median(att, CYCLES),
	       median(det, CYCLES), (two - armed) / n);
	err = 0;
out:
	bpf_sdt_link__destroy(link);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
	return err;
}

int main(int argc, char **argv)
{
	static const int sites[] = { 1, 64 };
	int s;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: designs OBJDIR [REPEAT]\n");
		return 2;
	}
	objdir = argv[1];
	if (argc == 3)
		repeat = (unsigned int)strtoul(argv[2], NULL, 0);
	libbpf_set_print(quiet);
	if (libbpfsdt_init())
		return 1;
	printf("design | sites | no probe ns | dormant ns | armed ns | per hit ns | "
	       "attach us | detach us | 2nd observer\n");
	for (s = 0; s < 2; s++) {
		if (row("(d) relinking, SDT site", "sdt", sites[s]) ||
		    row("(d) relinking, guard+SDT site", "guarded", sites[s]) ||
		    dormant_row("(b) guard+no-op call, dormant", "func", sites[s]))
			return 1;
	}
	return 0;
}
