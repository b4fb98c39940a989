// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `bpfsdt list --json` against an independent oracle (tests/oracle), which
 * derives the table from llvm-readelf, the raw bytes and bpftool's BTF dump.
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "helpers.h"
#include "test.h"

static int oracle(const char *object, const char *bpfsdt, struct cmd_result *r)
{
	char *argv[] = { "python3", "tests/oracle/elf_oracle.py", (char *)object, (char *)bpfsdt,
			 NULL };

	return run_cmd(argv, r);
}

static void expect_agreement_in(const char *dir)
{
	char path[512];
	struct cmd_result r;
	struct dirent *e;
	DIR *d = opendir(dir);
	int checked = 0;

	ASSERT_TRUE(d != NULL);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 6, ".bpf.o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (oracle(path, bpfsdt_bin(), &r) || r.status) {
			fprintf(stdout, "%s%s", r.out ? r.out : "", r.err ? r.err : "");
			cmd_result_free(&r);
			closedir(d);
			FAIL("%s: bpfsdt and the ELF oracle disagree", path);
		}
		cmd_result_free(&r);
		checked++;
	}
	closedir(d);
	ASSERT_TRUE(checked >= 10);
}

TEST(list_json_matches_elf_oracle_for_cpu_v3_objects)
{
	expect_agreement_in(TEST_BUILD_DIR "/tests/bpf");
}

TEST(list_json_matches_elf_oracle_for_cpu_v1_objects)
{
	expect_agreement_in(TEST_BUILD_DIR "/tests/bpf/v1");
}

TEST(list_json_matches_elf_oracle_for_cpu_v2_objects)
{
	expect_agreement_in(TEST_BUILD_DIR "/tests/bpf/v2");
}

TEST(list_json_matches_elf_oracle_for_the_example)
{
	struct cmd_result r;

	ASSERT_EQ(oracle(TEST_BUILD_DIR "/examples/xdp_filter.bpf.o", bpfsdt_bin(), &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
}

TEST(elf_oracle_notices_a_wrong_register)
{
	const char *fake = scratch_path("fake-bpfsdt");
	char *real = realpath(bpfsdt_bin(), NULL);
	FILE *f = fopen(fake, "w");
	struct cmd_result r;

	/* a "bpfsdt" that misreports the first argument register */
	ASSERT_TRUE(f != NULL && real != NULL);
	fprintf(f, "#!/bin/sh\n\"%s\" \"$@\" | sed 's/\"regs\": \\[\"r1\"/\"regs\": [\"r2\"/'\n",
		real);
	fclose(f);
	free(real);
	chmod(fake, 0755);
	ASSERT_EQ(oracle(corpus_path("basic"), fake, &r), 0);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.out, "bpfsdt disagrees with the ELF");
	cmd_result_free(&r);
}
