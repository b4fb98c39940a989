// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Opening observer objects (see observers.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "libbpfsdt.h"
#include "observers.h"

bool observer_is(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	return !strcmp(sec, "bpf_sdt") || !strncmp(sec, "bpf_sdt/", 8);
}

const char *observer_probe(const struct bpf_program *prog, const char *probe_opt)
{
	return strcmp(bpf_program__section_name(prog), "bpf_sdt") ? NULL : probe_opt;
}

struct bpf_object *observers_open(const char *cmd, const char *path)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err;

	if (libbpfsdt_init()) /* its handler gives observers their stub */
		return NULL;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		cli_error("%s: %s: cannot open the observer object: %s", cmd, path,
			  cli_strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(prog, obj)
		if (!observer_is(prog))
			bpf_program__set_autoload(prog, false);
	err = bpf_object__load(obj);
	if (err) {
		cli_error("%s: %s: cannot load the observer object: %s", cmd, path,
			  cli_strerror(err));
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

int observer_links_attach(struct observer_links *l, struct bpf_sdt_target *t,
			  const struct bpf_program *prog, const char *probe,
			  const struct bpf_sdt_attach_opts *opts)
{
	struct bpf_sdt_link **grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	struct bpf_sdt_link *link;

	if (!grown) {
		cli_error("out of memory");
		return -1;
	}
	l->v = grown;
	link = bpf_sdt_target__attach(t, prog, probe, opts);
	if (!link)
		return -1;
	l->v[l->n++] = link;
	return 0;
}

void observer_links_destroy(struct observer_links *l)
{
	while (l->n)
		bpf_sdt_link__destroy(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
}
