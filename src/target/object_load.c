// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Opening and loading bpf_objects with our own diagnostics (object_load.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/errstr.h"
#include "util/util.h"
#include "target/capture.h"
#include "target/object_load.h"
#include "target/prog_load.h"

#define LOAD_LOG_SIZE (1u << 20)
/* BPF_LOG_STATS: three lines, the stack depth of each of at most 256
 * functions on one of them; a log that does not fit fails the load */
#define STATS_LOG_SIZE (16u << 10)
#define BPF_LOG_STATS 4

int sdt_object_open(const void *buf, size_t size, const char *name, struct bpf_object **obj)
{
	LIBBPF_OPTS(bpf_sdt_open_opts, sopts, .object_name = name);
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = name);
	struct bpf_sdt_object *sdt;
	int err;

	*obj = NULL;
	sdt = bpf_sdt_object__open_mem(buf, size, &sopts);
	if (!sdt)
		return -errno; /* it said why, in one line */
	bpf_sdt_object__close(sdt);
	*obj = bpf_object__open_mem(buf, size, &oopts);
	if (!*obj) {
		err = -errno;
		pr_warn("%s: libbpf cannot open the object: %s", name, sdt_errstr(err));
		return err;
	}
	return 0;
}

int sdt_object_load(struct bpf_object *obj, const char *name, const char *what)
{
	struct bpf_program *prog, *failed = NULL;
	char *log = calloc(1, LOAD_LOG_SIZE);
	int err;

	/* libbpf loads again with a log when a load fails, into this buffer
	 * (one for all: loading stops at the first failure) */
	if (log)
		bpf_object__for_each_program(prog, obj)
			bpf_program__set_log_buf(prog, log, LOAD_LOG_SIZE);
	sdt_capture_begin(obj); /* recorded for obj: the target takes them */
	err = bpf_object__load(obj);
	sdt_capture_end();
	if (err) {
		bpf_object__for_each_program(prog, obj)
			if (bpf_program__autoload(prog) && bpf_program__fd(prog) < 0 && !failed)
				failed = prog;
		if (failed && log && log[0]) {
			pr_warn("%s: cannot %s program %s: %s; the verifier's last words:", name, what,
				bpf_program__name(failed), sdt_errstr(err));
			sdt_pr_verifier_tail(log);
		} else {
			pr_warn("%s: cannot %s the object: %s", name, what, sdt_errstr(err));
		}
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_log_buf(prog, NULL, 0);
	free(log);
	return err;
}

int sdt_object_load_with_stats(struct bpf_object *obj)
{
	struct bpf_program *prog;
	size_t n = 0, i = 0;
	char *logs;
	int err;

	bpf_object__for_each_program(prog, obj)
		n++;
	logs = calloc(n ? n : 1, STATS_LOG_SIZE);
	if (!logs)
		return -ENOMEM;
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_log_level(prog, BPF_LOG_STATS);
		bpf_program__set_log_buf(prog, logs + i++ * STATS_LOG_SIZE, STATS_LOG_SIZE);
	}
	err = bpf_object__load(obj);
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		const char *log = logs + i++ * STATS_LOG_SIZE;

		/* a program not loaded through the capture has no record:
		 * nothing to keep it for */
		if (!err && bpf_program__fd(prog) >= 0 && log[0] &&
		    sdt_capture_keep_stats(prog, log) == -ENOMEM)
			err = -ENOMEM;
		bpf_program__set_log_buf(prog, NULL, 0);
		bpf_program__set_log_level(prog, 0);
	}
	free(logs);
	return err;
}
