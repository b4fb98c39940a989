// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Filters compiled into the generated observer: events dropped in the
 * kernel, comparisons by declared signedness, enumerator names, errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "trace/filter.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define NARROW_EVENT "{\"probe\": \"narrow\", \"function\": \"arg_values\", \"insn\": 13, " \
		     "\"args\": [-1, 255, -66, 64000, true]}\n"
#define RETVAL(n) "{\"retval\": 2, \"retval_name\": \"XDP_PASS\", \"events\": " #n ", \"lost\": 0, " \
		  "\"duration_ns\": N}\n"

static const char *packet64(void)
{
	return scratch_frame("filter-pkt.bin", 64);
}

static void run_filter(const char *filter, struct cmd_result *r)
{
	char *argv[] = { (char *)bpfsdt_bin(), "run", "--json", (char *)corpus_path("arg_values"),
			 "arg_values", "--data-in", (char *)packet64(), "--trace", "narrow",
			 "--filter", (char *)filter, NULL };

	ASSERT_EQ(run_cmd(argv, r), 0);
}

/* The same filter counting: inlined at the site rather than run by the
 * generated observer, it must count exactly the events that one passes. */
static void expect_count(const char *object, const char *prog, const char *probe,
			 const char *filter, int hits)
{
	char *argv[] = { (char *)bpfsdt_bin(), "run", "--json", "--count", (char *)object,
			 (char *)prog, "--data-in", (char *)packet64(), "--repeat", "3", "--trace",
			 (char *)probe, "--filter", (char *)filter, NULL };
	char want[64];
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	snprintf(want, sizeof(want), "\"hits\": %d}", 3 * hits);
	if (r.status || !strstr(r.out, want))
		fprintf(stdout, "    counting with filter '%s': %s%s", filter, r.out, r.err);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, want);
	cmd_result_free(&r);
}

static void expect_events(const char *filter, const char *out)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(run_filter(filter, &r));
	ASSERT_EQ(r.status, 0);
	mask_run_durations(r.out);
	ASSERT_STREQ(strip_event_stamps(r.out), out);
	cmd_result_free(&r);
	expect_count(corpus_path("arg_values"), "arg_values", "narrow", filter,
		     strstr(out, "\"probe\"") != NULL);
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

/* --- signed enums, truth literals, number forms, nesting --- */

#define RESULT_EVENT "{\"probe\": \"result\", \"function\": \"signed_enums\", \"insn\": %s, " \
		     "\"args\": [\"VERDICT_EINVAL\", -36, 64]}\n"

/* The insn of signed_enums' one site, as listed (it moves with the compiler). */
static const char *result_site_insn(void)
{
	static char insn[16];
	struct bpf_sdt_object *obj = bpf_sdt_object__open_file(corpus_path("signed_enums"), NULL);

	snprintf(insn, sizeof(insn), "%u", obj && bpf_sdt_object__site_cnt(obj) == 1 ?
		 bpf_sdt_site__insn(bpf_sdt_object__site(obj, 0)) : ~0u);
	bpf_sdt_object__close(obj);
	return insn;
}

static void run_result_filter(const char *filter, struct cmd_result *r)
{
	char *argv[] = { (char *)bpfsdt_bin(), "run", "--json", (char *)corpus_path("signed_enums"),
			 "signed_enums", "--data-in", (char *)packet64(), "--filter",
			 (char *)filter, NULL };

	ASSERT_EQ(run_cmd(argv, r), 0);
}

/* matches: the one event passes the filter (true) or not (false) */
static void expect_result(const char *filter, bool matches)
{
	char expected[512], event[256];
	struct cmd_result r;

	snprintf(event, sizeof(event), RESULT_EVENT, result_site_insn());
	snprintf(expected, sizeof(expected), "%s%s", matches ? event : "",
		 matches ? RETVAL(1) : RETVAL(0));
	ASSERT_OK_HELPER(run_result_filter(filter, &r));
	mask_run_durations(r.out);
	if (strcmp(r.out, expected))
		fprintf(stdout, "    filter '%s': %s%s", filter, r.out, r.err);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(strip_event_stamps(r.out), expected);
	cmd_result_free(&r);
	expect_count(corpus_path("signed_enums"), "signed_enums", "result", filter, matches);
}

static void expect_result_error(const char *filter, const char *message)
{
	char expected[512];
	struct cmd_result r;

	ASSERT_OK_HELPER(run_result_filter(filter, &r));
	snprintf(expected, sizeof(expected), "bpfsdt: %s: filter '%s' for probe result: %s\n",
		 corpus_path("signed_enums"), filter, message);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, expected);
	cmd_result_free(&r);
}

TEST(filter_matches_a_negative_enumerator_by_name_and_by_value)
{
	REQUIRE_ROOT();
	expect_result("arg0 == VERDICT_EINVAL", true);
	expect_result("arg0 != VERDICT_EINVAL", false);
	expect_result("arg0 == VERDICT_EFAULT", false);
	expect_result("arg0 == -22", true);
}

TEST(filter_compares_negative_numbers_with_signed_64_bit_arguments)
{
	REQUIRE_ROOT();
	expect_result("arg1 < -30 && arg1 > -40", true);
	expect_result("arg1 >= 0", false);
	expect_result("arg1 == -36", true);
}

TEST(filter_refuses_constants_outside_the_arguments_type)
{
	REQUIRE_ROOT();
	expect_result_error("arg2 == 4294967296", "4294967296 is out of the range of arg2 (unsigned int)");
	expect_result_error("arg1 == 9223372036854775808",
			    "9223372036854775808 is out of the range of arg1 (long)");
	expect_result_error("arg2 > -1",
			    "arg2 is unsigned (unsigned int): order it against numbers from 0 up, not -1");
}

TEST(filter_knows_true_and_false)
{
	REQUIRE_ROOT();
	expect_result("true", true);
	expect_result("false", false);
	expect_result("arg2 == 64 && true", true);
	expect_events("arg4 == true", NARROW_EVENT RETVAL(1));
	expect_events("arg4 == false", RETVAL(0));
}

TEST(filter_reads_decimal_hex_and_0o_octal_and_refuses_a_leading_zero)
{
	REQUIRE_ROOT();
	expect_result("arg2 == 64", true);
	expect_result("arg2 == 0x40", true);
	expect_result("arg2 == 0o100", true);
	expect_result("arg2 == 0", false);
	expect_result_error("arg2 == 0100", "'0100' is ambiguous (C would read it as octal): write it "
			    "without the leading 0, or 0o... for octal, 0x... for hex");
	expect_result_error("arg2 == 0o9", "bad number at offset 8");
	expect_result_error("arg2 == 99999999999999999999", "number out of 64-bit range at offset 8");
}

/* The parser recurses on '(' and '!': a hostile command line must get a
 * line, not a stack overflow. The library is called directly: 100k
 * characters are more than one execve() argument may hold. */
static void expect_too_deep(char open)
{
	struct bpf_sdt_object *obj = bpf_sdt_object__open_file(corpus_path("signed_enums"), NULL);
	size_t depth = 100000, i;
	char *expr = malloc(2 * depth + 8), err[256] = "";
	struct sdt_insn_buf out = {};
	int n;

	ASSERT_TRUE(obj && expr);
	for (i = 0; i < depth; i++)
		expr[i] = open;
	strcpy(expr + depth, "arg2");
	for (i = 0; open == '(' && i < depth; i++)
		expr[depth + 4 + i] = ')';
	expr[depth + 4 + (open == '(' ? depth : 0)] = '\0';
	n = sdt_filter_compile(expr, bpf_sdt_object__btf(obj), bpf_sdt_object__find_probe(obj, "result"),
			       &out, err, sizeof(err));
	sdt_insn_buf_free(&out);
	free(expr);
	bpf_sdt_object__close(obj);
	ASSERT_EQ(n, -EINVAL);
	ASSERT_STREQ(err, "filter nests deeper than 32 levels of '(' and '!' at offset 33");
}

UNIT_TEST(filter_refuses_deep_nesting_with_one_message)
{
	ASSERT_OK_HELPER(expect_too_deep('('));
	ASSERT_OK_HELPER(expect_too_deep('!'));
}

UNIT_TEST(filter_accepts_nesting_up_to_the_limit)
{
	struct bpf_sdt_object *obj = bpf_sdt_object__open_file(corpus_path("signed_enums"), NULL);
	char expr[128] = "", err[256] = "";
	struct sdt_insn_buf out = {};
	__u32 cnt;
	int i;

	ASSERT_TRUE(obj != NULL);
	for (i = 0; i < 32; i++)
		strcat(expr, "(");
	strcat(expr, "arg2");
	for (i = 0; i < 32; i++)
		strcat(expr, ")");
	i = sdt_filter_compile(expr, bpf_sdt_object__btf(obj), bpf_sdt_object__find_probe(obj, "result"),
			       &out, err, sizeof(err));
	bpf_sdt_object__close(obj);
	cnt = out.cnt;
	sdt_insn_buf_free(&out);
	ASSERT_STREQ(err, "");
	ASSERT_EQ(i, 0);
	ASSERT_TRUE(cnt > 0);
}
