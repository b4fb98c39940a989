/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * How a live session (trace, attach) ends: every signal whose default
 * action would end the process ends the session instead, so the running
 * program goes back first; then the process ends the way the signal asked.
 */
#ifndef __BPFSDT_SESSION_END_H
#define __BPFSDT_SESSION_END_H

#include <stdbool.h>

/* Catches every signal that would terminate the process (HUP, INT, QUIT,
 * TERM, PIPE, USR1, USR2, ALRM, VTALRM, PROF, XCPU, XFSZ, IO, PWR, STKFLT,
 * the real-time signals). One ignored on entry (nohup's SIGHUP) stays
 * ignored, except SIGINT and SIGTERM, which always stop a session. */
void session_catch_signals(void);
/* The first signal caught, 0 if none. */
int session_stop_signal(void);
/* After the session is over and its status is known: returns status,
 * unless a signal other than SIGINT/SIGTERM ended a session that otherwise
 * succeeded (status 0): then the process dies by that signal (without a
 * core dump) and this never returns. */
int session_exit_status(int status);

#endif
