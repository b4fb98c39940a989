// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The capture registry (src/target/capture.c): libbpf calls libbpfsdt's
 * handlers for every program anyone in the process loads. What is kept
 * must be bounded by what is open -- a daemon embedding libbpfsdt opens and
 * closes targets and loads objects of its own for months.
 */
#include <bpf/libbpf.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "target/capture.h"
#include "test.h"

#define ROUNDS 100

UNIT_TEST(capture_registry_keeps_nothing_of_offline_targets_once_open_returns)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = true);
	struct bpf_sdt_target *t;
	size_t before = sdt_capture_count();
	int i;

	for (i = 0; i < ROUNDS; i++) {
		t = bpf_sdt_target__open_file(corpus_path("check_cases"), &topts);
		ASSERT_TRUE(t != NULL);
		/* each program took its record; nothing else was kept */
		ASSERT_EQ(sdt_capture_count(), before);
		bpf_sdt_target__close(t);
	}
	ASSERT_EQ(sdt_capture_count(), before);
}

TEST(capture_registry_stays_bounded_over_targets_and_unrelated_objects)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obj;
	size_t before;
	int i;

	REQUIRE_ROOT();
	ASSERT_EQ(libbpfsdt_init(), 0);
	before = sdt_capture_count();
	for (i = 0; i < ROUNDS; i++) {
		t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
		ASSERT_TRUE(t != NULL);
		/* an object of the caller's own, loaded through libbpf alone */
		obj = bpf_object__open_file(corpus_path("check_cases"), NULL);
		ASSERT_TRUE(obj != NULL);
		ASSERT_EQ(bpf_object__load(obj), 0);
		ASSERT_TRUE(sdt_capture_count() > before); /* kept while it is open */
		bpf_object__close(obj);
		bpf_sdt_target__close(t);
		ASSERT_EQ(sdt_capture_count(), before);
	}
}

TEST(capture_registry_keeps_an_open_observer_through_other_loads)
{
	struct bpf_sdt_link *link;
	struct bpf_sdt_target *t;
	struct bpf_object *obs, *other;
	int i;

	REQUIRE_ROOT();
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(obs != NULL);
	for (i = 0; i < ROUNDS; i++) {
		other = observer_open("rfc_observer");
		ASSERT_TRUE(other != NULL);
		bpf_object__close(other);
	}
	/* the first observer's record outlived all of theirs */
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	ASSERT_TRUE(t != NULL);
	link = bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs));
	ASSERT_TRUE(link != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "xdp_prog"), 64), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "hits"), 1);
	ASSERT_EQ(bpf_sdt_link__destroy(link), 0);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}
