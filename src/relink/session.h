/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A session: the process that holds a live hook with its armed copies. Its
 * pid alone does not name it once it has exited (pids are reused), so the
 * process's start time goes with it.
 */
#ifndef __BPFSDT_SESSION_H
#define __BPFSDT_SESSION_H

#include <stdbool.h>
#include <linux/types.h>

struct sdt_session {
	__u32 pid;
	__u64 start;	/* the process's start time in clock ticks after boot
			 * (/proc/PID/stat, field 22) */
	__u64 since;	/* unix time the session took the hook */
};

/* This process, taking a hook now. 0, or -errno when its start time
 * cannot be read (pid and since are set all the same). */
int sdt_session_self(struct sdt_session *s);

/* Whether the session's process still runs: a process with its pid and
 * start time exists. Pids are those of this process's pid namespace: a
 * session from another pid namespace reads as gone. */
bool sdt_session_alive(const struct sdt_session *s);

/* "pid 1234 (running)" or "pid 1234 (gone)", since when, into buf. */
void sdt_session_describe(const struct sdt_session *s, char *buf, size_t size);

#endif
