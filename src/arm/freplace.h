/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Function probes observed by freplace, Alexei Starovoitov's alternative to
 * SDT: BPF_SDT_CALLn(p, ...) calls p's global no-op function under p's
 * guard, and an extension program replacing that function sees the call.
 * An observer is written for sites (BPF_PROG: a u64 argument array), so the
 * extension is a wrapper: it stores the function's arguments into the slots
 * an observer reads -- the arguments widened by their declared types, the
 * site id (unknown here: the function does not know its caller, ~0), its
 * link's cookie -- and calls the observer, appended as a static subprogram.
 *
 * Only where the kernel keys the guard to the function (kernel/patches/,
 * patch 8: a native program loaded with its guards): elsewhere the guard
 * stays off while the function is replaced, and the call is never made.
 * One extension replaces a function at a time.
 */
#ifndef __BPFSDT_FREPLACE_H
#define __BPFSDT_FREPLACE_H

#include "arm/native.h"

/* Loads code as the extension of probe's function in tp and attaches it:
 * the link's fd and the program's in *prog_fd. -EAGAIN when the caller
 * should observe the probe at its site instead (said at info level):
 * another extension replaces the function already (EBUSY), or the kernel
 * takes no extension of it (EPERM, EINVAL, EOPNOTSUPP: this host refuses
 * every BPF_PROG_TYPE_EXT load); another -errno after one diagnostic. */
int sdt_freplace_link(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		      const struct bpf_sdt_probe *probe, const struct sdt_native_code *code,
		      const struct btf *code_btf, int *prog_fd);

#endif
