/*
 * alert-cmd.c: alert_command: run a program for each new alert and each
 * escalation, without a shell.
 *
 * Main thread only (an alert subscriber; alert_cmd_poll() runs from the
 * engine tick and idle loops).  The setting is split on spaces and tabs
 * into a program (an absolute path) and its arguments, taken literally:
 * no shell, no quoting, no expansion.  The alert travels in environment
 * variables (WIRETOP_ALERT_*), each value escaped as the log is
 * (fmt_escape_one: control bytes as \xNN, C1 and bidi controls and
 * U+2028-U+2029 as \u{XXXX}; a backslash as \x5c, so an escape is
 * never ambiguous),
 * so a name captured from the network cannot start a line or drive a
 * terminal, and is never parsed by anything wiretop runs.  The
 * environment is only those variables, PATH and LC_ALL=C.
 *
 * Limits: at most command_rate runs in any 60 s (monotonic clock) and
 * ALERT_CMD_MAX_RUNNING at once; the rest are counted and logged, not
 * queued.  A run still going after command_timeout_s is killed (its
 * process group, SIGKILL).  A failed start, a non-zero exit or a kill is
 * logged.  It never runs as root: wiretop has dropped to its user
 * before any alert exists (mode_drop), and a process that kept root
 * (user = root) refuses to run the command, with one log line.
 *
 * Everything the child needs (argv, envp) is built before fork(): the
 * child of a threaded process only calls async-signal-safe functions.
 */
#include "config.h"
#include "alert-int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"

#define ALERT_CMD_MAX_ARGS	16
#define ALERT_CMD_MAX_RUNNING	4
#define ALERT_CMD_MAX_RATE	600	/* runs per minute, the setting's top */
#define ALERT_CMD_NENV		19
#define ALERT_CMD_VAL_MAX	(ALERT_NAME_MAX * 6 + 64)

struct alert_run {
	pid_t pid;		/* 0 = free */
	uint64_t start_ms;	/* monotonic */
	uint64_t alert_id;
	int killed;
};

struct alert_cmd {
	char *line;		/* owned: the split setting */
	char *argv[ALERT_CMD_MAX_ARGS + 1];
	uint32_t rate;		/* runs per minute */
	uint64_t timeout_ms;
	uint64_t recent[ALERT_CMD_MAX_RATE];	/* start times, a ring */
	unsigned nrecent, head;
	struct alert_run run[ALERT_CMD_MAX_RUNNING];
	uint64_t ran, limited, failed;
	uint64_t limited_logged;
	int root_logged;
};

struct alert_cmd *
alert_cmd_create(const struct alert_cfg *cfg, char **cause)
{
	struct alert_cmd *c = xcalloc(1, sizeof *c);
	char *tok, *save;
	int n = 0;

	c->line = xstrdup(cfg->command);
	for (tok = strtok_r(c->line, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (n == ALERT_CMD_MAX_ARGS) {
			xasprintf(cause, "alert_command: more than %d words",
			    ALERT_CMD_MAX_ARGS);
			alert_cmd_free(c);
			return NULL;
		}
		c->argv[n++] = tok;
	}
	if (n == 0 || c->argv[0][0] != '/') {
		*cause = xstrdup("alert_command: expected the absolute path "
		    "of a program, then its arguments (it runs without a "
		    "shell)");
		alert_cmd_free(c);
		return NULL;
	}
	c->rate = cfg->command_rate ? cfg->command_rate : 1;
	if (c->rate > ALERT_CMD_MAX_RATE)
		c->rate = ALERT_CMD_MAX_RATE;
	c->timeout_ms = (uint64_t)(cfg->command_timeout_s ?
	    cfg->command_timeout_s : 1) * 1000;
	return c;
}

/* Wait for every child: at most its time limit, then kill it. */
void
alert_cmd_free(struct alert_cmd *c)
{
	unsigned i, left;

	if (c == NULL)
		return;
	for (;;) {
		alert_cmd_poll(c);
		for (i = left = 0; i < ALERT_CMD_MAX_RUNNING; i++)
			left += c->run[i].pid != 0;
		if (left == 0)
			break;
		nanosleep(&(struct timespec){ 0, 20 * 1000000 }, NULL);
	}
	free(c->line);
	free(c);
}

void
alert_cmd_stats(const struct alert_cmd *c, uint64_t *ran, uint64_t *limited,
    uint64_t *failed)
{
	*ran = c->ran;
	*limited = c->limited;
	*failed = c->failed;
}

void
alert_cmd_poll(struct alert_cmd *c)
{
	uint64_t now = proc_mono_ms();
	unsigned i;
	int st;
	pid_t r;

	for (i = 0; i < ALERT_CMD_MAX_RUNNING; i++) {
		struct alert_run *ru = &c->run[i];

		if (ru->pid == 0)
			continue;
		r = waitpid(ru->pid, &st, WNOHANG);
		if (r == 0) {
			if (!ru->killed && now - ru->start_ms >= c->timeout_ms) {
				/* its own process group: what it started
				 * goes too */
				kill(-ru->pid, SIGKILL);
				kill(ru->pid, SIGKILL);
				ru->killed = 1;
				c->failed++;
				log_warn("alert_command: alert %llu: killed "
				    "after %llu s (time limit)",
				    (unsigned long long)ru->alert_id,
				    (unsigned long long)(c->timeout_ms / 1000));
			}
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r > 0 && !ru->killed) {
			if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
				c->failed++;
				log_warn("alert_command: alert %llu: %s could "
				    "not be run (status 127)",
				    (unsigned long long)ru->alert_id,
				    c->argv[0]);
			} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
				c->failed++;
				log_warn("alert_command: alert %llu: exit "
				    "status %d", (unsigned long long)
				    ru->alert_id, WEXITSTATUS(st));
			} else if (WIFSIGNALED(st)) {
				c->failed++;
				log_warn("alert_command: alert %llu: killed "
				    "by signal %d", (unsigned long long)
				    ru->alert_id, WTERMSIG(st));
			}
		}
		ru->pid = 0;
	}
}

/* name=value with value escaped, into buf (owned by the caller). */
static char *
alert_cmd_env(char *buf, size_t len, const char *name, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t o;
	char e[FMT_ESC_MAX];

	o = (size_t)snprintf(buf, len, "%s=", name);
	while (*p != '\0') {
		size_t n;

		/* a backslash too, so \x0a in a value is always an escape */
		if (*p == '\\') {
			memcpy(e, "\\x5c", 5);
			p++;
		} else
			p += fmt_escape_one(p, e);
		n = strlen(e);
		if (o + n + 1 > len)
			break;
		memcpy(buf + o, e, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

/* 1 if the rate limit lets one more run start now. */
static int
alert_cmd_allowed(struct alert_cmd *c, uint64_t now)
{
	unsigned i, running = 0;

	for (i = 0; i < ALERT_CMD_MAX_RUNNING; i++)
		running += c->run[i].pid != 0;
	if (running == ALERT_CMD_MAX_RUNNING)
		return 0;
	if (c->nrecent < c->rate)
		return 1;
	/* the oldest of the last rate runs must be a minute old */
	return now - c->recent[c->head] >= 60000;
}

void
alert_cmd_event(void *arg, const struct alert *al, enum alert_event ev)
{
	struct alert_cmd *c = arg;
	static char vals[ALERT_CMD_NENV][ALERT_CMD_VAL_MAX];
	char *envp[ALERT_CMD_NENV + 1], num[64], tbuf[40];
	uint64_t now;
	unsigned n = 0, slot;
	sigset_t none;
	pid_t pid;

	if (ev != ALERT_EV_NEW && ev != ALERT_EV_REPEAT)
		return;
	if (geteuid() == 0 || getuid() == 0) {
		if (!c->root_logged)
			log_warn("alert_command: not run: wiretop runs as "
			    "root (user = root); it only runs as the user "
			    "wiretop drops to");
		c->root_logged = 1;
		c->failed++;
		return;
	}
	alert_cmd_poll(c);
	now = proc_mono_ms();
	if (!alert_cmd_allowed(c, now)) {
		c->limited++;
		if (c->limited_logged == 0 ||
		    now - c->limited_logged >= 60000) {
			log_warn("alert_command: rate limit (%u a minute, %d "
			    "at once): alert %llu not passed on (%llu so "
			    "far)", c->rate, ALERT_CMD_MAX_RUNNING,
			    (unsigned long long)al->id,
			    (unsigned long long)c->limited);
			c->limited_logged = now;
		}
		return;
	}
	for (slot = 0; c->run[slot].pid != 0; slot++)
		;
#define ENV(name, value) do {						\
		envp[n] = alert_cmd_env(vals[n], sizeof vals[0], (name),	\
		    (value));						\
		n++;							\
	} while (0)

	ENV("PATH",
	    "/usr/local/bin:/usr/bin:/bin");
	ENV("LC_ALL", "C");
	snprintf(num, sizeof num, "%llu", (unsigned long long)al->id);
	ENV("WIRETOP_ALERT_ID",
	    num);
	snprintf(num, sizeof num, "%016llx", (unsigned long long)al->uid);
	ENV("WIRETOP_ALERT_UID", num);
	ENV("WIRETOP_ALERT_EVENT", ev == ALERT_EV_NEW ? "new" : "repeat");
	ENV("WIRETOP_ALERT_KIND", alert_kind_name(al->kind));
	ENV("WIRETOP_ALERT_SEVERITY", alert_sev_name(al->sev));
	ENV("WIRETOP_ALERT_STATE", alert_state_name(al->state));
	ENV("WIRETOP_ALERT_TIME", fmt_time_iso(al->ts_ns, tbuf, sizeof tbuf));
	snprintf(num, sizeof num, "%llu", (unsigned long long)al->count);
	ENV("WIRETOP_ALERT_COUNT", num);
	ENV("WIRETOP_ALERT_SUBJECT", al->subject);
	ENV("WIRETOP_ALERT_SUBJECT_NAME", al->subject_name);
	ENV("WIRETOP_ALERT_PEER", al->peer);
	snprintf(num, sizeof num, "%u", al->port);
	ENV("WIRETOP_ALERT_PORT", al->port ? num : "");
	ENV("WIRETOP_ALERT_MESSAGE", al->message);
	snprintf(num, sizeof num, "%.17g", al->value);
	ENV("WIRETOP_ALERT_VALUE", num);
	snprintf(num, sizeof num, "%.17g", al->threshold);
	ENV("WIRETOP_ALERT_THRESHOLD", num);
	ENV("WIRETOP_ALERT_COMMUNITY_ID", al->community_id);
	envp[n] = NULL;

#undef ENV
	sigemptyset(&none);
	pid = fork();
	if (pid == -1) {
		c->failed++;
		log_warn("alert_command: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd;

		/* async-signal-safe calls only from here on */
		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		execve(c->argv[0], c->argv, envp);
		_exit(127);
	}
	setpgid(pid, pid);
	c->run[slot].pid = pid;
	c->run[slot].start_ms = now;
	c->run[slot].alert_id = al->id;
	c->run[slot].killed = 0;
	c->ran++;
	if (c->nrecent < c->rate) {
		c->recent[(c->head + c->nrecent) % c->rate] = now;
		c->nrecent++;
	} else {
		c->recent[c->head] = now;
		c->head = (c->head + 1) % c->rate;
	}
}
