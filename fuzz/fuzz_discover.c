// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer harness for discovery: any byte string is handed to
 * bpf_sdt_object__open_mem(); whatever it accepts must satisfy the
 * invariants every caller relies on, checked by walking every accessor.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "libbpfsdt.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_site(const struct bpf_sdt_object *obj, const struct bpf_sdt_site *s)
{
	const struct bpf_sdt_probe *p = bpf_sdt_site__probe(s);
	int i;

	CHECK(p != NULL);
	CHECK(bpf_sdt_site__arg_cnt(s) == bpf_sdt_probe__arg_cnt(p));
	CHECK(bpf_sdt_site__section(s) != NULL);
	CHECK(bpf_sdt_site__section_insn(s) >= bpf_sdt_site__insn(s));
	if (!bpf_sdt_site__function(s))
		CHECK(bpf_sdt_site__insn(s) == bpf_sdt_site__section_insn(s));
	for (i = 0; i < bpf_sdt_site__arg_cnt(s); i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(s, i);

		CHECK(a != NULL && a->reg <= 9);
		CHECK(a->kind == BPF_SDT_ARG_REG || a->kind == BPF_SDT_ARG_MEM);
	}
	CHECK(bpf_sdt_site__arg(s, i) == NULL);
	(void)obj;
}

static void check_object(const struct bpf_sdt_object *obj)
{
	size_t i, j, sites = 0;
	const char *prev = NULL;
	int a;

	for (i = 0; i < bpf_sdt_object__probe_cnt(obj); i++) {
		const struct bpf_sdt_probe *p = bpf_sdt_object__probe(obj, i);
		const char *name = bpf_sdt_probe__name(p);

		CHECK(name && *name);
		CHECK(!prev || strcmp(prev, name) < 0); /* sorted, unique */
		prev = name;
		CHECK(bpf_sdt_object__find_probe(obj, name) == p);
		CHECK(bpf_sdt_probe__arg_cnt(p) >= 0 && bpf_sdt_probe__arg_cnt(p) <= BPF_SDT_MAX_ARGS);
		for (a = 0; a < bpf_sdt_probe__arg_cnt(p); a++) {
			CHECK(bpf_sdt_probe__arg_type_name(p, a) != NULL);
			CHECK(bpf_sdt_probe__arg_type_id(p, a) != 0);
		}
		for (j = 0; j < bpf_sdt_probe__site_cnt(p); j++) {
			CHECK(bpf_sdt_site__probe(bpf_sdt_probe__site(p, j)) == p);
			check_site(obj, bpf_sdt_probe__site(p, j));
		}
		sites += bpf_sdt_probe__site_cnt(p);
	}
	CHECK(sites == bpf_sdt_object__site_cnt(obj));
	for (i = 0; i < bpf_sdt_object__site_cnt(obj); i++)
		check_site(obj, bpf_sdt_object__site(obj, i));
	CHECK(bpf_sdt_object__site(obj, i) == NULL);
	CHECK(!bpf_sdt_object__probe_cnt(obj) || bpf_sdt_object__btf(obj));
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

	obj = bpf_sdt_object__open_mem(data, size, NULL);
	if (obj) {
		check_object(obj);
		bpf_sdt_object__close(obj);
	}
	return 0;
}
