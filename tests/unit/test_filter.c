// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Filters compiled into the generated observer: events dropped in the
 * kernel, comparisons by declared signedness, enumerator names, errors. */
#include <stdlib.h>
#include "helpers.h"
#include "test.h"

#define NARROW_EVENT "{\"probe\": \"narrow\", \"function\": \"arg_values\", \"insn\": 13, " \
		     "\"args\": [-1, 255, -66, 64000, true]}\n"
#define RETVAL(n) "{\"retval\": 2, \"retval_name\": \"XDP_PASS\", \"events\": " #n ", \"lost\": 0}\n"

static const char *packet64(void)
{
	static char path[256];
	unsigned char pkt[64] = { [12] = 0x08 };
	FILE *f;

	snprintf(path, sizeof(path), "%s", scratch_path("filter-pkt.bin"));
	f = fopen(path, "wb");
	if (!f || fwrite(pkt, 1, sizeof(pkt), f) != sizeof(pkt))
		abort();
	fclose(f);
	return path;
}

static void run_filter(const char *filter, struct cmd_result *r)
{
	char *argv[] = { (char *)bpfsdt_bin(), "run", "--json", (char *)corpus_path("arg_values"),
			 "arg_values", "--data-in", (char *)packet64(), "--trace", "narrow",
			 "--filter", (char *)filter, NULL };

	ASSERT_EQ(run_cmd(argv, r), 0);
}

static void expect_events(const char *filter, const char *out)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_filter(filter, &r));
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out, out);
	cmd_result_free(&r);
}

TEST(filter_compares_signed_arguments_as_signed)
{
	REQUIRE_ROOT();
	expect_events("arg0 < 0", NARROW_EVENT RETVAL(1));
	expect_events("arg0 > 0", RETVAL(0));
}

TEST(filter_compares_unsigned_arguments_as_unsigned)
{
	REQUIRE_ROOT();
	expect_events("arg1 > 254 && arg1 <= 255", NARROW_EVENT RETVAL(1));
	expect_events("arg3 == 0xfa00", NARROW_EVENT RETVAL(1));
}

TEST(filter_combines_with_and_or_not_and_parentheses)
{
	REQUIRE_ROOT();
	expect_events("!(arg3 >= 64000) || arg2 == -66", NARROW_EVENT RETVAL(1));
	expect_events("(arg2 != -66 || arg0 == 7) && arg4", RETVAL(0));
	expect_events("arg4", NARROW_EVENT RETVAL(1));
	expect_events("!arg4", RETVAL(0));
}

TEST(filter_counts_only_matching_hits)
{
	char *argv[] = { (char *)bpfsdt_bin(), "run", "--json", "--count",
			 TEST_BUILD_DIR "/examples/xdp_filter.bpf.o", "xdp_filter", "--data-in",
			 (char *)packet64(), "--repeat", "50", "--trace", "verdict", "--filter",
			 "arg0 == XDP_DROP && arg1 == REASON_TRUNCATED", NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"insn\": 58, \"hits\": 50}");
	ASSERT_CONTAINS(r.out, "\"events\": 50,");
	cmd_result_free(&r);
}

static void expect_error(const char *filter, const char *message)
{
	struct cmd_result r;
	char expected[512];

	ASSERT_OK_HELPER(run_filter(filter, &r));
	snprintf(expected, sizeof(expected), "bpfsdt: %s: filter '%s' for probe narrow: %s\n",
		 corpus_path("arg_values"), filter, message);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, expected);
	cmd_result_free(&r);
}

TEST(filter_refuses_an_argument_the_probe_does_not_have)
{
	REQUIRE_ROOT();
	expect_error("arg5 == 1", "arg5 does not exist: probe narrow has 5 arguments");
}

TEST(filter_refuses_an_unknown_name)
{
	REQUIRE_ROOT();
	expect_error("arg0 == XDP_NOPE", "unknown name 'XDP_NOPE' (not an enumerator)");
}

TEST(filter_refuses_incomplete_expressions)
{
	REQUIRE_ROOT();
	expect_error("arg0 <", "unexpected end of filter at offset 6");
	expect_error("(arg0 < 1", "expected ')' at offset 9");
	expect_error("arg0 < 1 arg1", "unexpected text at offset 9");
}
