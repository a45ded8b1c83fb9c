/*
 * mode-tui.c: the interactive mode: the pipeline feeding the engine, and
 * the main loop that renders the TUI on ticks and reacts to keys and
 * signals.
 *
 * Main thread.  One poll() loop over the keyboard, the process signalfd
 * (proc.c: INT, TERM, QUIT, HUP quit; WINCH resizes; TSTP/CONT suspend
 * and resume) and the rings' wakeup fds, with a timeout up to the next
 * render tick (-d).  Between ticks the rings are drained in bounded
 * batches, so keys stay responsive while a capture file is replayed as
 * fast as possible.  While curses owns the terminal nothing is written to
 * stderr; the terminal is restored on quit, on errors (xmalloc fatal
 * hook) and on fatal signals, where only async-signal-safe calls are
 * allowed: ui-term.c's fatal hook puts back the terminal modes saved before
 * curses started (tcsetattr) and writes the reset sequences with write(2).
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "log.h"
#include "pipeline.h"
#include "proc.h"
#include "ui-term.h"
#include "ui.h"
#include "xmalloc.h"

#define TUI_DRAIN_BATCH		4096	/* records per pipeline_drain */
#define TUI_DRAIN_BUDGET_MS	40	/* then look at keys and ticks */

/* ---- hooks the UI calls to act on the capture ------------------------- */

static int
tui_set_filter(void *arg, const char *expr, char **cause)
{
	struct pipeline *pl = arg;
	unsigned i, n = pipeline_source_count(pl);

	/* All or nothing: a filter that one source rejects is installed on
	 * none (the messages name the source). */
	for (i = 0; i < n; i++) {
		if (capture_check_filter(pipeline_source(pl, i), expr,
		    cause) != 0)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if (capture_set_filter(pipeline_source(pl, i), expr,
		    cause) != 0)
			return -1;
	}
	return 0;
}

static void
tui_set_speed(void *arg, double speed)
{
	struct pipeline *pl = arg;
	unsigned i;

	for (i = 0; i < pipeline_source_count(pl); i++)
		if (capture_kind(pipeline_source(pl, i)) == CAPTURE_FILE)
			capture_set_speed(pipeline_source(pl, i), speed);
}

static void
tui_set_paused(void *arg, int paused)
{
	struct pipeline *pl = arg;
	unsigned i;

	for (i = 0; i < pipeline_source_count(pl); i++)
		if (capture_kind(pipeline_source(pl, i)) == CAPTURE_FILE)
			capture_set_paused(pipeline_source(pl, i), paused);
}

/* The header's view of every source. */
static void
tui_sources(struct pipeline *pl, struct ui *ui)
{
	struct ui_source src[WT_MAX_SOURCES];
	struct capture_stats st;
	struct capture *c;
	unsigned i, n = pipeline_source_count(pl);
	int all_done = pipeline_finished(pl);

	if (n > WT_MAX_SOURCES)
		n = WT_MAX_SOURCES;
	memset(src, 0, sizeof src);
	for (i = 0; i < n; i++) {
		c = pipeline_source(pl, i);
		capture_get_stats(c, &st);
		snprintf(src[i].name, sizeof src[i].name, "%.*s",
		    (int)sizeof src[i].name - 1, capture_name(c));
		src[i].kernel_drops = st.kernel_drops;
		src[i].if_drops = st.if_drops;
		src[i].ring_drops = st.ring_drops;
		src[i].name_drops = st.name_drops;
		src[i].truncated = st.truncated;
		src[i].speed = capture_get_speed(c);
		/* the capture thread watches its interface */
		if (st.state == CAPTURE_STATE_FAILED ||
		    st.state == CAPTURE_STATE_GONE) {
			src[i].state = st.state == CAPTURE_STATE_GONE ?
			    UI_SRC_GONE : UI_SRC_FAILED;
			snprintf(src[i].error, sizeof src[i].error, "%.*s",
			    (int)sizeof src[i].error - 1, st.error);
		} else if (st.down) {
			src[i].state = UI_SRC_DOWN;
			snprintf(src[i].error, sizeof src[i].error,
			    "the interface is down");
		} else if (capture_kind(c) == CAPTURE_LIVE)
			src[i].state = UI_SRC_LIVE;
		else if (st.state == CAPTURE_STATE_FINISHED && all_done)
			src[i].state = UI_SRC_FINISHED;
		else if (st.state == CAPTURE_STATE_PAUSED)
			src[i].state = UI_SRC_PAUSED;
		else
			src[i].state = UI_SRC_REPLAY;
	}
	ui_set_sources(ui, src, n);
}

static void
tui_frame(struct pipeline *pl, struct ui *ui)
{
	unsigned w, h;

	tui_sources(pl, ui);
	mode_log_sources(pl);
	/* reverse DNS results, also once a replayed file has ended (no
	 * more packet-time ticks then) */
	engine_names_poll(pipeline_engine(pl));
	ui_term_size(&w, &h);
	ui_set_size(ui, w, h);
	ui_render(ui);
	ui_blit(ui);
}

/* After the screen is gone: what the user must know about the sources. */
static int
tui_report(struct pipeline *pl)
{
	struct capture_stats st;
	struct capture *c;
	unsigned i;
	int rc = WT_EXIT_OK;

	for (i = 0; i < pipeline_source_count(pl); i++) {
		c = pipeline_source(pl, i);
		capture_get_stats(c, &st);
		if (st.state == CAPTURE_STATE_FAILED) {
			/* the error names its source */
			if (st.error[0] != '\0')
				log_stderr("%s", st.error);
			else
				log_stderr("%s: capture failed",
				    capture_name(c));
			rc = WT_EXIT_CAPTURE;
		} else
			capture_print_warnings(c);
	}
	return rc;
}

static int
tui_loop(struct wt_opts *opts, struct pipeline *pl, struct ui *ui, int sfd)
{
	struct pollfd *pfd;
	unsigned ev, npfd, maxfd = 2 + pipeline_pollfd_count(pl);
	uint64_t now, next = 0, t0, delay;
	long frames = 0;
	int busy, key, r, redraw = 1, live = pipeline_is_live(pl), timeout;
	int quit = 0;

	delay = opts->delay_ms > 0 ? (uint64_t)opts->delay_ms : 1000;
	pfd = xcalloc(maxfd, sizeof *pfd);
	while (!quit) {
		now = proc_mono_ms();
		if (redraw || now >= next) {
			tui_frame(pl, ui);
			frames++;
			if (opts->frames > 0 && frames >= opts->frames)
				break;
			if (now >= next) {
				next = now + delay;
				/* a GeoIP file replaced (geoipupdate):
				 * checked every few seconds at most */
				pipeline_geoip_check(pl);
			}
			redraw = 0;
		}

		/* Drain the rings in bounded batches. */
		busy = 0;
		t0 = proc_mono_ms();
		while (pipeline_drain(pl, TUI_DRAIN_BATCH) > 0) {
			if (proc_mono_ms() - t0 >= TUI_DRAIN_BUDGET_MS) {
				busy = 1;
				break;
			}
		}
		if (live)
			pipeline_tick(pl);

		npfd = 0;
		pfd[npfd].fd = ui_term_fd();
		pfd[npfd++].events = POLLIN;
		pfd[npfd].fd = sfd;
		pfd[npfd++].events = POLLIN;
		if (pipeline_arm(pl, pfd, &npfd))
			busy = 1;
		now = proc_mono_ms();
		timeout = busy ? 0 : next > now ? (int)(next - now) : 0;
		if (poll(pfd, npfd, timeout) == -1 && errno != EINTR) {
			free(pfd);
			return WT_EXIT_RUNTIME;
		}
		pipeline_clear(pl);

		if (pfd[1].revents & POLLIN) {
			ev = proc_signals_read(sfd);
			if (ev & PROC_EV_WINCH) {
				ui_term_resize();
				ui_key(ui, UI_KEY_RESIZE);
				redraw = 1;
			}
			if (ev & PROC_EV_TSTP) {
				ui_term_suspend();
				ui_invalidate(ui);
				redraw = 1;
			}
			if (ev & PROC_EV_CONT) {
				ui_term_clear();
				ui_invalidate(ui);
				redraw = 1;
			}
			if (ev & PROC_EV_USR1)
				mode_log_stats(pl);
			if (ev & (PROC_EV_STOP | PROC_EV_HUP)) {
				log_info("tui: stopped by a signal");
				quit = 1;
			}
		}
		while (!quit && (key = ui_term_getkey()) != UI_KEY_NONE) {
			r = ui_key(ui, key);
			if (r & UI_REACT_QUIT)
				quit = 1;
			if (r & (UI_REACT_REDRAW | UI_REACT_REPAINT))
				redraw = 1;
		}
	}
	free(pfd);
	return WT_EXIT_OK;
}

int
mode_tui(struct wt_opts *opts)
{
	struct pipeline *pl;
	struct ui *ui;
	struct alerts *alerts = NULL;
	struct ui_opts uo;
	struct ui_hooks hooks;
	char *cause = NULL;
	const char *cs;
	int code = WT_EXIT_RUNTIME, sfd, ascii, rc;
	unsigned i;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	ascii = cs == NULL || strcmp(cs, "UTF-8") != 0;
	ui_line_set_ascii(ascii);

	/* Signals are handled by the loop, never asynchronously (main()
	 * blocked them before any thread existed). */
	if ((sfd = proc_signals_open(&cause)) == -1) {
		log_stderr("%s", cause);
		free(cause);
		return WT_EXIT_RUNTIME;
	}

	opts->ecfg.keep_rates = 1;
	/* The capture is open: no privilege is needed from here on. */
	if ((code = mode_open(opts, "cannot open the capture", &pl)) !=
	    WT_EXIT_OK) {
		close(sfd);
		return code;
	}
	memset(&uo, 0, sizeof uo);
	uo.bits = opts->bits;
	uo.names = opts->names;
	uo.filter = opts->filter;
	uo.db = opts->db_path;
	uo.speed = opts->speed_given ? opts->speed : 1;
	uo.replay = !pipeline_is_live(pl);
	for (i = 0; i < pipeline_source_count(pl); i++)
		if (capture_kind(pipeline_source(pl, i)) == CAPTURE_FILE)
			capture_set_speed(pipeline_source(pl, i), uo.speed);
	if ((code = mode_alerts_open(opts, pipeline_engine(pl), &alerts)) !=
	    WT_EXIT_OK) {
		pipeline_free(pl);
		close(sfd);
		return code;
	}
	if (pipeline_start(pl, &cause) != 0) {
		log_stderr("%s", cause ? cause :
		    "cannot start the capture");
		free(cause);
		alerts_free(alerts);
		pipeline_free(pl);
		close(sfd);
		return WT_EXIT_CAPTURE;
	}

	ui = ui_create(&uo, pipeline_engine(pl));
	ui_set_alerts(ui, alerts);
	memset(&hooks, 0, sizeof hooks);
	hooks.arg = pl;
	hooks.set_filter = tui_set_filter;
	hooks.set_speed = tui_set_speed;
	hooks.set_paused = tui_set_paused;
	ui_set_hooks(ui, &hooks);

	if (ui_term_open(opts->theme, ascii, &cause) != 0) {
		log_stderr("%s", cause);
		free(cause);
		ui_free(ui);
		pipeline_stop(pl);
		alerts_free(alerts);
		pipeline_free(pl);
		close(sfd);
		return WT_EXIT_RUNTIME;
	}
	rc = tui_loop(opts, pl, ui, sfd);

	ui_term_free();
	pipeline_stop(pl);
	if (rc == WT_EXIT_OK)
		rc = tui_report(pl);
	mode_log_end(pl, rc);
	ui_free(ui);
	alerts_free(alerts);
	pipeline_free(pl);
	close(sfd);
	return rc;
}
