// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Lists of probe names (see probe_list.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "probe_list.h"

int probe_list_add(struct probe_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		const char **grown = realloc(l->names, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		l->names = grown;
		l->cap = cap;
	}
	l->names[l->n++] = name;
	return 0;
}

int probe_list_add_defaults(struct probe_list *l, const struct bpf_sdt_target *t,
			    const char *prog)
{
	const struct bpf_sdt_object *sdt = bpf_sdt_target__probes(t);
	size_t i;
	int err;

	for (i = 0; i < bpf_sdt_object__probe_cnt(sdt); i++) {
		const struct bpf_sdt_probe *p = bpf_sdt_object__probe(sdt, i);

		if (!bpf_sdt_target__probe_site_cnt(t, prog, p))
			continue;
		err = probe_list_add(l, bpf_sdt_probe__name(p));
		if (err)
			return err;
	}
	return 0;
}

void probe_list_free(struct probe_list *l)
{
	free(l->names);
	memset(l, 0, sizeof(*l));
}
