// SPDX-License-Identifier: GPL-2.0
/* sdt_cost.bpf.c: design 'guarded', 64 site(s) (the design comparison). */
#define SDT_COST_SITES 64
#define SDT_COST_GUARDED
#include "sdt_cost.bpf.c"
