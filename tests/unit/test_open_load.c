// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Opening a target loads it once, asking the verifier for its statistics
 * (the stack depths relinking needs); a program the verifier refuses is
 * still explained in the verifier's words.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "target/target.h"
#include "test.h"

static const char refused_source[] =
	"#include <linux/bpf.h>\n"
	"#include <bpf/bpf_helpers.h>\n"
	"SEC(\"xdp\") int reads_past_the_context(struct xdp_md *ctx)\n"
	"{\n"
	"	return *(volatile int *)((char *)ctx + 400);\n"
	"}\n"
	"char LICENSE[] SEC(\"license\") = \"GPL\";\n";

static const char *build_refused(void)
{
	static char out[512], src[512];
	char *argv[] = { TEST_CLANG, "-O2", "-g", "-target", "bpf", "-Iinclude",
			 "-I/usr/include/" TEST_MULTIARCH, "-c", src, "-o", out, NULL };
	struct cmd_result r;
	FILE *f;
	int ok;

	snprintf(src, sizeof(src), "%s", scratch_path("refused.bpf.c"));
	snprintf(out, sizeof(out), "%s", scratch_path("refused.bpf.o"));
	f = fopen(src, "w");
	if (!f || fputs(refused_source, f) < 0 || fclose(f) || run_cmd(argv, &r))
		return NULL;
	ok = r.status == 0;
	cmd_result_free(&r);
	return ok ? out : NULL;
}

TEST(open_keeps_the_verifiers_statistics_of_each_program_it_loads)
{
	struct bpf_sdt_target *t;
	size_t i, n = 0;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("multi_prog"), NULL);
	ASSERT_TRUE(t != NULL);
	for (i = 0; i < t->prog_cnt; i++) {
		if (!t->progs[i].captured)
			continue;
		ASSERT_TRUE(t->progs[i].cap.load_stats != NULL);
		ASSERT_CONTAINS(t->progs[i].cap.load_stats, "stack depth ");
		n++;
	}
	ASSERT_TRUE(n > 1);
	bpf_sdt_target__close(t);
}

TEST(open_explains_a_program_the_verifier_refuses_in_its_words)
{
	const char *path;
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	path = build_refused();
	ASSERT_TRUE(path != NULL);
	diag_capture_begin();
	errno = 0;
	t = bpf_sdt_target__open_file(path, NULL);
	diag_capture_end();
	bpf_sdt_target__close(t);
	ASSERT_TRUE(t == NULL);
	ASSERT_EQ(errno, EACCES);
	ASSERT_CONTAINS(diag_captured(), ": cannot load program reads_past_the_context: ");
	ASSERT_CONTAINS(diag_captured(), "invalid bpf_context access");
}
