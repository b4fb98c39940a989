// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Source lines of the sites: each site's file and line from the object's
 * .BTF.ext line info (what `clang -g` records for every statement), so
 * `bpfsdt list` can say where a site is in the source and `trace` can pick
 * sites by line without loading anything.
 *
 * libbpf 1.1 parses .BTF.ext (btf_ext__new() validates its header and that
 * every section's records lie inside it) but offers no getter for the
 * records, so after libbpf accepts the section the records are walked here,
 * bounds-checked again (this stage reads untrusted files). Line info is an
 * extra: an object without it, or with line info libbpf refuses, opens as
 * before and its sites have no line.
 *
 * The layout (the kernel's Documentation/bpf/btf.rst, ".BTF.ext section"):
 * a header naming the line info's offset and length after the header; there
 * a u32 record size, then per code section {u32 sec_name_off, u32 num_info}
 * and num_info records {u32 insn_off (bytes), u32 file_name_off,
 * u32 line_off, u32 line_col (line << 10 | column)}; names are offsets into
 * the .BTF string section.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include "discover/elf_image.h"

struct ext_header {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off;
	__u32 func_info_len;
	__u32 line_info_off;
	__u32 line_info_len;
};

struct ext_line {
	__u32 insn_off;
	__u32 file_name_off;
	__u32 line_off;
	__u32 line_col;
};

static __u32 rd32(const char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

struct line_rec {
	struct ext_line li;
	__u32 idx;		/* order in the section: the later of two at one offset wins */
};

static int cmp_line_rec(const void *a, const void *b)
{
	const struct line_rec *x = a, *y = b;

	if (x->li.insn_off != y->li.insn_off)
		return x->li.insn_off < y->li.insn_off ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Each site of section sec whose NOP is at or after a record takes the last
 * such record's file and line: the records sorted by offset once, then one
 * binary search per site (a program of 10,000 sites has as many records). */
static int apply_section(const struct btf *btf, const char *sec, const char *recs, __u32 n,
			 __u32 rec_size, struct bpf_sdt_site *sites, size_t site_cnt)
{
	struct line_rec *v;
	size_t s;
	__u32 i;

	if (!n)
		return 0;
	v = malloc((size_t)n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memcpy(&v[i].li, recs + (size_t)i * rec_size, sizeof(v[i].li));
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), cmp_line_rec);
	for (s = 0; s < site_cnt; s++) {
		__u64 nop = (__u64)sites[s].section_insn * SDT_INSN_SZ;
		size_t lo = 0, hi = n; /* first record past nop */
		const struct ext_line *best;

		if (strcmp(sites[s].section, sec))
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (v[mid].li.insn_off <= nop)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo)
			continue;
		best = &v[lo - 1].li;
		if (!BPF_LINE_INFO_LINE_NUM(best->line_col))
			continue;
		sites[s].file = btf__name_by_offset(btf, best->file_name_off);
		sites[s].line = sites[s].file ? BPF_LINE_INFO_LINE_NUM(best->line_col) : 0;
	}
	free(v);
	return 0;
}

int sdt_line_info_apply(struct sdt_elf *elf, const struct btf *btf, struct bpf_sdt_site *sites,
			size_t site_cnt)
{
	struct sdt_elf_section sec;
	struct btf_ext *ext;
	struct ext_header h;
	const char *p, *end;
	__u32 rec_size;
	bool found;

	if (!btf || !site_cnt || sdt_elf_section_by_name(elf, ".BTF.ext", &sec, &found) ||
	    !found || !sec.data || sec.size < sizeof(h))
		return 0;
	ext = btf_ext__new(sec.data, (__u32)sec.size);
	if (!ext)
		return 0; /* libbpf refuses it: no lines, as without -g */
	btf_ext__free(ext);
	memcpy(&h, sec.data, sizeof(h));
	if (h.hdr_len < sizeof(h) || h.hdr_len > sec.size ||
	    (__u64)h.hdr_len + h.line_info_off + h.line_info_len > sec.size ||
	    h.line_info_len < sizeof(__u32))
		return 0;
	p = (const char *)sec.data + h.hdr_len + h.line_info_off;
	end = p + h.line_info_len;
	rec_size = rd32(p);
	p += sizeof(__u32);
	if (rec_size < sizeof(struct ext_line))
		return 0;
	while (end - p >= 8) {
		const char *name = btf__name_by_offset(btf, rd32(p));
		__u32 n = rd32(p + 4);

		p += 8;
		if ((__u64)n * rec_size > (__u64)(end - p))
			return 0;
		if (name && apply_section(btf, name, p, n, rec_size, sites, site_cnt))
			return -ENOMEM;
		p += (size_t)n * rec_size;
	}
	return 0;
}
