// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer harness for discovery: any byte string is handed to
 * bpf_sdt_object__open_mem(); whatever it accepts must satisfy the
 * invariants every caller relies on, checked by walking every accessor.
 * A violated invariant is a crash (abort()), like a sanitizer report.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "libbpfsdt.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* sdt_type_name()'s bound on a spelling (src/type_names.c) */
#define SPELL_MAX_LEN 4096

/* A C spelling: printable ASCII (anonymous aggregates span lines), no
 * space at either end. */
static bool is_spelling(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > SPELL_MAX_LEN || s[0] == ' ' || s[len - 1] == ' ')
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 0x20 && s[i] <= 0x7e) || s[i] == '\n' || s[i] == '\t'))
			return false;
	return true;
}

static void check_site(const struct bpf_sdt_object *obj, const struct bpf_sdt_site *s)
{
	const struct bpf_sdt_probe *p = bpf_sdt_site__probe(s);
	const char *fn = bpf_sdt_site__function(s);
	int i;

	CHECK(p != NULL);
	/* the probe is one of this object's */
	CHECK(bpf_sdt_object__find_probe(obj, bpf_sdt_probe__name(p)) == p);
	CHECK(bpf_sdt_site__arg_cnt(s) == bpf_sdt_probe__arg_cnt(p));
	CHECK(bpf_sdt_site__section(s) != NULL);
	CHECK(bpf_sdt_site__section_insn(s) >= bpf_sdt_site__insn(s));
	if (!fn)
		CHECK(bpf_sdt_site__insn(s) == bpf_sdt_site__section_insn(s));
	else
		CHECK(*fn);
	for (i = 0; i < bpf_sdt_site__arg_cnt(s); i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(s, i);

		CHECK(a != NULL && a->reg <= 9);
		CHECK(a->kind == BPF_SDT_ARG_REG || a->kind == BPF_SDT_ARG_MEM);
		CHECK(a->kind == BPF_SDT_ARG_MEM || a->off == 0);
	}
	CHECK(bpf_sdt_site__arg(s, i) == NULL);
	CHECK(bpf_sdt_site__arg(s, -1) == NULL);
}

static void check_probe(const struct bpf_sdt_object *obj, const struct bpf_sdt_probe *p)
{
	const struct btf *btf = bpf_sdt_object__btf(obj);
	const struct btf_type *proto;
	const struct btf_param *params;
	int a, nargs = bpf_sdt_probe__arg_cnt(p);
	size_t j, k;

	CHECK(nargs >= 0 && nargs <= BPF_SDT_MAX_ARGS);
	/* the prototype is a FUNC_PROTO of the object's BTF with these arguments */
	proto = btf__type_by_id(btf, bpf_sdt_probe__proto_type_id(p));
	CHECK(proto && btf_is_func_proto(proto) && btf_vlen(proto) == nargs);
	params = btf_params(proto);
	for (a = 0; a < nargs; a++) {
		const char *tn = bpf_sdt_probe__arg_type_name(p, a);
		__u32 tid = bpf_sdt_probe__arg_type_id(p, a);

		CHECK(tn != NULL && is_spelling(tn));
		CHECK(tid != 0 && tid < btf__type_cnt(btf) && tid == params[a].type);
	}
	CHECK(bpf_sdt_probe__arg_type_name(p, nargs) == NULL);
	CHECK(bpf_sdt_probe__arg_type_name(p, -1) == NULL);
	CHECK(bpf_sdt_probe__arg_type_id(p, nargs) == 0);
	CHECK(bpf_sdt_probe__arg_type_id(p, -1) == 0);

	for (j = 0; j < bpf_sdt_probe__site_cnt(p); j++) {
		const struct bpf_sdt_site *s = bpf_sdt_probe__site(p, j);

		CHECK(s != NULL && bpf_sdt_site__probe(s) == p);
		/* listed once, and it is one of the object's sites */
		for (k = 0; k < j; k++)
			CHECK(bpf_sdt_probe__site(p, k) != s);
		for (k = 0; k < bpf_sdt_object__site_cnt(obj); k++)
			if (bpf_sdt_object__site(obj, k) == s)
				break;
		CHECK(k < bpf_sdt_object__site_cnt(obj));
	}
	CHECK(bpf_sdt_probe__site(p, j) == NULL);
}

static void check_object(const struct bpf_sdt_object *obj)
{
	const struct bpf_sdt_site *prev_site = NULL;
	const char *prev = NULL;
	size_t i, sites = 0;

	CHECK(bpf_sdt_object__name(obj) && !strcmp(bpf_sdt_object__name(obj), "<memory>"));
	CHECK(!bpf_sdt_object__probe_cnt(obj) || bpf_sdt_object__btf(obj));
	for (i = 0; i < bpf_sdt_object__probe_cnt(obj); i++) {
		const struct bpf_sdt_probe *p = bpf_sdt_object__probe(obj, i);
		const char *name = bpf_sdt_probe__name(p);

		CHECK(name && *name);
		CHECK(!prev || strcmp(prev, name) < 0); /* sorted, unique */
		prev = name;
		CHECK(bpf_sdt_object__find_probe(obj, name) == p);
		check_probe(obj, p);
		sites += bpf_sdt_probe__site_cnt(p);
	}
	CHECK(bpf_sdt_object__probe(obj, i) == NULL);
	CHECK(bpf_sdt_object__find_probe(obj, "") == NULL);
	/* each site is in exactly one probe's list */
	CHECK(sites == bpf_sdt_object__site_cnt(obj));

	for (i = 0; i < bpf_sdt_object__site_cnt(obj); i++) {
		const struct bpf_sdt_site *s = bpf_sdt_object__site(obj, i);

		CHECK(s != NULL);
		check_site(obj, s);
		/* sorted by section name, then offset */
		if (prev_site) {
			int c = strcmp(bpf_sdt_site__section(prev_site), bpf_sdt_site__section(s));

			CHECK(c < 0 || (c == 0 && bpf_sdt_site__section_insn(prev_site) <=
						    bpf_sdt_site__section_insn(s)));
		}
		prev_site = s;
	}
	CHECK(bpf_sdt_object__site(obj, i) == NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rejections are the expected outcome for most inputs: keep both our and
 * libbpf's diagnostics quiet. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	bpf_sdt_set_print(NULL);
	libbpf_set_print(NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_sdt_object *obj;

	errno = 0;
	obj = bpf_sdt_object__open_mem(data, size, NULL);
	if (!obj) {
		CHECK(errno > 0); /* NULL with errno set */
		return 0;
	}
	check_object(obj);
	bpf_sdt_object__close(obj);
	return 0;
}
