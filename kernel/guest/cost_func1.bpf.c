// SPDX-License-Identifier: GPL-2.0
/* sdt_cost.bpf.c: design 'func', 1 site(s) (the design comparison). */
#define SDT_COST_SITES 1
#define SDT_COST_FUNC
#include "sdt_cost.bpf.c"
