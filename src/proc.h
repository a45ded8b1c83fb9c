/*
 * proc.h: the process: signals as events, the privilege drop, files
 * opened with the rights of the user the process runs as, and its
 * monotonic clock.
 */
#ifndef WIRETOP_PROC_H
#define WIRETOP_PROC_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* What the main loop is told by proc_signals_read(), a bitmask. */
enum proc_event {
	PROC_EV_STOP = 0x01,	/* INT, TERM, QUIT: finish and exit */
	PROC_EV_HUP = 0x02,	/* HUP: reload (daemon); other modes stop */
	PROC_EV_USR1 = 0x04,	/* USR1: log statistics */
	PROC_EV_USR2 = 0x08,
	PROC_EV_WINCH = 0x10,	/* the terminal was resized */
	PROC_EV_TSTP = 0x20,	/* Ctrl-Z: suspend */
	PROC_EV_CONT = 0x40,	/* resumed after a stop */
	PROC_EV_PIPE = 0x80,	/* a write hit a closed pipe (EPIPE follows) */
	PROC_EV_CHLD = 0x100,	/* a child exited */
};

/* Milliseconds on CLOCK_MONOTONIC (timeouts, retries, pacing of work
 * done every so often: never a time to show or store). */
uint64_t proc_mono_ms(void);

/* Block the asynchronous signals the main loop handles (INT TERM QUIT HUP
 * USR1 USR2 WINCH TSTP CONT PIPE CHLD) in the calling thread; call before
 * creating any thread so every thread inherits the mask. */
void	proc_block_signals(void);
/* The set proc_block_signals() blocks. */
void	proc_signal_set(sigset_t *);
/* A non-blocking signalfd for that set, or -1 + cause (one line). */
int	proc_signals_open(char **cause);
/* Read every pending signal from the signalfd; the events, 0 if none. */
unsigned proc_signals_read(int fd);
/* Take SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT for the rest of the run
 * (main, before any thread; later calls do nothing): see
 * proc_fault_recover() and proc_fatal_hook(); the signal then goes to the
 * handler that was there before (default, or a sanitizer's). */
void	proc_fatal_init(void);
/* Run hook on a fatal signal (async-signal-safe only: write(2),
 * tcsetattr()); NULL for none. */
void	proc_fatal_hook(void (*hook)(void));
/* Ask recover first about a fault the kernel raised: it does not return
 * (siglongjmp) if the fault is one it recovers from, and returns if not.
 * One for the process (the file readers' shared one). */
void	proc_fault_recover(void (*recover)(int sig, const siginfo_t *));
/* End the process the way a filter ends when its reader has gone: killed
 * by SIGPIPE, quietly (status 141 in the shell). */
void	proc_die_of_sigpipe(void) __attribute__((noreturn));

/* First thing in main: a user other than root holding capabilities from
 * the binary's file capabilities (not all ambient, as systemd or setpriv
 * give them) keeps them only as a member of the capture group
 * (WT_CAPTURE_GROUP: real gid or a supplementary group); anyone else
 * loses every one (effective, permitted, inheritable, ambient).  -1 +
 * cause (one line) if they could not be cleared. */
int	proc_capture_rights(char **cause);
/* When proc_capture_rights() took them away: what a refused capture
 * needs, one clause naming the group and the user (allocated); else
 * NULL. */
char	*proc_capture_hint(void);

/* Drop privileges for good (main thread, before any other thread): as
 * root, become user (NULL or "": wiretop if that user exists, else
 * nobody) with its groups; in every case clear every capability set and
 * set no_new_privs.  user "root" keeps root and sets *stayed_root.
 * -1 + cause (one line) on failure. */
int	proc_drop(const char *user, int *stayed_root, char **cause);
/* The identity proc_drop(user) will take: 1 with *uid and *gid set when
 * the process runs as root and will become another user, 0 when it keeps
 * its identity, -1 + cause if the user does not exist.  For preparing,
 * while still root, what that user must own (the history directory). */
int	proc_drop_target(const char *user, uid_t *uid, gid_t *gid,
	    char **cause);
/* The name of the user the process runs as (after proc_drop: the new
 * one), for messages.  Borrowed, static. */
const char *proc_user(void);
/* Open path for writing as the current user: never through a symbolic
 * link, created with mode 0640 (less the umask), truncated unless append.
 * The fd, or -1 + cause naming the file and the user. */
int	proc_open_write(const char *path, int append, char **cause);

#endif
