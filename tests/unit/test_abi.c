// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The shared library's ABI: it exports exactly the functions the public
 * header declares, each in a version node (libbpfsdt.map); and every entry
 * point taking an opts struct holds it to libbpf's rules (a struct whose
 * bytes past the fields this library knows are set is refused, with one
 * line naming it).
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define HEADER "include/libbpfsdt.h"
#define SHARED_LIB TEST_BUILD_DIR "/libbpfsdt.so"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the functions the header declares LIBBPFSDT_API, sorted, one
 * per line (the caller frees). */
static char *header_api(void)
{
	char *text = read_text_file(HEADER), *p, *names[256], *out;
	size_t n = 0, i, len = 0;

	for (p = text; (p = strstr(p, "LIBBPFSDT_API")) && n < 256; p++) {
		char *paren, *end, *start;

		if (p > text && p[-1] != '\n')
			continue; /* the #define, or a mention in a comment */
		paren = strchr(p, '(');
		for (end = paren; end > p && isspace((unsigned char)end[-1]); end--)
			;
		for (start = end; start > p && (isalnum((unsigned char)start[-1]) ||
						 start[-1] == '_'); start--)
			;
		names[n++] = strndup(start, (size_t)(end - start));
	}
	qsort(names, n, sizeof(*names), cmp_str);
	out = calloc(n + 1, 64);
	for (i = 0; out && i < n; i++)
		len += sprintf(out + len, "%s\n", names[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(text);
	return out;
}

TEST(shared_library_exports_exactly_the_headers_api_in_a_version_node)
{
	char *want = header_api(), *got, *line, *save = NULL, *names[256], problem[512] = "";
	struct cmd_result r __cleanup(cmd_result_free) = {};
	size_t n = 0, i, len = 0;

	DEFER(free, want);
	ASSERT_TRUE(want && strlen(want) > 1000); /* about 70 functions */
	ASSERT_EQ(run_cmd((char *[]){ "nm", "-D", "--defined-only", SHARED_LIB, NULL }, &r), 0);
	ASSERT_EQ(r.status, 0);
	/* "0000000000012340 T name@@LIBBPFSDT_0.1.0"; the nodes themselves are "A" */
	for (line = strtok_r(r.out, "\n", &save); line && n < 256 && !problem[0];
	     line = strtok_r(NULL, "\n", &save)) {
		char type = 0, sym[256] = "", *at;

		sscanf(line, "%*s %c %255s", &type, sym);
		at = strstr(sym, "@@LIBBPFSDT_0.");
		if (type == 'A' && !strncmp(sym, "LIBBPFSDT_", 10))
			continue;
		if (!at || type != 'T')
			snprintf(problem, sizeof(problem), "not a function in the version node: %s",
				 line);
		else
			names[n++] = strndup(sym, (size_t)(at - sym));
	}
	qsort(names, n, sizeof(*names), cmp_str);
	got = calloc(n + 1, 64);
	DEFER(free, got);
	for (i = 0; i < n; i++) {
		if (got)
			len += sprintf(got + len, "%s\n", names[i]);
		free(names[i]);
	}
	if (problem[0])
		FAIL("%s: exports %s", SHARED_LIB, problem);
	ASSERT_STREQ(got, want);
}

/* A newer caller's struct: ours with one more field, which it sets. */
#define NEWER(type) struct { struct type known; __u64 newer_field; }

/* Each entry point taking opts, called with them (other arguments as
 * plain as they can be: the opts are checked first); did it refuse? */
static bool refuses_object_open(void *o)
{
	return !bpf_sdt_object__open_file(corpus_path("basic"), o) && errno == EINVAL;
}

static bool refuses_target_open(void *o)
{
	return !bpf_sdt_target__open_file(corpus_path("basic"), o) && errno == EINVAL;
}

static bool refuses_target_from_object(void *o)
{
	return !bpf_sdt_target__from_object(NULL, NULL, 0, o) && errno == EINVAL;
}

static bool refuses_live_open(void *o)
{
	return !bpf_sdt_target__open_xdp(corpus_path("basic"), 1, o) && errno == EINVAL;
}

static bool refuses_live_reset(void *o)
{
	return bpf_sdt_xdp_reset(corpus_path("basic"), 1, o) == -EINVAL;
}

static bool refuses_hook(void *o)
{
	return !bpf_sdt_target__open_live(corpus_path("basic"), o, NULL) && errno == EINVAL;
}

static bool refuses_hook_status(void *o)
{
	struct bpf_sdt_hook_status st = { .sz = sizeof(st) };

	return bpf_sdt_hook__status(o, 0, &st) == -EINVAL;
}

static bool refuses_check(void *o)
{
	return !bpf_sdt_target__check(NULL, o) && errno == EINVAL;
}

static bool refuses_attach(void *o)
{
	return !bpf_sdt_target__attach(NULL, NULL, NULL, o) && errno == EINVAL;
}

static bool refuses_tracer(void *o)
{
	return !bpf_sdt_tracer__new(NULL, o) && errno == EINVAL;
}

static bool refuses_sweep(void *o)
{
	return !bpf_sdt_target__sweep(NULL, NULL, o) && errno == EINVAL;
}

struct opts_case {
	const char *type;
	bool (*refuses)(void *opts);
	size_t newer_sz, known_sz;
};

#define OPTS_CASE(t, fn) { #t, fn, sizeof(NEWER(t)), offsetof(NEWER(t), newer_field) }

UNIT_TEST(every_entry_point_refuses_opts_with_fields_it_does_not_know)
{
	const struct opts_case cases[] = {
		OPTS_CASE(bpf_sdt_open_opts, refuses_object_open),
		OPTS_CASE(bpf_sdt_target_opts, refuses_target_open),
		OPTS_CASE(bpf_sdt_target_opts, refuses_target_from_object),
		OPTS_CASE(bpf_sdt_live_opts, refuses_live_open),
		OPTS_CASE(bpf_sdt_live_opts, refuses_live_reset),
		OPTS_CASE(bpf_sdt_hook, refuses_hook),
		OPTS_CASE(bpf_sdt_hook, refuses_hook_status),
		OPTS_CASE(bpf_sdt_check_opts, refuses_check),
		OPTS_CASE(bpf_sdt_attach_opts, refuses_attach),
		OPTS_CASE(bpf_sdt_tracer_opts, refuses_tracer),
		OPTS_CASE(bpf_sdt_sweep_opts, refuses_sweep),
	};
	char says[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct opts_case *c = &cases[i];
		/* zeroed whole, padding too: only the newer field is set */
		__u64 newer[8] = {};
		bool refused;

		ASSERT_TRUE(c->newer_sz <= sizeof(newer));
		newer[0] = c->newer_sz;	/* sz: a size_t, the first field */
		newer[c->known_sz / 8] = 1;
		diag_capture_begin();
		refused = c->refuses(newer);
		diag_capture_end();
		if (!refused)
			FAIL("struct %s with a field set past those known: not refused", c->type);
		snprintf(says, sizeof(says), "libbpfsdt: struct %s: byte %zu is set, past the fields this libbpfsdt knows",
			 c->type, c->known_sz);
		ASSERT_CONTAINS(diag_captured(), says);
	}
}

UNIT_TEST(every_entry_point_refuses_opts_smaller_than_their_size_field)
{
	struct bpf_sdt_arm_stats stats = { .sz = 4 };
	struct bpf_sdt_target_opts small = { .sz = 4 };

	diag_capture_begin();
	ASSERT_TRUE(refuses_target_open(&small));
	ASSERT_EQ(bpf_sdt_target__arm_stats(NULL, "p", &stats), -EINVAL);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), "libbpfsdt: struct bpf_sdt_target_opts: size 4 is too small\n");
	ASSERT_CONTAINS(diag_captured(), "libbpfsdt: struct bpf_sdt_arm_stats: size 4 is too small\n");
}

UNIT_TEST(a_newer_callers_opts_are_taken_when_the_fields_it_adds_are_left_zero)
{
	NEWER(bpf_sdt_open_opts) newer = { .known.sz = sizeof(newer), .known.object_name = "named" };
	struct bpf_sdt_object *obj = bpf_sdt_object__open_file(corpus_path("basic"), &newer.known);

	ASSERT_TRUE(obj != NULL);
	ASSERT_STREQ(bpf_sdt_object__name(obj), "named");
	bpf_sdt_object__close(obj);
}
