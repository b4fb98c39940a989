// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dynamic sites: probes at any instruction boundary or source line of a
 * program that has no compiled-in NOP there.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "insn/insn_patch.h"
#include "libbpfsdt.h"
#include "observer_helpers.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"
#define EXAMPLE_SRC "examples/xdp_filter.bpf.c"

struct seen {
	int events;
	const struct bpf_sdt_site *site;
	__u64 r1;
	bool r1_set, r2_set;
};

static int on_event(void *ctx, const struct bpf_sdt_event *ev)
{
	struct seen *s = ctx;

	s->events++;
	s->site = ev->site;
	s->r1 = ev->args[1];
	s->r1_set = bpf_sdt_site__arg(ev->site, 1)->kind == BPF_SDT_ARG_REG;
	s->r2_set = bpf_sdt_site__arg(ev->site, 2)->kind == BPF_SDT_ARG_REG;
	return 0;
}

TEST(dynamic_site_at_a_programs_first_instruction_carries_only_r1)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	struct seen seen = {};

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "xdp_filter+0"), 0);
	ASSERT_TRUE(run_packet(bpf_sdt_target__prog_fd(t, "xdp_filter"), 64) >= 0);
	ASSERT_EQ(bpf_sdt_tracer__poll(tr, 0, on_event, &seen), 1);
	/* at entry a program has its context in r1 and nothing else */
	ASSERT_TRUE(bpf_sdt_site__is_dynamic(seen.site));
	ASSERT_TRUE(seen.r1_set);
	ASSERT_FALSE(seen.r2_set);
	ASSERT_NE(seen.r1, 0);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(dynamic_site_at_a_source_line_is_hit_once_per_run)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	LIBBPF_OPTS(bpf_test_run_opts, run);
	const struct bpf_sdt_probe *p;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	unsigned char pkt[64] = { [12] = 0x08 };
	char spec[64];
	int line = source_line_of(EXAMPLE_SRC, "proto = bpf_ntohs(eth->h_proto);");

	REQUIRE_ROOT();
	ASSERT_TRUE(line > 0);
	snprintf(spec, sizeof(spec), "xdp_filter.bpf.c:%d", line);
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	tr = t ? bpf_sdt_tracer__new(t, &topts) : NULL;
	ASSERT_TRUE(tr != NULL);
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, spec), 0);
	p = bpf_sdt_target__find_probe(t, spec);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(bpf_sdt_probe__site_cnt(p), 1);
	run.data_in = pkt;
	run.data_size_in = sizeof(pkt);
	run.repeat = 7;
	ASSERT_EQ(bpf_prog_test_run_opts(bpf_sdt_target__prog_fd(t, "xdp_filter"), &run), 0);
	ASSERT_EQ(bpf_sdt_tracer__site_hits(tr, bpf_sdt_probe__site(p, 0)), 7);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

TEST(dynamic_site_in_the_middle_of_a_16_byte_load_is_refused)
{
	struct bpf_program *prog;
	const struct bpf_insn *insns;
	struct bpf_sdt_target *t;
	char spec[64];
	size_t i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	prog = bpf_object__find_program_by_name(bpf_sdt_target__object(t), "xdp_filter");
	insns = bpf_program__insns(prog);
	for (i = 0; i < bpf_program__insn_cnt(prog) && !sdt_insn_is_ld_imm64(&insns[i]); i++)
		;
	ASSERT_TRUE(i < bpf_program__insn_cnt(prog)); /* the map lookups load map addresses */
	snprintf(spec, sizeof(spec), "xdp_filter+%zu", i + 1);
	diag_capture_begin();
	ASSERT_TRUE(bpf_sdt_target__find_probe(t, spec) == NULL);
	ASSERT_EQ(errno, EINVAL);
	ASSERT_CONTAINS(diag_captured(), "second half of a 16-byte load");
	diag_capture_end();
	snprintf(spec, sizeof(spec), "xdp_filter+%zu", i);
	ASSERT_TRUE(bpf_sdt_target__find_probe(t, spec) != NULL);
	bpf_sdt_target__close(t);
}

TEST(dynamic_site_past_the_last_instruction_or_of_no_program_is_refused)
{
	struct bpf_sdt_target *t;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	diag_capture_begin();
	ASSERT_TRUE(bpf_sdt_target__find_probe(t, "xdp_filter+100000") == NULL);
	ASSERT_CONTAINS(diag_captured(), "has no instruction boundary 100000");
	ASSERT_TRUE(bpf_sdt_target__find_probe(t, "no_such_prog+3") == NULL);
	ASSERT_EQ(errno, ENOENT);
	ASSERT_TRUE(bpf_sdt_target__find_probe(t, "xdp_filter.bpf.c:100000") == NULL);
	ASSERT_CONTAINS(diag_captured(), "no program has code from line 100000");
	diag_capture_end();
	bpf_sdt_target__close(t);
}

TEST(dynamic_site_observer_reads_the_registers_through_its_context)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	struct bpf_sdt_link *link;
	__u64 args[12];

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(EXAMPLE, NULL);
	ASSERT_TRUE(t != NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(obs != NULL);
	/* rec2 records its first two u64s: r0 (not set at entry: 0) and r1 */
	link = bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec2"),
				      "xdp_filter+0", observer_opts(obs));
	ASSERT_TRUE(link != NULL);
	ASSERT_TRUE(run_packet(bpf_sdt_target__prog_fd(t, "xdp_filter"), 64) >= 0);
	ASSERT_EQ(observer_var(obs, "rec2_hits"), 1);
	ASSERT_EQ(observer_read_var(obs, "rec2_args", args, sizeof(args)), 0);
	ASSERT_EQ(args[0], 0);
	ASSERT_NE(args[1], 0);
	ASSERT_EQ(bpf_sdt_link__destroy(link), 0);
	bpf_object__close(obs);
	bpf_sdt_target__close(t);
}

TEST(run_cli_at_traces_a_line_and_prints_the_registers_set_there)
{
	char spec[64], *argv[] = { (char *)bpfsdt_bin(), "run", "--json", (char *)EXAMPLE,
				   "xdp_filter", "--data-in", NULL, "--at", spec, NULL };
	const char *pkt = scratch_path("frame.bin");
	unsigned char frame[64] = { [12] = 0x08 };
	struct cmd_result r;
	FILE *f = fopen(pkt, "wb");

	REQUIRE_ROOT();
	ASSERT_TRUE(f != NULL);
	fwrite(frame, 1, sizeof(frame), f);
	fclose(f);
	argv[6] = (char *)pkt;
	snprintf(spec, sizeof(spec), "xdp_filter+0");
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "{\"probe\": \"xdp_filter+0\", \"function\": \"xdp_filter\", \"insn\": 0, \"regs\": {\"r1\": \"0x");
	ASSERT_CONTAINS(r.out, "\"events\": 1");
	cmd_result_free(&r);
}
