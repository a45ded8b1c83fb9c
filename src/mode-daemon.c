/*
 * mode-daemon.c: `wiretop daemon`: capture into the history database with
 * no terminal.
 *
 * Main thread; the capture threads and the store thread (store.c) are
 * started by it and joined before it returns.  In order: detach if
 * --daemonize asked (fork twice, the parent waits on a pipe until the
 * daemon says it is running or fails, and exits with that status), take
 * the pid file's lock, create the history directory for the user the
 * process will become (while still root), take the database's lock (one
 * daemon a database: daemon_dblock), open the captures, drop
 * privileges (mode_open), open the database as that user, start.
 * Diagnostics go to syslog (daemon facility) or --log; until the daemon
 * runs, failures are also one line on stderr, so `systemctl start` and a
 * shell see them.
 *
 * The loop is the export loop's: drain the rings in bounded batches, poll
 * the signalfd and the rings' wakeups, tick the engine on the wall clock
 * when idle.  TERM and INT (and QUIT) stop it: the rings are drained, every
 * open flow is flushed as a record, the store writes its last batch, and
 * the exit status is 0.  HUP reads the configuration again: the capture
 * filter, retention and the log file take effect at once, other changed
 * settings are named in the log as needing a restart (the alert settings
 * among them).  Alerts are logged, one line each at a level from their
 * severity, as they are raised, escalated and resolved.  USR1 logs the
 * capture and store statistics.
 *
 * With metrics_listen set, the metrics socket (metrics.c) is bound before
 * the captures open (still root: a port below 1024 works, and an address
 * in use fails the start at once); its libmicrohttpd thread starts with
 * the others, after the drop, and the loop hands it a fresh snapshot of
 * the counters once a second (DAEMON_METRICS_MS), busy or idle.
 *
 * With ipfix_collector set, an engine sink sends every flow record to
 * it (ipfix.c), as it ends; the loop's idle turns send a message that
 * has waited a second and call a lost TCP collector again.  USR1 also
 * logs the collector's counters.
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "cfg.h"
#include "ctl.h"
#include "engine.h"
#include "geoip.h"
#include "ipfix.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

#define DAEMON_DB		WT_DAEMON_DB
#define DAEMON_BATCH		4096	/* records per pipeline_drain */
#define DAEMON_SIG_EVERY	16	/* busy batches between signal looks */
#define DAEMON_POLL_MS		250	/* idle wait (engine ticks) */
#define DAEMON_GRACE_MS		300	/* draining after a stop signal */
#define DAEMON_METRICS_MS	1000	/* between metrics snapshots */

struct daemon {
	struct wt_opts *o;
	struct pipeline *p;
	struct store *s;
	struct alerts *alerts;		/* the detectors, or NULL */
	struct ctl *ctl;		/* the control socket, or NULL */
	struct metrics *metrics;	/* /metrics, or NULL */
	int64_t metrics_at;		/* monotonic ms of the next snapshot */
	struct ipfix *ipfix;		/* ipfix_collector, or NULL */
	const char *db;			/* the database's path */
	int ready_fd;			/* pipe to the waiting parent, or -1 */
	int pid_fd;			/* the locked pid file, or -1 */
	int db_lock_fd;			/* the database's lock (DB.lock), or
					   -1 */
	int64_t last_check;		/* monotonic s of the last store look */
	char *cwd;			/* --daemonize: the directory it was
					   started in (owned), or NULL */
	struct {
		char *given;		/* owned: a relative path */
		char *abs;		/* owned: it made absolute */
	} owned[16];
	unsigned nowned;
};

/* A viewer's request on the control socket (ctl.c): "ack UID". */
static void
daemon_ctl(void *arg, const char *req, const char *user, char *reply,
    size_t n)
{
	struct daemon *d = arg;
	unsigned long long uid;
	uint64_t id = 0;
	char *end;

	if (strncmp(req, "ack ", 4) != 0 || strlen(req + 4) != 16 ||
	    (errno = 0, uid = strtoull(req + 4, &end, 16), *end != '\0') ||
	    errno != 0) {
		snprintf(reply, n, "error: expected \"ack\" "
		    "and an alert's uid (16 hex digits)");
		return;
	}
	if (d->alerts == NULL) {
		snprintf(reply, n, "error: the daemon runs without alerts "
		    "(alerts = no)");
		return;
	}
	switch (alerts_ack_uid(d->alerts, (uint64_t)uid, user, &id)) {
	case 0:
		log_info("alert %llu acknowledged by %s (wiretop view)",
		    (unsigned long long)id, user);
		snprintf(reply, n, "ok: acknowledged by %s", user);
		break;
	case 1:
		snprintf(reply, n, "error: it is acknowledged or resolved "
		    "already");
		break;
	default:
		snprintf(reply, n, "error: the daemon no longer follows that "
		    "alert (an earlier run's, or beyond alert_keep)");
		break;
	}
}

/* Alert subscriber: each new alert, escalation and resolution is one
 * log line (syslog, or --log), at a level from its severity. */
static void
daemon_alert(void *arg, const struct alert *a, enum alert_event ev)
{
	const char *what;

	(void)arg;
	switch (ev) {
	case ALERT_EV_NEW:
		what = "alert";
		break;
	case ALERT_EV_REPEAT:
		what = "alert still active";
		break;
	case ALERT_EV_RESOLVED:
		log_info("alert %llu resolved: %s %s (seen %u times)",
		    (unsigned long long)a->id, alert_kind_name(a->kind),
		    a->subject, a->count);
		return;
	default:
		return;
	}
	switch (a->sev) {
	case ALERT_SEV_CRITICAL:
		log_error("%s %llu [%s] %s: %s", what, (unsigned long long)a->id,
		    alert_sev_name(a->sev), alert_kind_name(a->kind),
		    a->message);
		break;
	case ALERT_SEV_WARNING:
		log_warn("%s %llu [%s] %s: %s", what, (unsigned long long)a->id,
		    alert_sev_name(a->sev), alert_kind_name(a->kind),
		    a->message);
		break;
	default:
		log_info("%s %llu [%s] %s: %s", what, (unsigned long long)a->id,
		    alert_sev_name(a->sev), alert_kind_name(a->kind),
		    a->message);
		break;
	}
}

static int64_t
daemon_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* --daemonize: fork, start a session, fork again (never a session
 * leader: no controlling terminal can come back).  The original process
 * waits for one byte on a pipe, the daemon's exit status if it failed
 * to start or 0 once it runs, and exits with it.  Returns in the daemon
 * only, with d->ready_fd set. */
static int
daemon_detach(struct daemon *d)
{
	int pfd[2], st;
	unsigned char code;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		log_stderr("daemon: pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		log_stderr("daemon: fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(pfd[1]);
		waitpid(pid, &st, 0);
		while ((n = read(pfd[0], &code, 1)) == -1 && errno == EINTR)
			;
		if (n != 1) {
			log_stderr("daemon: ended before it "
			    "was running (see the log)");
			_exit(WT_EXIT_RUNTIME);
		}
		_exit(code);
	}
	close(pfd[0]);
	if (setsid() == -1)
		_exit(WT_EXIT_RUNTIME);
	if ((pid = fork()) == -1)
		_exit(WT_EXIT_RUNTIME);
	if (pid > 0)
		_exit(0);
	d->ready_fd = pfd[1];
	if (chdir("/") != 0)
		return -1;
	return 0;
}

/* --daemonize: a relative path made absolute, from the directory the
 * daemon was started in (it works in /); the same path gives the same
 * string, kept until the process ends. */
static void
daemon_abs(struct daemon *d, const char **path)
{
	unsigned i;

	if (d->cwd == NULL || *path == NULL || **path == '/' || **path == '\0')
		return;
	for (i = 0; i < d->nowned; i++) {
		if (strcmp(d->owned[i].given, *path) == 0) {
			*path = d->owned[i].abs;
			return;
		}
	}
	if (d->nowned == sizeof d->owned / sizeof d->owned[0])
		return;
	d->owned[i].given = xstrdup(*path);
	xasprintf(&d->owned[i].abs, "%s/%s", d->cwd, *path);
	*path = d->owned[d->nowned++].abs;
}

/* The paths of o that daemon_abs makes absolute: at the start, and on
 * HUP, whose new reading of the same command line and files must name
 * the same files. */
static void
daemon_abs_opts(struct daemon *d, struct wt_opts *o)
{
	unsigned i;

	daemon_abs(d, &o->db_path);
	daemon_abs(d, &o->log_path);
	daemon_abs(d, &o->pidfile);
	for (i = 0; i < o->n_config_files; i++)
		daemon_abs(d, &o->config_files[i]);
}

/* Tell the waiting parent (if any) how the start went. */
static void
daemon_report(struct daemon *d, int code)
{
	unsigned char c = (unsigned char)code;
	int fd;

	if (d->ready_fd < 0)
		return;
	if (write(d->ready_fd, &c, 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	close(d->ready_fd);
	d->ready_fd = -1;
	if (code == WT_EXIT_OK &&
	    (fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		/* running: the terminal is no longer ours */
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}

/* The pid file: created never through a link, locked for as long as the
 * daemon runs (a second daemon is refused while the lock is held; a file
 * left by a daemon that died holds no lock and is taken over). */
static int
daemon_pidfile(struct daemon *d, const char *path)
{
	char buf[32], old[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_stderr("pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = pread(fd, old, sizeof old - 1, 0);
		old[n > 0 ? n : 0] = '\0';
		old[strcspn(old, "\n")] = '\0';
		log_stderr("pid file %s: another wiretop daemon "
		    "holds it%s%s%s", path, *old != '\0' ? " (pid " : "",
		    old, *old != '\0' ? ")" : "");
		close(fd);
		return -1;
	}
	snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, strlen(buf), 0) !=
	    (ssize_t)strlen(buf)) {
		log_stderr("pid file %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	d->pid_fd = fd;
	return 0;
}

/* At the end: the file goes (or, when the directory is root's and the
 * daemon no longer is, it is emptied: the lock is what counts). */
static void
daemon_pidfile_done(struct daemon *d)
{
	if (d->pid_fd < 0)
		return;
	if (unlink(d->o->pidfile) != 0 && ftruncate(d->pid_fd, 0) != 0) {
		/* nothing more to do: the lock goes with the process */
	}
	close(d->pid_fd);
	d->pid_fd = -1;
}

/* The database's lock: DB.lock beside it, held with flock(2) for as
 * long as the daemon runs, so that a second daemon on the same database
 * is refused before it captures, binds a socket or writes anything (two
 * would count everything twice, and the second would take the first's
 * control socket).  Taken as root, before the drop: the file is given to
 * the user the daemon becomes, never followed through a link, and only
 * a regular file with no other name is written (the directory may be
 * that user's).  Never a lock on the database file itself: closing any
 * descriptor of it would drop SQLite's own POSIX locks.  Readers and
 * import do not take it.  A disk that is read-only or full (the store
 * waits for it) may not let the file be made: the daemon then goes on
 * without it, saying so.  0, or -1 after one line on stderr. */
static int
daemon_dblock(struct daemon *d, const char *user)
{
	char *path, *cause = NULL, buf[32], old[32];
	struct stat st;
	uid_t uid;
	gid_t gid;
	ssize_t n;
	int fd, e, rw = 1;

	xasprintf(&path, "%s.lock", d->db);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644);
	if (fd == -1 && (errno == EROFS || errno == EACCES)) {
		/* a lock needs no write access */
		rw = 0;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	}
	if (fd == -1) {
		e = errno;
		if (e == EROFS || e == ENOSPC || e == EDQUOT || e == EIO ||
		    e == ENOENT) {
			log_stderr("warning: %s: %s: a second daemon on "
			    "this database would not be refused", path,
			    strerror(e));
			free(path);
			return 0;
		}
		log_stderr("%s: %s%s", path, strerror(e), e == ELOOP ?
		    " (a symbolic link: not followed)" : "");
		free(path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		log_stderr("%s: not the daemon's lock file (not a regular "
		    "file, or a link to another): remove it", path);
		close(fd);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = pread(fd, old, sizeof old - 1, 0);
		old[n > 0 ? n : 0] = '\0';
		old[strcspn(old, "\n")] = '\0';
		log_stderr("%s: another wiretop daemon writes this database "
		    "(%s%s%sits lock: %s)", d->db, *old != '\0' ? "pid " : "",
		    old, *old != '\0' ? "; " : "", path);
		close(fd);
		free(path);
		return -1;
	}
	if (rw) {
		/* the pid, for the message above; the user's own file */
		snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, strlen(buf), 0) !=
		    (ssize_t)strlen(buf)) {
			/* the lock is what counts */
		}
		if (proc_drop_target(user, &uid, &gid, &cause) > 0 &&
		    fchown(fd, uid, gid) != 0) {
			/* root's, then: the lock works the same */
		}
		free(cause);
	}
	free(path);
	d->db_lock_fd = fd;
	return 0;
}

/* At the end: the lock goes with the descriptor.  The file stays (one
 * removed while another daemon opens it would let a third lock a new
 * file); its pid goes. */
static void
daemon_dblock_done(struct daemon *d)
{
	if (d->db_lock_fd < 0)
		return;
	if (ftruncate(d->db_lock_fd, 0) != 0) {
		/* opened read-only: nothing to clear */
	}
	close(d->db_lock_fd);
	d->db_lock_fd = -1;
}

/* The settings that can change without a restart are applied; the others
 * that changed are named.  o keeps the settings in effect. */
static void
daemon_reload(struct daemon *d)
{
	struct wt_opts n;
	char *cause = NULL, *a = NULL, *b = NULL, *la, *lb, *ea, *eb;
	char changed[512];
	size_t sa = 0, sb = 0, len = 0;
	unsigned i;
	int filter;
	FILE *fa, *fb;

	if (mode_reload(d->o, &n, &cause) != 0) {
		log_error("HUP: %s; the settings in effect stay", cause);
		free(cause);
		return;
	}
	/* relative paths as at the start (--daemonize) */
	daemon_abs_opts(d, &n);
	/* a filter that does not compile for every source makes the file
	 * invalid, as a bad value does: nothing of it is applied (checked
	 * on all first, so no source gets a filter the others refuse) */
	filter = (n.filter == NULL) != (d->o->filter == NULL) ||
	    (n.filter != NULL && strcmp(n.filter, d->o->filter) != 0);
	for (i = 0; filter && i < pipeline_source_count(d->p); i++) {
		if (capture_check_filter(pipeline_source(d->p, i), n.filter,
		    &cause) != 0) {
			log_error("HUP: filter: %s; the settings in effect "
			    "stay", cause);
			free(cause);
			return;
		}
	}
	log_info("HUP: configuration read again");

	/* the BPF filter: on every source, now */
	if (filter) {
		for (i = 0; i < pipeline_source_count(d->p); i++)
			if (capture_set_filter(pipeline_source(d->p, i),
			    n.filter != NULL ? n.filter : "", &cause) != 0) {
				/* (checked above: out of memory at most) */
				log_error("HUP: filter: %s", cause);
				free(cause);
				cause = NULL;
			}
		log_info("HUP: capture filter now: %s", n.filter != NULL ?
		    n.filter : "(none)");
		d->o->filter = n.filter;
	}
	/* retention: at the next pruning */
	if (n.keep_seconds != d->o->keep_seconds ||
	    n.keep_minutes != d->o->keep_minutes ||
	    n.keep_hours != d->o->keep_hours ||
	    n.keep_flows != d->o->keep_flows) {
		store_set_retention(d->s, n.keep_seconds, n.keep_minutes,
		    n.keep_hours, n.keep_flows);
		d->o->keep_seconds = n.keep_seconds;
		d->o->keep_minutes = n.keep_minutes;
		d->o->keep_hours = n.keep_hours;
		d->o->keep_flows = n.keep_flows;
		log_info("HUP: retention now: seconds %lu s, minutes %lu s, "
		    "hours %lu s, flows %lu s", (unsigned long)n.keep_seconds,
		    (unsigned long)n.keep_minutes, (unsigned long)n.keep_hours,
		    (unsigned long)n.keep_flows);
	}
	/* GeoIP: the databases opened again (new settings or files) */
	pipeline_geoip_reopen(d->p, n.geoip_country_db, n.geoip_asn_db);
	d->o->geoip_country_db = n.geoip_country_db;
	d->o->geoip_asn_db = n.geoip_asn_db;
	log_info("HUP: %s", geoip_status(pipeline_geoip(d->p)));
	/* the log file: opened again (after logrotate moved it) */
	if (n.log_path != NULL) {
		if (log_open_file(n.log_path, &cause) != 0) {
			log_error("HUP: log_file: %s", cause);
			free(cause);
			cause = NULL;
		} else
			d->o->log_path = n.log_path;
	}

	/* anything else that differs waits for a restart: compare the
	 * settings as --show-config prints them */
	n.filter = d->o->filter;
	n.log_path = d->o->log_path;
	memcpy(n.config_files, d->o->config_files, sizeof n.config_files);
	n.n_config_files = d->o->n_config_files;
	fa = open_memstream(&a, &sa);
	fb = open_memstream(&b, &sb);
	if (fa == NULL || fb == NULL) {
		if (fa != NULL)
			fclose(fa);
		if (fb != NULL)
			fclose(fb);
		free(a);
		free(b);
		return;
	}
	cfg_show(d->o, fa);
	cfg_show(&n, fb);
	fclose(fa);
	fclose(fb);
	changed[0] = '\0';
	for (la = a, lb = b; la != NULL && lb != NULL && *la != '\0' &&
	    *lb != '\0'; la = ea != NULL ? ea + 1 : NULL,
	    lb = eb != NULL ? eb + 1 : NULL) {
		ea = strchr(la, '\n');
		eb = strchr(lb, '\n');
		if (ea == NULL || eb == NULL)
			break;
		if (ea - la == eb - lb && memcmp(la, lb, (size_t)(ea - la)) ==
		    0)
			continue;
		if (*la == '#' || strstr(la, " = ") == NULL)
			continue;
		len = strlen(changed);
		snprintf(changed + len, sizeof changed - len, "%s%.*s",
		    len > 0 ? ", " : "", (int)(strstr(la, " = ") - la), la);
	}
	if (changed[0] != '\0')
		log_warn("HUP: changed, takes effect after a restart: %s",
		    changed);
	free(a);
	free(b);
}

/* The collector's line: records sent and not delivered. */
static void
daemon_ipfix_stats(struct daemon *d)
{
	struct ipfix_stats st;

	if (d->ipfix == NULL)
		return;
	ipfix_get_stats(d->ipfix, &st);
	log_info("IPFIX %s: %s; %llu flow records, %llu sent in %llu "
	    "messages, %llu not delivered (collector over capacity or "
	    "unreachable)%s%s; %llu template sends", ipfix_name(d->ipfix),
	    st.connected ? "up" : "down", (unsigned long long)st.records,
	    (unsigned long long)st.sent, (unsigned long long)st.messages,
	    (unsigned long long)st.dropped,
	    st.last_error[0] != '\0' ? "; last error: " : "", st.last_error,
	    (unsigned long long)st.templates);
}

static void
daemon_stats(struct daemon *d)
{
	struct store_stats st;

	mode_log_stats(d->p);
	store_get_stats(d->s, &st);
	log_info("history %s: %s; %llu batches written (%llu flow records, "
	    "%llu samples), %zu queued, %llu dropped (queue full), %llu "
	    "retried; %zu flows open", d->db, st.failed ? "stopped" :
	    st.paused ? "paused (retrying)" : "writing",
	    (unsigned long long)st.batches, (unsigned long long)st.flows,
	    (unsigned long long)st.samples, st.queued,
	    (unsigned long long)st.dropped, (unsigned long long)st.retries,
	    engine_flow_count(pipeline_engine(d->p)));
	daemon_ipfix_stats(d);
}

/* Signals: 1 to stop. */
static int
daemon_signals(struct daemon *d, int sfd)
{
	unsigned ev = proc_signals_read(sfd);

	if (ev & PROC_EV_USR1)
		daemon_stats(d);
	if (ev & PROC_EV_HUP)
		daemon_reload(d);
	if (ev & PROC_EV_STOP) {
		log_info("stopping: writing the last interval");
		return 1;
	}
	return 0;
}

/* A new metrics snapshot when the last is DAEMON_METRICS_MS old. */
static void
daemon_metrics(struct daemon *d)
{
	int64_t now;

	if (d->metrics == NULL || (now = (int64_t)proc_mono_ms()) < d->metrics_at)
		return;
	d->metrics_at = now + DAEMON_METRICS_MS;
	metrics_publish(d->metrics, d->p, d->s, d->alerts);
}

/* The loop; WT_EXIT_OK on a signal, else why it ended.  After a stop
 * signal it goes on for DAEMON_GRACE_MS: the kernel hands packets over
 * in blocks retired every CAPTURE_TIMEOUT_MS, and what was captured
 * before the signal is still in them. */
static int
daemon_loop(struct daemon *d, int sfd)
{
	struct store_stats st;
	struct pollfd *pfd;
	unsigned npfd, nbatch = 0;
	int code = WT_EXIT_OK;
	int64_t now, stop_at = -1;

	pfd = xreallocarray(NULL, pipeline_pollfd_count(d->p) + 2,
	    sizeof *pfd);
	for (;;) {
		if (stop_at >= 0 && (int64_t)proc_mono_ms() >= stop_at)
			break;
		if (pipeline_drain(d->p, DAEMON_BATCH) > 0) {
			if (++nbatch % DAEMON_SIG_EVERY == 0) {
				daemon_metrics(d);
				if (stop_at < 0 && daemon_signals(d, sfd))
					stop_at = (int64_t)proc_mono_ms() +
					    DAEMON_GRACE_MS;
			}
			continue;
		}
		daemon_metrics(d);
		if (stop_at < 0 && daemon_signals(d, sfd))
			stop_at = (int64_t)proc_mono_ms() + DAEMON_GRACE_MS;
		mode_log_sources(d->p);
		if (pipeline_finished(d->p)) {
			log_error("every capture source has ended: stopping");
			code = WT_EXIT_CAPTURE;
			break;
		}
		if ((now = daemon_mono()) != d->last_check) {
			d->last_check = now;
			ctl_serve(d->ctl, daemon_ctl, d);
			pipeline_geoip_check(d->p);
			store_get_stats(d->s, &st);
			/* (store_close gives the cause: one line) */
			if (st.failed) {
				code = WT_EXIT_DB;
				break;
			}
		}
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		pfd[1].fd = ctl_fd(d->ctl);
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		npfd = 2;
		if (pipeline_arm(d->p, pfd, &npfd))
			continue;
		if (poll(pfd, npfd, stop_at >= 0 ? 20 : DAEMON_POLL_MS) == -1 &&
		    errno != EINTR)
			usleep(1000);
		ctl_serve(d->ctl, daemon_ctl, d);
		pipeline_clear(d->p);
		pipeline_tick(d->p);
		ipfix_tick(d->ipfix);
	}
	free(pfd);
	return code;
}

static int
daemon_run(struct daemon *d)
{
	struct wt_opts *o = d->o;
	char *cause = NULL;
	long group = 0;
	unsigned i;
	int code, sfd = -1, rc;

	if (o->n_files > 0) {
		log_stderr("daemon: captures live interfaces "
		    "(-i); capture files go in with wiretop import");
		return WT_EXIT_USAGE;
	}
	if (o->db_group != NULL &&
	    (group = store_group_lookup(o->db_group, &cause)) < 0) {
		log_stderr("%s", cause);
		free(cause);
		return WT_EXIT_USAGE;
	}
	if (o->daemonize) {
		/* the daemon works in /: what was relative to here is made
		 * absolute first */
		char cwd[4096];

		if (getcwd(cwd, sizeof cwd) != NULL)
			d->cwd = xstrdup(cwd);
		daemon_abs_opts(d, o);
	}
	d->db = o->db_path != NULL ? o->db_path : DAEMON_DB;
	if (o->log_path == NULL)
		log_use_syslog("wiretop");
	if (o->daemonize && daemon_detach(d) != 0)
		return WT_EXIT_RUNTIME;
	if (o->pidfile != NULL && daemon_pidfile(d, o->pidfile) != 0)
		return WT_EXIT_RUNTIME;
	if ((code = mode_db_dir(o, d->db, group)) != WT_EXIT_OK)
		return code;
	if (daemon_dblock(d, o->user) != 0)
		return WT_EXIT_DB;
	if (o->metrics_listen != NULL && (d->metrics = metrics_create(
	    o->metrics_listen, o->metrics_top_hosts, &cause)) == NULL) {
		log_stderr("%s", cause);
		free(cause);
		return WT_EXIT_RUNTIME;
	}

	if ((code = mode_open(o, "cannot open the capture interfaces",
	    &d->p)) != WT_EXIT_OK)
		return code;
	if ((d->s = mode_store_open(o, d->db, 1, group)) == NULL)
		return WT_EXIT_DB;
	if ((code = mode_alerts_open(o, pipeline_engine(d->p), &d->alerts)) !=
	    WT_EXIT_OK)
		return code;
	if (o->ipfix != NULL) {
		struct ipfix_cfg icfg;
		struct engine_sink sink;

		memset(&icfg, 0, sizeof icfg);
		icfg.refresh_s = o->ipfix_refresh_s;
		icfg.refresh_msgs = o->ipfix_refresh_msgs;
		icfg.engine = pipeline_engine(d->p);
		if ((d->ipfix = ipfix_open_net(o->ipfix, &icfg, &cause)) ==
		    NULL) {
			log_stderr("ipfix_collector: %s", cause);
			log_error("ipfix_collector: %s", cause);
			free(cause);
			return WT_EXIT_USAGE;
		}
		sink = ipfix_sink(d->ipfix);
		engine_sink_add(pipeline_engine(d->p), &sink);
		log_info("IPFIX: flow records to %s", ipfix_name(d->ipfix));
	}
	if (d->alerts != NULL) {
		alerts_subscribe(d->alerts, &(struct alert_sub){ .arg = d,
		    .event = daemon_alert });
		alerts_subscribe(d->alerts, &(struct alert_sub){ .arg = d->s,
		    .event = store_alert_event });
		if (d->metrics != NULL)
			alerts_subscribe(d->alerts, &(struct alert_sub){
			    .arg = d->metrics, .event = metrics_alert_event });
	}
	if ((sfd = proc_signals_open(&cause)) == -1 ||
	    (d->metrics != NULL && metrics_start(d->metrics, d->p, d->s,
	    d->alerts, &cause) != 0) ||
	    store_start(d->s, pipeline_engine(d->p), &cause) != 0 ||
	    pipeline_start(d->p, &cause) != 0) {
		log_stderr("%s", cause != NULL ? cause :
		    "cannot start");
		log_error("%s", cause != NULL ? cause : "cannot start");
		free(cause);
		if (sfd >= 0)
			close(sfd);
		return WT_EXIT_RUNTIME;
	}
	log_info("history: %s (%s)", d->db, group > 0 ?
	    "group-readable" : "owner-only");
	if (d->metrics != NULL)
		log_info("metrics: serving /metrics on %s", o->metrics_listen);
	/* viewers acknowledge the alerts through it */
	if (d->alerts != NULL) {
		char *sock = ctl_path(d->db);

		if ((d->ctl = ctl_listen(sock, group, &cause)) == NULL) {
			log_warn("control socket: %s: viewers cannot "
			    "acknowledge alerts", cause);
			free(cause);
			cause = NULL;
		} else
			log_info("control socket: %s", sock);
		free(sock);
	}
	daemon_report(d, WT_EXIT_OK);

	code = daemon_loop(d, sfd);

	/* the last interval: what the rings hold, every open flow */
	pipeline_stop(d->p);
	while (pipeline_drain(d->p, DAEMON_BATCH) > 0)
		;
	engine_flush(pipeline_engine(d->p));
	if (d->ipfix != NULL) {
		ipfix_finish(d->ipfix, 2000);
		daemon_ipfix_stats(d);
	}
	ctl_close(d->ctl);
	d->ctl = NULL;
	alerts_sync(d->alerts);
	rc = store_close(d->s, &cause);
	d->s = NULL;
	if (rc != 0) {
		/* stderr too: a daemon in the foreground ends here (one
		 * detached has it on /dev/null) */
		log_stderr("%s", cause);
		log_error("%s", cause);
		free(cause);
		if (code == WT_EXIT_OK)
			code = WT_EXIT_DB;
	}
	for (i = 0; i < pipeline_source_count(d->p); i++)
		capture_print_warnings(pipeline_source(d->p, i));
	close(sfd);
	return code;
}

int
mode_daemon(struct wt_opts *o)
{
	struct daemon d;
	int code;

	memset(&d, 0, sizeof d);
	d.o = o;
	d.ready_fd = -1;
	d.pid_fd = -1;
	d.db_lock_fd = -1;
	d.last_check = -1;
	code = daemon_run(&d);
	if (d.s != NULL)
		store_close(d.s, NULL);
	alerts_free(d.alerts);
	metrics_free(d.metrics);
	ipfix_free(d.ipfix);
	if (d.p != NULL) {
		mode_log_end(d.p, code);
		pipeline_free(d.p);
	} else
		log_info("exit %d", code);
	daemon_dblock_done(&d);
	daemon_pidfile_done(&d);
	/* a start that failed: the waiting parent exits with its code, once
	 * the locks are released (a daemon started again at once must not
	 * find them held by this one, which is ending) */
	daemon_report(&d, code);
	while (d.nowned > 0) {
		d.nowned--;
		free(d.owned[d.nowned].given);
		free(d.owned[d.nowned].abs);
	}
	free(d.cwd);
	return code;
}
