// SPDX-License-Identifier: GPL-2.0
/*
 * The design comparison the SDT RFC thread lacked, on this kernel: one
 * program (sdt_cost.bpf.c) with 1 and with 64 probe points, written as
 *
 *   sdt      (a) an SDT site: a NOP5 poked into a call of a trampoline
 *   func     (b) a static branch around the call of a no-op function, which
 *                an freplace program replaces
 *   guarded  (c) a static branch around an SDT site
 *
 * and, for each, what an unobserved run costs, what a run costs with one
 * empty observer, how long attaching and detaching that observer takes, and
 * whether a second observer can join. Relinking (d) is measured by
 * bench-designs (bench/designs.c, libbpfsdt) in the same guest. Under TCG
 * only ratios mean anything: timings are reported, not asserted; what each
 * design can do (a second observer) is.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "guest.h"
#include "guest_util.h"

#define CYCLES 10	/* attach/detach cycles, the median reported */

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

/* ns per run: the best of 5 batches of 2000 (TCG is noisy). */
static int run_ns(int fd, __u32 *ns)
{
	__u32 best = ~0u, avg;
	int i;

	for (i = 0; i < 5; i++) {
		if (xdp_test_run(fd, ETH_P_IP, 2000, &avg) != XDP_PASS)
			return FAIL_NOTE("the cost program did not return XDP_PASS"), -1;
		best = avg < best ? avg : best;
	}
	*ns = best;
	return 0;
}

static struct bpf_object *load_cost(const char *design, int n, int *fd)
{
	char file[64];
	struct bpf_object *obj;

	snprintf(file, sizeof(file), "cost_%s%d.bpf.o", design, n);
	obj = bpf_object__open_file(obj_path(file), NULL);
	if (!obj || bpf_object__load(obj)) {
		FAIL_NOTE("loading %s: %s", file, strerror(errno));
		bpf_object__close(obj);
		return NULL;
	}
	*fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "sdt_cost"));
	return obj;
}

/* One empty observer of `step` for the program target_fd: the SDT one, or
 * the freplace one for the function design. */
static struct bpf_object *load_observer(bool func, int target_fd)
{
	const char *name = func ? "empty_freplace" : "empty_sdt";
	struct bpf_object *obj = bpf_object__open_file(obj_path("guard_observers.bpf.o"), NULL);
	struct bpf_program *prog;

	if (!obj)
		return FAIL_NOTE("open guard_observers.bpf.o: %s", strerror(errno)), NULL;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), name));
	prog = bpf_object__find_program_by_name(obj, name);
	if (bpf_program__set_attach_target(prog, target_fd, "step") || bpf_object__load(obj)) {
		FAIL_NOTE("loading %s for step: %s", name, strerror(errno));
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* FUNC `step` in the program's BTF, as the kernel has it: an freplace
 * link's target. */
static int step_btf_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct btf *btf;
	int id;

	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return -errno;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "step", BTF_KIND_FUNC);
	btf__free(btf);
	return id;
}

/* The kernel's link alone (no libbpf lookups): BPF_LINK_CREATE of the
 * observer, an SDT link or an freplace link of `step`; its fd. */
static int attach(struct bpf_object *obs, bool func, int target_fd, int btf_id)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .target_btf_id = btf_id);
	struct bpf_program *prog = bpf_object__next_program(obs, NULL);

	while (prog && !bpf_program__autoload(prog))
		prog = bpf_object__next_program(obs, prog);
	if (func)
		return bpf_link_create(bpf_program__fd(prog), target_fd, 0, &opts);
	return bpf_link_create(bpf_program__fd(prog), 0, BPF_TRACE_SDT, NULL);
}

struct row {
	__u32 dormant, armed, plain;
	double attach_us, detach_us;
	bool second;
	int second_err;
};

static int measure(const char *design, int n, struct row *r)
{
	struct bpf_object *plain, *target = NULL, *obs = NULL, *obs2 = NULL;
	double att[CYCLES], det[CYCLES], t0;
	bool func = !strcmp(design, "func");
	int fd_plain, fd, i, link = -1, link2, btf_id = 0, err = -1;

	memset(r, 0, sizeof(*r));
	plain = load_cost("plain", n, &fd_plain);
	if (!plain)
		return -1;
	target = load_cost(design, n, &fd);
	if (!target || run_ns(fd_plain, &r->plain) || run_ns(fd, &r->dormant))
		goto out;
	if (func && (btf_id = step_btf_id(fd)) <= 0) {
		FAIL_NOTE("no FUNC step in the program's BTF");
		goto out;
	}
	obs = load_observer(func, fd);
	obs2 = obs ? load_observer(func, fd) : NULL;
	if (!obs2)
		goto out;
	for (i = 0; i < CYCLES; i++) {
		t0 = now_us();
		link = attach(obs, func, fd, btf_id);
		att[i] = now_us() - t0;
		if (link < 0) {
			FAIL_NOTE("%s, %d sites: attaching: %s", design, n, strerror(-link));
			goto out;
		}
		if (i == CYCLES - 1)
			break; /* measured armed below */
		t0 = now_us();
		close(link);
		det[i] = now_us() - t0;
		link = -1;
	}
	if (run_ns(fd, &r->armed))
		goto out;
	link2 = attach(obs2, func, fd, btf_id);
	r->second = link2 >= 0;
	r->second_err = link2 >= 0 ? 0 : -link2;
	if (link2 >= 0)
		close(link2);
	t0 = now_us();
	close(link);
	det[CYCLES - 1] = now_us() - t0;
	link = -1;
	r->attach_us = median(att, CYCLES);
	r->detach_us = median(det, CYCLES);
	err = 0;
out:
	if (link >= 0)
		close(link);
	bpf_object__close(obs2);
	bpf_object__close(obs);
	bpf_object__close(target);
	bpf_object__close(plain);
	return err;
}

/* What each design can do is asserted; its timings are printed as notes. */
TEST(design_comparison)
{
	static const char *const designs[] = { "sdt", "func", "guarded" };
	static const char *const labels[] = { "(a) SDT", "(b) branch+freplace",
					      "(c) branch+SDT" };
	static const int sites[] = { 1, 64 };
	struct row r;
	int d, s;

	printf("note: design | sites | no probe ns | dormant ns | armed ns | per hit ns | "
	       "attach us | detach us | 2nd observer\n");
	for (s = 0; s < 2; s++) {
		for (d = 0; d < 3; d++) {
			ASSERT_EQ(measure(designs[d], sites[s], &r), 0);
			printf("note: %s | %d | %u | %u | %u | %.1f | %.0f | %.0f | %s\n",
			       labels[d], sites[s], r.plain, r.dormant, r.armed,
			       ((double)r.armed - r.dormant) / sites[s], r.attach_us,
			       r.detach_us, r.second ? "yes" : strerror(r.second_err));
			if (r.second == !strcmp(designs[d], "func"))
				FAIL("%s: a second observer %s", labels[d],
				     r.second ? "was attached" : "was refused");
			if (!r.second && r.second_err != EBUSY)
				FAIL("%s: a second freplace program: %s, expected EBUSY",
				     labels[d], strerror(r.second_err));
		}
	}
}

/* (d) relinking, in this guest: bench-designs with BPFSDT_NATIVE=0. Its
 * table rows are printed as notes; it must exit 0. */
TEST(design_comparison_relinking)
{
	char line[512];
	FILE *p;
	int status;

	p = popen("BPFSDT_NATIVE=0 /bin/bench-designs /tests 2000 2>&1", "r");
	if (!p)
		FAIL("popen: %s", strerror(errno));
	while (fgets(line, sizeof(line), p))
		printf("note: %s", line);
	status = pclose(p);
	if (status)
		FAIL("bench-designs exited with status %d", WEXITSTATUS(status));
}
