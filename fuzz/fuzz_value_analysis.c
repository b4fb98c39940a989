// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer harness for the offline check's abstract interpreter: the
 * instructions it reads come from an object file someone else built (the
 * kernel has not verified them: that is the point of checking offline).
 * Input: one byte choosing the program type and how the rest splits into
 * functions, then 8-byte instructions. Any input must end (the step budget)
 * without a sanitizer report; the states it gives must be well formed.
 * Every input is analysed twice: as a program (the offline check) and as an
 * observer (provenance, for the observer check), then given to the
 * observer check itself; only the observer's states may hold values from
 * the target (SDT_AK_FOREIGN).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check/observer_check.h"
#include "insn/value_analysis.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define MAX_INSNS 2048

static const struct sdt_va_map maps[] = {
	{ .fd = -1, .type = BPF_MAP_TYPE_HASH, .value_size = 16, .max_entries = 8 },
	{ .fd = -1, .type = BPF_MAP_TYPE_ARRAY, .value_size = 8, .max_entries = 4 },
};

static void check_value(const struct sdt_aval *v)
{
	CHECK(v->kind < SDT_AK_CNT);
	CHECK(v->kind != SDT_AK_NONE);
	if (v->kind == SDT_AK_SCALAR)
		CHECK(v->smin <= v->smax);
	if (v->kind == SDT_AK_MIXED)
		CHECK(__builtin_popcount(v->kinds) >= 2);
}

static void run(const struct sdt_va_input *in, __u32 cnt)
{
	struct sdt_va_state st;
	struct sdt_va *va;
	__u32 i;
	int err, r, s;

	err = sdt_va_run(in, &va);
	CHECK(!err || err == -EINVAL || err == -E2BIG || err == -ENOMEM);
	CHECK(!err == (va != NULL));
	for (i = 0; !err && i < cnt; i++) {
		if (!sdt_va_state_at(va, i, &st))
			continue;
		for (r = 0; r < MAX_BPF_REG; r++) {
			check_value(&st.regs[r]);
			CHECK(in->observer || !(sdt_av_kinds(&st.regs[r]) & SDT_AK_BIT(SDT_AK_FOREIGN)));
		}
		for (s = 0; s < SDT_VA_SLOTS; s++)
			check_value(&st.stack[s]);
		CHECK(st.regs[BPF_REG_10].kind == SDT_AK_STACK);
	}
	sdt_va_free(va);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sdt_aval scalar_args[5] = {
		{ .kind = SDT_AK_CTX }, { .kind = SDT_AK_SCALAR, .smin = INT64_MIN, .smax = INT64_MAX },
		{ .kind = SDT_AK_UNINIT }, { .kind = SDT_AK_UNINIT }, { .kind = SDT_AK_UNINIT },
	};
	struct sdt_func_span funcs[2] = { { 0, 1 }, { 0, 1 } };
	const struct sdt_aval *global_args[2] = { NULL, NULL };
	static const struct sdt_va_observer observer = { .nargs = 2, .scalar_args = 1 };
	struct sdt_va_input in = { .maps = maps, .map_cnt = 2, .step_budget = 200000 };
	struct sdt_observer_check req = { .file = "fuzz", .observer = "o", .probe = "p",
					  .nargs = 2, .scalar_args = 1 };
	struct bpf_insn *insns;
	__u32 cnt;
	int err;

	bpf_sdt_set_print(NULL);
	if (size < 1 + sizeof(struct bpf_insn))
		return 0;
	cnt = (size - 1) / sizeof(struct bpf_insn);
	if (cnt > MAX_INSNS)
		return 0;
	insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data + 1, cnt * sizeof(*insns));
	in.insns = insns;
	in.insn_cnt = cnt;
	in.prog_type = data[0] & 1 ? BPF_PROG_TYPE_SCHED_CLS : BPF_PROG_TYPE_XDP;
	in.funcs = funcs;
	in.nfuncs = 1;
	/* the upper bits place a second function, static or global */
	if ((data[0] >> 2) && (data[0] >> 2) < cnt) {
		funcs[1].start = data[0] >> 2;
		in.nfuncs = 2;
		if (data[0] & 2)
			global_args[1] = scalar_args;
		in.global_args = global_args;
	}
	run(&in, cnt);
	/* the same code as an observer of a two-argument probe */
	in.observer = &observer;
	in.global_args = NULL;
	run(&in, cnt);
	req.insns = insns;
	req.insn_cnt = cnt;
	req.funcs = funcs;
	req.nfuncs = in.nfuncs;
	err = sdt_observer_check(&req);
	CHECK(!err || err == -EINVAL || err == -ENOMEM);
	free(insns);
	return 0;
}
