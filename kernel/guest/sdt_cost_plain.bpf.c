// SPDX-License-Identifier: GPL-2.0
/* sdt_cost.bpf.c without its probes: the baseline of the cost ratios. */
#define SDT_COST_NO_PROBES
#include "sdt_cost.bpf.c"
