/*
 * log.c: diagnostics.
 *
 * Any thread may log; each line is written with one write() under a
 * mutex so lines never interleave.  Log lines go to --log FILE (opened
 * after the privilege drop, never through a symbolic link, mode 0640)
 * or to syslog, never to stderr: what the user must read on the terminal
 * is printed by the mode once, and nothing at all is written to the
 * terminal while curses owns it.  Without a file or syslog, logging
 * costs one comparison.
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "proc.h"
#include "xmalloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static int log_syslog;
static enum log_level log_level = LOG_LVL_INFO;

int
log_open_file(const char *path, char **cause)
{
	int fd;

	if ((fd = proc_open_write(path, 1, cause)) == -1)
		return -1;
	pthread_mutex_lock(&log_lock);
	if (log_fd != -1)
		close(log_fd);
	log_fd = fd;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
	pthread_mutex_unlock(&log_lock);
	if (log_syslog)
		closelog();
	log_syslog = 0;
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char raw[1024], msg[1024 * 4], line[1024 * 4 + 64], stamp[32];
	struct tm tm;
	time_t now;
	size_t i, o = 0;
	int n;

	if (level > log_level || (log_fd == -1 && !log_syslog))
		return;
	vsnprintf(raw, sizeof raw, fmt, ap);
	/* Names and paths may hold any byte: they are escaped as every
	 * message is (fmt_escape_one), so reading the log never drives a
	 * terminal. */
	for (i = 0; raw[i] != '\0' && o + FMT_ESC_MAX <= sizeof msg; ) {
		i += fmt_escape_one((const unsigned char *)raw + i, msg + o);
		o += strlen(msg + o);
	}
	msg[o] = '\0';
	if (log_syslog)
		syslog(prio[level], "%s", msg);
	if (log_fd != -1) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(line, sizeof line, "%s %s: %s\n", stamp,
		    names[level], msg);
		pthread_mutex_lock(&log_lock);
		if (write(log_fd, line, (size_t)n) < 0)
			(void)0;
		pthread_mutex_unlock(&log_lock);
	}
}

#define LOG_FN(fn, lvl)					\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vwrite(lvl, fmt, ap);			\
	va_end(ap);					\
}
LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)
