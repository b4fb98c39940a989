/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which sites of a probe a tracer records: "PROBE@ID[,ID...]" or
 * "PROBE@FILE:LINE" (bpf_sdt_tracer__add_probes()). The probe is armed as
 * usual; its generated observer returns at once for the other sites.
 */
#ifndef __BPFSDT_SITE_SELECT_H
#define __BPFSDT_SITE_SELECT_H

#include <linux/bpf.h>
#include "insn/emit.h"
#include "target/target.h"

struct sdt_probe_sites {
	const struct bpf_sdt_probe *probe;
	__u32 *ids;		/* the selected sites; none: every site */
	size_t n;
};

struct sdt_site_selection {
	struct sdt_probe_sites *v;
	size_t n;
};

/* The probe name names, its selection recorded in sel. NULL with errno
 * (after one diagnostic for a selection that names no site). */
const struct bpf_sdt_probe *sdt_site_selection_resolve(struct sdt_site_selection *sel,
							struct bpf_sdt_target *t, const char *name);
/* Code returning from the observer (r0 = 0) unless the calling site (read
 * through r6) is selected; nothing for a probe without selection. */
void sdt_site_selection_emit(const struct sdt_site_selection *sel,
			     const struct bpf_sdt_probe *probe, struct sdt_insn_buf *b);
/* Whether site's probe was resolved through sel and site is selected. */
bool sdt_site_selection_has(const struct sdt_site_selection *sel, const struct bpf_sdt_site *site);
void sdt_site_selection_free(struct sdt_site_selection *sel);

#endif
