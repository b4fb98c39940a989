// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What bpfsdt check says of sites it could not check (stack_hog.bpf.c),
 * alone and next to errors (check_shapes.bpf.c). The verdicts themselves
 * are annotated in the sources (test_check_verdicts.c).
 */
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

TEST(cli_check_exits_3_when_a_site_could_not_be_checked_and_none_failed)
{
	char *argv[] = { (char *)bpfsdt_bin(), "check", "--kernel",
			 (char *)corpus_path("stack_hog"), NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 3);
	ASSERT_CONTAINS(r.out, "stack_hog.bpf.c:17: probe hog: could not check: ");
	ASSERT_CONTAINS(r.err, "1 site checked by the kernel verifier: 0 errors, 0 warnings, "
			"1 could not be checked\n");
	cmd_result_free(&r);
}

TEST(cli_check_json_gives_a_site_it_could_not_check_the_severity_unchecked)
{
	char *argv[] = { (char *)bpfsdt_bin(), "check", "--kernel", "--json",
			 (char *)corpus_path("stack_hog"), NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 3);
	ASSERT_CONTAINS(r.out, "\"severity\": \"unchecked\"");
	ASSERT_CONTAINS(r.out, "], \"unchecked\": 1}");
	cmd_result_free(&r);
}

TEST(cli_check_exits_1_when_errors_come_with_sites_it_could_not_check)
{
	char *argv[] = { (char *)bpfsdt_bin(), "check", "--kernel",
			 (char *)corpus_path("check_shapes"), NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 1);
	cmd_result_free(&r);
}
