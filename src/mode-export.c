/*
 * mode-export.c: `wiretop export`: flows, hosts or a summary as CSV, JSON
 * or NDJSON, from capture files (-r) or live capture (--duration).
 *
 * Main thread only.  The loop drains the pipeline into the engine, sleeps
 * in poll() on the rings' wakeup fds and a signalfd, and stops when every
 * source has finished (files), when --duration has passed or on
 * SIGINT/SIGTERM/SIGHUP (live).  Flow records are written as the engine
 * emits them (streaming: nothing is buffered here beyond the writer's
 * stdio buffer); hosts and the summary are written at the end from the
 * engine's tables.  Every write is checked: a failed write (full disk,
 * closed pipe) ends the run with one line on stderr and exit code 1,
 * never a silently short file.  Warnings about truncated inputs go to
 * stderr after the output.
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "out.h"
#include "out-rec.h"
#include "pipeline.h"
#include "xmalloc.h"

#define EXPORT_BATCH		4096	/* records per pipeline_drain */
#define EXPORT_SIG_EVERY	16	/* batches between signal checks */
#define EXPORT_FILE_POLL_MS	50	/* idle wait while files are read */
#define EXPORT_LIVE_POLL_MS	1000	/* idle tick for live sources */

enum export_what {
	EXPORT_FLOWS,
	EXPORT_HOSTS,
	EXPORT_SUMMARY,
};

struct export {
	enum export_what what;
	enum out_format format;
	struct out_writer *w;
	struct engine *engine;
	uint64_t records;	/* flow records the engine emitted */
};

/* Engine flow sink: one row per flow record, written at once. */
static void
export_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct export *x = arg;

	(void)why;
	x->records++;
	if (x->what == EXPORT_FLOWS)
		out_rec_flow(x->w, f);
}

/* Read pending signals; returns 1 if one asks to stop. */
static int
export_signals(int sfd)
{
	struct signalfd_siginfo si;
	int stop = 0;

	if (sfd < 0)
		return 0;
	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM ||
		    si.ssi_signo == SIGHUP)
			stop = 1;
	}
	return stop;
}

static uint64_t
export_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the pipeline to its end (files), the deadline or a signal; returns
 * 1 if a signal stopped it, -1 on a write error, else 0. */
static int
export_run(struct export *x, struct pipeline *p, int sfd, double duration)
{
	struct pollfd *pfd;
	unsigned npfd, nbatch = 0;
	uint64_t deadline = 0, now;
	int live = pipeline_is_live(p), timeout, rc = 0;

	if (live && duration > 0)
		deadline = export_mono_ms() + (uint64_t)(duration * 1000);
	pfd = xreallocarray(NULL, pipeline_pollfd_count(p) + 1, sizeof *pfd);
	for (;;) {
		if (out_error(x->w) != 0) {
			rc = -1;
			break;
		}
		if (pipeline_drain(p, EXPORT_BATCH) > 0) {
			if (++nbatch % EXPORT_SIG_EVERY == 0 &&
			    export_signals(sfd)) {
				rc = 1;
				break;
			}
			if (deadline != 0 && nbatch % EXPORT_SIG_EVERY == 0 &&
			    export_mono_ms() >= deadline)
				break;
			continue;
		}
		if (pipeline_finished(p))
			break;
		if (export_signals(sfd)) {
			rc = 1;
			break;
		}
		timeout = live ? EXPORT_LIVE_POLL_MS : EXPORT_FILE_POLL_MS;
		if (deadline != 0) {
			now = export_mono_ms();
			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)timeout)
				timeout = (int)(deadline - now);
		}
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
		pipeline_clear(p);
		if (live)
			pipeline_tick(p);
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
	sigset_t set;
	FILE *fp;
	unsigned i;
	int code, sfd, run, err, failed = 0;

	memset(&x, 0, sizeof x);
	if (o->what == NULL || strcmp(o->what, "flows") == 0)
		x.what = EXPORT_FLOWS;
	else if (strcmp(o->what, "hosts") == 0)
		x.what = EXPORT_HOSTS;
	else if (strcmp(o->what, "summary") == 0)
		x.what = EXPORT_SUMMARY;
	else {
		fprintf(stderr, "wiretop: --what: %s: expected flows, hosts "
		    "or summary\n", o->what);
		return WT_EXIT_USAGE;
	}
	if (out_format_parse(o->format, &x.format) != 0) {
		fprintf(stderr, "wiretop: --format: %s: expected csv, json "
		    "or ndjson\n", o->format);
		return WT_EXIT_USAGE;
	}

	/* Files are exported as fast as they can be read unless --speed
	 * asks for a pace (the TUI's default is the original timing). */
	if (!o->speed_given)
		o->speed = 0;

	p = pipeline_create(o, &cause, &code);
	if (p == NULL) {
		fprintf(stderr, "wiretop: %s\n", cause != NULL ? cause :
		    "cannot open the capture sources");
		free(cause);
		return code != WT_EXIT_OK ? code : WT_EXIT_CAPTURE;
	}
	x.engine = pipeline_engine(p);

	if (o->output != NULL && strcmp(o->output, "-") != 0) {
		outname = o->output;
		fp = fopen(o->output, "w");
		if (fp == NULL) {
			fprintf(stderr, "wiretop: %s: %s\n", outname,
			    strerror(errno));
			pipeline_free(p);
			return WT_EXIT_RUNTIME;
		}
	} else {
		outname = "stdout";
		fp = stdout;
	}
	x.w = out_create(x.format, fp);

	/* main() blocked these in every thread; make sure, then take them
	 * from a signalfd as ordinary events. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);

	engine_set_flow_sink(x.engine, export_flow, &x);
	out_rec_begin(x.w, x.what == EXPORT_HOSTS ? OUT_REC_HOSTS :
	    x.what == EXPORT_SUMMARY ? OUT_REC_SUMMARY : OUT_REC_FLOWS);

	if (pipeline_start(p, &cause) != 0) {
		fprintf(stderr, "wiretop: %s\n", cause != NULL ? cause :
		    "cannot start capture");
		free(cause);
		if (sfd >= 0)
			close(sfd);
		pipeline_free(p);
		out_free(x.w);
		if (fp != stdout)
			fclose(fp);
		return WT_EXIT_CAPTURE;
	}

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
		out_end(x.w);
	}
	err = export_close(&x, fp);
	if (sfd >= 0)
		close(sfd);

	code = WT_EXIT_OK;
	if (err != 0) {
		fprintf(stderr, "wiretop: %s: %s\n", outname, strerror(err));
		code = WT_EXIT_RUNTIME;
	} else {
		/* One line for a failed source; else a warning per
		 * truncated one. */
		for (i = 0; i < pipeline_source_count(p) && !failed; i++) {
			c = pipeline_source(p, i);
			capture_get_stats(c, &cs);
			if (cs.state != CAPTURE_STATE_FAILED)
				continue;
			fprintf(stderr, "wiretop: %s\n", cs.error[0] != '\0' ?
			    cs.error : capture_name(c));
			failed = 1;
			code = WT_EXIT_CAPTURE;
		}
		for (i = 0; i < pipeline_source_count(p) && !failed; i++)
			capture_print_warnings(pipeline_source(p, i), stderr);
		if (code == WT_EXIT_OK && run == 1 && !pipeline_is_live(p)) {
			fprintf(stderr, "wiretop: interrupted: the output is "
			    "incomplete\n");
			code = WT_EXIT_RUNTIME;
		}
	}
	out_free(x.w);
	pipeline_free(p);
	return code;
}
