/*
 * mode-export.c: `wiretop export`: flows, hosts, alerts or a summary as
 * CSV, JSON or NDJSON, from capture files (-r) or live capture
 * (--duration).  Alerts are written at the end, oldest first, as the
 * detectors (alert.c) left them.
 *
 * Main thread only.  The loop drains the pipeline into the engine, sleeps
 * in poll() on the rings' wakeup fds and the process signalfd (proc.c),
 * and stops when every source has finished (files), when --duration has
 * passed or on SIGINT/SIGTERM/SIGHUP; while records stream in it still
 * looks at signals every few batches.  The output file (-o) is opened
 * after the privilege drop, as the user the process then runs as.  Flow
 * records are written as the engine emits them, through the writer's own
 * 64 KiB buffer, which goes out when full, at the end, and whenever a live
 * run goes idle; hosts and the summary are written at the end from the
 * engine's tables.  Every write is checked: a failed write (full disk)
 * ends the run with one line on stderr and exit code 1, never a silently
 * short file.  A closed pipe (export | head) is not an error: the reader
 * has what it wanted, so the run ends quietly as filters do (SIGPIPE is
 * blocked, so the write fails with EPIPE, and main() then dies of
 * SIGPIPE without a message).  Warnings about truncated inputs go to
 * stderr after the output.
 *
 * IPFIX: --format ipfix -o FILE writes the flow records as an IPFIX file
 * and --ipfix HOST:PORT sends them to a collector besides the output
 * (ipfix.c, each an engine sink); the records a collector could not take
 * are one line on stderr at the end, and exit code 1.
 *
 * With --db (or --since) the records come from the history database
 * instead, over a read-only connection (store-query.c): no capture, no
 * privilege.
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "capture.h"
#include "engine.h"
#include "ipfix.h"
#include "log.h"
#include "out.h"
#include "out-rec.h"
#include "pipeline.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

#define EXPORT_BATCH		4096	/* records per pipeline_drain */
#define EXPORT_SIG_EVERY	16	/* batches between signal checks */
#define EXPORT_FILE_POLL_MS	50	/* idle wait while files are read */
#define EXPORT_LIVE_POLL_MS	1000	/* idle tick for live sources */

enum export_what {
	EXPORT_FLOWS,
	EXPORT_HOSTS,
	EXPORT_SUMMARY,
	EXPORT_ALERTS,
};

struct export {
	enum export_what what;
	enum out_format format;
	struct out_writer *w;
	struct engine *engine;
	struct alerts *alerts;	/* --what alerts, else NULL */
	uint64_t records;	/* flow records the engine emitted */
	struct ipfix *file;	/* --format ipfix: the output, else NULL */
	struct ipfix *net;	/* --ipfix: the collector, else NULL */
};

/* Engine flow sink: one row per flow record, written at once. */
static void
export_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct export *x = arg;

	x->records++;
	if (x->file != NULL)
		ipfix_flow(x->file, f, why);
	else if (x->what == EXPORT_FLOWS)
		out_rec_flow(x->w, x->engine, f);
}

/* Engine sink of --ipfix: every flow record to the collector. */
static void
export_ipfix_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	ipfix_flow(arg, f, why);
}

/* --format ipfix (the output stream fp) and --ipfix (a collector):
 * WT_EXIT_OK, or the exit code after one line on stderr. */
static int
export_ipfix_open(struct export *x, const struct wt_opts *o, FILE *fp)
{
	struct ipfix_cfg cfg;
	char *cause = NULL;

	memset(&cfg, 0, sizeof cfg);
	cfg.refresh_s = o->ipfix_refresh_s;
	cfg.refresh_msgs = o->ipfix_refresh_msgs;
	cfg.engine = x->engine;
	if (x->format == OUT_FMT_IPFIX &&
	    (x->file = ipfix_open_file(fp, &cfg, &cause)) == NULL) {
		log_stderr("%s", cause);
		free(cause);
		return WT_EXIT_RUNTIME;
	}
	/* the setting is the daemon's: export sends when asked to */
	if (o->ipfix_given && o->ipfix != NULL &&
	    (x->net = ipfix_open_net(o->ipfix, &cfg, &cause)) == NULL) {
		log_stderr("--ipfix: %s", cause);
		free(cause);
		ipfix_free(x->file);
		x->file = NULL;
		return WT_EXIT_USAGE;
	}
	if (x->net != NULL)
		log_info("IPFIX: flow records to %s", ipfix_name(x->net));
	return WT_EXIT_OK;
}

/* The last IPFIX messages: the file's error (errno), 0 if none. */
static int
export_ipfix_done(struct export *x)
{
	int err = 0;

	if (x->file != NULL && ipfix_finish(x->file, 0) != 0)
		err = errno;
	if (x->net != NULL)
		ipfix_finish(x->net, 5000);
	return err;
}

/* One line on stderr about the collector: what was sent and what it
 * could not take; -1 if some records were not delivered. */
static int
export_ipfix_report(struct export *x)
{
	struct ipfix_stats st;

	if (x->net == NULL)
		return 0;
	ipfix_get_stats(x->net, &st);
	log_stderr("IPFIX %s: %llu flow records sent in %llu "
	    "messages, %llu not delivered%s%s%s", ipfix_name(x->net),
	    (unsigned long long)st.sent, (unsigned long long)st.messages,
	    (unsigned long long)st.dropped, st.dropped > 0 ? " (" : "",
	    st.dropped > 0 ? st.last_error : "", st.dropped > 0 ? ")" : "");
	log_info("IPFIX %s: %llu flow records sent, %llu not delivered",
	    ipfix_name(x->net), (unsigned long long)st.sent,
	    (unsigned long long)st.dropped);
	return st.dropped > 0 ? -1 : 0;
}

/* Write the alerts kept, oldest first, as they stand at the end of the
 * input (an alert still open at the end is active). */
static void
export_alerts(struct export *x)
{
	size_t i, n;
	uint64_t lost;

	if (x->alerts == NULL)
		return;
	n = alerts_count(x->alerts);
	for (i = n; i > 0 && out_error(x->w) == 0; i--)
		out_rec_alert(x->w, alerts_get(x->alerts, i - 1));
	lost = alerts_raised(x->alerts) - n;
	if (lost > 0)
		log_stderr("%llu older alerts were not kept in "
		    "memory (alert_keep) and are not in the output",
		    (unsigned long long)lost);
}

/* Read pending signals; returns 1 if one asks to stop. */
static int
export_signals(int sfd, struct pipeline *p)
{
	unsigned ev = proc_signals_read(sfd);

	if (ev & PROC_EV_TSTP)
		kill(getpid(), SIGSTOP);	/* Ctrl-Z: stop as usual */
	if (ev & PROC_EV_USR1)
		mode_log_stats(p);
	if (ev & (PROC_EV_STOP | PROC_EV_HUP)) {
		log_info("export: stopped by a signal");
		return 1;
	}
	return 0;
}

/* Run the pipeline to its end (files), the deadline or a signal; returns
 * 1 if a signal stopped it, -1 on a write error, else 0. */
static int
export_run(struct export *x, struct pipeline *p, int sfd, double duration)
{
	struct pollfd *pfd;
	unsigned npfd, nbatch = 0;
	uint64_t deadline = 0, now, last_flush;
	int live = pipeline_is_live(p), timeout, rc = 0;

	if (live && duration > 0)
		deadline = proc_mono_ms() + (uint64_t)(duration * 1000);
	pfd = xreallocarray(NULL, pipeline_pollfd_count(p) + 1, sizeof *pfd);
	last_flush = proc_mono_ms();
	for (;;) {
		if (out_error(x->w) != 0) {
			rc = -1;
			break;
		}
		if (pipeline_drain(p, EXPORT_BATCH) > 0) {
			if (++nbatch % EXPORT_SIG_EVERY == 0 &&
			    export_signals(sfd, p)) {
				rc = 1;
				break;
			}
			if (deadline != 0 && nbatch % EXPORT_SIG_EVERY == 0 &&
			    proc_mono_ms() >= deadline)
				break;
			continue;
		}
		if (pipeline_finished(p))
			break;
		if (export_signals(sfd, p)) {
			rc = 1;
			break;
		}
		timeout = live ? EXPORT_LIVE_POLL_MS : EXPORT_FILE_POLL_MS;
		if (deadline != 0) {
			now = proc_mono_ms();
			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)timeout)
				timeout = (int)(deadline - now);
		}
		/* Going idle: records waiting in the writer's buffer go out
		 * now on a live capture (and at most once a second on a
		 * file or pipe source that is slow to deliver), so a reader
		 * at the other end of a pipe sees flows as they end. */
		now = proc_mono_ms();
		if (live || now - last_flush >= 1000) {
			out_flush(x->w);
			last_flush = now;
		}
		ipfix_tick(x->net);
		/* A live export may run for days: a GeoIP file replaced
		 * meanwhile is opened again (checked every few seconds). */
		if (live)
			pipeline_geoip_check(p);
		npfd = 0;
		if (sfd >= 0) {
			pfd[0].fd = sfd;
			pfd[0].events = POLLIN;
			pfd[0].revents = 0;
			npfd = 1;
		}
		if (pipeline_arm(p, pfd, &npfd))
			continue;
		if (poll(pfd, npfd, timeout) == -1 && errno != EINTR) {
			/* Cannot sleep properly; avoid spinning. */
			usleep(1000);
		}
		if (npfd > 0 && sfd >= 0 && (pfd[0].revents & POLLIN) &&
		    export_signals(sfd, p)) {
			rc = 1;
			break;
		}
		pipeline_clear(p);
		if (live)
			pipeline_tick(p);
		mode_log_sources(p);
	}
	free(pfd);
	return rc;
}

/* Close the output; returns the first error (errno), 0 if none. */
static int
export_close(struct export *x, FILE *fp)
{
	int err = out_error(x->w);

	if (fp == stdout) {
		errno = 0;
		if (fflush(fp) != 0 && err == 0)
			err = errno != 0 ? errno : EIO;
		if (ferror(fp) && err == 0)
			err = EIO;
		return err;
	}
	errno = 0;
	if (fclose(fp) != 0 && err == 0)
		err = errno != 0 ? errno : EIO;
	return err;
}

/* Whether the files at a and b are one (both exist). */
static int
mode_same_file(const struct stat *a, const char *b)
{
	struct stat sb;

	return stat(b, &sb) == 0 && sb.st_dev == a->st_dev &&
	    sb.st_ino == a->st_ino;
}

/* Refuse an -o that names a -r source (file or "-") or the history
 * database read (db, or one of its journal files): opening -o truncates
 * it, which would destroy the capture while it is read, or the
 * history. */
int
mode_output_check(const struct wt_opts *o, const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	struct stat out, in;
	unsigned i;
	char *p;
	int r;

	if (o->output == NULL || strcmp(o->output, "-") == 0 ||
	    stat(o->output, &out) != 0 || !S_ISREG(out.st_mode))
		return WT_EXIT_OK;
	for (i = 0; i < o->n_files; i++) {
		r = strcmp(o->files[i], "-") == 0 ?
		    fstat(STDIN_FILENO, &in) : stat(o->files[i], &in);
		if (r == 0 && in.st_dev == out.st_dev &&
		    in.st_ino == out.st_ino) {
			log_stderr("-o %s: is the capture file "
			    "read by -r %s (it would be overwritten)",
			    o->output, o->files[i]);
			return WT_EXIT_USAGE;
		}
	}
	for (i = 0; db != NULL && i < sizeof sfx / sizeof sfx[0]; i++) {
		xasprintf(&p, "%s%s", db, sfx[i]);
		r = mode_same_file(&out, p);
		free(p);
		if (r) {
			log_stderr("-o %s: is the history database read "
			    "(%s%s; it would be overwritten)", o->output, db,
			    sfx[i]);
			return WT_EXIT_USAGE;
		}
	}
	return WT_EXIT_OK;
}

/* Open -o (after the privilege drop: as the user the process runs as,
 * never through a symbolic link) or take standard output. */
int
mode_output_open(const struct wt_opts *o, FILE **fpp, const char **name)
{
	char *cause = NULL;
	int fd;

	if (o->output == NULL || strcmp(o->output, "-") == 0) {
		*name = "stdout";
		*fpp = stdout;
		return WT_EXIT_OK;
	}
	*name = o->output;
	fd = proc_open_write(o->output, 0, &cause);
	if (fd == -1 || (*fpp = fdopen(fd, "w")) == NULL) {
		if (cause == NULL)
			xasprintf(&cause, "%s: %s", o->output,
			    strerror(errno));
		log_stderr("%s", cause);
		log_error("%s", cause);
		free(cause);
		if (fd != -1)
			close(fd);
		return WT_EXIT_RUNTIME;
	}
	return WT_EXIT_OK;
}

/* export --db: the history database's records of a period. */
static int
export_db(struct wt_opts *o)
{
	enum store_what what;
	enum out_format fmt;
	struct out_writer *w;
	char *cause = NULL, *path;
	const char *oname;
	FILE *fp = stdout;
	int err, rc, dbproblem = 0;

	if (o->n_files > 0 || o->n_ifaces > 0) {
		log_stderr("--db: reads the history database; "
		    "-r and -i do not apply");
		return WT_EXIT_USAGE;
	}
	if (o->since == NULL) {
		log_stderr("export --db: --since T is needed "
		    "(an age such as 1h or 7d, or ISO 8601)");
		return WT_EXIT_USAGE;
	}
	if (o->what == NULL || strcmp(o->what, "flows") == 0)
		what = STORE_WHAT_FLOWS;
	else if (strcmp(o->what, "hosts") == 0)
		what = STORE_WHAT_HOSTS;
	else if (strcmp(o->what, "services") == 0)
		what = STORE_WHAT_SERVICES;
	else if (strcmp(o->what, "samples") == 0)
		what = STORE_WHAT_SAMPLES;
	else if (strcmp(o->what, "alerts") == 0)
		what = STORE_WHAT_ALERTS;
	else {
		log_stderr("--what: %s: expected flows, hosts, "
		    "services, samples or alerts with --db", o->what);
		return WT_EXIT_USAGE;
	}
	if (out_format_parse(o->format, &fmt) != 0) {
		log_stderr("--format: %s: expected %s",
		    o->format, out_format_names());
		return WT_EXIT_USAGE;
	}
	if (fmt == OUT_FMT_IPFIX || o->ipfix_given) {
		log_stderr("export --db: IPFIX carries the flow "
		    "records of a capture (-r or -i), not the history");
		return WT_EXIT_USAGE;
	}
	path = store_pick_path(o->db_path);
	if ((rc = mode_output_check(o, path)) != WT_EXIT_OK ||
	    (rc = mode_output_open(o, &fp, &oname)) != WT_EXIT_OK) {
		free(path);
		return rc;
	}
	w = out_create(fmt, fp);
	rc = store_export(path, what, o->since, o->until, w, &cause,
	    &dbproblem);
	free(path);
	err = out_error(w);
	out_free(w);
	if (fp != stdout) {
		if (fclose(fp) != 0 && err == 0)
			err = errno;
	} else if (fflush(fp) != 0 && err == 0)
		err = errno;
	if (rc != 0 && cause != NULL) {
		log_stderr("%s", cause);
		free(cause);
		return dbproblem ? WT_EXIT_DB : WT_EXIT_USAGE;
	}
	free(cause);
	if (err == EPIPE && fp == stdout)
		return WT_EXIT_PIPE;
	if (err != 0) {
		log_stderr("%s: %s", o->output != NULL ?
		    o->output : "stdout", strerror(err));
		return WT_EXIT_RUNTIME;
	}
	return WT_EXIT_OK;
}

/* Run `wiretop export` and return its exit code. */
int
mode_export(struct wt_opts *o)
{
	struct export x;
	struct pipeline *p;
	struct capture_stats cs;
	struct capture *c;
	const char *outname;
	char *cause = NULL;
	FILE *fp;
	unsigned i;
	int code, sfd, run, err, cerr, failed = 0;

	if (o->db_path != NULL || o->since != NULL || o->until != NULL)
		return export_db(o);
	memset(&x, 0, sizeof x);
	if (o->what == NULL || strcmp(o->what, "flows") == 0)
		x.what = EXPORT_FLOWS;
	else if (strcmp(o->what, "hosts") == 0)
		x.what = EXPORT_HOSTS;
	else if (strcmp(o->what, "summary") == 0)
		x.what = EXPORT_SUMMARY;
	else if (strcmp(o->what, "alerts") == 0)
		x.what = EXPORT_ALERTS;
	else {
		log_stderr("--what: %s: expected flows, hosts, "
		    "summary or alerts (services and samples: from --db)",
		    o->what);
		return WT_EXIT_USAGE;
	}
	if (x.what == EXPORT_ALERTS && !o->alert.enabled) {
		log_stderr("--what alerts: alerts = no in the "
		    "configuration");
		return WT_EXIT_USAGE;
	}
	if (o->duration > 0 && o->n_files > 0 && o->n_ifaces == 0) {
		/* a file is read to its end, as fast as it can be */
		log_stderr("--duration: applies to live capture "
		    "(-i); capture files are read to their end");
		return WT_EXIT_USAGE;
	}
	if (out_format_parse(o->format, &x.format) != 0) {
		log_stderr("--format: %s: expected %s",
		    o->format, out_format_names());
		return WT_EXIT_USAGE;
	}

	if (x.format == OUT_FMT_IPFIX && x.what != EXPORT_FLOWS) {
		log_stderr("--format ipfix: holds flow records "
		    "only (--what flows)");
		return WT_EXIT_USAGE;
	}
	if (x.format == OUT_FMT_IPFIX && (o->output == NULL ||
	    strcmp(o->output, "-") == 0) && isatty(STDOUT_FILENO)) {
		log_stderr("--format ipfix: binary output: give "
		    "-o FILE, or a pipe");
		return WT_EXIT_USAGE;
	}
	if ((code = mode_output_check(o, NULL)) != WT_EXIT_OK)
		return code;

	/* Files are exported as fast as they can be read unless --speed
	 * asks for a pace (the TUI's default is the original timing). */
	if (!o->speed_given)
		o->speed = 0;

	/* The capture is open: no privilege is needed from here on. */
	if ((code = mode_open(o, "cannot open the capture sources", &p)) !=
	    WT_EXIT_OK)
		return code;
	x.engine = pipeline_engine(p);
	if ((code = mode_output_open(o, &fp, &outname)) != WT_EXIT_OK) {
		pipeline_free(p);
		return code;
	}
	x.w = out_create(x.format, fp);
	if ((code = export_ipfix_open(&x, o, fp)) != WT_EXIT_OK) {
		out_free(x.w);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		return code;
	}
	if (x.what == EXPORT_ALERTS &&
	    (code = mode_alerts_open(o, x.engine, &x.alerts)) != WT_EXIT_OK) {
		out_free(x.w);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		return code;
	}

	/* main() blocked the signals in every thread; the loop reads them
	 * from a signalfd as ordinary events. */
	if ((sfd = proc_signals_open(&cause)) == -1) {
		log_stderr("%s", cause);
		free(cause);
		out_free(x.w);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		return WT_EXIT_RUNTIME;
	}

	/* flows are written as they end; the summary counts them; the
	 * hosts export needs no flow record at all */
	if (x.what != EXPORT_HOSTS && x.what != EXPORT_ALERTS)
		engine_sink_add(x.engine, &(struct engine_sink){
		    .name = "export", .arg = &x, .flow = export_flow,
		    .flags = x.what == EXPORT_FLOWS ?
		    0 : ENGINE_SINK_UNORDERED });
	if (x.net != NULL)
		engine_sink_add(x.engine, &(struct engine_sink){
		    .name = "ipfix", .arg = x.net, .flow = export_ipfix_flow,
		    .flags = ENGINE_SINK_UNORDERED });
	if (x.file == NULL)
		out_rec_begin(x.w, x.what == EXPORT_HOSTS ? OUT_REC_HOSTS :
		    x.what == EXPORT_SUMMARY ? OUT_REC_SUMMARY :
		    x.what == EXPORT_ALERTS ? OUT_REC_ALERTS : OUT_REC_FLOWS);

	if (pipeline_start(p, &cause) != 0) {
		log_stderr("%s", cause != NULL ? cause :
		    "cannot start capture");
		free(cause);
		if (sfd >= 0)
			close(sfd);
		alerts_free(x.alerts);
		pipeline_free(p);
		out_free(x.w);
		if (fp != stdout)
			fclose(fp);
		return WT_EXIT_CAPTURE;
	}
	mode_geoip_notice(p);

	run = export_run(&x, p, sfd, o->duration);
	pipeline_stop(p);
	if (run >= 0) {
		/* Whatever was published before the stop still counts. */
		while (pipeline_drain(p, EXPORT_BATCH) > 0 &&
		    out_error(x.w) == 0)
			;
		engine_flush(x.engine);
		if (x.what == EXPORT_HOSTS)
			out_rec_hosts(x.w, x.engine);
		else if (x.what == EXPORT_SUMMARY)
			out_rec_summary(x.w, x.engine, p, x.records);
		else if (x.what == EXPORT_ALERTS)
			export_alerts(&x);
		if (x.file == NULL)
			out_end(x.w);
	}
	err = export_ipfix_done(&x);
	cerr = export_close(&x, fp);
	if (err == 0)
		err = cerr;
	if (sfd >= 0)
		close(sfd);

	code = WT_EXIT_OK;
	if (err == EPIPE && fp == stdout) {
		/* The reader has gone (export | head): not an error. */
		log_info("standard output closed by its reader");
		code = WT_EXIT_PIPE;
	} else if (err != 0) {
		log_stderr("%s: %s", outname, strerror(err));
		log_error("%s: %s", outname, strerror(err));
		code = WT_EXIT_RUNTIME;
	} else {
		/* One line for a failed source; else a warning per
		 * truncated one. */
		for (i = 0; i < pipeline_source_count(p) && !failed; i++) {
			c = pipeline_source(p, i);
			capture_get_stats(c, &cs);
			if (cs.state != CAPTURE_STATE_FAILED)
				continue;
			log_stderr("%s", cs.error[0] != '\0' ?
			    cs.error : capture_name(c));
			failed = 1;
			code = WT_EXIT_CAPTURE;
		}
		for (i = 0; i < pipeline_source_count(p) && !failed; i++)
			capture_print_warnings(pipeline_source(p, i));
		if (code == WT_EXIT_OK && run == 1 && !pipeline_is_live(p)) {
			log_stderr("interrupted: the output is "
			    "incomplete");
			code = WT_EXIT_RUNTIME;
		}
	}
	if (code == WT_EXIT_OK && export_ipfix_report(&x) != 0)
		code = WT_EXIT_RUNTIME;
	mode_log_end(p, code);
	alerts_free(x.alerts);
	ipfix_free(x.file);
	ipfix_free(x.net);
	out_free(x.w);
	pipeline_free(p);
	return code;
}
