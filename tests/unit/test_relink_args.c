// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Relink correctness: argument values, site placement, program shapes. */
#include <unistd.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

struct recorded {
	long long hits;
	__u64 args[12];
};

struct fixture {
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	struct recorded rec1, rec2, rec3, rec5, rec12;
};

static void setup(struct fixture *f, const char *target, const char *variant, const char *observers)
{
	memset(f, 0, sizeof(*f));
	f->t = bpf_sdt_target__open_file(corpus_variant_path(variant, target), NULL);
	f->obs = observer_open(observers);
	ASSERT_TRUE(f->t != NULL);
	ASSERT_TRUE(f->obs != NULL);
}

static void teardown(struct fixture *f)
{
	bpf_sdt_target__close(f->t);
	bpf_object__close(f->obs);
}

static struct bpf_sdt_link *attach(struct fixture *f, const char *obs, const char *probe)
{
	return bpf_sdt_target__attach(f->t, bpf_object__find_program_by_name(f->obs, obs), probe,
				      observer_opts(f->obs));
}

static void read_recorder(struct fixture *f, int n, struct recorded *r)
{
	char name[32];

	snprintf(name, sizeof(name), "rec%d_hits", n);
	r->hits = observer_var(f->obs, name);
	snprintf(name, sizeof(name), "rec%d_args", n);
	ASSERT_EQ(observer_read_var(f->obs, name, r->args, sizeof(r->args)), 0);
}

static void read_bss(struct fixture *f)
{
	ASSERT_OK_HELPER(read_recorder(f, 1, &f->rec1));
	ASSERT_OK_HELPER(read_recorder(f, 2, &f->rec2));
	ASSERT_OK_HELPER(read_recorder(f, 3, &f->rec3));
	ASSERT_OK_HELPER(read_recorder(f, 5, &f->rec5));
	ASSERT_OK_HELPER(read_recorder(f, 12, &f->rec12));
}

TEST(narrow_arguments_are_sign_or_zero_extended_by_declared_type)
{
	struct fixture f;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "arg_values", NULL, "recorders"));
	ASSERT_TRUE(attach(&f, "rec5", "narrow") != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "arg_values"), 64), XDP_PASS);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec5.hits, 1);
	ASSERT_EQ(f.rec5.args[0], (__u64)-1LL);		/* int -1 */
	ASSERT_EQ(f.rec5.args[1], 255);			/* 511 as unsigned char */
	ASSERT_EQ(f.rec5.args[2], (__u64)-66LL);		/* short */
	ASSERT_EQ(f.rec5.args[3], 64000);			/* unsigned short */
	ASSERT_EQ(f.rec5.args[4], 1);			/* _Bool */
	teardown(&f);
}

TEST(wide_arguments_reach_the_observer_intact)
{
	struct fixture f;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "arg_values", NULL, "recorders"));
	ASSERT_TRUE(attach(&f, "rec3", "wide") != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "arg_values"), 64), XDP_PASS);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec3.args[0], (__u64)-1LL);
	ASSERT_EQ(f.rec3.args[1], ~0ULL);
	ASSERT_EQ(f.rec3.args[2], 4000000000ULL);
	teardown(&f);
}

TEST(observer_reads_packet_bytes_through_a_packet_pointer_argument)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("arg_values"), NULL);
	obs = observer_open("packet_reader");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "arg_values"), 64), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "seen"), 1);
	ASSERT_EQ(observer_var(obs, "first_bytes"), 0x00010203); /* run_packet's payload */
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(twelve_argument_probe_passes_every_argument)
{
	struct fixture f;
	int i;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "arities", NULL, "recorders"));
	ASSERT_TRUE(attach(&f, "rec12", "a12") != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "arities_prog"), 64), XDP_PASS);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec12.hits, 1);
	for (i = 0; i < 9; i++)
		ASSERT_EQ(f.rec12.args[i], 64 + i);
	ASSERT_NE(f.rec12.args[9], 0);	/* the packet pointer */
	ASSERT_EQ(f.rec12.args[10], 74);
	ASSERT_EQ(f.rec12.args[11], 75);
	teardown(&f);
}

TEST(observers_of_one_probe_run_in_attach_order)
{
	__u32 order[16];
	struct bpf_sdt_target *t;
	struct bpf_object *obs;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("ordered");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "second_obs"),
					   "my_trace", observer_opts(obs)) != NULL);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "first_obs"),
					   "my_trace", observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "xdp_prog"), 64), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "order_len"), 2);
	ASSERT_EQ(observer_read_var(obs, "order", order, sizeof(order)), 0);
	ASSERT_EQ(order[0], 2);
	ASSERT_EQ(order[1], 1);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(sites_in_static_and_global_subprograms_call_the_observer)
{
	struct fixture f;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "subprogs", NULL, "recorders"));
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "subprogs_prog"), 64), XDP_PASS);
	ASSERT_TRUE(attach(&f, "rec1", "in_static") != NULL);
	ASSERT_TRUE(attach(&f, "rec1", "in_global") != NULL);
	ASSERT_TRUE(attach(&f, "rec1", "in_main") != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "subprogs_prog"), 64), XDP_PASS);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec1.hits, 3);
	ASSERT_EQ(f.rec1.args[0], 64);
	teardown(&f);
}

TEST(site_in_bpf_loop_callback_fires_every_iteration)
{
	struct fixture f;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "loop_callback", NULL, "recorders"));
	ASSERT_TRUE(attach(&f, "rec2", "loop_step") != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "loop_callback_prog"), 64), XDP_PASS);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec2.hits, 4);
	ASSERT_EQ(f.rec2.args[0], 3);	/* last index */
	ASSERT_EQ(f.rec2.args[1], 6);	/* 0 + 1 + 2 + 3 */
	teardown(&f);
}

TEST(sites_in_rolled_and_unrolled_loops_fire_every_iteration)
{
	struct fixture f;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "loops", NULL, "recorders"));
	ASSERT_TRUE(attach(&f, "rec2", "iter") != NULL);
	run_packet(bpf_sdt_target__prog_fd(f.t, "loops_prog"), 64);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec2.hits, 8 + 3);
	ASSERT_EQ(f.rec2.args[0], 102);
	ASSERT_EQ(f.rec2.args[1], 64);
	teardown(&f);
}

TEST(program_with_tail_call_keeps_working_when_armed)
{
	struct fixture f;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "tail_call", NULL, "recorders"));
	ASSERT_TRUE(attach(&f, "rec1", "before_tail_call") != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "tail_caller"), 64), XDP_ABORTED);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec1.hits, 1);
	teardown(&f);
}

TEST(one_probe_in_several_programs_arms_each_of_them)
{
	struct fixture f;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "multi_prog", NULL, "recorders"));
	ASSERT_TRUE(attach(&f, "rec1", "pkt_len") != NULL);
	run_packet(bpf_sdt_target__prog_fd(f.t, "multi_xdp"), 64);
	run_packet(bpf_sdt_target__prog_fd(f.t, "multi_tc"), 70);
	run_packet(bpf_sdt_target__prog_fd(f.t, "multi_socket"), 80);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec1.hits, 3);
	ASSERT_EQ(f.rec1.args[0], 80 - 14); /* a socket filter's skb->len starts at L3 */
	teardown(&f);
}

TEST(target_prog_option_arms_only_that_program)
{
	LIBBPF_OPTS(bpf_sdt_attach_opts, opts, .target_prog = "multi_tc");
	struct fixture f;
	int xdp_orig;

	REQUIRE_ROOT();
	ASSERT_OK_HELPER(setup(&f, "multi_prog", NULL, "recorders"));
	xdp_orig = bpf_sdt_target__prog_fd(f.t, "multi_xdp");
	opts.observer_obj = f.obs;
	ASSERT_TRUE(bpf_sdt_target__attach(f.t, bpf_object__find_program_by_name(f.obs, "rec1"),
					   "pkt_len", &opts) != NULL);
	ASSERT_EQ(bpf_sdt_target__prog_fd(f.t, "multi_xdp"), xdp_orig);
	run_packet(bpf_sdt_target__prog_fd(f.t, "multi_xdp"), 64);
	run_packet(bpf_sdt_target__prog_fd(f.t, "multi_tc"), 70);
	ASSERT_OK_HELPER(read_bss(&f));
	ASSERT_EQ(f.rec1.hits, 1);
	ASSERT_EQ(f.rec1.args[0], 70);
	teardown(&f);
}

#define CPU_VARIANT_TEST(v)							\
	TEST(armed_copy_verifies_for_cpu_##v##_objects)				\
	{									\
		struct fixture f;						\
										\
		REQUIRE_ROOT();							\
		ASSERT_OK_HELPER(setup(&f, "arg_values", #v, "recorders"));	\
		ASSERT_TRUE(attach(&f, "rec5", "narrow") != NULL);		\
		ASSERT_TRUE(attach(&f, "rec3", "wide") != NULL);		\
		ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(f.t, "arg_values"), 64), XDP_PASS); \
		ASSERT_OK_HELPER(read_bss(&f));					\
		ASSERT_EQ(f.rec5.args[0], (__u64)-1LL);			\
		ASSERT_EQ(f.rec5.args[1], 255);				\
		ASSERT_EQ(f.rec3.args[1], ~0ULL);				\
		teardown(&f);							\
	}
CPU_VARIANT_TEST(v1)
CPU_VARIANT_TEST(v2)
