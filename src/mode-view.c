/*
 * mode-view.c: wiretop view: the daemon's screen, read from its history
 * database instead of a capture.  No capture and no privilege: anyone who
 * may read the database (the daemon's db_group) can watch the sensor.
 *
 * Main thread.  One read-only connection (ui-hist.c: ui_db_open(), which
 * copes with a reader that cannot write the database's directory or -shm
 * file); every refresh (-d, default 1 s) reads the live snapshot the
 * daemon's store replaces every second, in one read transaction, into a
 * model the panes draw (ui_set_snapshot()).  The engine the UI is given
 * is empty and never fed: the panes read the model.  The loop polls the
 * keyboard and the process signalfd (proc.c) only; nothing goes to
 * stderr while curses owns the terminal, and fatal signals restore it
 * with async-signal-safe calls (as mode-tui.c does).
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

#include "ctl.h"
#include "engine.h"
#include "log.h"
#include "proc.h"
#include "store.h"
#include "ui-line.h"
#include "ui-model.h"
#include "ui-term.h"
#include "ui.h"
#include "xmalloc.h"

#define VIEW_DAEMON_DB	WT_DAEMON_DB

struct view {
	const char *path;		/* borrowed */
	struct sqlite3 *db;
	struct ui_model *m;		/* owned */
	struct ui *ui;
	char err[256];			/* last read error, "" = none */
	int reload;			/* read again soon (an ack was sent) */
};

/* The a key on one of the daemon's alerts: the daemon acknowledges it,
 * through its control socket (ctl.c), which names the user. */
static void
view_ack(void *arg, const struct alert *a, char *msg, size_t n)
{
	struct view *v = arg;
	char req[32], reply[128], *sock, *cause = NULL;

	snprintf(req, sizeof req, "ack %016llx", (unsigned long long)a->uid);
	sock = ctl_path(v->path);
	if (ctl_request(sock, req, reply, sizeof reply, 1000, &cause) != 0) {
		snprintf(msg, n, "not acknowledged: %s", cause);
		free(cause);
	} else {
		/* the reply: one line from the daemon, shown as text */
		snprintf(msg, n, "%s", reply);
		v->reload = 1;
	}
	free(sock);
}

/* Read the snapshot and hand it to the UI. */
static void
view_load(struct view *v)
{
	struct ui_source src[8];
	char *cause = NULL;
	unsigned i;

	v->db = ui_db_refresh(v->db, v->path);
	if (ui_model_snapshot(v->db, v->m, &cause) != 0) {
		if (strcmp(v->err, cause) != 0) {
			snprintf(v->err, sizeof v->err, "%s", cause);
			log_warn("view: %s: %s", v->path, cause);
		}
		ui_message(v->ui, "cannot read the snapshot: %s", cause);
		free(cause);
		v->m->empty = 1;
	} else if (v->err[0] != '\0') {
		v->err[0] = '\0';
		ui_message(v->ui, "snapshot readable again");
	}
	memset(src, 0, sizeof src);
	for (i = 0; i < v->m->nsrcs; i++) {
		snprintf(src[i].name, sizeof src[i].name, "%s",
		    v->m->srcs[i].name);
		src[i].state = strcmp(v->m->srcs[i].state, "live") == 0 ?
		    UI_SRC_LIVE : UI_SRC_GONE;
		src[i].kernel_drops = v->m->srcs[i].drops_kernel;
		src[i].if_drops = v->m->srcs[i].drops_iface;
		src[i].ring_drops = v->m->srcs[i].drops_ring;
	}
	ui_set_sources(v->ui, src, v->m->nsrcs);
	ui_set_snapshot(v->ui, v->m, v->path);
}

static void
view_frame(struct view *v)
{
	unsigned w, h;

	ui_term_size(&w, &h);
	ui_set_size(v->ui, w, h);
	ui_render(v->ui);
	ui_blit(v->ui);
}

static int
view_loop(struct wt_opts *opts, struct view *v, int sfd)
{
	struct pollfd pfd[2];
	uint64_t now, next = 0, delay;
	long frames = 0;
	int key, r, redraw = 1, quit = 0, timeout;
	unsigned ev;

	delay = opts->delay_ms > 0 ? (uint64_t)opts->delay_ms : 1000;
	while (!quit) {
		now = proc_mono_ms();
		if (v->reload) {
			/* the daemon stores the acknowledgement with its
			 * next batch, within a second */
			v->reload = 0;
			next = now + 300;
		}
		if (now >= next) {
			if (!ui_paused(v->ui))
				view_load(v);
			next = now + delay;
			redraw = 1;
		}
		if (redraw) {
			view_frame(v);
			frames++;
			if (opts->frames > 0 && frames >= opts->frames)
				break;
			redraw = 0;
		}
		pfd[0].fd = ui_term_fd();
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		now = proc_mono_ms();
		timeout = next > now ? (int)(next - now) : 0;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			return WT_EXIT_RUNTIME;
		if (pfd[1].revents & POLLIN) {
			ev = proc_signals_read(sfd);
			if (ev & PROC_EV_WINCH) {
				ui_term_resize();
				ui_key(v->ui, UI_KEY_RESIZE);
				redraw = 1;
			}
			if (ev & PROC_EV_TSTP) {
				ui_term_suspend();
				ui_invalidate(v->ui);
				redraw = 1;
			}
			if (ev & PROC_EV_CONT) {
				ui_term_clear();
				ui_invalidate(v->ui);
				redraw = 1;
			}
			if (ev & (PROC_EV_STOP | PROC_EV_HUP))
				quit = 1;
		}
		while (!quit && (key = ui_term_getkey()) != UI_KEY_NONE) {
			r = ui_key(v->ui, key);
			if (r & UI_REACT_QUIT)
				quit = 1;
			if (r & (UI_REACT_REDRAW | UI_REACT_REPAINT))
				redraw = 1;
		}
	}
	return WT_EXIT_OK;
}

int
mode_view(struct wt_opts *opts)
{
	struct view v;
	struct engine_cfg ec;
	struct engine *e;
	struct ui_opts uo;
	struct ui_hooks hooks;
	char *cause = NULL, *dflt = NULL;
	const char *cs;
	int sfd, ascii, rc, denied;

	memset(&v, 0, sizeof v);
	if (opts->db_path != NULL)
		v.path = opts->db_path;
	else if (access(VIEW_DAEMON_DB, F_OK) == 0)
		v.path = VIEW_DAEMON_DB;
	else
		v.path = dflt = store_default_path();
	if ((v.db = ui_db_open(v.path, &cause, &denied)) == NULL) {
		log_stderr("view: %s", cause);
		free(cause);
		free(dflt);
		return WT_EXIT_DB;
	}

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	ascii = cs == NULL || strcmp(cs, "UTF-8") != 0;
	ui_line_set_ascii(ascii);
	if ((sfd = proc_signals_open(&cause)) == -1) {
		log_stderr("%s", cause);
		free(cause);
		ui_db_close(v.db);
		free(dflt);
		return WT_EXIT_RUNTIME;
	}

	/* an empty engine: the UI's panes read the snapshot */
	memset(&ec, 0, sizeof ec);
	ec.max_flows = ec.max_hosts = ec.max_names = 64;
	e = engine_create(&ec);
	memset(&uo, 0, sizeof uo);
	uo.bits = opts->bits;
	uo.names = opts->names;
	uo.view = 1;
	uo.db = v.path;
	v.ui = ui_create(&uo, e);
	v.m = xcalloc(1, sizeof *v.m);
	memset(&hooks, 0, sizeof hooks);
	hooks.arg = &v;
	hooks.ack = view_ack;
	ui_set_hooks(v.ui, &hooks);

	if (ui_term_open(opts->theme, ascii, &cause) != 0) {
		log_stderr("%s", cause);
		free(cause);
		rc = WT_EXIT_RUNTIME;
		goto out;
	}
	rc = view_loop(opts, &v, sfd);

	ui_term_free();
out:
	ui_free(v.ui);
	engine_free(e);
	free(v.m);
	ui_db_close(v.db);
	close(sfd);
	free(dflt);
	return rc;
}
