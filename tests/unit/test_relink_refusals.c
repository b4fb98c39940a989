// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What attaching refuses, with one clear line naming probe, site and
 * instruction -- and that a refused attach changes nothing.
 */
#include <errno.h>
#include <unistd.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

struct refusal {
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	int orig_fd;
	int err;
};

/* Attaches observer `obs` of object `observers` to `probe` of `target`,
 * expecting a refusal; leaves the diagnostics in diag_captured(). */
static void expect_refusal(struct refusal *r, const char *target, const char *prog,
			   const char *observers, const char *obs, const char *probe)
{
	struct bpf_sdt_link *link;

	memset(r, 0, sizeof(*r));
	r->t = bpf_sdt_target__open_file(corpus_path(target), NULL);
	r->obs = observer_open(observers);
	ASSERT_TRUE(r->t && r->obs);
	r->orig_fd = bpf_sdt_target__prog_fd(r->t, prog);
	diag_capture_begin();
	errno = 0;
	link = bpf_sdt_target__attach(r->t, bpf_object__find_program_by_name(r->obs, obs), probe,
				      observer_opts(r->obs));
	r->err = errno;
	diag_capture_end();
	ASSERT_TRUE(link == NULL);
	ASSERT_NE(r->err, 0);
	/* nothing changed: the original still runs */
	ASSERT_EQ(bpf_sdt_target__prog_fd(r->t, prog), r->orig_fd);
}

static void release(struct refusal *r)
{
	bpf_sdt_target__close(r->t);
	bpf_object__close(r->obs);
}

TEST(refuses_site_needing_more_than_512_bytes_of_stack)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "stack_hog", "stack_hog", "recorders", "rec5", "hog"));
	ASSERT_EQ(r.err, E2BIG);
	ASSERT_CONTAINS(diag_captured(), "probe hog at stack_hog insn 40 (program stack_hog): "
					 "the call needs");
	ASSERT_CONTAINS(diag_captured(), "bytes of stack below the 488 its function uses (limit 512)");
	release(&r);
}

TEST(refuses_observer_reading_past_the_arguments_and_the_site_id)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "basic", "xdp_prog", "bad_observers",
					"reads_past_the_site_id", "my_trace"));
	ASSERT_CONTAINS(diag_captured(), "observer reads_past_the_site_id (probe my_trace): insn ");
	ASSERT_CONTAINS(diag_captured(),
			"reads context offset 24, but probe my_trace has 2 arguments and then the site's id\n");
	release(&r);
}

TEST(refuses_observer_that_redirects_packets)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "basic", "xdp_prog", "bad_observers", "redirects",
					"my_trace"));
	ASSERT_CONTAINS(diag_captured(), "observer redirects (probe my_trace): insn ");
	ASSERT_CONTAINS(diag_captured(), "calls helper bpf_redirect (#23), which observers may not use");
	release(&r);
}

TEST(refuses_observer_that_tail_calls)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "basic", "xdp_prog", "bad_observers", "tail_calls",
					"my_trace"));
	ASSERT_CONTAINS(diag_captured(), "calls helper bpf_tail_call (#12)");
	release(&r);
}

TEST(refuses_observer_writing_through_a_pointer_argument)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "arg_values", "arg_values", "bad_observers",
					"writes_packet", NULL));
	ASSERT_CONTAINS(diag_captured(), "observer writes_packet (probe packet): insn ");
	ASSERT_CONTAINS(diag_captured(), "writes through r1, which may point into the target's memory\n");
	release(&r);
}

TEST(shows_verifier_lines_with_source_when_the_kernel_rejects_the_armed_copy)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "arg_values", "arg_values", "bad_observers",
					"unchecked_read", NULL));
	ASSERT_CONTAINS(diag_captured(), "program arg_values: the kernel verifier rejected the armed copy");
	ASSERT_CONTAINS(diag_captured(), "invalid access to packet");
	ASSERT_CONTAINS(diag_captured(), "sink = *(unsigned char *)data; @ bad_observers.bpf.c:");
	release(&r);
}

TEST(refuses_unknown_probe)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "basic", "xdp_prog", "recorders", "rec0", "nope"));
	ASSERT_STREQ(diag_captured(), TEST_BUILD_DIR "/tests/bpf/basic.bpf.o: observer rec0: "
				      "the target declares no probe nope\n");
	release(&r);
}

TEST(refuses_probe_without_sites)
{
	struct refusal r;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_refusal(&r, "multi_prog", "multi_xdp", "recorders", "rec0",
					"never_fired"));
	ASSERT_STREQ(diag_captured(), TEST_BUILD_DIR "/tests/bpf/multi_prog.bpf.o: probe "
				      "never_fired has no sites in any program\n");
	release(&r);
}

TEST(refused_attach_leaves_earlier_observers_running)
{
	struct bpf_sdt_target *t;
	struct bpf_object *good, *bad;
	int armed;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	good = observer_open("rfc_observer");
	bad = observer_open("bad_observers");
	ASSERT_TRUE(t && good && bad);
	ASSERT_TRUE(bpf_sdt_target__attach(t, observer_prog(good), NULL, observer_opts(good)) != NULL);
	armed = bpf_sdt_target__prog_fd(t, "xdp_prog");
	diag_capture_begin();
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(bad, "redirects"),
					   "my_trace", observer_opts(bad)) == NULL);
	diag_capture_end();
	ASSERT_EQ(bpf_sdt_target__prog_fd(t, "xdp_prog"), armed);
	ASSERT_EQ(run_packet(armed, 64), XDP_PASS);
	ASSERT_EQ(observer_var(good, "hits"), 1);
	bpf_sdt_target__close(t);
	bpf_object__close(good);
	bpf_object__close(bad);
}
