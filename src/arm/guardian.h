/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The guardian of a live target's hook: a small child process that puts the
 * original program back if the session dies without disarming (SIGKILL,
 * the OOM killer), with the same compare-and-replace as the session
 * (swap.h). It is handed every armed copy before that copy can run, so no
 * moment of a session's life leaves an armed copy it does not know.
 */
#ifndef __BPFSDT_GUARDIAN_H
#define __BPFSDT_GUARDIAN_H

#include "target/target.h"

/* Forks the guardian of t's hook (t->hook.prog, whose orig_fd is the
 * program to put back) into t->guardian. The child keeps only what it
 * needs: the original program, the hook's handles, standard error. */
int sdt_guardian_start(struct bpf_sdt_target *t);
/* Hands the guardian armed_fd, about to replace what the hook runs.
 * 0, or -errno when the guardian is gone. */
int sdt_guardian_expect(struct sdt_guardian *g, int armed_fd);
/* Tells the guardian what the hook runs after a swap: the armed copy
 * running_fd, or the original or nothing of ours (any other fd, -1); it
 * lets go of every other armed copy. */
void sdt_guardian_settle(struct sdt_guardian *g, int running_fd);
/* The session ends on its own terms: tells the guardian to exit without
 * touching the hook, and reaps it. With still_armed (an armed copy the
 * session could not take off is on the hook), lets it go on watching
 * instead: it puts the original back once this process has exited. */
void sdt_guardian_stop(struct sdt_guardian *g, bool still_armed);

#endif
