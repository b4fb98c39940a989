// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Whatever a test opens is closed after it, even when an assertion stops it
 * halfway: the runner is linked with --wrap for each of these functions
 * (Makefile, TEST_WRAPS), so every call of one, by a test or by the
 * library's own objects, goes through here. Opening adds the object to the
 * test's cleanup list (test.h); closing takes it off, then closes. The
 * tests themselves read as they would without any of this.
 */
#include <bpf/libbpf.h>
#include "libbpfsdt.h"
#include "test.h"

/* Each wrapped pair: the real functions, and a cleanup of the list's type. */
#define WRAP_RELEASE(ret, release, type)					\
	ret __real_##release(type *p);						\
	ret __wrap_##release(type *p);						\
	ret __wrap_##release(type *p)						\
	{									\
		test_forget(p);							\
		return __real_##release(p);					\
	}									\
	static void cleanup_##release(void *p)					\
	{									\
		__real_##release(p);						\
	}

#define WRAP_OPEN(type, open, release, params, args)				\
	type *__real_##open params;						\
	type *__wrap_##open params;						\
	type *__wrap_##open params						\
	{									\
		type *p = __real_##open args;					\
										\
		if (p)								\
			test_defer(cleanup_##release, p);			\
		return p;							\
	}

/* the library's objects */
WRAP_RELEASE(void, bpf_sdt_object__close, struct bpf_sdt_object)
WRAP_OPEN(struct bpf_sdt_object, bpf_sdt_object__open_file, bpf_sdt_object__close,
	  (const char *path, const struct bpf_sdt_open_opts *opts), (path, opts))
WRAP_OPEN(struct bpf_sdt_object, bpf_sdt_object__open_mem, bpf_sdt_object__close,
	  (const void *buf, size_t size, const struct bpf_sdt_open_opts *opts),
	  (buf, size, opts))

WRAP_RELEASE(void, bpf_sdt_target__close, struct bpf_sdt_target)
WRAP_OPEN(struct bpf_sdt_target, bpf_sdt_target__open_file, bpf_sdt_target__close,
	  (const char *path, const struct bpf_sdt_target_opts *opts), (path, opts))
WRAP_OPEN(struct bpf_sdt_target, bpf_sdt_target__open_mem, bpf_sdt_target__close,
	  (const void *buf, size_t size, const struct bpf_sdt_target_opts *opts),
	  (buf, size, opts))
WRAP_OPEN(struct bpf_sdt_target, bpf_sdt_target__from_object, bpf_sdt_target__close,
	  (struct bpf_object *obj, const void *elf, size_t size,
	   const struct bpf_sdt_target_opts *opts), (obj, elf, size, opts))
WRAP_OPEN(struct bpf_sdt_target, bpf_sdt_target__open_live, bpf_sdt_target__close,
	  (const char *path, const struct bpf_sdt_hook *hook,
	   const struct bpf_sdt_live_opts *opts), (path, hook, opts))
WRAP_OPEN(struct bpf_sdt_target, bpf_sdt_target__open_xdp, bpf_sdt_target__close,
	  (const char *path, int ifindex, const struct bpf_sdt_live_opts *opts),
	  (path, ifindex, opts))
WRAP_OPEN(struct bpf_sdt_target, bpf_sdt_target__open_link, bpf_sdt_target__close,
	  (const char *path, const char *pin, const struct bpf_sdt_live_opts *opts),
	  (path, pin, opts))

WRAP_RELEASE(int, bpf_sdt_link__destroy, struct bpf_sdt_link)
WRAP_OPEN(struct bpf_sdt_link, bpf_sdt_target__attach, bpf_sdt_link__destroy,
	  (struct bpf_sdt_target *t, const struct bpf_program *obs, const char *probe,
	   const struct bpf_sdt_attach_opts *opts), (t, obs, probe, opts))

WRAP_RELEASE(void, bpf_sdt_tracer__free, struct bpf_sdt_tracer)
WRAP_OPEN(struct bpf_sdt_tracer, bpf_sdt_tracer__new, bpf_sdt_tracer__free,
	  (struct bpf_sdt_target *t, const struct bpf_sdt_tracer_opts *opts), (t, opts))

WRAP_RELEASE(void, bpf_sdt_check__free, struct bpf_sdt_check)
WRAP_OPEN(struct bpf_sdt_check, bpf_sdt_target__check, bpf_sdt_check__free,
	  (struct bpf_sdt_target *t, const struct bpf_sdt_check_opts *opts), (t, opts))

WRAP_RELEASE(void, bpf_sdt_sweep__free, struct bpf_sdt_sweep)
WRAP_OPEN(struct bpf_sdt_sweep, bpf_sdt_target__sweep, bpf_sdt_sweep__free,
	  (struct bpf_sdt_target *t, const char *prog, const struct bpf_sdt_sweep_opts *opts),
	  (t, prog, opts))

/* libbpf's, which observers and adopted targets come in */
WRAP_RELEASE(void, bpf_object__close, struct bpf_object)
WRAP_OPEN(struct bpf_object, bpf_object__open_file, bpf_object__close,
	  (const char *path, const struct bpf_object_open_opts *opts), (path, opts))
WRAP_OPEN(struct bpf_object, bpf_object__open_mem, bpf_object__close,
	  (const void *buf, size_t size, const struct bpf_object_open_opts *opts),
	  (buf, size, opts))
WRAP_OPEN(struct bpf_object, bpf_object__open, bpf_object__close, (const char *path), (path))
