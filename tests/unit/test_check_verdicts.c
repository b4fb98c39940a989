// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Check verdicts as the BPF sources state them. A program's expected
 * findings are annotated on it, next to its sites (tests/bpf/common.h:
 * __sdt_clean, __sdt_error(msg), __sdt_error_kernel(msg), ...: BTF decl
 * tags, as the kernel selftests' __success/__failure/__msg); one loop
 * reads them from every corpus object that has any, at each -mcpu, checks
 * the object in a mode and compares, program by program. It runs for both
 * modes: offline needs nothing (make check-unit), kernel mode needs root.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define TAG_PREFIX "sdt_expect:"
#define MAX_EXPECT 16

struct expect {
	unsigned int order;	/* __COUNTER__: source order */
	char severity[32];	/* "error", "warning", "unchecked", "clean" */
	char mode[16];		/* "kernel", "offline" or "" (both) */
	const char *msg;
};

static int cmp_expect(const void *a, const void *b)
{
	const struct expect *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* "sdt_expect:<order>:<severity>[.<mode>]:<msg>" */
static bool parse_tag(const char *tag, struct expect *e)
{
	const char *kind, *msg;
	char *end;
	size_t len;

	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)))
		return false;
	e->order = (unsigned int)strtoul(tag + strlen(TAG_PREFIX), &end, 10);
	if (*end != ':')
		return false;
	kind = end + 1;
	msg = strchr(kind, ':');
	if (!msg)
		return false;
	len = (size_t)(msg - kind);
	snprintf(e->severity, sizeof(e->severity), "%.*s", (int)len, kind);
	e->mode[0] = '\0';
	end = strchr(e->severity, '.');
	if (end) {
		*end = '\0';
		snprintf(e->mode, sizeof(e->mode), "%s", end + 1);
	}
	e->msg = msg + 1;
	return true;
}

/* The annotations on program prog's function in btf: how many (up to max;
 * -1 when one does not parse), sorted in source order. */
static int annotations(const struct btf *btf, const char *prog, struct expect *out, int max)
{
	__u32 id, n = btf__type_cnt(btf);
	int cnt = 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id), *fn;
		const char *tag;

		if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1)
			continue;
		tag = btf__name_by_offset(btf, t->name_off);
		fn = btf__type_by_id(btf, t->type);
		if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) || !fn || !btf_is_func(fn) ||
		    strcmp(btf__name_by_offset(btf, fn->name_off), prog))
			continue;
		if (cnt == max || !parse_tag(tag, &out[cnt]))
			return -1;
		cnt++;
	}
	qsort(out, (size_t)cnt, sizeof(*out), cmp_expect);
	return cnt;
}

/* Does pat match s from its start? {{reg}} stands for reg (as a whole
 * register name), {{n}} for a decimal number. */
static bool match_here(const char *pat, const char *s, const char *reg)
{
	while (*pat) {
		if (!strncmp(pat, "{{reg}}", 7)) {
			if (!reg[0] || strncmp(s, reg, strlen(reg)) ||
			    isdigit((unsigned char)s[strlen(reg)]))
				return false;
			s += strlen(reg);
			pat += 7;
		} else if (!strncmp(pat, "{{n}}", 5)) {
			if (!isdigit((unsigned char)*s))
				return false;
			while (isdigit((unsigned char)*s))
				s++;
			pat += 5;
		} else if (*pat++ != *s++) {
			return false;
		}
	}
	return true;
}

/* msg contains pat (as the kernel selftests' __msg: a substring). */
static bool says(const char *msg, const char *pat, const char *reg)
{
	do {
		if (match_here(pat, msg, reg))
			return true;
	} while (*msg++);
	return false;
}

static const char *severity(const struct bpf_sdt_finding *f)
{
	return f->unchecked ? "unchecked" : f->warning ? "warning" : "error";
}

struct tally {
	enum bpf_sdt_check_mode mode;
	const char *mode_name;
	int programs, findings, mismatches;
};

static void mismatch(struct tally *y, const char *path, const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void mismatch(struct tally *y, const char *path, const char *prog, const char *fmt, ...)
{
	va_list ap;

	printf("    %s: program %s, %s check: ", path, prog, y->mode_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	y->mismatches++;
}

/* The findings of program prog against its annotations for this mode. */
static void compare(struct tally *y, const char *path, const char *prog,
		    const struct bpf_sdt_check *c, const struct expect *all, int nall)
{
	const struct expect *want[MAX_EXPECT];
	const struct bpf_sdt_finding *f;
	size_t i, nfound = 0;
	int k, nwant = 0;

	for (k = 0; k < nall; k++)
		if (strcmp(all[k].severity, "clean") &&
		    (!all[k].mode[0] || !strcmp(all[k].mode, y->mode_name)))
			want[nwant++] = &all[k];
	for (i = 0; i < bpf_sdt_check__finding_cnt(c); i++) {
		char reg[8] = "";

		f = bpf_sdt_check__finding(c, i);
		if (strcmp(f->prog, prog))
			continue;
		if (f->arg >= 0 && bpf_sdt_site__arg(f->site, f->arg))
			snprintf(reg, sizeof(reg), "r%u", bpf_sdt_site__arg(f->site, f->arg)->reg);
		if ((int)nfound >= nwant)
			mismatch(y, path, prog, "unexpected %s \"%s\"", severity(f), f->message);
		else if (strcmp(severity(f), want[nfound]->severity) ||
			 !says(f->message, want[nfound]->msg, reg))
			mismatch(y, path, prog, "expected %s \"%s\", found %s \"%s\"",
				 want[nfound]->severity, want[nfound]->msg, severity(f), f->message);
		nfound++;
	}
	for (k = (int)nfound; k < nwant; k++)
		mismatch(y, path, prog, "expected %s \"%s\", found nothing", want[k]->severity,
			 want[k]->msg);
	y->programs++;
	y->findings += (int)nfound;
}

/* Every annotated program of the object at path, checked in y's mode. */
static void check_object(struct tally *y, const char *path)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = y->mode == BPF_SDT_CHECK_OFFLINE);
	LIBBPF_OPTS(bpf_sdt_check_opts, copts, .mode = y->mode);
	struct expect all[MAX_EXPECT];
	struct bpf_sdt_object *sdt;
	struct bpf_sdt_target *t;
	struct bpf_sdt_check *c;
	struct bpf_program *prog;
	const struct btf *btf;
	bool any = false;
	__u32 id;

	sdt = bpf_sdt_object__open_file(path, NULL);
	ASSERT_TRUE(sdt != NULL);
	btf = bpf_sdt_object__btf(sdt);
	for (id = 1; btf && id < btf__type_cnt(btf) && !any; id++) {
		const struct btf_type *ty = btf__type_by_id(btf, id);

		any = btf_is_decl_tag(ty) &&
		      !strncmp(btf__name_by_offset(btf, ty->name_off), TAG_PREFIX,
			       strlen(TAG_PREFIX));
	}
	bpf_sdt_object__close(sdt);
	if (!any)
		return; /* states no verdicts */
	t = bpf_sdt_target__open_file(path, &topts);
	ASSERT_TRUE(t != NULL);
	c = bpf_sdt_target__check(t, &copts);
	ASSERT_TRUE(c != NULL);
	btf = bpf_sdt_object__btf(bpf_sdt_target__probes(t));
	bpf_object__for_each_program(prog, bpf_sdt_target__object(t)) {
		int n = annotations(btf, bpf_program__name(prog), all, MAX_EXPECT);

		if (n < 0)
			mismatch(y, path, bpf_program__name(prog), "annotations do not parse");
		else if (n)
			compare(y, path, bpf_program__name(prog), c, all, n);
	}
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
}

/* The loop: every corpus object, at each -mcpu. */
static void check_verdicts(enum bpf_sdt_check_mode mode)
{
	static const char *const dirs[] = { "/tests/bpf", "/tests/bpf/v1", "/tests/bpf/v2" };
	struct tally y = { .mode = mode,
			   .mode_name = mode == BPF_SDT_CHECK_KERNEL ? "kernel" : "offline" };
	char path[512];
	struct dirent *e;
	size_t d;
	DIR *dir;

	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(path, sizeof(path), "%s%s", TEST_BUILD_DIR, dirs[d]);
		dir = opendir(path);
		ASSERT_TRUE(dir != NULL);
		DEFER(closedir, dir);
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);

			if (len < 6 || strcmp(e->d_name + len - 6, ".bpf.o"))
				continue;
			snprintf(path, sizeof(path), "%s%s/%s", TEST_BUILD_DIR, dirs[d], e->d_name);
			ASSERT_OK_HELPER(check_object(&y, path));
		}
		test_cleanup(dir);
	}
	if (y.mismatches)
		FAIL("%d finding%s from what the sources annotate (above)", y.mismatches,
		     y.mismatches == 1 ? " differs" : "s differ");
	/* the annotations must really be there, and exercise every verdict */
	printf("    %d programs, %d findings, as annotated\n", y.programs, y.findings);
	ASSERT_TRUE(y.programs >= 3 * 28);
	ASSERT_TRUE(y.findings >= 3 * 12);
}

UNIT_TEST(check_offline_verdicts_are_those_the_sources_annotate)
{
	check_verdicts(BPF_SDT_CHECK_OFFLINE);
}

TEST(check_kernel_verdicts_are_those_the_sources_annotate)
{
	REQUIRE_ROOT();
	check_verdicts(BPF_SDT_CHECK_KERNEL);
}
