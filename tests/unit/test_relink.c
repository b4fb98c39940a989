// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Attaching observers by relinking: the RFC example end to end. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

TEST(attached_observer_sees_every_site_hit_with_its_arguments)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	struct bpf_sdt_link *link;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(t && obs);
	link = bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs));
	ASSERT_TRUE(link != NULL);
	ASSERT_NE(bpf_sdt_target__prog_fd(t, "xdp_prog"),
		  bpf_program__fd(bpf_object__find_program_by_name(bpf_sdt_target__object(t), "xdp_prog")));

	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "xdp_prog"), 64), XDP_PASS);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "xdp_prog"), 40), XDP_DROP);
	ASSERT_EQ(observer_var(obs, "hits"), 2);
	ASSERT_EQ(observer_var(obs, "last_len"), 40);
	ASSERT_EQ(observer_var(obs, "last_ret"), XDP_DROP);

	ASSERT_EQ(bpf_sdt_link__destroy(link), 0);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(detaching_the_last_observer_restores_the_original_program)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	struct bpf_sdt_link *link;
	int orig;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(t && obs);
	orig = bpf_sdt_target__prog_fd(t, "xdp_prog");
	link = bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs));
	ASSERT_TRUE(link != NULL);
	ASSERT_EQ(bpf_sdt_link__destroy(link), 0);
	ASSERT_EQ(bpf_sdt_target__prog_fd(t, "xdp_prog"), orig);
	ASSERT_EQ(run_packet(orig, 64), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "hits"), 0);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(observer_reads_its_link_cookie)
{
	LIBBPF_OPTS(bpf_sdt_attach_opts, opts, .cookie = 0x1122334455667788ULL);
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	struct bpf_sdt_link *link;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(t && obs);
	opts.observer_obj = obs;
	link = bpf_sdt_target__attach(t, observer_prog(obs), "my_trace", &opts);
	ASSERT_TRUE(link != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "xdp_prog"), 100), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "last_cookie"), 0x1122334455667788LL);
	bpf_sdt_link__destroy(link);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(observer_reads_the_calling_sites_id_after_the_arguments)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	struct bpf_sdt_link *link;
	__u64 hits[64];
	int id, distinct = 0;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("loops"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	link = bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "by_site"), "iter",
				      observer_opts(obs));
	ASSERT_TRUE(link != NULL);
	ASSERT_TRUE(run_packet(bpf_sdt_target__prog_fd(t, "loops_prog"), 100) >= 0);
	ASSERT_EQ(observer_read_var(obs, "by_site_hits", hits, sizeof(hits)), 0);
	for (id = 0; id < 64; id++) {
		const struct bpf_sdt_site *s;

		if (!hits[id])
			continue;
		s = bpf_sdt_object__site_by_id(bpf_sdt_target__probes(t), (__u32)id);
		ASSERT_TRUE(s != NULL);
		ASSERT_STREQ(bpf_sdt_probe__name(bpf_sdt_site__probe(s)), "iter");
		distinct++;
	}
	ASSERT_TRUE(distinct >= 2);
	bpf_sdt_link__destroy(link);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(target_adopts_an_object_the_caller_opened_and_loaded)
{
	struct bpf_object *obj, *obs;
	struct bpf_sdt_target *t;
	size_t size;
	void *elf;

	REQUIRE_ROOT();
	ASSERT_EQ(libbpfsdt_init(), 0); /* before opening, as a skeleton user would */
	elf = read_whole_file(corpus_path("basic"), &size);
	obj = bpf_object__open_mem(elf, size, NULL);
	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_object__load(obj), 0);
	t = bpf_sdt_target__from_object(obj, elf, size, NULL);
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "xdp_prog"), 64), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "hits"), 1);
	bpf_sdt_target__close(t);
	ASSERT_TRUE(bpf_object__find_program_by_name(obj, "xdp_prog") != NULL); /* still the caller's */
	bpf_object__close(obj);
	bpf_object__close(obs);
	free(elf);
}
