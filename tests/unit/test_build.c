// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The build's own promises: make check installs nothing when nothing is
 * missing (scripts/install-deps.sh, its first step). */
#include <stdlib.h>
#include <sys/stat.h>
#include "helpers.h"
#include "test.h"

/* An apt-get and an apt that only record that they were run. */
static void fake_apt(const char *dir)
{
	static const char fake[] = "#!/bin/sh\necho \"$0 $*\" >> \"${0%/*}/called\"\nexit 1\n";
	static const char *const names[] = { "apt-get", "apt" };
	char path[600];
	FILE *f;
	size_t i;

	mkdir(dir, 0755);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "w");
		ASSERT_TRUE(f != NULL);
		fputs(fake, f);
		ASSERT_EQ(fclose(f), 0);
		ASSERT_EQ(chmod(path, 0755), 0);
	}
	snprintf(path, sizeof(path), "%s/called", dir);
	unlink(path);
}

UNIT_TEST(install_deps_runs_no_apt_get_when_every_package_is_there)
{
	struct cmd_result r __cleanup(cmd_result_free) = {};
	struct cmd_result missing __cleanup(cmd_result_free) = {};
	char dir[512], path_env[4096], called[600];

	snprintf(dir, sizeof(dir), "%s", scratch_path("fake-apt"));
	ASSERT_OK_HELPER(fake_apt(dir));
	snprintf(path_env, sizeof(path_env), "PATH=%s:%s", dir, getenv("PATH") ?: "/usr/bin:/bin");
	ASSERT_EQ(run_cmd((char *[]){ "env", path_env, "scripts/install-deps.sh", NULL }, &r), 0);
	ASSERT_STREQ(r.err, "");
	ASSERT_EQ(r.status, 0);
	snprintf(called, sizeof(called), "%s/called", dir);
	ASSERT_EQ(access(called, F_OK), -1); /* neither was run */
	if (geteuid())
		return;
	/* and the fake is what would have run: ask for a package not there */
	ASSERT_EQ(run_cmd((char *[]){ "env", path_env, "scripts/install-deps.sh",
				      "bpfsdt-no-such-package", NULL }, &missing), 0);
	ASSERT_NE(missing.status, 0);
	ASSERT_EQ(access(called, F_OK), 0);
}
