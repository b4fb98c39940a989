/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_CHECK_COPY_H
#define __BPFSDT_CHECK_COPY_H

#include "relink/relink.h"

/*
 * A check copy, built through the relinker's site-emitter hook (relink.h):
 * the site (or each of a set of sites, or every site) checks its
 * arguments, then the program goes on as the original would -- as an armed
 * copy does, its caller-saved registers saved and restored around the
 * checks, so references the program holds at the site are released where
 * the program releases them. Each argument is checked by the verifier
 * against its declared type:
 *  - an integer, enum or bool, or a pointer to the program's context type:
 *    passed to a global function `__sdt_check_PROBE_ARG` taking that type,
 *    which the verifier checks the call against;
 *  - any other pointer to a sized type: read, a byte at its start and one
 *    at its end, through a copy moved by one byte -- what the probe promises
 *    its observers is a non-NULL pointer to that many readable bytes, and
 *    loads are what the verifier allows or refuses an observer. A global
 *    function's pointer parameter would demand writable memory (and refuse
 *    read-only data such as a string literal in .rodata); a helper taking
 *    memory may refuse packets. The moved copy keeps the context out: the
 *    verifier refuses loads through a moved context pointer, where a byte
 *    of some contexts could be read.
 * Other arguments (`void *`) give the verifier nothing to check; arguments
 * in req->skip_args are left out. Returns 0 when the kernel accepted the
 * copy (then closed); otherwise a negative errno, with req->rejected set
 * when BPF_PROG_LOAD itself failed (the verifier's words in req->log if one
 * was given: level 1, every instruction it went through) and req->reason
 * saying why when no copy could be made or loaded.
 */
struct sdt_check_req {
	const struct bpf_sdt_site *site;	/* one site; NULL: the set below */
	/* the sites checked together when site is NULL, sorted by address
	 * (sdt_check_sort_sites()); none: every site */
	const struct bpf_sdt_site *const *sites;
	size_t nsites;
	__u16 skip_args;		/* bit n: leave argument n out */
	char *log;			/* NULL: verify without a log */
	__u32 log_size;
	/* results */
	bool rejected;
	char reason[256];
	/* where, in the copy, the one site's sequence reads argument n into
	 * its slot (arg_read) and checks it (the instructions from arg_check
	 * to arg_check_end); ~0u when it does not */
	__u32 arg_read[BPF_SDT_MAX_ARGS];
	__u32 arg_check[BPF_SDT_MAX_ARGS];
	__u32 arg_check_end[BPF_SDT_MAX_ARGS];
};

int sdt_check_copy(struct bpf_sdt_target *t, struct sdt_target_prog *tp, struct sdt_check_req *req);
/* Sorts a set of sites for req->sites. */
void sdt_check_sort_sites(const struct bpf_sdt_site **sites, size_t n);

/* How the kernel check checks an argument of BTF type id (above). */
enum sdt_arg_check {
	SDT_ARG_CHECK_NONE,
	SDT_ARG_CHECK_STUB,
	SDT_ARG_CHECK_MEM,
};

enum sdt_arg_check sdt_arg_check_kind(const struct btf *btf, __u32 id, enum bpf_prog_type type,
				      __u32 *mem_size);

#endif
