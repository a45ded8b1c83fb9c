/*
 * proc.c: signals.
 *
 * Asynchronous signals are blocked in every thread (the mask is set on
 * the main thread before any thread exists) and read by the main loop
 * from a signalfd, as ordinary events.  Fatal synchronous signals run a
 * restore hook (the TUI puts the terminal back) and then re-raise.
 */
#include "config.h"
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void (*proc_hook)(void);

void
proc_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGPIPE);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGCONT);
}

void
proc_block_signals(void)
{
	sigset_t set;

	proc_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int
proc_signalfd(void)
{
	sigset_t set;

	proc_signal_set(&set);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int
proc_signalfd_read(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n;

	n = read(fd, &si, sizeof si);
	if (n != (ssize_t)sizeof si)
		return 0;
	return (int)si.ssi_signo;
}

static void
proc_fatal_handler(int sig)
{
	if (proc_hook != NULL)
		proc_hook();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
proc_fatal_signals(void (*hook)(void))
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;
	size_t i;

	proc_hook = hook;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = proc_fatal_handler;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}
