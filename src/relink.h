/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_RELINK_H
#define __BPFSDT_RELINK_H

#include "target.h"

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
 * A check copy: the site (or every site, when req->site is NULL) passes its
 * arguments to global functions declared with the probe's argument types,
 * at most SDT_CHECK_STUB_ARGS each, so the verifier checks every argument
 * register against its declared type, and its function then returns.
 * Arguments the verifier cannot check (`void *`) are left out. Returns 0
 * when the kernel accepted the copy (then closed); on a verifier rejection
 * req->rejected is set and req->log holds the verifier's log (level 2:
 * register states); other errors come with a diagnostic.
 */
#define SDT_CHECK_STUB_ARGS 5

struct sdt_check_req {
	const struct bpf_sdt_site *site;	/* NULL: every site */
	char *log;
	__u32 log_size;
	bool rejected;
};

int sdt_relink_check(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
		     struct sdt_check_req *req);
/* The probe argument stub __sdt_check_PROBE_PART receives as parameter
 * param (0-based), -1 if none. */
int sdt_check_stub_param_arg(const struct bpf_sdt_target *t, const struct bpf_sdt_probe *probe,
			     int part, int param);

#endif
