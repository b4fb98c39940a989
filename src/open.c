// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libbpfsdt: static-defined tracing probes for BPF programs.
 *
 * A BPF developer marks a point of interest with BPF_SDT_PROBEn(name, args)
 * (include/bpf_sdt.h). Compiled, that is a `goto +0` in the program's code
 * (a NOP: the verifier removes it) and, outside the code, an entry in
 * .bpf_sdt_notes (the NOP's offset and one `mov` per argument whose
 * src_reg names the register that holds it) plus BTF: a FUNC_PROTO of the
 * declared argument types on a FUNC tagged "bpf_sdt:<name>:<nargs>". A
 * program with probes loads and runs as if they were not there.
 *
 * An observer is a BPF program, SEC("bpf_sdt") int BPF_PROG(obs, args...),
 * that is to run at each site of a probe with the site's arguments. The
 * kernel that could call it there (the RFC: sites in an insn array, a
 * trampoline per site, text-poked NOPs) is not the kernel this runs on, so
 * libbpfsdt does what the kernel would do in user space and lets the kernel
 * judge the result: it builds an *armed copy* of the running program in
 * which each observed site calls the observer, has the verifier verify
 * that copy -- observer and target together, in the target's context --
 * and swaps it atomically onto the program's hook. Disarming swaps the
 * original back. The datapath never sees a half-armed program, and every
 * guarantee the verifier gives the original holds for the copy.
 *
 * The pipeline, one folder of src/ per stage; each stage uses only those
 * above it in this list (make check-deps holds the tree to that; the long
 * version is docs/design.md):
 *
 *   util/      diagnostics through one print callback, opts, allocation.
 *   discover/  the ELF, read with libelf and trusted in nothing (it is
 *              fuzzed): .bpf_sdt_notes and their relocations, the BTF
 *              declarations, into the probe table (struct bpf_sdt_object).
 *              Runs anywhere; needs no kernel.
 *   insn/      pure functions of instructions: patching in sequences with
 *              every jump, call and func/line info remapped; register
 *              liveness; the value analysis the offline check and the
 *              observer check run on; helper facts. Unit-tested without
 *              privileges.
 *   target/    loading through libbpf with section handlers that record
 *              what libbpf hands the kernel (the final instructions,
 *              func/line info, load attributes: libbpf 1.1 has no getters
 *              for them), and the model: each site at its final instruction
 *              in each program, each function's stack depth (from one
 *              BPF_LOG_STATS reload) and registers.
 *   relink/    the armed copy: a site's NOP becomes "save the caller-saved
 *              registers live there, store the arguments as u64s below the
 *              function's stack, r1 = that array, call each observer";
 *              observers are appended as static subprograms, BTF merged.
 *              Other copies plug their own site code in (a site emitter).
 *   check/     are the sites' registers what the probe declares? In kernel
 *              mode the verifier decides, on a copy whose sites check their
 *              arguments (check_copy.c); offline, the value analysis does.
 *              And the observer check, for what the verifier does not check
 *              (safety is not isolation): an observer reads only its
 *              arguments and what they reach, changes nothing of its
 *              target's and calls only helpers that observe.
 *   arm/       attaching: every change rebuilds each affected program from
 *              its complete list of attachments, all verified before any is
 *              swapped in; the swap names the program it replaces, so a
 *              concurrent change by someone else fails instead of being
 *              undone; a guardian process puts the original back if the
 *              session dies. Where the kernel has SDT (kernel/patches),
 *              observers are linked to the sites instead (native.c).
 *   (this file) opening and closing a target: the stages above, composed.
 *   live/      a program already running on a hook, loaded by anyone:
 *              rebuilt from its ELF with every map bound to the running
 *              program's by what the kernel reports, never by name, and
 *              proven to be the running program before anything is swapped.
 *   trace/     generated observers writing events to a ring buffer or
 *              counting, with filters compiled to BPF.
 *   sweep/     arming checked for transparency at every instruction.
 *
 * What runs where: discovery, the model, the analyses and the copies are
 * built in the calling process; the kernel verifies every copy and is the
 * only judge of whether it may run; the datapath runs either the original
 * or one complete armed copy; the guardian, a child process, holds the
 * original until the session ends.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "arm/attach.h"
#include "arm/guardian.h"
#include "arm/native.h"
#include "discover/elf_image.h"
#include "relink/armed_mark.h"
#include "target/dynamic_sites.h"
#include "target/object_load.h"
#include "target/prog_types.h"
#include "util/errstr.h"
#include "open.h"

struct bpf_sdt_target *sdt_target_adopt(struct bpf_sdt_target *t, const void *elf, size_t size)
{
	size_t i;
	int err;

	err = sdt_target_discover(t, elf, size);
	if (err)
		goto fail;
	if (t->own_obj && t->hook.kind == SDT_HOOK_NONE)
		sdt_native_adopt(t);
	else if (!t->own_obj)
		for (i = 0; i < t->prog_cnt; i++)
			sdt_native_detect(t, &t->progs[i]);
	return t;
fail:
	bpf_sdt_target__close(t);
	errno = -err;
	return NULL;
}

static const char *opts_name(const struct bpf_sdt_target_opts *opts, const char *fallback)
{
	return SDT_OPTS_GET(opts, object_name, NULL) ?: fallback;
}

/* Whether the ELF's .maps section refers to program prog: a prog array
 * it fills (`.values = { [0] = &prog }`) names it in a relocation. */
static bool map_init_names(const void *buf, size_t size, const char *prog)
{
	struct sdt_elf_section sec;
	struct sdt_reloc *relocs = NULL;
	struct sdt_elf *elf = NULL;
	bool found = false, named = false;
	size_t i, cnt = 0;

	if (sdt_elf_open(buf, size, "", &elf))
		return false;
	if (!sdt_elf_section_by_name(elf, ".maps", &sec, &found) && found &&
	    !sdt_elf_relocs_for(elf, sec.idx, &relocs, &cnt)) {
		for (i = 0; i < cnt && !named; i++) {
			struct sdt_elf_symbol sym;

			named = !sdt_elf_symbol(elf, relocs[i].sym, &sym) &&
				!strcmp(sym.name, prog);
		}
	}
	free(relocs);
	sdt_elf_close(elf);
	return named;
}

/* Leaves every program but name unloaded (name NULL: changes nothing) --
 * and those a prog array the ELF fills names: libbpf writes them into the
 * map when it loads, and name may tail-call them. Turns name on even in a
 * SEC("?...") (not loaded by default), unless it is left unloaded for want
 * of a type (a section libbpf does not know). No program of that name:
 * none loads, and the caller says so. */
static void load_only(struct bpf_sdt_target *t, const void *buf, size_t size, const char *name)
{
	struct bpf_program *prog, *it = NULL;
	bool filled;

	if (!name)
		return;
	filled = sdt_prefilled_prog_array(t->obj) != NULL;
	bpf_object__for_each_program(prog, t->obj)
		if (!strcmp(bpf_program__name(prog), name))
			it = prog;
	bpf_object__for_each_program(prog, t->obj)
		if (!(it && (prog == it ||
			     (filled && map_init_names(buf, size, bpf_program__name(prog))))))
			bpf_program__set_autoload(prog, false);
	if (it && bpf_program__type(it) != BPF_PROG_TYPE_UNSPEC)
		bpf_program__set_autoload(it, true);
}

/* Opens t->obj from the ELF with opts' choices of programs and types. */
static int open_object(struct bpf_sdt_target *t, const void *buf, size_t size,
		       const struct bpf_sdt_target_opts *opts)
{
	int err = sdt_object_open(buf, size, t->name, &t->obj);

	if (err)
		return err;
	sdt_type_unknown_sections(t->obj, t->name, SDT_OPTS_GET(opts, unknown_sec_type, 0),
				  SDT_OPTS_GET(opts, unknown_sec_attach_type, 0),
				  SDT_OPTS_GET(opts, unknown_sec_prog, NULL));
	load_only(t, buf, size, SDT_OPTS_GET(opts, only_prog, NULL));
	return 0;
}

/*
 * Loads the object asking the verifier for its statistics, which hold the
 * stack depths relinking needs: without them, the first arming would load
 * each program once more only to learn them. A refusal is explained by
 * loading a fresh copy of the object the ordinary way (the statistics level
 * of logging keeps libbpf from asking the verifier why).
 */
static int load_object(struct bpf_sdt_target *t, const void *buf, size_t size,
		       const struct bpf_sdt_target_opts *opts)
{
	int err = sdt_object_load_with_stats(t->obj);

	if (!err || err == -ENOMEM)
		return err;
	bpf_object__close(t->obj);
	t->obj = NULL;
	err = open_object(t, buf, size, opts);
	return err ?: sdt_object_load(t->obj, t->name, "load");
}

struct bpf_sdt_target *bpf_sdt_target__open_mem(const void *buf, size_t size,
						const struct bpf_sdt_target_opts *opts)
{
	struct bpf_sdt_target *t;
	int err;

	if (!SDT_OPTS_VALID(opts, bpf_sdt_target_opts) || !buf) {
		errno = EINVAL;
		return NULL;
	}
	err = sdt_capture_init();
	if (err) {
		errno = -err;
		return NULL;
	}
	t = sdt_target_new(opts_name(opts, "<memory>"));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	err = open_object(t, buf, size, opts);
	if (err)
		goto fail;
	t->own_obj = true;
	t->offline = SDT_OPTS_GET(opts, offline, false);
	if (t->offline) {
		/* must outlive the load, which writes the loader program into it */
		LIBBPF_OPTS(gen_loader_opts, gen);

		err = bpf_object__gen_loader(t->obj, &gen);
		if (err)
			pr_warn("%s: libbpf cannot prepare the programs: %s", t->name,
				sdt_errstr(err));
		else
			err = sdt_object_load(t->obj, t->name, "prepare");
		if (err)
			goto fail;
		return sdt_target_adopt(t, buf, size);
	}
	err = load_object(t, buf, size, opts);
	if (err)
		goto fail;
	return sdt_target_adopt(t, buf, size);
fail:
	bpf_sdt_target__close(t);
	errno = -err;
	return NULL;
}

struct bpf_sdt_target *bpf_sdt_target__open_file(const char *path,
						 const struct bpf_sdt_target_opts *opts)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, named, .object_name = opts_name(opts, path),
		    .offline = SDT_OPTS_GET(opts, offline, false),
		    .unknown_sec_type = SDT_OPTS_GET(opts, unknown_sec_type, 0),
		    .unknown_sec_attach_type = SDT_OPTS_GET(opts, unknown_sec_attach_type, 0),
		    .unknown_sec_prog = SDT_OPTS_GET(opts, unknown_sec_prog, NULL),
		    .only_prog = SDT_OPTS_GET(opts, only_prog, NULL));
	struct bpf_sdt_target *t;
	size_t size = 0;
	void *buf;
	int err;

	if (!SDT_OPTS_VALID(opts, bpf_sdt_target_opts) || !path) {
		errno = EINVAL;
		return NULL;
	}
	buf = sdt_read_file(path, &size, &err);
	if (!buf) {
		pr_warn("%s: cannot read: %s", named.object_name, strerror(-err));
		errno = -err;
		return NULL;
	}
	t = bpf_sdt_target__open_mem(buf, size, &named);
	err = errno;
	free(buf);
	errno = err;
	return t;
}

struct bpf_sdt_target *bpf_sdt_target__from_object(struct bpf_object *obj, const void *elf,
						   size_t elf_size,
						   const struct bpf_sdt_target_opts *opts)
{
	struct bpf_sdt_target *t;

	if (!SDT_OPTS_VALID(opts, bpf_sdt_target_opts) || !obj || !elf) {
		errno = EINVAL;
		return NULL;
	}
	t = sdt_target_new(opts_name(opts, bpf_object__name(obj)));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->obj = obj;
	return sdt_target_adopt(t, elf, elf_size);
}

void bpf_sdt_target__close(struct bpf_sdt_target *t)
{
	if (!t)
		return;
	sdt_target_detach_all(t);
	/* an armed copy we could not take off stays covered until we exit */
	sdt_guardian_stop(t->guardian, t->hook.prog && t->hook.prog->armed_fd >= 0);
	sdt_armed_mark_destroy(t->hook.mark);
	sdt_dynamic_free(t);
	sdt_target_free(t);
}
