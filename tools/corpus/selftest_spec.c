// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The selftests state in BTF what each program of their verifier tests
 * should do (progs/bpf_misc.h: __success, __failure, __retval(n), __flag(F),
 * __arch_*): a refusal the test expects is the kernel being right, not a
 * program the corpus has lost. Read as tools/testing/selftests/bpf/
 * test_loader.c reads them, for the privileged mode we run in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "classify.h"

#define TAG_PFX "comment:"

static const struct {
	const char *name;
	__u32 flag;
} flag_names[] = {
	{ "BPF_F_STRICT_ALIGNMENT", BPF_F_STRICT_ALIGNMENT },
	{ "BPF_F_ANY_ALIGNMENT", BPF_F_ANY_ALIGNMENT },
	{ "BPF_F_TEST_RND_HI32", BPF_F_TEST_RND_HI32 },
	{ "BPF_F_TEST_STATE_FREQ", BPF_F_TEST_STATE_FREQ },
	{ "BPF_F_SLEEPABLE", BPF_F_SLEEPABLE },
	{ "BPF_F_XDP_HAS_FRAGS", BPF_F_XDP_HAS_FRAGS },
	{ "BPF_F_TEST_REG_INVARIANTS", 1U << 7 }, /* newer than the host's UAPI headers */
};

static void apply_flag(struct selftest_spec *spec, const char *val)
{
	bool clear = val[0] == '!';
	__u32 flag = 0;
	size_t i;

	if (clear)
		val++;
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (!strcmp(val, flag_names[i].name))
			flag = flag_names[i].flag;
	if (!flag)
		flag = strtoul(val, NULL, 0);
	if (clear)
		spec->prog_flags &= ~flag;
	else
		spec->prog_flags |= flag;
}

void selftest_spec_read(const struct btf *btf, const char *prog_name, struct selftest_spec *spec)
{
	bool priv_stated = false, unpriv_stated = false, failure = false;
	bool arch_stated = false, arch_x86 = false;
	int func_id, i, n;

	memset(spec, 0, sizeof(*spec));
	spec->expect = "-";
	strcpy(spec->retval, "-");
	if (!btf)
		return;
	func_id = btf__find_by_name_kind(btf, prog_name, BTF_KIND_FUNC);
	if (func_id < 0)
		return;
	n = btf__type_cnt(btf);
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *s;

		if (!btf_is_decl_tag(t) || t->type != (__u32)func_id ||
		    btf_decl_tag(t)->component_idx != -1)
			continue;
		s = btf__name_by_offset(btf, t->name_off);
		if (!s || strncmp(s, TAG_PFX, strlen(TAG_PFX)))
			continue;
		s += strlen(TAG_PFX);
		if (!strcmp(s, "test_expect_failure")) {
			failure = priv_stated = true;
		} else if (!strcmp(s, "test_expect_success")) {
			failure = false;
			priv_stated = true;
		} else if (!strncmp(s, "test_expect_msg=", 16) || !strncmp(s, "test_retval=", 12)) {
			priv_stated = true;
			if (!strncmp(s, "test_retval=", 12))
				snprintf(spec->retval, sizeof(spec->retval), "%s", s + 12);
		} else if (!strncmp(s, "test_expect_failure_unpriv", 26) ||
			   !strncmp(s, "test_expect_success_unpriv", 26) ||
			   !strncmp(s, "test_expect_msg_unpriv=", 23) ||
			   !strncmp(s, "test_retval_unpriv=", 19)) {
			unpriv_stated = true;
		} else if (!strcmp(s, "test_auxiliary")) {
			spec->auxiliary = true;
		} else if (!strncmp(s, "test_prog_flags=", 16)) {
			apply_flag(spec, s + 16);
		} else if (!strncmp(s, "test_arch=", 10)) {
			arch_stated = true;
			arch_x86 |= !strcmp(s + 10, "X86_64");
		}
	}
	if (arch_stated && !arch_x86)
		spec->expect = "other-arch";
	else if (priv_stated)
		spec->expect = failure ? "failure" : "success";
	else if (unpriv_stated)
		spec->expect = "unpriv";
}
