/*
 * proc.c: signals, as events of the main loop.
 *
 * Asynchronous signals are blocked in every thread (main() sets the mask
 * before any thread exists) and read by the main loop from a signalfd,
 * as ordinary events: every mode reads them with proc_signals_read() and
 * acts on the bitmask.  Nothing runs asynchronously except the fatal
 * synchronous signals' handler, which only runs an async-signal-safe
 * hook (the TUI writes the terminal's restore sequences with write(2))
 * and hands the signal on.  SIGPIPE stays blocked, so a write to a closed
 * pipe fails with EPIPE, which the writer sees and handles.
 */
#include "config.h"
#include "proc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "xmalloc.h"

static const int proc_fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
	SIGABRT };
#define PROC_NFATAL (sizeof proc_fatal_sigs / sizeof proc_fatal_sigs[0])

static void (*volatile proc_hook)(void);
static struct sigaction proc_old_actions[PROC_NFATAL];
static int proc_fatal_installed;

void
proc_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGTSTP);
	sigaddset(set, SIGCONT);
	sigaddset(set, SIGPIPE);
	sigaddset(set, SIGCHLD);
}

void
proc_block_signals(void)
{
	sigset_t set;

	proc_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int
proc_signals_open(char **cause)
{
	sigset_t set;
	int fd;

	proc_signal_set(&set);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		xasprintf(cause, "signalfd: %s", strerror(errno));
	return fd;
}

unsigned
proc_signals_read(int fd)
{
	struct signalfd_siginfo si[8];
	unsigned ev = 0;
	ssize_t n, i;

	if (fd < 0)
		return 0;
	while ((n = read(fd, si, sizeof si)) >= (ssize_t)sizeof si[0]) {
		for (i = 0; i < n / (ssize_t)sizeof si[0]; i++) {
			switch (si[i].ssi_signo) {
			case SIGINT:
			case SIGTERM:
			case SIGQUIT:
				ev |= PROC_EV_STOP;
				break;
			case SIGHUP:
				ev |= PROC_EV_HUP;
				break;
			case SIGUSR1:
				ev |= PROC_EV_USR1;
				break;
			case SIGUSR2:
				ev |= PROC_EV_USR2;
				break;
			case SIGWINCH:
				ev |= PROC_EV_WINCH;
				break;
			case SIGTSTP:
				ev |= PROC_EV_TSTP;
				break;
			case SIGCONT:
				ev |= PROC_EV_CONT;
				break;
			case SIGPIPE:
				ev |= PROC_EV_PIPE;
				break;
			case SIGCHLD:
				ev |= PROC_EV_CHLD;
				break;
			}
		}
	}
	return ev;
}

static void
proc_fatal_handler(int sig)
{
	void (*hook)(void) = proc_hook;
	size_t i;

	if (hook != NULL)
		hook();
	for (i = 0; i < PROC_NFATAL; i++)
		if (proc_fatal_sigs[i] == sig)
			sigaction(sig, &proc_old_actions[i], NULL);
	/* Pending until this handler returns; a fault re-faults. */
	raise(sig);
}

void
proc_fatal_signals(void (*hook)(void))
{
	struct sigaction sa;
	size_t i;

	if (hook == NULL) {
		proc_hook = NULL;
		if (proc_fatal_installed)
			for (i = 0; i < PROC_NFATAL; i++)
				sigaction(proc_fatal_sigs[i],
				    &proc_old_actions[i], NULL);
		proc_fatal_installed = 0;
		return;
	}
	proc_hook = hook;
	if (proc_fatal_installed)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = proc_fatal_handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < PROC_NFATAL; i++)
		sigaction(proc_fatal_sigs[i], &sa, &proc_old_actions[i]);
	proc_fatal_installed = 1;
}

void
proc_die_of_sigpipe(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	raise(SIGPIPE);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	_exit(128 + SIGPIPE);
}
