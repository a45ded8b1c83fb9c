/*
 * log.h: diagnostics to stderr, a log file or syslog.
 */
#ifndef WIRETOP_LOG_H
#define WIRETOP_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Where log lines go: stderr (default), a file (path), or syslog. */
int	log_open_file(const char *path, char **cause);
void	log_use_syslog(const char *ident);
/* Stop writing to stderr (curses owns the terminal): lines go to the log
 * file if one is open, else they are kept from the screen. */
void	log_quiet_stderr(int quiet);
void	log_set_level(enum log_level);
void	log_close(void);

void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
