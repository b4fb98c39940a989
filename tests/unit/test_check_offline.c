// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The offline check: no kernel and no privileges, a target opened offline
 * only checked, the CLI's default; and the agreement of both modes on
 * every site of the whole corpus. The verdict of each case is annotated in
 * its source (test_check_verdicts.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define O BPF_SDT_CHECK_OFFLINE
#define NOBODY 65534

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Error findings of one object in one mode, as sorted "prog insn arg" lines. */
static int error_sites(const char *path, enum bpf_sdt_check_mode mode, char *out, size_t size,
		       size_t *sites)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = mode == O);
	LIBBPF_OPTS(bpf_sdt_check_opts, copts, .mode = mode);
	struct bpf_sdt_target *t = bpf_sdt_target__open_file(path, &topts);
	struct bpf_sdt_check *c;
	char line[256], *lines[256];
	size_t i, n = 0, len = 0;

	if (!t)
		return -errno;
	*sites = bpf_sdt_object__site_cnt(bpf_sdt_target__probes(t));
	c = bpf_sdt_target__check(t, &copts);
	if (!c) {
		bpf_sdt_target__close(t);
		return -errno;
	}
	for (i = 0; i < bpf_sdt_check__finding_cnt(c) && n < 256; i++) {
		const struct bpf_sdt_finding *f = bpf_sdt_check__finding(c, i);

		if (f->warning || f->unchecked)
			continue;
		snprintf(line, sizeof(line), "%s insn %u arg %d", f->prog,
			 bpf_sdt_site__insn(f->site), f->arg);
		lines[n++] = strdup(line);
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		len += snprintf(out + len, len < size ? size - len : 0, "%s\n", lines[i]);
		free(lines[i]);
	}
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
	return 0;
}

TEST(check_kernel_and_offline_agree_on_every_site_of_the_corpus)
{
	static const char *const dirs[] = { "/tests/bpf", "/tests/bpf/v1", "/tests/bpf/v2",
					     "/examples" };
	char kernel[8192], offline[8192], path[512];
	size_t d, objects = 0, sites = 0, s1, s2, errors = 0;
	struct dirent *e;
	DIR *dir;

	REQUIRE_ROOT();
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(path, sizeof(path), "%s%s", TEST_BUILD_DIR, dirs[d]);
		dir = opendir(path);
		ASSERT_TRUE(dir != NULL);
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);

			if (len < 6 || strcmp(e->d_name + len - 6, ".bpf.o"))
				continue;
			snprintf(path, sizeof(path), "%s%s/%s", TEST_BUILD_DIR, dirs[d], e->d_name);
			if (error_sites(path, BPF_SDT_CHECK_KERNEL, kernel, sizeof(kernel), &s1)) {
				closedir(dir);
				FAIL("%s: the kernel check failed", path);
			}
			if (error_sites(path, O, offline, sizeof(offline), &s2)) {
				closedir(dir);
				FAIL("%s: the offline check failed", path);
			}
			if (strcmp(kernel, offline)) {
				closedir(dir);
				FAIL("%s: kernel errors\n%s differ from offline errors\n%s", path, kernel,
				     offline);
			}
			objects++;
			sites += s1;
			errors += strlen(kernel) ? 1 : 0;
		}
		closedir(dir);
	}
	/* the corpus must really exercise both verdicts */
	ASSERT_TRUE(objects >= 40);
	ASSERT_TRUE(sites >= 100);
	ASSERT_TRUE(errors >= 4);
}

UNIT_TEST(check_offline_needs_no_privileges)
{
	size_t size;
	void *elf = read_whole_file(corpus_path("check_cases"), &size);
	int status;
	pid_t pid;

	ASSERT_TRUE(elf != NULL);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = true);
		LIBBPF_OPTS(bpf_sdt_check_opts, copts, .mode = O);
		struct bpf_sdt_target *t;
		struct bpf_sdt_check *c;

		if (geteuid() == 0 && (setgid(NOBODY) || setuid(NOBODY)))
			_exit(10);
		t = bpf_sdt_target__open_mem(elf, size, &topts);
		c = t ? bpf_sdt_target__check(t, &copts) : NULL;
		_exit(!t ? 11 : !c ? 12 : bpf_sdt_check__finding_cnt(c) == 9 ? 0 : 13);
	}
	free(elf);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
}

UNIT_TEST(check_kernel_refuses_a_target_opened_offline)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = true);
	struct bpf_sdt_target *t;

	t = bpf_sdt_target__open_file(corpus_path("check_cases"), &topts);
	ASSERT_TRUE(t != NULL);
	diag_capture_begin();
	ASSERT_TRUE(bpf_sdt_target__check(t, NULL) == NULL);
	ASSERT_EQ(errno, EOPNOTSUPP);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "opened offline (not loaded): only the offline check "
			"applies");
	bpf_sdt_target__close(t);
}

TEST(attach_refuses_a_target_opened_offline)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = true);
	LIBBPF_OPTS(bpf_sdt_tracer_opts, tropts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int err;

	REQUIRE_ROOT(); /* the tracer's own maps are real */
	t = bpf_sdt_target__open_file(corpus_path("check_cases"), &topts);
	ASSERT_TRUE(t != NULL);
	ASSERT_TRUE(bpf_sdt_target__prog_fd(t, "good_context") < 0);
	tr = bpf_sdt_tracer__new(t, &tropts);
	ASSERT_TRUE(tr != NULL);
	diag_capture_begin();
	err = bpf_sdt_tracer__add_probe(tr, "context");
	diag_capture_end();
	ASSERT_EQ(err, -EOPNOTSUPP);
	ASSERT_CONTAINS(diag_captured(), "opened offline (not loaded): its probes can be checked, "
			"not attached");
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(cli_check_runs_offline_by_default_without_privileges)
{
	struct cmd_result r;

	ASSERT_EQ(run_cmd((char *[]){ "setpriv", "--reuid=65534", "--regid=65534",
				      "--clear-groups", (char *)bpfsdt_bin(), "check",
				      (char *)corpus_path("check_cases"), NULL }, &r), 0);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.out, "check_cases.bpf.c:147: probe number, argument 0 (unsigned long): "
			"r4 is not initialized on some path to the site\n");
	ASSERT_CONTAINS(r.out, "check_cases.bpf.c:244: warning: probe small, argument 0 (__u8): "
			"r1 holds 300, which does not fit in 8 bits\n");
	ASSERT_CONTAINS(r.err, "18 sites checked by the offline analysis: 8 errors, 1 warning\n");
	cmd_result_free(&r);
}

UNIT_TEST(cli_check_offline_json_says_offline)
{
	struct cmd_result r;

	ASSERT_EQ(run_cmd((char *[]){ (char *)bpfsdt_bin(), "check", "--offline", "--json",
				      (char *)corpus_path("check_cases"), NULL }, &r), 0);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.out, "\"mode\": \"offline\", \"sites\": 18, \"findings\": [");
	ASSERT_CONTAINS(r.out, "{\"severity\": \"warning\", \"file\": \"check_cases.bpf.c\", "
			"\"line\": 244, \"program\": \"warn_out_of_range\"");
	ASSERT_STREQ(r.err, "");
	cmd_result_free(&r);
}

UNIT_TEST(cli_check_offline_exits_0_on_a_clean_object)
{
	struct cmd_result r;

	ASSERT_EQ(run_cmd((char *[]){ (char *)bpfsdt_bin(), "check", "--offline",
				      (char *)corpus_path("basic"), NULL }, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, TEST_BUILD_DIR "/tests/bpf/basic.bpf.o: 1 site checked by the offline "
		     "analysis: 0 errors, 0 warnings\n");
	cmd_result_free(&r);
}

TEST(cli_check_kernel_without_privileges_points_to_offline)
{
	struct cmd_result r;

	ASSERT_EQ(run_cmd((char *[]){ "setpriv", "--reuid=65534", "--regid=65534",
				      "--clear-groups", (char *)bpfsdt_bin(), "check", "--kernel",
				      (char *)corpus_path("check_cases"), NULL }, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_CONTAINS(r.err, "bpfsdt: check: the kernel check loads programs, which needs "
			"privileges; --offline needs none\n");
	cmd_result_free(&r);
}
