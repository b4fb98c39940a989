/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_RELINK_H
#define __BPFSDT_RELINK_H

#include "target/target.h"

/*
 * One observer called from a program's sites of one probe. It is called with
 * r1 pointing at u64 slots: the probe's nargs arguments, then the calling
 * site's id (SDT_SLOT_SITE, bpf_sdt_site__id(): what the kernel's SDT
 * trampolines pass there too), then the link's cookie (SDT_SLOT_COOKIE; read
 * by bpf_get_attach_cookie(), which the relinker rewrites into that load:
 * the checker keeps compiled observers to the arguments and the site id).
 */
#define SDT_SLOT_SITE(nargs) (nargs)
#define SDT_SLOT_COOKIE(nargs) ((nargs) + 1)
#define SDT_SLOTS(nargs) ((nargs) + 2)

struct sdt_arm_obs {
	const struct bpf_sdt_probe *probe;
	__u64 cookie;
	const char *name;			/* observer program name */
	const struct sdt_prog_capture *code;	/* its final instructions */
	const struct btf *btf;			/* its object's BTF; NULL for
						 * code libbpfsdt generated */
	/* Instead of code to call: add one to the u64 at slot
	 * counter_slot(counter_ctx, site) of the single value of array map
	 * counter_fd, inlined in the site (no call, no spilled arguments:
	 * it works where calls are not allowed, inside bpf_spin_lock). */
	bool inline_count;
	int counter_fd;
	__u32 (*counter_slot)(void *ctx, const struct bpf_sdt_site *site);
	void *counter_ctx;
};

/*
 * Builds the armed copy of tp in which each site of an observed probe calls
 * that probe's observers (in array order), and loads it. Returns the new
 * program's fd, or a negative errno after one diagnostic (plus the
 * verifier's relevant lines when the kernel refused the copy).
 */
int sdt_relink(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
	       const struct sdt_arm_obs *obs, size_t nobs);

/*
 * A check copy: the site (or every site, when req->site is NULL) checks its
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
	const struct bpf_sdt_site *site;	/* NULL: every site */
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

int sdt_relink_check(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
		     struct sdt_check_req *req);

/* How the kernel check checks an argument of BTF type id (above). */
enum sdt_arg_check {
	SDT_ARG_CHECK_NONE,
	SDT_ARG_CHECK_STUB,
	SDT_ARG_CHECK_MEM,
};

enum sdt_arg_check sdt_arg_check_kind(const struct btf *btf, __u32 id, enum bpf_prog_type type,
				      __u32 *mem_size);

#endif
