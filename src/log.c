/*
 * log.c: diagnostics, and the messages a mode prints on stderr.
 *
 * Any thread may log; each line is written with one write() under a
 * mutex so lines never interleave.  Log lines go to --log FILE (opened
 * after the privilege drop, never through a symbolic link, mode 0640)
 * or to syslog, never to stderr: what the user must read on the terminal
 * is printed by the mode once, with log_stderr(), and nothing at all is
 * written to the terminal while curses owns it.  Without a file or
 * syslog, logging costs one comparison.
 *
 * Both kinds of line may quote bytes from a capture, a flow log, a
 * configuration file or the command line, so both are escaped whole, one
 * character at a time (fmt_escape_one): the message is built first and
 * escaped last, so no caller can forget a name, and text a caller escaped
 * already (printable ASCII) goes through unchanged.
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* raw escaped (fmt_escape_one) into out, which has room for size bytes
 * (at least FMT_ESC_MAX); a message too long is cut at a character. */
static void
log_escape(const char *raw, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; raw[i] != '\0' && o + FMT_ESC_MAX <= size; ) {
		i += fmt_escape_one((const unsigned char *)raw + i, out + o);
		o += strlen(out + o);
	}
	out[o] = '\0';
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char raw[1024], msg[1024 * 4], line[1024 * 4 + 64], stamp[32];
	struct tm tm;
	time_t now;
	int n;

	if (level > log_level || (log_fd == -1 && !log_syslog))
		return;
	vsnprintf(raw, sizeof raw, fmt, ap);
	/* Names and paths may hold any byte: reading the log never drives
	 * a terminal. */
	log_escape(raw, msg, sizeof msg);
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

void
log_stderr(const char *fmt, ...)
{
	va_list ap;
	char *raw, *line;
	size_t size;

	va_start(ap, fmt);
	xvasprintf(&raw, fmt, ap);
	va_end(ap);
	/* an escape is at most 4 bytes for each byte it covers */
	size = strlen(raw) * 4 + FMT_ESC_MAX + 16;
	line = xmalloc(size);
	memcpy(line, "wiretop: ", 9);
	log_escape(raw, line + 9, size - 10);
	strcat(line, "\n");
	/* one call: on unbuffered stderr the line is one write, never
	 * interleaved with another process's (the daemon's parent) */
	fputs(line, stderr);
	free(line);
	free(raw);
}
