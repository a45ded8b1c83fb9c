/*
 * proc.c: signals, as events of the main loop.
 *
 * Asynchronous signals are blocked in every thread (main() sets the mask
 * before any thread exists) and read by the main loop from a signalfd,
 * as ordinary events: every mode reads them with proc_signals_read() and
 * acts on the bitmask.  Nothing runs asynchronously except the one
 * handler of the fatal synchronous signals, installed for the whole run:
 * it gives a fault its recover function claims back to it (a file reader
 * whose mapped file shrank), and otherwise runs an async-signal-safe hook
 * (the TUI writes the terminal's restore sequences with write(2)) and
 * hands the signal on to the action that was there before (the default,
 * or a sanitizer's).  SIGPIPE stays blocked, so a write to a closed
 * pipe fails with EPIPE, which the writer sees and handles.
 */
#include "config.h"
#include "proc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

static const int proc_fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
	SIGABRT };
#define PROC_NFATAL (sizeof proc_fatal_sigs / sizeof proc_fatal_sigs[0])

static void (*_Atomic proc_hook)(void);
/* set by every file reader (the same function), read by the handler */
static void (*_Atomic proc_recover)(int, const siginfo_t *);
static struct sigaction proc_old_actions[PROC_NFATAL];
static pthread_once_t proc_fatal_once = PTHREAD_ONCE_INIT;

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

uint64_t
proc_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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

/*
 * A fault the recover function claims (a capture file that shrank under
 * its reader's map) goes back to it and never returns here.  Any other:
 * run the hook, put the previous action back and raise the signal again,
 * pending until this returns (a fault would fault again anyway).
 */
static void
proc_fatal_handler(int sig, siginfo_t *si, void *uc)
{
	void (*recover)(int, const siginfo_t *) =
	    atomic_load_explicit(&proc_recover, memory_order_relaxed);
	void (*hook)(void);
	size_t i;

	(void)uc;
	if (recover != NULL && si != NULL && si->si_code > 0)
		recover(sig, si);
	hook = atomic_load_explicit(&proc_hook, memory_order_relaxed);
	if (hook != NULL)
		hook();
	for (i = 0; i < PROC_NFATAL; i++)
		if (proc_fatal_sigs[i] == sig)
			sigaction(sig, &proc_old_actions[i], NULL);
	raise(sig);
}

static void
proc_fatal_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = proc_fatal_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < PROC_NFATAL; i++)
		sigaction(proc_fatal_sigs[i], &sa, &proc_old_actions[i]);
}

void
proc_fatal_init(void)
{
	pthread_once(&proc_fatal_once, proc_fatal_install);
}

void
proc_fatal_hook(void (*hook)(void))
{
	proc_fatal_init();
	atomic_store_explicit(&proc_hook, hook, memory_order_relaxed);
}

void
proc_fault_recover(void (*recover)(int, const siginfo_t *))
{
	proc_fatal_init();
	atomic_store_explicit(&proc_recover, recover, memory_order_relaxed);
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
