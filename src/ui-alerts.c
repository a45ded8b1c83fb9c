/*
 * ui-alerts.c: the alerts pane: the newest alerts first, severity-coloured,
 * with their state.
 *
 * Main thread only.  Rows come from the alert core (alert.c) the mode
 * handed to the UI (ui_set_alerts), or in wiretop view from the daemon's
 * alerts as its history database holds them (the snapshot model,
 * ui-hist.c); the pane keeps the ids of the rows it drew, so `a`
 * acknowledges and Enter opens exactly the alert under the selection even
 * when newer alerts arrived since.  Enter shows the alert's details on
 * the status line and drills into its subject host (when the subject is
 * an address).  Without alerts to read (alerts = no, or a database
 * without the alerts table) the pane says so rather than looking like a
 * quiet network.
 */
#include "config.h"
#include "ui-pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "fmt.h"
#include "proc.h"
#include "xmalloc.h"

#define UI_ALERTS_ROWS	512	/* rows the pane lists at most */

struct ui_alerts {
	uint64_t id[UI_ALERTS_ROWS];	/* alert id of each row */
	size_t n;
	unsigned open;			/* unresolved alerts listed */
};

static void
alerts_init(struct ui_pane *p)
{
	p->data = xcalloc(1, sizeof(struct ui_alerts));
}

static void
alerts_done(struct ui_pane *p)
{
	free(p->data);
	p->data = NULL;
}

/* 1 if the alert's text holds the pane filter. */
static int
alerts_match(const struct alert *a, const char *f)
{
	return f[0] == '\0' || strstr(a->subject, f) != NULL ||
	    strstr(a->peer, f) != NULL || strstr(a->message, f) != NULL ||
	    strstr(a->subject_name, f) != NULL ||
	    strstr(alert_kind_name(a->kind), f) != NULL;
}

/* The daemon's alerts (wiretop view), or NULL. */
static const struct ui_model *
alerts_model(const struct ui *ui)
{
	if (ui->alerts != NULL || !ui->opts.view || ui->snap == NULL ||
	    !ui->snap->alerts_known)
		return NULL;
	return ui->snap;
}

/* The alerts listed, newest first: how many, the i-th, how many raised
 * in all; alerts_none() when there is nothing to read. */
static int
alerts_none(const struct ui *ui)
{
	return ui->alerts == NULL && alerts_model(ui) == NULL;
}

static size_t
alerts_n(const struct ui *ui)
{
	const struct ui_model *m = alerts_model(ui);

	return m != NULL ? m->nalerts : ui->alerts != NULL ?
	    alerts_count(ui->alerts) : 0;
}

static const struct alert *
alerts_at(const struct ui *ui, size_t i)
{
	const struct ui_model *m = alerts_model(ui);

	return m != NULL ? &m->alerts[i] : alerts_get(ui->alerts, i);
}

static uint64_t
alerts_total(const struct ui *ui)
{
	const struct ui_model *m = alerts_model(ui);

	return m != NULL ? m->alerts_raised : alerts_raised(ui->alerts);
}

static const struct alert *
alerts_by_id(struct ui *ui, uint64_t id)
{
	size_t i, n;

	if (alerts_none(ui))
		return NULL;
	n = alerts_n(ui);
	for (i = 0; i < n; i++) {
		const struct alert *a = alerts_at(ui, i);

		if (a->id == id)
			return a;
		if (a->id < id)
			break;
	}
	return NULL;
}

static void
alerts_collect(struct ui_pane *p, size_t want)
{
	struct ui_alerts *s = p->data;
	size_t i, n;

	(void)want;
	s->n = 0;
	s->open = 0;
	if (!alerts_none(p->ui)) {
		n = alerts_n(p->ui);
		for (i = 0; i < n && s->n < UI_ALERTS_ROWS; i++) {
			const struct alert *a = alerts_at(p->ui, i);

			if (!alerts_match(a, p->filter))
				continue;
			s->id[s->n++] = a->id;
			s->open += a->state != ALERT_RESOLVED;
		}
	}
	p->nrows = s->n;
}

static enum ui_color
alerts_color(const struct alert *a)
{
	if (a->state == ALERT_RESOLVED)
		return UI_COLOR_DIM;
	switch (a->sev) {
	case ALERT_SEV_CRITICAL:
		return UI_COLOR_CRIT;
	case ALERT_SEV_WARNING:
		return UI_COLOR_WARN;
	case ALERT_SEV_NOTICE:
		return UI_COLOR_NORMAL;
	case ALERT_SEV_INFO:
		break;
	}
	return UI_COLOR_DIM;
}

static void
alerts_draw(struct ui_pane *p)
{
	struct ui_alerts *s = p->data;
	struct ui_line *l;
	char info[96], tm[16];
	unsigned i, x;
	size_t row;

	if (alerts_none(p->ui)) {
		ui_pane_title(p, &p->lines[0], p->ui->opts.view ?
		    "none stored" : "detectors: off");
		for (i = 1; i < p->h; i++)
			ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
		if (p->h > 1)
			ui_line_puts(&p->lines[1], UI_COLOR_DIM, p->ui->opts.view ?
			    " No alerts here: the database holds no alerts "
			    "table (a daemon older than this viewer)." :
			    " No alerts: the detectors are off (alerts = no).");
		return;
	}
	if (alerts_model(p->ui) != NULL)
		snprintf(info, sizeof info, "the daemon's: %llu open, %llu "
		    "stored | a: acknowledge, Enter: details",
		    (unsigned long long)p->ui->snap->alerts_open,
		    (unsigned long long)alerts_total(p->ui));
	else
		snprintf(info, sizeof info, "%u open, %llu raised | a: "
		    "acknowledge, Enter: details", s->open,
		    (unsigned long long)alerts_total(p->ui));
	ui_pane_title(p, &p->lines[0], info);
	for (i = 1; i < p->h; i++) {
		const struct alert *a;

		l = &p->lines[i];
		ui_line_clear(l, UI_COLOR_NORMAL);
		row = p->top + i - 1;
		if (row == 0 && p->nrows == 0) {
			ui_line_puts(l, UI_COLOR_DIM, p->filter[0] ?
			    " no alert matches the filter" :
			    " No alerts so far.");
			continue;
		}
		if (row >= s->n || (a = alerts_by_id(p->ui, s->id[row])) ==
		    NULL)
			continue;
		ui_line_clear(l, ui_pane_row_color(p, row, alerts_color(a)));
		x = 0;
		ui_line_field(l, x, 9, ui_pane_row_color(p, row, UI_COLOR_DIM),
		    fmt_time_clock(a->ts_ns, tm, sizeof tm), UI_ALIGN_LEFT);
		x += 9;
		ui_line_field(l, x, 9, ui_pane_row_color(p, row,
		    alerts_color(a)), alert_sev_name(a->sev), UI_ALIGN_LEFT);
		x += 9;
		ui_line_field(l, x, 6, ui_pane_row_color(p, row, UI_COLOR_DIM),
		    a->state == ALERT_ACTIVE ? "new" : a->state == ALERT_ACKED ?
		    "ack" : "done", UI_ALIGN_LEFT);
		x += 6;
		if (a->count > 1) {
			char c[16];

			snprintf(c, sizeof c, "x%u", a->count);
			ui_line_field(l, x, 7, ui_pane_row_color(p, row,
			    UI_COLOR_DIM), c, UI_ALIGN_LEFT);
		}
		x += 7;
		if (x < p->w)
			ui_line_field(l, x, p->w - x, ui_pane_row_color(p, row,
			    alerts_color(a)), a->message, UI_ALIGN_LEFT);
	}
}

static unsigned
alerts_pref_h(struct ui_pane *p)
{
	struct ui_alerts *s = p->data;
	size_t n = s != NULL ? s->n : 0;

	return 2 + (unsigned)(n < 2 ? 1 : n > 6 ? 6 : n);
}

/* The alert under the selection, or NULL. */
static const struct alert *
alerts_selected(struct ui_pane *p)
{
	struct ui_alerts *s = p->data;

	if (p->sel >= s->n)
		return NULL;
	return alerts_by_id(p->ui, s->id[p->sel]);
}

int
ui_alerts_ack(struct ui_pane *p)
{
	const struct alert *a = alerts_selected(p);
	char msg[160];

	if (a == NULL)
		return UI_REACT_NONE;
	if (alerts_model(p->ui) != NULL) {
		/* the daemon's: it acknowledges, as the user the kernel
		 * names for this process; the row shows it once stored */
		if (a->state != ALERT_ACTIVE)
			ui_message(p->ui, "alert %llu is %s",
			    (unsigned long long)a->id,
			    alert_state_name(a->state));
		else if (p->ui->hooks.ack == NULL)
			ui_message(p->ui, "alerts are acknowledged in the "
			    "daemon");
		else {
			p->ui->hooks.ack(p->ui->hooks.arg, a, msg, sizeof msg);
			ui_message(p->ui, "alert %llu: %s",
			    (unsigned long long)a->id, msg);
		}
		return UI_REACT_REDRAW;
	}
	if (a->state != ALERT_ACTIVE) {
		ui_message(p->ui, "alert %llu is %s", (unsigned long long)a->id,
		    alert_state_name(a->state));
		return UI_REACT_REDRAW;
	}
	if (alerts_ack(p->ui->alerts, a->id, proc_user()) != 0)
		return UI_REACT_NONE;
	ui_message(p->ui, "alert %llu acknowledged by %s",
	    (unsigned long long)a->id, proc_user());
	return UI_REACT_REDRAW | UI_REACT_RESORT;
}

static int
alerts_enter(struct ui_pane *p)
{
	const struct alert *a = alerts_selected(p);
	char tm[40];

	if (a == NULL)
		return UI_REACT_NONE;
	ui_message(p->ui, "alert %llu %s %s %s x%u since %s%s%s%s%s: %s",
	    (unsigned long long)a->id, alert_kind_name(a->kind),
	    alert_sev_name(a->sev), alert_state_name(a->state), a->count,
	    fmt_time_iso(a->ts_ns, tm, sizeof tm),
	    a->peer[0] ? " peer " : "", a->peer,
	    a->community_id[0] ? " " : "", a->community_id, a->message);
	if (a->ip_ver == 0)
		return UI_REACT_REDRAW;
	return ui_open_host(p->ui, a->ip_ver, a->addr);
}

const struct ui_pane_ops ui_alerts_ops = {
	.name = "alerts",
	.title = "Alerts",
	.min_h = 2,
	.weight = 0,
	.head_rows = 1,
	.selectable = 1,
	.init = alerts_init,
	.done = alerts_done,
	.pref_h = alerts_pref_h,
	.collect = alerts_collect,
	.draw = alerts_draw,
	.enter = alerts_enter,
};
