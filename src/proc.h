/*
 * proc.h: process-wide signal handling.
 */
#ifndef WIRETOP_PROC_H
#define WIRETOP_PROC_H

#include <signal.h>

/* Block the asynchronous signals the main loop handles (INT TERM HUP
 * QUIT USR1 USR2 WINCH PIPE CHLD CONT) in the calling thread; call before
 * creating any thread so every thread inherits the mask. */
void	proc_block_signals(void);
/* The set proc_block_signals() blocks. */
void	proc_signal_set(sigset_t *);
/* A non-blocking signalfd for that set, or -1 (errno set). */
int	proc_signalfd(void);
/* Read one signal from a signalfd: its number, or 0 if none. */
int	proc_signalfd_read(int fd);
/* On SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT run hook (async-signal-safe
 * terminal restore), then die of the signal with default handling. */
void	proc_fatal_signals(void (*hook)(void));

#endif
