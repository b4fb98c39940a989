/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The user's observer objects (run --observer, attach OBSERVER). */
#ifndef __BPFSDT_OBSERVERS_H
#define __BPFSDT_OBSERVERS_H

#include <bpf/libbpf.h>
#include <stdbool.h>
#include "libbpfsdt.h"

/* A SEC("bpf_sdt") or SEC("bpf_sdt/<probe>") program. */
bool observer_is(const struct bpf_program *prog);
/* The probe to attach prog to: --probe's for observers whose section names
 * none, NULL (the section's) for the others. */
const char *observer_probe(const struct bpf_program *prog, const char *probe_opt);
/* Opens path and loads only its observers (the object's other programs
 * could fail to load or need a hook of their own). NULL after one line
 * naming cmd and path. */
struct bpf_object *observers_open(const char *cmd, const char *path);

/* The links of the observers attached: the holder destroys them, after
 * closing the target too (libbpfsdt.h). */
struct observer_links {
	struct bpf_sdt_link **v;
	size_t n;
};

/* Attaches prog as attach would and keeps its link: 0, or -1 after
 * libbpfsdt said why. */
int observer_links_attach(struct observer_links *l, struct bpf_sdt_target *t,
			  const struct bpf_program *prog, const char *probe,
			  const struct bpf_sdt_attach_opts *opts);
void observer_links_destroy(struct observer_links *l);

#endif
