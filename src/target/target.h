/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internal view of a relinkable target: the model target.c builds (loading
 * and site mapping) that relinking, checking and arming work on. */
#ifndef __BPFSDT_TARGET_H
#define __BPFSDT_TARGET_H

#include "target/capture.h"
#include "discover/discover.h"
#include "insn/reg_analysis.h"
#include "target/guards.h"

/* A site located in a program's final instructions. A .text site appears
 * once in every program that calls its function. */
struct sdt_prog_site {
	const struct bpf_sdt_site *site;
	__u32 idx;	/* final instruction index of the NOP */
	__u32 func;	/* index into sdt_target_prog.funcs */
	bool insert;	/* a dynamic site: its code goes before insn idx */
};

struct sdt_target_prog {
	struct bpf_program *prog;
	const char *name;
	bool captured;
	struct sdt_prog_capture cap;
	struct sdt_func_span *funcs;	/* from func_info, sorted by start */
	__u32 *func_type_ids;		/* FUNC type of each function */
	__u32 nfuncs;
	struct sdt_prog_site *sites;
	size_t site_cnt, site_cap;	/* site_cap: sites (and site_verdict)
					 * have room for, dynamic sites grow it */
	struct sdt_prog_guard *guards;	/* guards.h */
	size_t guard_cnt;
	int guards_map_fd;		/* the map they read (its fd in cap.insns) */
	bool guards_unmeasured;		/* with every guard on, the kernel refused
					 * it: the stack guarded code uses is unknown */
	__u32 *stack_depth;		/* per function, NULL until measured */
	struct sdt_reg_state *regs;	/* NULL until analysed */
	__u8 *site_verdict;		/* per site: SDT_SITE_{UNCHECKED,OK,BAD} */
	int orig_fd;			/* the dormant program (libbpf's) */
	bool native;			/* the kernel holds its sites: observers are
					 * linked to it (native.h), not relinked */
	struct btf *kbtf;		/* its BTF as the kernel has it (native) */
	int armed_fd;			/* -1 while dormant */
	struct {			/* the last re-arming */
		__u64 build_ns, verify_ns, swap_ns;
		__u32 insn_cnt;
	} stats;
	__u32 swaps;			/* times what runs changed */
};

enum { SDT_SITE_UNCHECKED, SDT_SITE_OK, SDT_SITE_BAD };

struct sdt_attachment;
struct sdt_dynamic_probe;

/* Where a live target's program runs. */
enum sdt_hook_kind {
	SDT_HOOK_NONE,		/* run by fd (BPF_PROG_TEST_RUN) */
	SDT_HOOK_XDP_NETLINK,	/* XDP attached with netlink */
	SDT_HOOK_LINK,		/* any hook attached through a bpf_link (XDP, tcx,
				 * cgroup, ...) */
	SDT_HOOK_TC_NETLINK,	/* a direct-action cls_bpf filter */
	SDT_HOOK_PROG_ARRAY,	/* a slot of a BPF_MAP_TYPE_PROG_ARRAY */
};

struct sdt_hook {
	enum sdt_hook_kind kind;
	int ifindex;
	__u32 xdp_mode;		/* XDP_FLAGS_{DRV,SKB}_MODE it was attached with */
	bool tc_egress;
	__u32 tc_handle, tc_priority;
	int link_fd;
	int map_fd;		/* the prog array */
	__u32 key;		/* its slot */
	struct sdt_target_prog *prog;	/* the program on the hook */
	struct sdt_armed_mark *mark;	/* what its armed copies carry (armed_mark.h):
					 * the original and this session */
	int lost;		/* -EEXIST/-ENODEV once it no longer runs our
				 * program (swap.h): left alone from then on */
};

struct sdt_guardian;

struct bpf_sdt_target {
	char *name;
	struct bpf_object *obj;
	bool own_obj;
	bool offline;			/* prepared by libbpf's gen loader, not loaded */
	struct bpf_sdt_object *sdt;
	const struct btf *btf;		/* the object's BTF (func_info ids) */
	struct sdt_target_prog *progs;
	size_t prog_cnt;
	struct sdt_attachment *attachments; /* in attach order */
	struct sdt_hook hook;
	/* a refused armed copy is not loaded again with a log to explain it:
	 * the sweep trying sets of boundaries needs the reason only for one */
	bool quiet_rejections;
	struct sdt_dynamic_probe *dyn;	/* dynamic_sites.h, newest first */
	struct sdt_dynamic_probe **dyn_hash; /* by name: sdt_dynamic_probe() */
	size_t dyn_hash_size, dyn_cnt;
	__u32 dyn_site_cnt;
	struct sdt_guardian *guardian;	/* guardian.h; NULL without one */
};

/* A target with only a name; then, with t->obj loaded, discovery and site
 * mapping (0 or -errno; the caller closes t either way). open.c puts the
 * stages together. */
struct bpf_sdt_target *sdt_target_new(const char *name);
int sdt_target_discover(struct bpf_sdt_target *t, const void *elf, size_t size);
/* What the model holds: programs, captures, the hook's handles, the object. */
void sdt_target_free(struct bpf_sdt_target *t);

struct sdt_load_req;
/* What the kernel was given for tp's program (prog_load.h), to load it again. */
void sdt_target_prog_load_req(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
			      struct sdt_load_req *req);
/* Measures the verifier's per-function stack depth of tp's original code
 * and analyses its registers (once). */
int sdt_target_prog_prepare(struct bpf_sdt_target *t, struct sdt_target_prog *tp);
/* Register analysis of tp's original code with the uses of the sites
 * reads() says are armed with a call (NULL: every static site), into regs
 * (tp->cap.insn_cnt entries). */
int sdt_target_prog_analyse(const struct sdt_target_prog *tp,
			    bool (*reads)(void *ctx, const struct bpf_sdt_site *site), void *ctx,
			    struct sdt_reg_state *regs);
struct sdt_target_prog *sdt_target_find_prog(const struct bpf_sdt_target *t, const char *name);
/* Where instruction insn of function fn in ELF section sec is in tp's final
 * instructions: 0 and *idx, or -ENOENT when tp does not contain it. A .text
 * function is found in every program that calls it. */
int sdt_target_prog_locate(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
			   const char *sec, const char *fn, __u32 insn, __u32 *idx);

#endif
