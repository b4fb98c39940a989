/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpfsdt - discover, check and arm BPF static-defined tracing probes.
 *
 * Conventions follow libbpf: opaque objects, bpf_sdt_<object>__<verb>(),
 * options structs whose first member is their size (use LIBBPF_OPTS), NULL
 * with errno set or a negative errno on failure, and diagnostics through a
 * print callback (one line per failure, naming the file and the probe).
 */
#ifndef __LIBBPFSDT_H
#define __LIBBPFSDT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <bpf/libbpf_common.h> /* LIBBPF_OPTS() for our opts structs too */

#ifdef __cplusplus
extern "C" {
#endif

#define LIBBPFSDT_API __attribute__((visibility("default")))

#ifndef BPF_SDT_MAX_ARGS
#define BPF_SDT_MAX_ARGS 12 /* same limit as bpf_sdt.h */
#endif

enum bpf_sdt_print_level {
	BPF_SDT_WARN,
	BPF_SDT_INFO,
	BPF_SDT_DEBUG,
};

typedef int (*bpf_sdt_print_fn_t)(enum bpf_sdt_print_level level,
				  const char *fmt, va_list args);

/* Sets the diagnostics callback and returns the previous one. The default
 * prints warnings to stderr; NULL silences the library. */
LIBBPFSDT_API bpf_sdt_print_fn_t bpf_sdt_set_print(bpf_sdt_print_fn_t fn);

struct btf;
struct bpf_sdt_object;
struct bpf_sdt_probe;
struct bpf_sdt_site;

struct bpf_sdt_open_opts {
	size_t sz; /* size of this struct, for forward/backward compatibility */
	/* Name used in diagnostics; defaults to the path, or "<memory>". */
	const char *object_name;
	size_t :0;
};
#define bpf_sdt_open_opts__last_field object_name

/*
 * Discover the probes of a BPF ELF object: declarations from BTF, sites from
 * .bpf_sdt_notes. On invalid input nothing is returned (NULL, errno set,
 * usually EINVAL) and exactly one diagnostic line is printed.
 * An object without probes opens fine and has no probes.
 */
LIBBPFSDT_API struct bpf_sdt_object *
bpf_sdt_object__open_file(const char *path, const struct bpf_sdt_open_opts *opts);
/* The buffer is only read during the call (skeletons can pass their
 * embedded ELF). */
LIBBPFSDT_API struct bpf_sdt_object *
bpf_sdt_object__open_mem(const void *buf, size_t size,
			 const struct bpf_sdt_open_opts *opts);
LIBBPFSDT_API void bpf_sdt_object__close(struct bpf_sdt_object *obj);
/*
 * The probes a loaded program declares, from its BTF as the kernel holds it
 * (no ELF needed): names and argument types, but no sites -- the verifier
 * removed the NOPs, and .bpf_sdt_notes never reaches the kernel. NULL with
 * errno: ENOENT (no program prog_id), ENODATA (it has no BTF, or its BTF
 * declares no probe: the ELF is needed), or another errno.
 */
LIBBPFSDT_API struct bpf_sdt_object *bpf_sdt_object__open_prog_id(__u32 prog_id);

LIBBPFSDT_API const char *bpf_sdt_object__name(const struct bpf_sdt_object *obj);
/* The object's BTF (NULL when it has none); owned by the object. */
LIBBPFSDT_API const struct btf *bpf_sdt_object__btf(const struct bpf_sdt_object *obj);

/* Probes, sorted by name. */
LIBBPFSDT_API size_t bpf_sdt_object__probe_cnt(const struct bpf_sdt_object *obj);
LIBBPFSDT_API const struct bpf_sdt_probe *
bpf_sdt_object__probe(const struct bpf_sdt_object *obj, size_t idx);
LIBBPFSDT_API const struct bpf_sdt_probe *
bpf_sdt_object__find_probe(const struct bpf_sdt_object *obj, const char *name);

/* All sites of the object, sorted by section name, then offset. */
LIBBPFSDT_API size_t bpf_sdt_object__site_cnt(const struct bpf_sdt_object *obj);
LIBBPFSDT_API const struct bpf_sdt_site *
bpf_sdt_object__site(const struct bpf_sdt_object *obj, size_t idx);
/* The site with this id (bpf_sdt_site__id()), NULL if none. */
LIBBPFSDT_API const struct bpf_sdt_site *
bpf_sdt_object__site_by_id(const struct bpf_sdt_object *obj, __u32 id);

LIBBPFSDT_API const char *bpf_sdt_probe__name(const struct bpf_sdt_probe *probe);
LIBBPFSDT_API int bpf_sdt_probe__arg_cnt(const struct bpf_sdt_probe *probe);
/* BTF id of the probe's FUNC_PROTO in bpf_sdt_object__btf(). */
LIBBPFSDT_API __u32 bpf_sdt_probe__proto_type_id(const struct bpf_sdt_probe *probe);
/* BTF id and C spelling ("unsigned int", "struct ethhdr *") of argument idx
 * (0-based); 0 / NULL when idx is out of range. */
LIBBPFSDT_API __u32 bpf_sdt_probe__arg_type_id(const struct bpf_sdt_probe *probe, int idx);
LIBBPFSDT_API const char *bpf_sdt_probe__arg_type_name(const struct bpf_sdt_probe *probe,
							int idx);
/* Sites of this probe, in the object's site order. */
LIBBPFSDT_API size_t bpf_sdt_probe__site_cnt(const struct bpf_sdt_probe *probe);
LIBBPFSDT_API const struct bpf_sdt_site *
bpf_sdt_probe__site(const struct bpf_sdt_probe *probe, size_t idx);

/* Where a site finds one argument at its NOP. */
enum bpf_sdt_arg_kind {
	BPF_SDT_ARG_REG, /* in register reg */
	BPF_SDT_ARG_MEM, /* u64 at *(reg + off): arguments 10..12 of long probes */
	BPF_SDT_ARG_NONE, /* a dynamic site's register no path sets there: reads 0 */
};

struct bpf_sdt_arg_loc {
	enum bpf_sdt_arg_kind kind;
	__u8 reg;
	__s16 off;
};

LIBBPFSDT_API const struct bpf_sdt_probe *bpf_sdt_site__probe(const struct bpf_sdt_site *site);
/* ELF section holding the site's NOP ("xdp", ".text", ...). */
LIBBPFSDT_API const char *bpf_sdt_site__section(const struct bpf_sdt_site *site);
/* Function symbol containing the NOP (a .text subprogram is its own
 * function); NULL if no function symbol covers it. */
LIBBPFSDT_API const char *bpf_sdt_site__function(const struct bpf_sdt_site *site);
/* Instruction index of the NOP relative to the function's first instruction
 * and to the section's. */
LIBBPFSDT_API __u32 bpf_sdt_site__insn(const struct bpf_sdt_site *site);
LIBBPFSDT_API __u32 bpf_sdt_site__section_insn(const struct bpf_sdt_site *site);
/* The site's id: the position of its entry in .bpf_sdt_notes. An observer
 * reads the id of the site that called it as the u64 after the probe's last
 * argument (BPF_PROG(obs, int len, int ret, __u64 site_id)), whether the
 * probe is armed by relinking or by the kernel (BPF_TRACE_SDT links). */
LIBBPFSDT_API __u32 bpf_sdt_site__id(const struct bpf_sdt_site *site);
LIBBPFSDT_API int bpf_sdt_site__arg_cnt(const struct bpf_sdt_site *site);
/* The site's source file and line, from the object's line info (.BTF.ext,
 * clang -g): the statement its NOP belongs to. NULL / 0 when the object
 * has no line info for it (and for dynamic sites). */
LIBBPFSDT_API const char *bpf_sdt_site__file(const struct bpf_sdt_site *site);
LIBBPFSDT_API __u32 bpf_sdt_site__line(const struct bpf_sdt_site *site);
LIBBPFSDT_API const struct bpf_sdt_arg_loc *
bpf_sdt_site__arg(const struct bpf_sdt_site *site, int idx);

/*
 * Guards: `if (BPF_SDT_ENABLED(probe)) { ... }` (bpf_sdt.h). Each guard reads
 * its probe's byte in the frozen read-only map of section
 * .rodata.bpf_sdt_guards, 0 in the object, so the verifier removes the
 * guarded block as dead code: a dormant guard leaves two instructions (three
 * slots) in the loaded program. An armed copy reads a private copy of that
 * map in which the guards of its armed probes are 1 (every other map it
 * shares); the kernel check turns every guard on, so sites inside guarded
 * blocks are checked too. A probe's guards are on in a program exactly
 * while observers are attached to that probe in it.
 */
struct bpf_sdt_guard;

/* All guards of the object, sorted by section name, then offset. */
LIBBPFSDT_API size_t bpf_sdt_object__guard_cnt(const struct bpf_sdt_object *obj);
LIBBPFSDT_API const struct bpf_sdt_guard *
bpf_sdt_object__guard(const struct bpf_sdt_object *obj, size_t idx);
/* Guards of this probe, in the object's guard order. */
LIBBPFSDT_API size_t bpf_sdt_probe__guard_cnt(const struct bpf_sdt_probe *probe);
LIBBPFSDT_API const struct bpf_sdt_guard *
bpf_sdt_probe__guard(const struct bpf_sdt_probe *probe, size_t idx);
/* Declared with BPF_SDT_FUNCn: a global no-op function of the probe's name
 * is called at its sites, which an freplace program can replace. */
LIBBPFSDT_API bool bpf_sdt_probe__is_func(const struct bpf_sdt_probe *probe);
LIBBPFSDT_API const struct bpf_sdt_probe *bpf_sdt_guard__probe(const struct bpf_sdt_guard *guard);
LIBBPFSDT_API const char *bpf_sdt_guard__section(const struct bpf_sdt_guard *guard);
LIBBPFSDT_API const char *bpf_sdt_guard__function(const struct bpf_sdt_guard *guard);
/* The guard's first instruction relative to its function and to its
 * section; the guarded block's first, relative to the function. */
LIBBPFSDT_API __u32 bpf_sdt_guard__insn(const struct bpf_sdt_guard *guard);
LIBBPFSDT_API __u32 bpf_sdt_guard__section_insn(const struct bpf_sdt_guard *guard);
LIBBPFSDT_API __u32 bpf_sdt_guard__block_insn(const struct bpf_sdt_guard *guard);

/*
 * Targets and observers (relinking).
 *
 * A target is a BPF object whose probes can be armed: libbpfsdt loads it (or
 * takes one the caller loaded) and keeps what the kernel was given for each
 * program. Attaching an observer to a probe builds an armed copy of each
 * program with sites of that probe, in which every site calls the
 * observers attached to its probe (in attach order) with the site's
 * arguments; the kernel verifies the copy, sharing all maps. Destroying the
 * last link of a program returns it to its original, dormant form.
 *
 * Observers are BPF programs written like tracing programs,
 *   SEC("bpf_sdt") int BPF_PROG(obs, int len, int ret) { ... }
 * or SEC("bpf_sdt/<probe>") to name their probe; bpf_get_attach_cookie(ctx)
 * returns the link's cookie.
 */
struct bpf_object;
struct bpf_program;
struct bpf_sdt_target;
struct bpf_sdt_link;

/* Registers libbpfsdt's libbpf section handlers (xdp, xdp.frags, tc,
 * classifier, action, socket, cgroup_skb/ingress|egress, bpf_sdt[/...]).
 * Objects the caller opens itself must be opened after this; the open
 * functions below call it. What libbpf hands the kernel for each program
 * the caller loads with BTF (to attach it as an observer, or adopt its
 * object) is kept while its object is open, and no longer. Returns 0 or a
 * negative errno. */
LIBBPFSDT_API int libbpfsdt_init(void);

struct bpf_sdt_target_opts {
	size_t sz;
	/* Name used in diagnostics; defaults to the path, or "<memory>". */
	const char *object_name;
	/* Prepare the programs without loading anything (libbpf's gen loader
	 * relocates them and records what the kernel would be given; no
	 * privileges needed): the target can be listed and checked offline,
	 * not attached. */
	bool offline;
	/* Programs in sections libbpf does not know (iproute2's SEC("prog"),
	 * SEC("classifier/..."), SEC("tc/ingress"), ...) have no type: they
	 * are left unloaded, so the object's other programs still load, unless
	 * given this type and expected attach type. */
	__u32 unknown_sec_type;		/* enum bpf_prog_type */
	__u32 unknown_sec_attach_type;	/* enum bpf_attach_type */
	/* Only this program gets unknown_sec_type; NULL: every such program. */
	const char *unknown_sec_prog;
	/* Load only this program of the object (NULL: all): to run or sweep
	 * one program of an object whose others need hooks or privileges
	 * this host does not give (tracing, LSM, ...). */
	const char *only_prog;
	size_t :0;
};
#define bpf_sdt_target_opts__last_field only_prog

/* Opens and loads a BPF object as a target. NULL with errno on failure. */
LIBBPFSDT_API struct bpf_sdt_target *
bpf_sdt_target__open_file(const char *path, const struct bpf_sdt_target_opts *opts);
LIBBPFSDT_API struct bpf_sdt_target *
bpf_sdt_target__open_mem(const void *buf, size_t size, const struct bpf_sdt_target_opts *opts);
/* Adopts an object the caller opened (after libbpfsdt_init()) and loaded,
 * e.g. a skeleton's obj with its elf bytes (NAME__elf_bytes()). The object
 * stays the caller's: close the target before it. */
LIBBPFSDT_API struct bpf_sdt_target *
bpf_sdt_target__from_object(struct bpf_object *obj, const void *elf, size_t elf_size,
			    const struct bpf_sdt_target_opts *opts);
/* Detaches every observer first (a live target's running program is back
 * on its hook afterwards). Links stay their holder's, as libbpf's outlive
 * their object: each is still destroyed with bpf_sdt_link__destroy(),
 * which then only frees it. A tracer may be freed before or after. */
LIBBPFSDT_API void bpf_sdt_target__close(struct bpf_sdt_target *target);

struct bpf_sdt_live_opts {
	size_t sz;
	const char *object_name;
	/* Arm even if the ELF does not produce the running program's tag. */
	bool force;
	/* Fork a guardian process that puts the original program back if this
	 * process dies without disarming (SIGKILL, the OOM killer); see
	 * bpf_sdt_target__open_live(). */
	bool guardian;
	size_t :0;
};
#define bpf_sdt_live_opts__last_field guardian

/* A hook a live program runs on. */
enum bpf_sdt_hook_kind {
	BPF_SDT_HOOK_XDP = 1,	/* ifindex: XDP through netlink or a bpf_link */
	BPF_SDT_HOOK_TC,	/* ifindex, tc_attach_point: a tcx link or a
				 * direct-action cls_bpf filter */
	BPF_SDT_HOOK_LINK,	/* link_pin: any pinned bpf_link */
	BPF_SDT_HOOK_PROG_ARRAY, /* prog_array_fd, key: a tail-call slot */
};

struct bpf_sdt_hook {
	size_t sz;
	enum bpf_sdt_hook_kind kind;
	int ifindex;
	__u32 tc_attach_point;	/* BPF_TC_INGRESS or BPF_TC_EGRESS (libbpf.h) */
	const char *link_pin;
	int prog_array_fd;	/* borrowed: libbpfsdt keeps its own copy */
	__u32 key;
	size_t :0;
};
#define bpf_sdt_hook__last_field key

/*
 * A live target: the program running on a hook (in the caller's network
 * namespace), attached by any loader. libbpfsdt rebuilds it from the ELF at
 * path with each map its code references bound to the map the running
 * program uses there (by what the kernel reports, never by name), and
 * refuses (-ESTALE) when the ELF's maps cannot stand for the running
 * program's, or the rebuild lacks its tag (opts->force overrides the tag
 * only). A hook another session's armed copy holds is refused (-EBUSY),
 * naming it. Armed copies carry a mark naming the original and this
 * session (docs/abi.md), and replace the running program on
 * its hook, naming the program they expect to find there so a concurrent
 * change fails cleanly (-EEXIST, nothing changed): bpf_link_update() with
 * BPF_F_REPLACE for links, XDP_FLAGS_REPLACE for netlink XDP; cls_bpf
 * filters and prog array slots, which the kernel cannot compare-and-replace,
 * are checked right before the replacement. Destroying the last link puts
 * the running program back. NULL with errno on failure.
 */
LIBBPFSDT_API struct bpf_sdt_target *
bpf_sdt_target__open_live(const char *path, const struct bpf_sdt_hook *hook,
			  const struct bpf_sdt_live_opts *opts);

/*
 * Puts the dormant program back on a hook after a tracer died without
 * disarming (SIGKILL): replaces the armed copy of the ELF's program there
 * with the original while it exists, else with the rebuild bound to the
 * maps the copy's mark names. Only a marked copy of that program whose
 * session has ended is replaced (-EBUSY while it runs, -ESTALE for another
 * program's copy). 0, nothing replaced, if the ELF's own program runs
 * there unmarked; -ESTALE for any other unmarked program.
 */
LIBBPFSDT_API int bpf_sdt_live_reset(const char *path, const struct bpf_sdt_hook *hook,
				     const struct bpf_sdt_live_opts *opts);

/* Shorthands for bpf_sdt_target__open_live() on the XDP program of ifindex
 * and on the program of a pinned bpf_link (XDP, tcx, cgroup, ...). */
LIBBPFSDT_API struct bpf_sdt_target *
bpf_sdt_target__open_xdp(const char *path, int ifindex, const struct bpf_sdt_live_opts *opts);
LIBBPFSDT_API struct bpf_sdt_target *
bpf_sdt_target__open_link(const char *path, const char *link_pin,
			  const struct bpf_sdt_live_opts *opts);

/* Shorthands for bpf_sdt_live_reset() on XDP and a pinned link. */
LIBBPFSDT_API int bpf_sdt_xdp_reset(const char *path, int ifindex,
				    const struct bpf_sdt_live_opts *opts);
LIBBPFSDT_API int bpf_sdt_link_reset(const char *path, const char *link_pin,
				     const struct bpf_sdt_live_opts *opts);

/*
 * What runs on a hook, from the kernel alone (no ELF): each program there
 * and, for an armed copy (a program carrying bpfsdt's mark, docs/abi.md),
 * the program it stands in for, its probes and the session that armed it.
 */
struct bpf_sdt_hook_status {
	size_t sz;
	__u32 prog_id;
	char prog_name[16];		/* as the kernel has it (BPF_OBJ_NAME_LEN) */
	__u8 prog_tag[8];		/* BPF_TAG_SIZE */
	bool armed;
	/* armed copies only: */
	__u32 orig_prog_id;		/* the original (it may be gone) */
	__u8 orig_tag[8];
	__u32 session_pid;		/* the process that armed it */
	bool session_running;		/* false: it ended without disarming */
	__u64 since;			/* unix time it took the hook */
	char probes[256];		/* comma-separated; ends in "..." if cut */
	size_t :0;
};
#define bpf_sdt_hook_status__last_field probes

/* Returns how many programs run on hook (0: none; tc hooks may run
 * several) and, if idx is below that, fills *status for the idx-th in the
 * order they run. A negative errno on failure. */
LIBBPFSDT_API int bpf_sdt_hook__status(const struct bpf_sdt_hook *hook, size_t idx,
				      struct bpf_sdt_hook_status *status);

/*
 * Checking every probe site against the probe's declared types, as the
 * RFC's verifier would: integer/enum/bool arguments need a scalar, a
 * pointer to the program's context type the context, other pointers a
 * non-NULL pointer (to as many readable bytes as the pointee has).
 * BPF_SDT_CHECK_KERNEL lets the kernel verifier decide: a check copy of each
 * program passes each site's arguments to global functions declared with
 * the probe's types, loaded without being attached. BPF_SDT_CHECK_OFFLINE
 * needs no kernel: an abstract interpretation of each program follows every
 * path to each site and classifies what each argument holds (scalar and its
 * range, context, packet, packet end/meta, stack, map value maybe NULL or
 * not, map, other pointer, uninitialized); a target opened with
 * .offline = true can only be checked this way.
 */
enum bpf_sdt_check_mode {
	BPF_SDT_CHECK_KERNEL = 1,
	BPF_SDT_CHECK_OFFLINE,
};

struct bpf_sdt_check_opts {
	size_t sz;
	enum bpf_sdt_check_mode mode;	/* default: kernel */
	size_t :0;
};
#define bpf_sdt_check_opts__last_field mode

struct bpf_sdt_finding {
	const struct bpf_sdt_site *site;
	const char *prog;	/* the program the site was checked in */
	int arg;		/* the argument, -1 for the site as a whole */
	bool warning;		/* false: an error */
	const char *file;	/* source file of the site (BTF line info), or NULL */
	unsigned int line;
	/* "probe my_trace, argument 1 (int): r3 holds a packet pointer, a
	 * scalar is required" */
	const char *message;
	/* The check of the site (or of arg) could not be completed -- the
	 * verifier gave up on the program, the site leaves no stack for the
	 * check, ... (message: "probe P: could not check: why"). Neither clean
	 * nor an error; warning is false. */
	bool unchecked;
};

struct bpf_sdt_check;

/* NULL with errno when the check could not be made (said why). */
LIBBPFSDT_API struct bpf_sdt_check *
bpf_sdt_target__check(struct bpf_sdt_target *target, const struct bpf_sdt_check_opts *opts);
LIBBPFSDT_API size_t bpf_sdt_check__finding_cnt(const struct bpf_sdt_check *check);
LIBBPFSDT_API const struct bpf_sdt_finding *
bpf_sdt_check__finding(const struct bpf_sdt_check *check, size_t idx);
LIBBPFSDT_API void bpf_sdt_check__free(struct bpf_sdt_check *check);

LIBBPFSDT_API struct bpf_object *bpf_sdt_target__object(const struct bpf_sdt_target *target);
/* The probe table of the target's ELF. */
LIBBPFSDT_API const struct bpf_sdt_object *
bpf_sdt_target__probes(const struct bpf_sdt_target *target);
/* Sites of probe in program prog_name as loaded (a .text site counts once in
 * every program calling its function); prog_name NULL: in the program on a
 * live target's hook, or in any program of the target. */
LIBBPFSDT_API size_t bpf_sdt_target__probe_site_cnt(const struct bpf_sdt_target *target,
						    const char *prog_name,
						    const struct bpf_sdt_probe *probe);
/* fd of program prog_name as it runs now: the armed copy while observers
 * are attached to any of its sites, else the original. -ENOENT if the
 * target has no such program. */
LIBBPFSDT_API int bpf_sdt_target__prog_fd(const struct bpf_sdt_target *target,
					  const char *prog_name);

struct bpf_sdt_attach_opts {
	size_t sz;
	/* Value bpf_get_attach_cookie() returns in the observer. */
	__u64 cookie;
	/* Only this program of the target; NULL: every program with sites of
	 * the probe. */
	const char *target_prog;
	/* The loaded object the observer belongs to. The observer may use the
	 * maps this object created (its globals too) and no others; without
	 * it, it may use no maps at all (docs/isolation.md). */
	const struct bpf_object *observer_obj;
	size_t :0;
};
#define bpf_sdt_attach_opts__last_field observer_obj

/*
 * Attaches observer (a loaded SEC("bpf_sdt...") program) to probe of the
 * target (NULL: the probe named by SEC("bpf_sdt/<probe>")), re-arms the
 * affected programs and returns the link; NULL with errno and one
 * diagnostic line on failure, in which case nothing changed.
 */
LIBBPFSDT_API struct bpf_sdt_link *
bpf_sdt_target__attach(struct bpf_sdt_target *target, const struct bpf_program *observer,
		       const char *probe, const struct bpf_sdt_attach_opts *opts);
/* How long the last re-arming of program prog_name took: building the
 * armed copy (or choosing the original), the kernel verifying it, and
 * swapping it in (on a live hook: the kernel's replacement call). */
struct bpf_sdt_arm_stats {
	size_t sz;
	__u64 build_ns;
	__u64 verify_ns;
	__u64 swap_ns;
	__u32 insn_cnt;		/* instructions of the program now running */
	__u32 swaps;		/* times the running program changed since opening */
	/* The kernel holds the program's sites (a kernel with in-kernel SDT,
	 * kernel/patches/): observers are linked to it as BPF_TRACE_SDT
	 * programs, it is never rebuilt or swapped (build/verify/swap stay 0). */
	bool in_kernel;
	size_t :0;
};
#define bpf_sdt_arm_stats__last_field in_kernel

LIBBPFSDT_API int bpf_sdt_target__arm_stats(const struct bpf_sdt_target *target,
					    const char *prog_name,
					    struct bpf_sdt_arm_stats *stats);

/* Detaches and frees: the affected programs are re-armed without this
 * observer (or back to their original). The link is gone whatever is
 * returned, as with libbpf's bpf_link__destroy(): on failure (a negative
 * errno, said in one line) the copies running now keep calling the
 * observer until their next change; disarming or closing the target puts
 * the originals back. */
LIBBPFSDT_API int bpf_sdt_link__destroy(struct bpf_sdt_link *link);

/*
 * The generic tracer: an observer libbpfsdt generates (no compiler needed)
 * that records {time, cpu, site, args} of every hit into a BPF ring buffer,
 * or, in counting mode, only bumps a per-site counter in the kernel.
 */
struct bpf_sdt_tracer;

struct bpf_sdt_tracer_opts {
	size_t sz;
	/* Count hits per site instead of recording events. */
	bool count_only;
	/* Ring buffer size in bytes (power of two, >= page size); default 1 MiB. */
	__u32 ringbuf_size;
	/* Only this program of the target; NULL: all. */
	const char *target_prog;
	/* Record (or count) only events for which this expression holds,
	 * decided in the kernel: comparisons (== != < <= > >=) of arguments
	 * arg0, arg1, ... with numbers or enumerator names (XDP_DROP), joined
	 * with && || ! and parentheses. */
	const char *filter;
	/* Also copy the packet into each event, up to this many bytes (0:
	 * none; at most BPF_SDT_MAX_SNAPLEN), in the kernel at the site: from
	 * the probe's argument of the program's context type (struct xdp_md *,
	 * struct __sk_buff *: the whole packet from its first byte), else from
	 * a pointer argument to the pointer argument right after it (data,
	 * data_end). A probe with neither cannot be added (-EINVAL, said why). */
	__u32 snaplen;
	size_t :0;
};
#define bpf_sdt_tracer_opts__last_field snaplen

#define BPF_SDT_MAX_SNAPLEN 65535

struct bpf_sdt_event {
	__u64 time_ns;		/* bpf_ktime_get_ns() at the site */
	__u32 cpu;
	const struct bpf_sdt_site *site;
	const struct bpf_sdt_probe *probe;
	int nargs;
	const __u64 *args;	/* each widened to u64 by its declared type */
	__u64 wall_ns;		/* time_ns on the real-time clock (ns since 1970) */
	/* With bpf_sdt_tracer_opts.snaplen: the packet's first packet_len
	 * bytes (NULL when none could be copied) and its whole length. */
	const void *packet;
	__u32 packet_len;
	__u32 packet_wire_len;
};

/* Returns 0 to continue, non-zero to stop polling (returned by poll). */
typedef int (*bpf_sdt_event_fn)(void *ctx, const struct bpf_sdt_event *event);

LIBBPFSDT_API struct bpf_sdt_tracer *
bpf_sdt_tracer__new(struct bpf_sdt_target *target, const struct bpf_sdt_tracer_opts *opts);
/* Arms the probe with the tracer (one link per probe). A name may select
 * some of the probe's sites: "PROBE@ID[,ID...]" (site ids, as
 * bpf_sdt_site__id() and `bpfsdt list` give them) or "PROBE@FILE:LINE" (its
 * sites on that source line; FILE may be a path suffix); the other sites
 * of the probe record nothing. */
LIBBPFSDT_API int bpf_sdt_tracer__add_probe(struct bpf_sdt_tracer *tracer, const char *probe);
/* Arms n probes at once: each affected program is swapped a single time,
 * so no packet meets a copy with only some of them armed. All or nothing. */
LIBBPFSDT_API int bpf_sdt_tracer__add_probes(struct bpf_sdt_tracer *tracer,
					     const char *const *probes, size_t n);
/* Delivers recorded events to fn; waits up to timeout_ms (0: only what is
 * there). Returns the number of events delivered, fn's non-zero return, or
 * a negative errno. */
LIBBPFSDT_API int bpf_sdt_tracer__poll(struct bpf_sdt_tracer *tracer, int timeout_ms,
				       bpf_sdt_event_fn fn, void *ctx);
/* In-kernel hit count of a site (counting mode), or events the ring buffer
 * had no room for (both modes). */
LIBBPFSDT_API __u64 bpf_sdt_tracer__site_hits(const struct bpf_sdt_tracer *tracer,
					      const struct bpf_sdt_site *site);
LIBBPFSDT_API __u64 bpf_sdt_tracer__lost(const struct bpf_sdt_tracer *tracer);
/* ...of them at probe's sites (the dynamic probes share one count). */
LIBBPFSDT_API __u64 bpf_sdt_tracer__probe_lost(const struct bpf_sdt_tracer *tracer,
					       const struct bpf_sdt_probe *probe);
/* Detaches and frees. */
LIBBPFSDT_API void bpf_sdt_tracer__free(struct bpf_sdt_tracer *tracer);

/*
 * Aggregations, computed in the kernel at every event of the probes added
 * after them (those that pass the filter, at the sites selected): of
 * argument arg, the count, sum, minimum and maximum and, optionally, a
 * histogram, one per site (or one per probe with per_probe), in per-CPU
 * maps that reading adds up. Signed when the argument's type is.
 * Histogram buckets:
 *   BPF_SDT_HIST_LOG2:   [0] negative, [1] zero, [k] [2^(k-2), 2^(k-1))
 *                        for k >= 2 (66 buckets);
 *   BPF_SDT_HIST_LINEAR: [0] below min, [k] [min + (k-1)*step, min + k*step)
 *                        for 1 <= k <= n = (max - min) / step, [n+1] max
 *                        and above (n + 2 buckets).
 */
enum bpf_sdt_hist_kind {
	BPF_SDT_HIST_NONE,
	BPF_SDT_HIST_LOG2,
	BPF_SDT_HIST_LINEAR,
};

#define BPF_SDT_HIST_MAX_LINEAR 256	/* n, at most */
#define BPF_SDT_HIST_MAX_BUCKETS (BPF_SDT_HIST_MAX_LINEAR + 2)

struct bpf_sdt_aggregation {
	size_t sz;
	int arg;			/* argument index */
	bool per_probe;			/* one result per probe, not per site */
	enum bpf_sdt_hist_kind hist;
	__s64 min, max, step;		/* BPF_SDT_HIST_LINEAR */
	size_t :0;
};
#define bpf_sdt_aggregation__last_field step

struct bpf_sdt_agg_value {
	__u64 count;
	__u64 sum, min, max;		/* as the argument's u64 slot holds them */
	bool is_signed;			/* the argument's type is signed */
	__u32 bucket_cnt;		/* 0 without a histogram */
	__u64 buckets[BPF_SDT_HIST_MAX_BUCKETS];
};

/* Adds an aggregation; its index (0, 1, ...) or a negative errno. */
LIBBPFSDT_API int bpf_sdt_tracer__aggregate(struct bpf_sdt_tracer *tracer,
					    const struct bpf_sdt_aggregation *agg);
/* Reads aggregation idx for a site (per site), or a probe (per_probe; site
 * NULL). -ENOENT if it does not cover that site or probe. */
LIBBPFSDT_API int bpf_sdt_tracer__agg_read(const struct bpf_sdt_tracer *tracer, int idx,
					   const struct bpf_sdt_probe *probe,
					   const struct bpf_sdt_site *site,
					   struct bpf_sdt_agg_value *out);
/* Whether the tracer observes site: its probe was added, and the site was
 * selected when the probe was added as "PROBE@SITES". */
LIBBPFSDT_API bool bpf_sdt_tracer__traces_site(const struct bpf_sdt_tracer *tracer,
					       const struct bpf_sdt_site *site);

/*
 * Dynamic sites: a probe at any instruction boundary of a loaded program,
 * no compiled-in NOP needed. name "PROG+INSN" is instruction INSN of PROG
 * as libbpf loaded it (the numbering of `bpfsdt list` and `bpfsdt sweep`);
 * "FILE:LINE" the first instruction of that source line in each function
 * that has code from it (line info; FILE may be a path suffix). Its
 * arguments are the registers r0..r9 as u64; a register no path sets
 * there has kind BPF_SDT_ARG_NONE and reads 0. The probe is created on
 * first use and lives as long as the target; tracers and observers attach
 * to it like to any probe. For any other name: the object's probe of that
 * name. NULL with errno (ENOENT: no such probe) after one diagnostic for a
 * dynamic name that names no boundary.
 */
LIBBPFSDT_API const struct bpf_sdt_probe *
bpf_sdt_target__find_probe(struct bpf_sdt_target *target, const char *name);
/* The site (static or dynamic) with this id, NULL if none. */
LIBBPFSDT_API const struct bpf_sdt_site *
bpf_sdt_target__site_by_id(const struct bpf_sdt_target *target, __u32 id);
LIBBPFSDT_API bool bpf_sdt_site__is_dynamic(const struct bpf_sdt_site *site);

/*
 * The sweep: arms a counting site at every instruction boundary of a
 * program (or every Nth), runs it on each input with BPF_PROG_TEST_RUN from
 * the same map state as the unarmed program, and compares: return value,
 * output packet and context, every map's contents; and the hit counts must
 * follow the control flow (equal within a basic block; the entry once per
 * run). What the unarmed program itself does differently from run to run
 * is left out (see the notes). The target must be opened from a file or
 * memory (not live).
 */
struct bpf_sdt_run_input {
	const void *data;	/* the packet */
	__u32 size;
	const void *ctx;	/* optional context (struct __sk_buff, xdp_md) */
	__u32 ctx_size;
};

struct bpf_sdt_sweep_opts {
	size_t sz;
	const struct bpf_sdt_run_input *inputs;
	size_t input_cnt;
	/* Arm one boundary at a time (default: all at once, narrowed down by
	 * halving when the kernel refuses the copy or a run differs). */
	bool each;
	/* Only every Nth boundary (0 or 1: all). */
	__u32 every;
	size_t :0;
};
#define bpf_sdt_sweep_opts__last_field every

struct bpf_sdt_sweep_failure {
	__u32 insn;		/* the boundary: before this instruction */
	const char *reason;	/* "not armed: ..." or how a run differed */
};

struct bpf_sdt_sweep;

/* NULL with errno when the sweep could not be made (said why). */
LIBBPFSDT_API struct bpf_sdt_sweep *
bpf_sdt_target__sweep(struct bpf_sdt_target *target, const char *prog_name,
		      const struct bpf_sdt_sweep_opts *opts);
LIBBPFSDT_API __u32 bpf_sdt_sweep__boundaries(const struct bpf_sdt_sweep *sweep);
LIBBPFSDT_API __u32 bpf_sdt_sweep__armed(const struct bpf_sdt_sweep *sweep);
LIBBPFSDT_API __u32 bpf_sdt_sweep__identical(const struct bpf_sdt_sweep *sweep);
LIBBPFSDT_API size_t bpf_sdt_sweep__failure_cnt(const struct bpf_sdt_sweep *sweep);
/* Sorted by instruction. */
LIBBPFSDT_API const struct bpf_sdt_sweep_failure *
bpf_sdt_sweep__failure(const struct bpf_sdt_sweep *sweep, size_t idx);
/* What was left out of the comparison and why ("map x varies from run to
 * run of the unarmed program: not compared; ..."), or NULL. */
LIBBPFSDT_API const char *bpf_sdt_sweep__notes(const struct bpf_sdt_sweep *sweep);
LIBBPFSDT_API void bpf_sdt_sweep__free(struct bpf_sdt_sweep *sweep);

/*
 * Formats a value of BTF type type_id (from btf) held in data: integers by
 * width and sign, enums by enumerator name when one matches, _Bool as
 * true/false, pointers as 0x..., arrays and structs element by element.
 * With json, the result is valid JSON (enum names and pointers as strings).
 * Returns the length the full result needs, like snprintf, or a negative
 * errno.
 */
LIBBPFSDT_API int bpf_sdt_format_value(const struct btf *btf, __u32 type_id, const void *data,
				       size_t size, bool json, char *buf, size_t buf_size);

/*
 * Ending a session on a live target.
 *
 * bpf_sdt_target__disarm() puts every original program back, each program
 * in one swap, whatever was attached; links and tracers stay valid, observe
 * nothing, and are destroyed or freed as usual.
 * Returns 0 when every hook runs its original again, or -EEXIST / -ENODEV
 * when a hook no longer runs our armed copy (someone else replaced the
 * program, emptied the slot or deleted the filter / the interface or link
 * is gone): that hook is left exactly as it is, never touched again, and
 * one diagnostic line says what it runs instead; or another -errno when the
 * replacement failed and the armed copy still runs (said in one line). A
 * failure of an earlier swap that lost the hook is returned again, not
 * printed again.
 *
 * With bpf_sdt_live_opts.guardian, bpf_sdt_target__open_live() forks a
 * guardian process (fork(): open the target before starting threads, and
 * do not close it from a forked child). It holds the original program and
 * the hook (nothing else: it closes every other descriptor) and is handed
 * each armed copy before that copy is swapped in. If this process dies
 * without disarming (SIGKILL), the guardian replaces the armed copy it finds
 * on the hook with the original, with the same compare-and-replace, or
 * leaves whatever else runs there and says so on standard error; then it
 * exits. bpf_sdt_target__close() dismisses and reaps it; if an armed copy
 * could not be taken off, it instead keeps the guardian watching until this
 * process exits. The guardian ignores every signal but SIGKILL (it lives in
 * its own session); swapping in a copy fails if it is gone.
 */
LIBBPFSDT_API int bpf_sdt_target__disarm(struct bpf_sdt_target *target);

#ifdef __cplusplus
}
#endif

#endif /* __LIBBPFSDT_H */
