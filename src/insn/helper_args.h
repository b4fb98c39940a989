/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_HELPER_ARGS_H
#define __BPFSDT_HELPER_ARGS_H

/* Generated at build time from libbpf's bpf_helper_defs.h. */
extern const signed char sdt_helper_nargs_table[];
extern const unsigned int sdt_helper_nargs_cnt;
extern const char *const sdt_helper_name_table[];
extern const unsigned int sdt_helper_name_cnt;

/* "bpf_map_lookup_elem", or NULL for an id libbpf does not know. */
static inline const char *sdt_helper_name(int id)
{
	return id > 0 && (unsigned int)id < sdt_helper_name_cnt ? sdt_helper_name_table[id] : 0;
}

/* Arguments helper id reads (r1..rN); 5 when unknown. */
static inline int sdt_helper_nargs(int id)
{
	if (id <= 0 || (unsigned int)id >= sdt_helper_nargs_cnt || !sdt_helper_nargs_table[id])
		return id == 0 ? 0 : 5;
	return sdt_helper_nargs_table[id];
}

/* The id of the helper called `name`, or -1. */
int sdt_helper_id(const char *name);

#endif
