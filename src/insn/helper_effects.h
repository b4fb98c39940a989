/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a helper does with its arguments, for the helpers an observer may
 * call: which registers are maps it reads or changes, which point to memory
 * it writes or reads (and where its size is), which is a callback. The
 * observer check (observer_check.c) allows exactly these helpers and proves
 * each argument harmless by what the helper does with it; the value analysis
 * (value_analysis.c) uses the same table to know which stack bytes a call
 * may overwrite.
 */
#ifndef __BPFSDT_HELPER_EFFECTS_H
#define __BPFSDT_HELPER_EFFECTS_H

#include <linux/types.h>

#define SDT_HR(k) ((__u8)(1u << (k)))	/* argument register rk */

struct sdt_helper_effect {
	const char *name;
	__u8 maps;		/* rk is a map (its own, for an observer) */
	__u8 changes_map;	/* ... that the helper changes */
	__u8 writes;		/* the helper writes where rk points */
	__u8 reads;		/* the helper reads where rk points */
	__s8 size_reg[6];	/* memory rk: the register holding its size in
				 * bytes, 0 when the map or the type implies it */
	__u8 callback;		/* rk is a callback, called with r(k+1) */
};

/* The effects of helper id, or NULL for a helper observers may not call. */
const struct sdt_helper_effect *sdt_helper_effect(int id);

#endif
