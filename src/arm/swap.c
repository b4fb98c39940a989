// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Handing a program's new version to what runs it. Every replacement on a
 * live hook names the program it expects to find there, so a concurrent
 * change by someone else makes it fail (nothing changed) instead of
 * silently undoing theirs.
 *
 * When a replacement fails, what the hook runs then decides what it means:
 * still our version (a passing error: nothing changed, we may try again),
 * already the version we wanted (done), or anything else: someone else's
 * program, no program, no hook at all. Then the hook is no longer ours; we
 * leave it as it is, say so once, and never touch it again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "arm/guardian.h"
#include "arm/swap.h"

/* After replacing cur with next failed with err: 0 if the hook runs next
 * anyway, err if it still runs cur (nothing changed), or -EEXIST/-ENODEV
 * once the hook is no longer ours: then t->hook.lost is set, and the one
 * line saying so is printed. */
static int judge_failure(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int cur, int next,
			 int err)
{
	const char *what = next == tp->orig_fd ? "cannot put the original back"
					       : "cannot swap the armed copy in";
	char state[128];
	__u32 running;
	int qerr = sdt_hook_running(&t->hook, &running);

	if (!qerr && running && running == sdt_prog_id(next))
		return 0; /* e.g. the guardian or `bpfsdt reset` put it back already */
	if (!qerr && running && running == sdt_prog_id(cur) && err != -ENOLINK) {
		pr_warn("%s: program %s: %s: replacing it on its hook failed: %s", t->name,
			tp->name, what, strerror(-err));
		return err;
	}
	if (err == -ENOLINK && !qerr)
		qerr = -ENOLINK;
	sdt_hook_state_text(qerr, running, state, sizeof(state));
	pr_warn("%s: program %s: %s: %s; left as it is", t->name, tp->name, what, state);
	t->hook.lost = qerr == -ENODEV || qerr == -ENOLINK ? -ENODEV : -EEXIST;
	return t->hook.lost;
}

/* Replaces cur with next on t's hook, covered by the guardian (if any):
 * it holds next before next can run, and learns what runs afterwards. */
static int swap_on_hook(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int cur, int next)
{
	__u64 start;
	int err;

	if (t->hook.lost) {
		if (next != tp->orig_fd)
			pr_warn("%s: program %s: its hook is no longer ours (see above): not arming it",
				t->name, tp->name);
		return t->hook.lost;
	}
	if (t->guardian && next != tp->orig_fd) {
		err = sdt_guardian_expect(t->guardian, next);
		if (err) {
			pr_warn("%s: program %s: its guardian process is gone (%s): not arming without it",
				t->name, tp->name, strerror(-err));
			return err;
		}
	}
	start = sdt_now_ns();
	err = sdt_hook_replace(&t->hook, cur, next);
	tp->stats.swap_ns = sdt_now_ns() - start;
	if (err)
		err = judge_failure(t, tp, cur, next, err);
	if (t->guardian)
		sdt_guardian_settle(t->guardian, err ? (t->hook.lost ? -1 : cur) : next);
	return err;
}

int sdt_swap(struct bpf_sdt_target *t, struct sdt_target_prog *tp, int new_fd)
{
	int old = tp->armed_fd, cur = old >= 0 ? old : tp->orig_fd;
	int next = new_fd >= 0 ? new_fd : tp->orig_fd, err;

	if (new_fd < 0) { /* back to the original: nothing built or verified */
		tp->stats.build_ns = tp->stats.verify_ns = 0;
		tp->stats.insn_cnt = tp->cap.insn_cnt;
	}
	tp->stats.swap_ns = 0;
	if (t->hook.prog == tp && cur != next) {
		err = swap_on_hook(t, tp, cur, next);
		if (err && t->hook.lost && old >= 0) {
			/* not on the hook any more: ours to release, never to put back */
			close(old);
			tp->armed_fd = -1;
		}
		if (err)
			return err;
	}
	if (cur != next)
		tp->swaps++;
	tp->armed_fd = new_fd;
	if (old >= 0)
		close(old);
	return 0;
}
