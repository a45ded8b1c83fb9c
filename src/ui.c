/*
 * ui.c: the TUI core: the key table, reactions, layout, and the frame
 * cycle (collect -> render lines -> blit changed lines).
 *
 * Main thread only.  Key handlers never act on the world directly: they
 * change UI state and return UI_REACT_* bits, and ui_apply() is the one
 * place that turns those into work (re-sorting, re-layout, capture
 * filter, replay pace and pause through the mode's hooks).  The key
 * table below is the only list of bindings; ui-help.c renders it.
 * Panes never touch the terminal: they render into ui_lines, and
 * ui_blit() sends the lines that differ from the previous frame to
 * ui-term.c.
 */
#include "config.h"
#include "ui.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui-line.h"
#include "ui-pane.h"
#include "ui-term.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

/* The t key's ranges, seconds (0: live). */
static const unsigned ui_ranges[] = { 0, 3600, 86400, 7 * 86400,
	30 * 86400 };
#define UI_NRANGES (sizeof ui_ranges / sizeof ui_ranges[0])
#define UI_HIST_REFRESH_MS	5000	/* re-query a range at most this often */
#define UI_DAEMON_DB	WT_DAEMON_DB

static const struct ui_pane_ops *const ui_pane_table[UI_PANE_COUNT] = {
	[UI_PANE_HEADER] = &ui_header_ops,
	[UI_PANE_TALKERS] = &ui_talkers_ops,
	[UI_PANE_FLOWS] = &ui_flows_ops,
	[UI_PANE_SERVICES] = &ui_services_ops,
	[UI_PANE_BANDWIDTH] = &ui_bandwidth_ops,
	[UI_PANE_ALERTS] = &ui_alerts_ops,
	[UI_PANE_HOST] = &ui_host_ops,
	[UI_PANE_HELP] = &ui_help_ops,
	[UI_PANE_STATUS] = NULL,	/* drawn here */
};

/* Order in which main panes give way when the screen is too small. */
static const unsigned ui_collapse_order[] = { UI_PANE_ALERTS,
	UI_PANE_SERVICES, UI_PANE_BANDWIDTH, UI_PANE_FLOWS, UI_PANE_TALKERS };

/* ---- helpers ------------------------------------------------------------ */

/* The pane list keys act on: the focused one, or the current view's. */
static struct ui_pane *
current_pane(struct ui *ui)
{
	if (ui->view == UI_VIEW_HOST)
		return &ui->panes[UI_PANE_HOST];
	if (ui->view == UI_VIEW_HELP)
		return &ui->panes[UI_PANE_HELP];
	return &ui->panes[ui->focus];
}

void
ui_message(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	va_end(ap);
	ui->msg_err = 0;
}

static void
ui_error(struct ui *ui, const char *what, const char *cause)
{
	snprintf(ui->msg, sizeof ui->msg, "%s: %s", what, cause);
	ui->msg_err = 1;
}

int
ui_open_host(struct ui *ui, uint8_t ip_ver, const uint8_t addr[16])
{
	struct ui_pane *p = &ui->panes[UI_PANE_HOST];

	ui->host_ver = ip_ver;
	memcpy(ui->host_addr, addr, 16);
	ui->view = UI_VIEW_HOST;
	p->sel = p->top = 0;
	p->filter[0] = '\0';
	return UI_REACT_RELAYOUT;
}

/* ---- key handlers ---------------------------------------------------- */

static int
key_help(struct ui *ui, int key)
{
	(void)key;
	if (ui->view == UI_VIEW_HELP) {
		ui->view = ui->back;
		return UI_REACT_RELAYOUT;
	}
	ui->back = ui->view;
	ui->view = UI_VIEW_HELP;
	ui->panes[UI_PANE_HELP].sel = ui->panes[UI_PANE_HELP].top = 0;
	return UI_REACT_RELAYOUT;
}

static int
key_quit(struct ui *ui, int key)
{
	(void)ui;
	(void)key;
	return UI_REACT_QUIT;
}

static int
key_back(struct ui *ui, int key)
{
	struct ui_pane *p = current_pane(ui);

	(void)key;
	if (ui->view == UI_VIEW_HELP) {
		ui->view = ui->back;
		return UI_REACT_RELAYOUT;
	}
	if (ui->view == UI_VIEW_HOST) {
		ui->view = UI_VIEW_MAIN;
		return UI_REACT_RELAYOUT;
	}
	if (p->filter[0] != '\0') {
		p->filter[0] = '\0';
		return UI_REACT_RESORT;
	}
	return UI_REACT_NONE;
}

static int
key_focus(struct ui *ui, int key)
{
	int dir = (key == UI_KEY_BTAB || key == UI_KEY_LEFT) ? -1 : 1;
	unsigned i, f = ui->focus;
	unsigned n = UI_PANE_LAST_MAIN - UI_PANE_FIRST_MAIN + 1;

	if (ui->view != UI_VIEW_MAIN)
		return UI_REACT_NONE;
	for (i = 0; i < n; i++) {
		f = (unsigned)((int)f - UI_PANE_FIRST_MAIN + dir + (int)n) % n +
		    UI_PANE_FIRST_MAIN;
		if (ui->panes[f].shown)
			break;
	}
	ui->focus = f;
	return UI_REACT_REDRAW;
}

static int
key_move(struct ui *ui, int key)
{
	struct ui_pane *p = current_pane(ui);
	long page = p->body > 1 ? (long)p->body - 1 : 1;

	switch (key) {
	case UI_KEY_UP:
		ui_pane_move(p, -1);
		break;
	case UI_KEY_DOWN:
		ui_pane_move(p, 1);
		break;
	case UI_KEY_PPAGE:
		ui_pane_move(p, -page);
		break;
	case UI_KEY_NPAGE:
		ui_pane_move(p, page);
		break;
	case UI_KEY_HOME:
		ui_pane_move(p, -(long)(p->nrows + 1));
		break;
	case UI_KEY_END:
		ui_pane_move(p, (long)(p->nrows + 1));
		break;
	}
	return UI_REACT_RESORT;
}

static int
key_enter(struct ui *ui, int key)
{
	struct ui_pane *p = current_pane(ui);

	(void)key;
	if (p->ops->enter == NULL)
		return UI_REACT_NONE;
	return p->ops->enter(p);
}

static int
key_sort(struct ui *ui, int key)
{
	struct ui_pane *p = current_pane(ui);

	if (p->ops->sorts == NULL) {
		ui_message(ui, "the %s pane has no sort", p->ops->name);
		return UI_REACT_REDRAW;
	}
	if (key == 'S')
		p->reverse = !p->reverse;
	else {
		p->sort++;
		if (p->ops->sorts[p->sort] == NULL)
			p->sort = 0;
		p->reverse = 0;
	}
	return UI_REACT_RESORT;
}

static int
key_filter(struct ui *ui, int key)
{
	struct ui_pane *p = current_pane(ui);

	(void)key;
	if (ui->view == UI_VIEW_HELP)
		return UI_REACT_NONE;
	if (p->ops->sorts == NULL) {
		ui_message(ui, "the %s pane cannot be filtered", p->ops->name);
		return UI_REACT_REDRAW;
	}
	ui->input = '/';
	ui->input_pane = (unsigned)(p - ui->panes);
	snprintf(ui->ibuf, sizeof ui->ibuf, "%s", p->filter);
	ui->ilen = strlen(ui->ibuf);
	ui->msg[0] = '\0';
	return UI_REACT_REDRAW;
}

static int
key_bpf(struct ui *ui, int key)
{
	(void)key;
	if (ui->opts.view) {
		ui_message(ui, "the capture filter is not available in view "
		    "(the daemon captures)");
		return UI_REACT_REDRAW;
	}
	if (ui->hooks.set_filter == NULL) {
		ui_message(ui, "the capture filter cannot be changed here");
		return UI_REACT_REDRAW;
	}
	ui->input = 'f';
	snprintf(ui->ibuf, sizeof ui->ibuf, "%s", ui->bpf ? ui->bpf : "");
	ui->ilen = strlen(ui->ibuf);
	ui->msg[0] = '\0';
	return UI_REACT_REDRAW;
}

static int
key_pause(struct ui *ui, int key)
{
	(void)key;
	ui->paused = !ui->paused;
	ui_message(ui, ui->paused ? "display paused (capture goes on)" :
	    "display resumed");
	return UI_REACT_RESORT;
}

static int
key_bits(struct ui *ui, int key)
{
	(void)key;
	ui->opts.bits = !ui->opts.bits;
	return UI_REACT_RESORT;
}

static int
key_names(struct ui *ui, int key)
{
	(void)key;
	ui->opts.names = !ui->opts.names;
	ui_message(ui, "names %s", ui->opts.names ? "on" : "off");
	return UI_REACT_RESORT;
}

static int
key_ack(struct ui *ui, int key)
{
	(void)key;
	if (ui->view != UI_VIEW_MAIN || ui->focus != UI_PANE_ALERTS) {
		ui_message(ui, "a acknowledges the alert selected in the "
		    "alerts pane (Tab to it)");
		return UI_REACT_REDRAW;
	}
	return ui_alerts_ack(&ui->panes[UI_PANE_ALERTS]);
}

static int
key_toggle(struct ui *ui, int key)
{
	unsigned id = UI_PANE_FIRST_MAIN + (unsigned)(key - '1'), i, on = 0;
	struct ui_pane *p = &ui->panes[id];

	for (i = UI_PANE_FIRST_MAIN; i <= UI_PANE_LAST_MAIN; i++)
		on += ui->panes[i].enabled != 0;
	if (p->enabled && on == 1) {
		ui_message(ui, "at least one pane stays on");
		return UI_REACT_REDRAW;
	}
	p->enabled = !p->enabled;
	if (ui->view != UI_VIEW_MAIN)
		ui->view = UI_VIEW_MAIN;
	if (p->enabled)
		ui->focus = id;
	return UI_REACT_RELAYOUT;
}

static int
key_speed(struct ui *ui, int key)
{
	if (ui->opts.view) {
		ui_message(ui, "the replay pace is not available in view");
		return UI_REACT_REDRAW;
	}
	if (!ui->opts.replay) {
		ui_message(ui, "the pace only applies when replaying a file");
		return UI_REACT_REDRAW;
	}
	if (key == '+') {
		if (ui->speed > 0)
			ui->speed *= 2;
		if (ui->speed > 1024)
			ui->speed = 0;
	} else {
		if (ui->speed == 0)
			ui->speed = 1024;
		else if (ui->speed > 0.125)
			ui->speed /= 2;
	}
	if (ui->speed > 0)
		ui_message(ui, "replay pace %gx", ui->speed);
	else
		ui_message(ui, "replay pace: as fast as possible");
	return UI_REACT_SPEED;
}

static int
key_replay_pause(struct ui *ui, int key)
{
	(void)key;
	if (ui->opts.view) {
		ui_message(ui, "pausing the capture is not available in view "
		    "(p pauses the display)");
		return UI_REACT_REDRAW;
	}
	if (!ui->opts.replay) {
		ui_message(ui, "pausing the capture only applies when "
		    "replaying a file (p pauses the display)");
		return UI_REACT_REDRAW;
	}
	ui->replay_paused = !ui->replay_paused;
	ui_message(ui, ui->replay_paused ? "replay paused" : "replay resumed");
	return UI_REACT_PAUSE;
}

/* Open the history database on first use: --db, else the daemon's if
 * readable, else the user's.  0, or -1 after a message. */
static int
hist_open(struct ui *ui)
{
	char *path, *cause = NULL;
	int denied;

	if (ui->hdb != NULL)
		return 0;
	if (ui->opts.db != NULL)
		path = xstrdup(ui->opts.db);
	else if (access(UI_DAEMON_DB, R_OK) == 0)
		path = xstrdup(UI_DAEMON_DB);
	else
		path = store_default_path();
	if ((ui->hdb = ui_db_open(path, &cause, &denied)) == NULL) {
		ui_error(ui, "history", cause);
		free(cause);
		free(path);
		return -1;
	}
	free(ui->hdb_path);
	ui->hdb_path = path;
	return 0;
}

/* Load the range's model; -1 after a message (the screen goes live). */
static int
hist_load(struct ui *ui)
{
	char *cause = NULL;

	ui->hdb = ui_db_refresh(ui->hdb, ui->hdb_path);
	if (ui->hist == NULL)
		ui->hist = xcalloc(1, sizeof *ui->hist);
	ui->hist_ms = proc_mono_ms();
	ui->hist_stale = 0;
	if (ui_model_range(ui->hdb, ui_ranges[ui->range], ui->hist,
	    &cause) != 0) {
		ui_error(ui, "history", cause);
		free(cause);
		ui->range = 0;
		return -1;
	}
	return 0;
}

static int
key_range(struct ui *ui, int key)
{
	(void)key;
	ui->range = (ui->range + 1) % UI_NRANGES;
	if (ui->range == 0) {
		ui_message(ui, "time range: live");
		return UI_REACT_RELAYOUT;
	}
	if (hist_open(ui) != 0 || hist_load(ui) != 0) {
		ui->range = 0;
		return UI_REACT_RELAYOUT;
	}
	ui_message(ui, "time range: %s (history: %s)", ui->hist->range,
	    ui->hdb_path);
	return UI_REACT_RELAYOUT;
}

const struct ui_model *
ui_pane_model(const struct ui_pane *p)
{
	const struct ui *ui = p->ui;
	unsigned id = (unsigned)(p - ui->panes);

	if (ui->range != 0 && ui->hist != NULL && (id == UI_PANE_TALKERS ||
	    id == UI_PANE_SERVICES || id == UI_PANE_BANDWIDTH))
		return ui->hist;
	return ui->snap;
}

void
ui_set_snapshot(struct ui *ui, const struct ui_model *m, const char *path)
{
	ui->snap = m;
	if (path != NULL && (ui->snap_path == NULL ||
	    strcmp(ui->snap_path, path) != 0)) {
		free(ui->snap_path);
		ui->snap_path = xstrdup(path);
	}
	ui->force = 1;
}

static int
key_repaint(struct ui *ui, int key)
{
	(void)ui;
	(void)key;
	return UI_REACT_REPAINT;
}

/* The terminal normally turns Ctrl-Z into SIGTSTP before it is read; the
 * binding makes it work where it does not, and puts it in the help.  The
 * signal goes to the main loop's signalfd, which suspends cleanly. */
static int
key_suspend(struct ui *ui, int key)
{
	(void)ui;
	(void)key;
	kill(getpid(), SIGTSTP);
	return 0;
}

static const struct ui_key_binding ui_keys[] = {
	{ UI_KEY_F1, '?', "F1 ?", key_help, "show or close this help" },
	{ 'q', 0, "q", key_quit, "quit" },
	{ UI_KEY_ESC, 0, "Esc", key_back, "back; clear the pane filter" },
	{ UI_KEY_TAB, 0, "Tab", key_focus, "focus the next pane" },
	{ UI_KEY_BTAB, 0, "Shift-Tab", key_focus, "focus the previous pane" },
	{ UI_KEY_RIGHT, 0, "Right", key_focus, "focus the next pane" },
	{ UI_KEY_LEFT, 0, "Left", key_focus, "focus the previous pane" },
	{ UI_KEY_UP, 'k', "Up k", key_move, "select the previous row" },
	{ UI_KEY_DOWN, 'j', "Down j", key_move, "select the next row" },
	{ UI_KEY_PPAGE, 0, "PgUp", key_move, "scroll up a page" },
	{ UI_KEY_NPAGE, 0, "PgDn", key_move, "scroll down a page" },
	{ UI_KEY_HOME, 0, "Home", key_move, "go to the first row" },
	{ UI_KEY_END, 0, "End", key_move, "go to the last row" },
	{ UI_KEY_ENTER, 0, "Enter", key_enter, "drill down into the host or peer" },
	{ 's', 0, "s", key_sort, "cycle the sort column" },
	{ 'S', 0, "S", key_sort, "reverse the sort order" },
	{ '/', 0, "/", key_filter, "filter the pane by text" },
	{ 'f', 0, "f", key_bpf, "edit the capture filter (BPF)" },
	{ 'p', 0, "p", key_pause, "pause the display" },
	{ 'b', 0, "b", key_bits, "rates in bits or bytes" },
	{ 'n', 0, "n", key_names, "learned names on or off" },
	{ 'a', 0, "a", key_ack, "acknowledge the selected alert (alerts "
	  "pane)" },
	{ 't', 0, "t", key_range, "time range: live, 1 h, 24 h, 7 d, 30 d "
	  "(history)" },
	{ '1', 0, "1", key_toggle, "show/hide top talkers" },
	{ '2', 0, "2", key_toggle, "show/hide connections" },
	{ '3', 0, "3", key_toggle, "show/hide protocols" },
	{ '4', 0, "4", key_toggle, "show/hide bandwidth" },
	{ '5', 0, "5", key_toggle, "show/hide alerts" },
	{ '+', 0, "+", key_speed, "replay faster" },
	{ '-', 0, "-", key_speed, "replay slower" },
	{ ' ', 0, "Space", key_replay_pause, "pause or resume the replay" },
	{ 0x0c, 0, "Ctrl-L", key_repaint, "redraw the screen" },
	{ 0x1a, 0, "Ctrl-Z", key_suspend, "suspend (fg resumes)" },
};

size_t
ui_key_count(void)
{
	return sizeof ui_keys / sizeof ui_keys[0];
}

const struct ui_key_binding *
ui_key_get(size_t i)
{
	return i < ui_key_count() ? &ui_keys[i] : NULL;
}

const char *
ui_key_name(int key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ui_key_count(); i++) {
		if (ui_keys[i].key == key || (ui_keys[i].key2 != 0 &&
		    ui_keys[i].key2 == key)) {
			snprintf(buf, len, "%s", ui_keys[i].label);
			return buf;
		}
	}
	if (key > 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key %d", key);
	return buf;
}

/* ---- text input (/ and f) ------------------------------------------- */

#define UI_CTRL(c)	((c) & 0x1f)

static int
input_key(struct ui *ui, int key)
{
	struct ui_pane *p = &ui->panes[ui->input_pane];
	int live = ui->input == '/';

	switch (key) {
	case UI_KEY_ESC:
		if (live) {
			p->filter[0] = '\0';	/* cancel clears, like htop */
		}
		ui->input = 0;
		ui->msg[0] = '\0';
		return live ? UI_REACT_RESORT : UI_REACT_REDRAW;
	case UI_KEY_ENTER:
		if (live) {
			ui->input = 0;
			return UI_REACT_RESORT;
		}
		return UI_REACT_FILTER;
	case UI_KEY_BACKSPACE:
		if (ui->ilen > 0)
			ui->ibuf[--ui->ilen] = '\0';
		break;
	case UI_CTRL('u'):	/* the whole line, as readline and the tty */
		ui->ilen = 0;
		ui->ibuf[0] = '\0';
		break;
	case UI_CTRL('w'):	/* the word before the cursor */
		while (ui->ilen > 0 && ui->ibuf[ui->ilen - 1] == ' ')
			ui->ilen--;
		while (ui->ilen > 0 && ui->ibuf[ui->ilen - 1] != ' ')
			ui->ilen--;
		ui->ibuf[ui->ilen] = '\0';
		break;
	default:
		/* Printable ASCII only: filters and BPF are ASCII. */
		if (key < 0x20 || key > 0x7e)
			return UI_REACT_NONE;
		if (ui->ilen + 1 >= (live ? sizeof p->filter :
		    sizeof ui->ibuf))
			return UI_REACT_NONE;
		ui->ibuf[ui->ilen++] = (char)key;
		ui->ibuf[ui->ilen] = '\0';
		break;
	}
	if (live) {
		snprintf(p->filter, sizeof p->filter, "%.*s",
		    (int)sizeof p->filter - 1, ui->ibuf);
		p->sel = p->top = 0;
		return UI_REACT_RESORT;
	}
	ui->msg[0] = '\0';
	return UI_REACT_REDRAW;
}

int
ui_key(struct ui *ui, int key)
{
	size_t i;
	int r = UI_REACT_PASS;

	if (key == UI_KEY_RESIZE)
		return ui_apply(ui, UI_REACT_RELAYOUT);
	if (ui->input)
		return ui_apply(ui, input_key(ui, key));
	ui->msg[0] = '\0';
	for (i = 0; i < ui_key_count(); i++) {
		if (ui_keys[i].key == key || (ui_keys[i].key2 != 0 &&
		    ui_keys[i].key2 == key)) {
			r = ui_keys[i].fn(ui, key);
			break;
		}
	}
	return ui_apply(ui, r);
}

int
ui_apply(struct ui *ui, int r)
{
	char *cause = NULL;
	int out = 0;

	if (r & UI_REACT_PASS)
		return UI_REACT_NONE;
	if (r & UI_REACT_FILTER) {
		if (ui->hooks.set_filter(ui->hooks.arg, ui->ibuf, &cause) != 0) {
			ui_error(ui, "filter error", cause ? cause : "invalid");
			free(cause);
		} else {
			free(ui->bpf);
			ui->bpf = xstrdup(ui->ibuf);
			ui->input = 0;
			ui_message(ui, ui->bpf[0] ? "capture filter set" :
			    "capture filter cleared");
		}
		r |= UI_REACT_REDRAW;
	}
	if ((r & UI_REACT_SPEED) && ui->hooks.set_speed != NULL)
		ui->hooks.set_speed(ui->hooks.arg, ui->speed);
	if ((r & UI_REACT_PAUSE) && ui->hooks.set_paused != NULL)
		ui->hooks.set_paused(ui->hooks.arg, ui->replay_paused);
	if (r & UI_REACT_RELAYOUT) {
		ui->layout_valid = 0;
		r |= UI_REACT_REPAINT;
	}
	if (r & (UI_REACT_RESORT | UI_REACT_RELAYOUT | UI_REACT_REPAINT |
	    UI_REACT_REDRAW))
		ui->force = 1;
	if (r & UI_REACT_REPAINT)
		ui_invalidate(ui);
	if (r & UI_REACT_QUIT)
		out |= UI_REACT_QUIT;
	if (r & (UI_REACT_REDRAW | UI_REACT_RESORT | UI_REACT_RELAYOUT |
	    UI_REACT_REPAINT | UI_REACT_SPEED | UI_REACT_PAUSE |
	    UI_REACT_FILTER))
		out |= UI_REACT_REDRAW;
	if (r & UI_REACT_REPAINT)
		out |= UI_REACT_REPAINT;
	return out;
}

/* ---- layout ----------------------------------------------------------- */

static void
layout_main(struct ui *ui, unsigned y, unsigned bh)
{
	struct ui_pane *p;
	unsigned want[UI_PANE_COUNT] = { 0 }, in[UI_PANE_COUNT] = { 0 };
	unsigned i, id, sum, nflex, spare, give, wsum, yy, last = 0, n;
	const unsigned comfy = 8;

	for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++)
		in[id] = ui->panes[id].enabled;
	/* Collapse in order while the minimum sizes do not fit. */
	for (i = 0; i < sizeof ui_collapse_order / sizeof ui_collapse_order[0];
	    i++) {
		sum = 0;
		n = 0;
		for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++) {
			if (in[id]) {
				sum += ui->panes[id].ops->min_h +
				    (ui->panes[id].ops->pref_h ? 0 : 2);
				n++;
			}
		}
		if (sum <= bh || n <= 1)
			break;
		in[ui_collapse_order[i]] = 0;
	}
	sum = 0;
	nflex = 0;
	for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++) {
		if (!in[id])
			continue;
		want[id] = ui->panes[id].ops->min_h;
		sum += want[id];
		if (ui->panes[id].ops->pref_h == NULL)
			nflex++;
		last = id;
	}
	spare = bh > sum ? bh - sum : 0;
	/* Flexible panes first get to a comfortable size ... */
	for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++) {
		if (!in[id] || ui->panes[id].ops->pref_h != NULL)
			continue;
		give = comfy > want[id] ? comfy - want[id] : 0;
		if (give > spare)
			give = spare;
		want[id] += give;
		spare -= give;
	}
	/* ... then fixed panes grow to their preferred height ... */
	for (i = 0; i < sizeof ui_collapse_order / sizeof ui_collapse_order[0];
	    i++) {
		id = ui_collapse_order[sizeof ui_collapse_order /
		    sizeof ui_collapse_order[0] - 1 - i];
		p = &ui->panes[id];
		if (!in[id] || p->ops->pref_h == NULL)
			continue;
		give = p->ops->pref_h(p);
		give = give > want[id] ? give - want[id] : 0;
		if (give > spare)
			give = spare;
		want[id] += give;
		spare -= give;
	}
	/* ... and the rest is shared by weight among flexible panes. */
	wsum = 0;
	for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++)
		if (in[id] && ui->panes[id].ops->pref_h == NULL)
			wsum += ui->panes[id].ops->weight;
	if (nflex > 0 && wsum > 0) {
		unsigned left = spare;

		for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++) {
			if (!in[id] || ui->panes[id].ops->pref_h != NULL)
				continue;
			give = spare * ui->panes[id].ops->weight / wsum;
			want[id] += give;
			left -= give;
		}
		for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++)
			if (in[id] && ui->panes[id].ops->pref_h == NULL) {
				want[id] += left;
				break;
			}
	} else if (last != 0)
		want[last] += spare;
	/* Never more than the body (a lone pane taller than the screen). */
	yy = y;
	for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++) {
		p = &ui->panes[id];
		if (!in[id] || yy >= y + bh) {
			ui_pane_place(p, 0, 0, 0, 0);
			continue;
		}
		if (want[id] > y + bh - yy)
			want[id] = y + bh - yy;
		ui_pane_place(p, 0, yy, ui->w, want[id]);
		yy += want[id];
	}
	if (!ui->panes[ui->focus].shown) {
		for (id = UI_PANE_FIRST_MAIN; id <= UI_PANE_LAST_MAIN; id++)
			if (ui->panes[id].shown) {
				ui->focus = id;
				break;
			}
	}
}

static void
layout(struct ui *ui)
{
	struct ui_pane *hp = &ui->panes[UI_PANE_HEADER];
	unsigned hh, bh, id;

	for (id = 0; id < UI_PANE_COUNT; id++)
		ui->panes[id].shown = 0;
	hh = hp->ops->pref_h(hp);
	if (ui->h < 3)
		hh = ui->h > 1 ? 1 : 0;
	else if (hh > ui->h - 2)
		hh = ui->h - 2;
	ui_pane_place(hp, 0, 0, ui->w, hh);
	if (ui->h > hh)
		ui_pane_place(&ui->panes[UI_PANE_STATUS], 0, ui->h - 1, ui->w,
		    1);
	else
		ui_pane_place(&ui->panes[UI_PANE_STATUS], 0, 0, 0, 0);
	bh = ui->h > hh + 1 ? ui->h - hh - 1 : 0;
	for (id = UI_PANE_FIRST_MAIN; id < UI_PANE_STATUS; id++)
		ui_pane_place(&ui->panes[id], 0, 0, 0, 0);
	if (bh > 0) {
		if (ui->view == UI_VIEW_MAIN)
			layout_main(ui, hh, bh);
		else if (ui->view == UI_VIEW_HOST)
			ui_pane_place(&ui->panes[UI_PANE_HOST], 0, hh, ui->w,
			    bh);
		else
			ui_pane_place(&ui->panes[UI_PANE_HELP], 0, hh, ui->w,
			    bh);
	}
	ui->layout_valid = 1;
}

/* ---- frame ------------------------------------------------------------ */

static void
draw_status(struct ui *ui, struct ui_line *l)
{
	const char *what;

	ui_line_clear(l, UI_COLOR_STATUS);
	if (ui->input) {
		if (ui->input == '/') {
			what = ui->panes[ui->input_pane].ops->name;
			ui_line_printf(l, UI_COLOR_STATUS, " filter %s: ", what);
		} else
			ui_line_puts(l, UI_COLOR_STATUS, " capture filter: ");
		ui_line_puts(l, UI_COLOR_INPUT, ui->ibuf);
		ui->ilen = strlen(ui->ibuf);
		if (ui->msg[0] != '\0') {
			ui_line_puts(l, UI_COLOR_STATUS, "  ");
			ui_line_puts(l, ui->msg_err ? UI_COLOR_CRIT :
			    UI_COLOR_STATUS, ui->msg);
		}
		return;
	}
	if (ui->msg[0] != '\0') {
		ui_line_puts(l, UI_COLOR_STATUS, " ");
		ui_line_puts(l, ui->msg_err ? UI_COLOR_CRIT : UI_COLOR_STATUS,
		    ui->msg);
		return;
	}
	if (ui->view == UI_VIEW_HELP)
		ui_line_puts(l, UI_COLOR_STATUS, " Esc back  q quit  "
		    "Up/Down scroll");
	else if (ui->view == UI_VIEW_HOST)
		ui_line_puts(l, UI_COLOR_STATUS, " Esc back  s sort  "
		    "/ filter  Enter peer  F1 help  q quit");
	else if (ui->opts.view)
		ui_line_puts(l, UI_COLOR_STATUS, " F1 help  q quit  Tab pane  "
		    "s sort  / filter  t time range  p pause");
	else
		ui_line_puts(l, UI_COLOR_STATUS, " F1 help  q quit  Tab pane  "
		    "s sort  / filter  Enter host  f bpf  p pause");
	if (ui->opts.replay && ui->view == UI_VIEW_MAIN)
		ui_line_puts(l, UI_COLOR_STATUS, "  +/- pace  Space pause");
}

/* What svc_cache holds for a port service_name() has no name for. */
static const char svc_none[] = "";

/* Fill the svc_cache slot i of (proto, port). */
static const char *
svc_lookup(struct ui *ui, size_t i, uint8_t proto, uint16_t port)
{
	const char *s = service_name(proto, port);

	return ui->svc_cache[i] = s != NULL ? s : svc_none;
}

/* service_name() through a per-port cache (its answer for a port does
 * not change while we run); NULL slots are not looked up yet. */
static inline const char *
svc_port(struct ui *ui, uint8_t proto, uint16_t port)
{
	size_t i = (proto == 6 ? 0 : 65536) + port;
	const char *s = ui->svc_cache[i];

	if (s == NULL)
		s = svc_lookup(ui, i, proto, port);
	return s != svc_none ? s : NULL;
}

/* ui_flow_service(), inline for the walk. */
static inline const char *
flow_svc(struct ui *ui, const struct flow *f)
{
	const char *s;
	uint16_t oport, rport;

	/* As flow_service(): content first, then the responder's port,
	 * else the originator's (the key's ports, what flow_endpoints()
	 * copies out). */
	if (flow_service_known(f, &s))
		return s;
	oport = f->orig_is_a ? f->key.ap : f->key.bp;
	rport = f->orig_is_a ? f->key.bp : f->key.ap;
	if ((s = svc_port(ui, f->key.proto, rport)) == NULL)
		s = svc_port(ui, f->key.proto, oport);
	return s;
}

const char *
ui_flow_service(struct ui *ui, const struct flow *f)
{
	return flow_svc(ui, f);
}

/* Add a flow's bytes to its service's slot. */
static void
svc_add(struct ui *ui, const char *name, uint8_t proto, uint64_t bytes)
{
	struct ui_svc_sum *e;
	uintptr_t h = (uintptr_t)name ^ proto;
	unsigned i, slot;

	h ^= h >> 7;
	slot = (unsigned)(h * 2654435761u) & (UI_SVC_SLOTS - 1);
	for (i = 0; i < UI_SVC_SLOTS; i++) {
		e = &ui->svcsum[(slot + i) & (UI_SVC_SLOTS - 1)];
		if (!e->used) {
			e->used = 1;
			e->svc = name;
			e->proto = proto;
			e->bytes = bytes;
			break;
		}
		if (e->svc == name && (name != NULL || e->proto == proto)) {
			e->bytes += bytes;
			break;
		}
	}
	ui->svc_total += bytes;
}

/*
 * The rate sort's entries, handed on UI_RATE_AHEAD live flows behind the
 * one whose rings are being prefetched: the key reads two rings for every
 * flow active in the last 10 s, each a cache miss or two away, and read
 * one after the other they cost more than the rest of the frame.
 */
struct rate_pipe {
	struct rate_pend {
		struct ui_sortent e;
		const struct rate *r[2];	/* flow_rate(), NULL = none */
	} q[UI_RATE_AHEAD];
	size_t head, tail;
};

static void
rate_pend_fill(struct ui *ui, struct rate_pend *rp)
{
	double rate[2];
	int d;

	/* ui_flow_key(): what ui_rate() gives for a live flow, o>r + r>o. */
	for (d = 0; d < 2; d++)
		rate[d] = rp->r[d] != NULL ? rate_avg(rp->r[d], ui->now_sec,
		    10) : 0;
	rp->e.k1 = rate[0] + rate[1];
}

/* Take a flow's entry; 1 if it is ready (idle flow), 0 if queued. */
static int
rate_pipe_push(struct ui *ui, struct rate_pipe *pp, struct ui_sortent *e,
    ui_flow_fn fn, void *arg)
{
	const struct flow *f = e->p;
	struct rate_pend *rp;
	int d;

	e->k1 = 0;
	if (!ui_rate_live(f->last_ns, ui->now_sec, 10))
		return 1;	/* idle for the whole window */
	if (pp->tail - pp->head == UI_RATE_AHEAD) {
		rp = &pp->q[pp->head++ % UI_RATE_AHEAD];
		rate_pend_fill(ui, rp);
		fn(arg, &rp->e);
	}
	rp = &pp->q[pp->tail++ % UI_RATE_AHEAD];
	rp->e = *e;
	for (d = 0; d < 2; d++) {
		rp->r[d] = flow_rate(ui->engine, f, d);
		ui_rate_prefetch(rp->r[d], ui->now_sec, 10);
	}
	return 0;
}

static void
flows_none(void *arg, const struct ui_sortent *e)
{
	(void)arg;
	(void)e;
}

void
ui_flows(struct ui *ui, int sort, ui_flow_fn fn, void *arg)
{
	const struct flow *f;
	struct ui_sortent e;
	struct rate_pipe pp;
	struct rate_pend *rp;
	uint64_t bytes;

	if (ui->svcsum == NULL)
		ui->svcsum = xcalloc(UI_SVC_SLOTS, sizeof *ui->svcsum);
	memset(ui->svcsum, 0, UI_SVC_SLOTS * sizeof *ui->svcsum);
	ui->svc_total = 0;
	pp.head = pp.tail = 0;
	for (f = engine_flow_first(ui->engine); f != NULL;
	    f = engine_flow_next(ui->engine, f)) {
		const struct flow_tunnel *tu;

		bytes = f->dir[0].wire_bytes + f->dir[1].wire_bytes;
		/* Services count a frame once, at its innermost layer: a
		 * tunnel's frames are its inner flows' service. */
		tu = engine_flow_tunnel(ui->engine, f);
		svc_add(ui, flow_svc(ui, f), f->key.proto, tu == NULL ? bytes :
		    bytes - tu->inner_wire[0] - tu->inner_wire[1]);
		e.p = f;
		e.tk = ui_flow_tk(f);
		e.k2 = ui_flow_key2(bytes, (unsigned)sort);
		if (sort == UI_FLOW_SORT_RATE) {
			if (!rate_pipe_push(ui, &pp, &e, fn, arg))
				continue;
		} else if (sort == UI_FLOW_SORT_BYTES)
			e.k1 = (double)bytes;
		else
			e.k1 = sort >= 0 ? ui_flow_key(ui, f, (unsigned)sort) :
			    0;
		fn(arg, &e);
	}
	while (pp.head != pp.tail) {
		rp = &pp.q[pp.head++ % UI_RATE_AHEAD];
		rate_pend_fill(ui, rp);
		fn(arg, &rp->e);
	}
	ui->svc_frame = ui->frame;
}

const struct ui_svc_sum *
ui_flow_services(struct ui *ui, uint64_t *total)
{
	if (ui->svc_frame != ui->frame)
		ui_flows(ui, -1, flows_none, NULL);
	*total = ui->svc_total;
	return ui->svcsum;
}

void
ui_render(struct ui *ui)
{
	struct ui_pane *p;
	unsigned id;
	int refresh = !ui->paused || ui->force || !ui->collected;

	if (ui->range != 0 && (ui->hist_stale || proc_mono_ms() - ui->hist_ms >=
	    UI_HIST_REFRESH_MS) && hist_load(ui) != 0)
		ui->layout_valid = 0;
	if (!ui->layout_valid)
		layout(ui);
	engine_sync(ui->engine);
	ui->frame++;
	ui->now_ns = engine_now(ui->engine);
	ui->now_sec = ui->now_ns / 1000000000u;
	for (id = 0; id < UI_PANE_STATUS; id++) {
		p = &ui->panes[id];
		if (!p->shown)
			continue;
		if (id != UI_PANE_HEADER && !refresh)
			continue;
		p->body = p->h > p->ops->head_rows ?
		    p->h - p->ops->head_rows : 0;
		p->ops->collect(p, p->top + p->body);
		ui_pane_clamp(p);
		if (p->ops->selectable && p->sel >= p->top + p->body) {
			/* Clamp moved the window: collect enough rows. */
			p->ops->collect(p, p->top + p->body);
		}
		if (!p->ops->selectable && p->top + p->body > p->nrows)
			p->top = p->nrows > p->body ? p->nrows - p->body : 0;
		p->ops->draw(p);
	}
	p = &ui->panes[UI_PANE_STATUS];
	if (p->shown)
		draw_status(ui, &p->lines[0]);
	ui->collected = 1;
	ui->force = 0;
}

void
ui_invalidate(struct ui *ui)
{
	unsigned id;

	for (id = 0; id < UI_PANE_COUNT; id++)
		ui->panes[id].old_valid = 0;
}

void
ui_blit(struct ui *ui)
{
	struct ui_pane *p;
	unsigned id, i, x, y;
	int all = 1;

	for (id = 0; id < UI_PANE_COUNT; id++)
		if (ui->panes[id].shown && ui->panes[id].old_valid)
			all = 0;
	if (all)
		ui_term_clear();
	for (id = 0; id < UI_PANE_COUNT; id++) {
		p = &ui->panes[id];
		if (!p->shown)
			continue;
		for (i = 0; i < p->h; i++) {
			if (p->old_valid && ui_line_equal(&p->lines[i],
			    &p->old[i]))
				continue;
			ui_term_draw_line(p->x, p->y + i, &p->lines[i]);
			ui_line_copy(&p->old[i], &p->lines[i]);
		}
		p->old_valid = 1;
	}
	if (ui_cursor(ui, &x, &y))
		ui_term_cursor(1, x, y);
	else
		ui_term_cursor(0, 0, 0);
	ui_term_flush();
}

int
ui_cursor(struct ui *ui, unsigned *x, unsigned *y)
{
	struct ui_pane *p = &ui->panes[UI_PANE_STATUS];
	unsigned prefix;

	if (!ui->input || !p->shown)
		return 0;
	if (ui->input == '/')
		prefix = 9 + (unsigned)strlen(
		    ui->panes[ui->input_pane].ops->name);
	else
		prefix = 18;
	*x = prefix + (unsigned)ui->ilen;
	if (*x >= ui->w)
		*x = ui->w ? ui->w - 1 : 0;
	*y = p->y;
	return 1;
}

size_t
ui_screen_text(struct ui *ui, char *buf, size_t len)
{
	struct ui_line row;
	struct ui_pane *p;
	unsigned y, id;
	size_t o = 0, n;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	ui_line_init(&row, ui->w);
	for (y = 0; y < ui->h; y++) {
		ui_line_clear(&row, UI_COLOR_NORMAL);
		for (id = 0; id < UI_PANE_COUNT; id++) {
			p = &ui->panes[id];
			if (p->shown && y >= p->y && y < p->y + p->h &&
			    p->x < row.width)
				memcpy(&row.cells[p->x], p->lines[y - p->y].cells,
				    (p->w < row.width - p->x ? p->w :
				    row.width - p->x) * sizeof *row.cells);
		}
		n = ui_line_text(&row, buf + o, len - o);
		o += n;
		if (o + 1 >= len)
			break;
		buf[o++] = '\n';
		buf[o] = '\0';
	}
	ui_line_done(&row);
	return o;
}

/* ---- life cycle -------------------------------------------------------- */

struct ui *
ui_create(const struct ui_opts *opts, struct engine *engine)
{
	struct ui *ui = xcalloc(1, sizeof *ui);
	struct ui_pane *p;
	unsigned id;

	ui->engine = engine;
	ui->opts = *opts;
	ui->svc_cache = xcalloc(2 * 65536, sizeof *ui->svc_cache);
	ui->speed = opts->speed;
	ui->view = UI_VIEW_MAIN;
	ui->focus = UI_PANE_TALKERS;
	if (opts->filter != NULL)
		ui->bpf = xstrdup(opts->filter);
	for (id = 0; id < UI_PANE_COUNT; id++) {
		p = &ui->panes[id];
		p->ui = ui;
		p->ops = ui_pane_table[id];
		p->enabled = 1;
		if (p->ops != NULL && p->ops->init != NULL)
			p->ops->init(p);
	}
	ui->w = 80;
	ui->h = 24;
	return ui;
}

void
ui_free(struct ui *ui)
{
	unsigned id;
	struct ui_pane *p;

	if (ui == NULL)
		return;
	for (id = 0; id < UI_PANE_COUNT; id++) {
		p = &ui->panes[id];
		if (p->ops != NULL && p->ops->done != NULL)
			p->ops->done(p);
		ui_pane_done(p);
	}
	ui_db_close(ui->hdb);
	free(ui->hdb_path);
	free(ui->hist);
	free(ui->snap_path);
	free(ui->src);
	free(ui->bpf);
	free(ui->svcsum);
	free(ui->svc_cache);
	free(ui);
}

void
ui_set_hooks(struct ui *ui, const struct ui_hooks *h)
{
	ui->hooks = *h;
}

void
ui_set_alerts(struct ui *ui, struct alerts *a)
{
	ui->alerts = a;
}

void
ui_set_sources(struct ui *ui, const struct ui_source *src, unsigned n)
{
	if (n != ui->nsrc) {
		free(ui->src);
		ui->src = n ? xcalloc(n, sizeof *ui->src) : NULL;
		ui->nsrc = n;
		ui->layout_valid = 0;
	}
	if (n > 0)
		memcpy(ui->src, src, n * sizeof *src);
}

void
ui_set_size(struct ui *ui, unsigned w, unsigned h)
{
	if (w == ui->w && h == ui->h)
		return;
	ui->w = w;
	ui->h = h;
	ui->layout_valid = 0;
	ui->force = 1;
	ui_invalidate(ui);
}

int
ui_paused(struct ui *ui)
{
	return ui->paused;
}

double
ui_speed(struct ui *ui)
{
	return ui->speed;
}
