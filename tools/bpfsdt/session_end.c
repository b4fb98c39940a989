// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Signals ending a live session. The handler only records the signal: the
 * session's loop sees it within one poll (epoll and nanosleep return EINTR
 * whatever SA_RESTART says), while the library's own calls in progress
 * (netlink, bpf()) restart instead of failing halfway through a swap.
 *
 * SIGINT and SIGTERM are the ordinary ways to stop (exit status 0 after the
 * summary). Any other signal ended the session abnormally; after putting the
 * program back the process ends by that same signal, so that a shell, a
 * pipeline (`bpfsdt trace ... | head -1` ends by SIGPIPE, as `yes | head -1`
 * does) or a supervisor sees what happened. The process is made
 * non-dumpable first: a signal whose default action dumps core (SIGQUIT,
 * SIGXCPU, SIGXFSZ) leaves no core of a session that ended in good order.
 * A session that failed (the hook could not be restored, stdout could not
 * be written) exits with that failure's status instead.
 * Faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) are not
 * caught: after one, the guardian restores the hook.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include "session_end.h"

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

static const int terminating[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
	SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSTKFLT,
};

static void catch_signal(int sig)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART }, old;

	if (sigaction(sig, NULL, &old) || (old.sa_handler == SIG_IGN && sig != SIGINT &&
					   sig != SIGTERM))
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void session_catch_signals(void)
{
	size_t i;
	int sig;

	for (i = 0; i < sizeof(terminating) / sizeof(terminating[0]); i++)
		catch_signal(terminating[i]);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		catch_signal(sig);
}

int session_stop_signal(void)
{
	return stop_signal;
}

int session_exit_status(int status)
{
	int sig = stop_signal;
	sigset_t set;

	if (!sig || sig == SIGINT || sig == SIGTERM || status)
		return status; /* a failure says more than the signal */
	fflush(stderr);
	prctl(PR_SET_DUMPABLE, 0);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return status; /* not reached: every signal caught terminates by default */
}
