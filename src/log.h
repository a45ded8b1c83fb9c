/*
 * log.h: diagnostics to a log file or syslog, and messages to stderr.
 */
#ifndef WIRETOP_LOG_H
#define WIRETOP_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Append log lines to path (opened as the current user, never through a
 * symbolic link, created 0640); -1 + cause (one line) on failure. */
int	log_open_file(const char *path, char **cause);
/* Send log lines to syslog (daemon facility) as ident. */
void	log_use_syslog(const char *ident);
/* Lines above level are not written (default: info). */
void	log_set_level(enum log_level);
/* Close the file and syslog; later lines are dropped. */
void	log_close(void);

void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Print "wiretop: ", the message and a newline on stderr, the message
 * escaped as a log line is (control bytes, C1 and bidi controls, line
 * and paragraph separators, bytes that are not UTF-8), so that a name or
 * path quoted in it never drives the terminal.  Every message of
 * wiretop to stderr goes through here. */
void	log_stderr(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
