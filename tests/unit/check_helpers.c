// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "check_helpers.h"
#include "helpers.h"
#include "test.h"

void check_prog(enum bpf_sdt_check_mode mode, const char *prog, size_t *cnt, size_t *warnings,
		char *text, size_t size)
{
	check_object_prog(mode, "check_cases", prog, cnt, warnings, text, size);
}

void check_object_prog(enum bpf_sdt_check_mode mode, const char *object, const char *prog,
		       size_t *cnt, size_t *warnings, char *text, size_t size)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = mode == BPF_SDT_CHECK_OFFLINE);
	LIBBPF_OPTS(bpf_sdt_check_opts, opts, .mode = mode);
	struct bpf_sdt_target *t;
	struct bpf_sdt_check *c;
	size_t i, len = 0;

	*cnt = *warnings = 0;
	text[0] = '\0';
	t = bpf_sdt_target__open_file(corpus_path(object), &topts);
	ASSERT_TRUE(t != NULL);
	c = bpf_sdt_target__check(t, &opts);
	ASSERT_TRUE(c != NULL);
	for (i = 0; i < bpf_sdt_check__finding_cnt(c); i++) {
		const struct bpf_sdt_finding *f = bpf_sdt_check__finding(c, i);

		if (strcmp(f->prog, prog))
			continue;
		(*cnt)++;
		*warnings += f->warning;
		len += snprintf(text + len, len < size ? size - len : 0, "%s:%u: %s%s\n",
				f->file ?: "?", f->line, f->warning ? "warning: " : "", f->message);
	}
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
}

void expect_clean(enum bpf_sdt_check_mode mode, const char *prog)
{
	size_t cnt, warnings;
	char text[2048];

	if (mode == BPF_SDT_CHECK_KERNEL)
		REQUIRE_ROOT();
	ASSERT_OK_HELPER(check_prog(mode, prog, &cnt, &warnings, text, sizeof(text)));
	ASSERT_STREQ(text, "");
	ASSERT_EQ(cnt, 0);
}

static void expect_one(enum bpf_sdt_check_mode mode, const char *prog, const char *says,
		       bool warning)
{
	size_t cnt, warnings;
	char text[2048];

	if (mode == BPF_SDT_CHECK_KERNEL)
		REQUIRE_ROOT();
	ASSERT_OK_HELPER(check_prog(mode, prog, &cnt, &warnings, text, sizeof(text)));
	ASSERT_EQ(cnt, 1);
	ASSERT_EQ(warnings, warning);
	ASSERT_CONTAINS(text, "check_cases.bpf.c:");
	ASSERT_CONTAINS(text, says);
}

void expect_finding(enum bpf_sdt_check_mode mode, const char *prog, const char *says)
{
	expect_one(mode, prog, says, false);
}

void expect_warning(enum bpf_sdt_check_mode mode, const char *prog, const char *says)
{
	expect_one(mode, prog, says, true);
}
