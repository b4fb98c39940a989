// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_sdt.h refuses misuse at compile time, with a message naming the probe:
 * each tests/bpf/compile_fail/<case>.c must fail to build with clang -target
 * bpf and say what is wrong.
 */
#include "helpers.h"
#include "test.h"

static void expect_compile_error(const char *name, const char *message)
{
	char src[256];
	char *argv[] = { TEST_CLANG, "-O2", "-g", "-target", "bpf", "-Iinclude",
			 "-I/usr/include/" TEST_MULTIARCH, "-c", src, "-o", "/dev/null", NULL };
	struct cmd_result res;

	snprintf(src, sizeof(src), "tests/bpf/compile_fail/%s.c", name);
	ASSERT_EQ(run_cmd(argv, &res), 0);
	if (res.status == 0) {
		cmd_result_free(&res);
		FAIL("%s compiled", src);
	}
	if (!strstr(res.err, message)) {
		fprintf(stdout, "    clang said:\n%s", res.err);
		cmd_result_free(&res);
		FAIL("%s: no \"%s\" in the compiler's errors", src, message);
	}
	cmd_result_free(&res);
}

#define ARG_TYPE_RULE "only integers, enums, _Bool and pointers of at most 64 bits can be probe arguments"

UNIT_TEST(header_refuses_struct_argument_type)
{
	expect_compile_error("struct_by_value",
			     "bpf_sdt: probe 'p' argument 1 ('struct pair'): " ARG_TYPE_RULE);
}

UNIT_TEST(header_refuses_union_argument_type)
{
	expect_compile_error("union_by_value",
			     "bpf_sdt: probe 'p' argument 2 ('union u'): " ARG_TYPE_RULE);
}

UNIT_TEST(header_refuses_argument_type_wider_than_64_bits)
{
	expect_compile_error("wider_than_64_bits",
			     "bpf_sdt: probe 'p' argument 2 ('__int128'): " ARG_TYPE_RULE);
}

UNIT_TEST(header_refuses_floating_point_argument_type)
{
	expect_compile_error("floating_point",
			     "bpf_sdt: probe 'p' argument 1 ('double'): " ARG_TYPE_RULE);
}

UNIT_TEST(header_refuses_site_with_more_arguments_than_declared)
{
	expect_compile_error("wrong_argument_count",
			     "bpf_sdt: probe 'p' is declared with a different number of arguments than BPF_SDT_PROBE3 passes");
}

UNIT_TEST(header_refuses_site_with_fewer_arguments_than_declared)
{
	expect_compile_error("too_few_arguments",
			     "bpf_sdt: probe 'p' is declared with a different number of arguments than BPF_SDT_PROBE1 passes");
}

UNIT_TEST(header_refuses_site_of_undeclared_probe)
{
	expect_compile_error("undeclared_probe", "use of undeclared identifier '___bpf_sdt_nargs__nope'");
}

UNIT_TEST(header_refuses_pointer_for_integer_argument)
{
	expect_compile_error("pointer_for_integer",
			     "incompatible pointer to integer conversion initializing '___bpf_sdt_p__arg1'");
}

UNIT_TEST(header_refuses_integer_for_pointer_argument)
{
	expect_compile_error("integer_for_pointer",
			     "incompatible integer to pointer conversion initializing '___bpf_sdt_p__arg1'");
}

UNIT_TEST(header_refuses_struct_value_for_integer_argument)
{
	expect_compile_error("struct_for_integer",
			     "initializing '___bpf_sdt_p__arg1' (aka 'int') with an expression of incompatible type 'struct pair'");
}

UNIT_TEST(header_refuses_pointer_to_another_struct_type)
{
	expect_compile_error("incompatible_pointer",
			     "incompatible pointer types initializing '___bpf_sdt_p__arg1' (aka 'struct ethhdr *')");
}
