// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dormant sites cost nothing: every corpus program loads into the running
 * kernel unchanged (libbpf ignores .bpf_sdt_notes and the prototype
 * carriers), and the verifier deletes every site's `goto +0`, so the
 * translated program is exactly the loaded one minus its sites.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <unistd.h>
#include "helpers.h"
#include "test.h"

struct prog_expect {
	const char *prog;
	int sites;	/* NOPs in the final instructions, subprograms included */
};

static bool is_site_nop(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_JA) && !insn->dst_reg && !insn->src_reg &&
	       !insn->off && !insn->imm;
}

static int count_nops(const struct bpf_insn *insns, size_t cnt)
{
	size_t i;
	int n = 0;

	for (i = 0; i < cnt; i++)
		n += is_site_nop(&insns[i]);
	return n;
}

static void expect_program_dormant(struct bpf_program *prog, int sites)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), xlated_cnt;
	struct bpf_insn *xlated;
	size_t final_cnt = bpf_program__insn_cnt(prog);
	int fd = bpf_program__fd(prog);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(count_nops(bpf_program__insns(prog), final_cnt), sites);
	ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	xlated_cnt = info.xlated_prog_len / sizeof(struct bpf_insn);
	ASSERT_EQ(xlated_cnt, final_cnt - sites);

	xlated = calloc(xlated_cnt, sizeof(*xlated));
	ASSERT_TRUE(xlated != NULL);
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = xlated_cnt * sizeof(*xlated);
	info.xlated_prog_insns = (__u64)(unsigned long)xlated;
	len = sizeof(info);
	ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	ASSERT_EQ(count_nops(xlated, xlated_cnt), 0);
	free(xlated);
}

static void expect_object_dormant(const char *path, const struct prog_expect *progs, int n)
{
	struct bpf_object *obj;
	int i;

	if (geteuid() != 0)
		SKIP("loading BPF programs needs root");
	obj = bpf_object__open_file(path, NULL);
	ASSERT_TRUE(obj != NULL);
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		FAIL("%s does not load", path);
	}
	for (i = 0; i < n; i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, progs[i].prog);

		if (!prog) {
			bpf_object__close(obj);
			FAIL("%s: no program %s", path, progs[i].prog);
		}
		expect_program_dormant(prog, progs[i].sites);
		if (TEST_STOPPED()) {
			fprintf(stdout, "    (%s, program %s)\n", path, progs[i].prog);
			break;
		}
	}
	bpf_object__close(obj);
}

/* The same expectations hold at every -mcpu level. */
#define DORMANT_TEST(name, ...)						\
	TEST(dormant_sites_vanish_when_loading_##name)			\
	{								\
		static const struct prog_expect progs[] = { __VA_ARGS__ };	\
		int n = sizeof(progs) / sizeof(progs[0]);		\
		ASSERT_OK_HELPER(expect_object_dormant(corpus_path(#name), progs, n));	\
		ASSERT_OK_HELPER(expect_object_dormant(corpus_variant_path("v1", #name), progs, n)); \
		ASSERT_OK_HELPER(expect_object_dormant(corpus_variant_path("v2", #name), progs, n)); \
	}

DORMANT_TEST(basic, { "xdp_prog", 1 })
DORMANT_TEST(types, { "types_prog", 4 })
DORMANT_TEST(arities, { "arities_prog", 13 })
DORMANT_TEST(loops, { "loops_prog", 4 })
DORMANT_TEST(subprogs, { "subprogs_prog", 3 })
DORMANT_TEST(loop_callback, { "loop_callback_prog", 1 })
DORMANT_TEST(inline_helper, { "inline_prog", 3 })
DORMANT_TEST(multi_prog, { "multi_xdp", 1 }, { "multi_tc", 2 }, { "multi_socket", 1 })
DORMANT_TEST(no_probes, { "plain_prog", 0 })
DORMANT_TEST(arg_values, { "arg_values", 3 })
DORMANT_TEST(r0_partial, { "r0_partial", 1 })
DORMANT_TEST(stack_hog, { "stack_hog", 1 })
DORMANT_TEST(tail_call, { "tail_caller", 1 })
