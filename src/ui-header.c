/*
 * ui-header.c: the header: the packet-time clock, capture state, table
 * sizes, and one line per capture source with rx/tx rates, packets/s,
 * flows and hosts, kernel/interface/ring drops and decode problems.
 *
 * Main thread only.  Source state (live, replaying at N x, paused,
 * finished, failed, gone or down: an interface that disappeared or went
 * down, while the other sources go on) and drop counters come from the mode through
 * ui_set_sources(); rates and counts from the engine.  In wiretop view
 * everything comes from the daemon's snapshot, and the first line says
 * how far behind it is, or that the daemon stopped writing.
 */
#include "config.h"
#include "ui-pane.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "geoip.h"

#define HEADER_MAX_SOURCES 4
#define HEADER_STALE_S	5	/* a snapshot older than this: not writing */

static const char *
state_text(const struct ui_source *s, char *buf, size_t len)
{
	switch (s->state) {
	case UI_SRC_LIVE:
		snprintf(buf, len, "live");
		break;
	case UI_SRC_REPLAY:
		if (s->speed > 0)
			snprintf(buf, len, "replaying %gx", s->speed);
		else
			snprintf(buf, len, "replaying max");
		break;
	case UI_SRC_PAUSED:
		snprintf(buf, len, "paused");
		break;
	case UI_SRC_FINISHED:
		snprintf(buf, len, "finished");
		break;
	case UI_SRC_GONE:
		snprintf(buf, len, "gone");
		break;
	case UI_SRC_DOWN:
		snprintf(buf, len, "down");
		break;
	default:
		snprintf(buf, len, "failed");
		break;
	}
	return buf;
}

static unsigned
header_pref_h(struct ui_pane *p)
{
	unsigned n = p->ui->snap != NULL ? p->ui->snap->nsrcs :
	    engine_source_count(p->ui->engine);

	if (n > HEADER_MAX_SOURCES)
		return 2 + HEADER_MAX_SOURCES;
	return 1 + n;
}

static void
header_collect(struct ui_pane *p, size_t want)
{
	(void)want;
	p->nrows = 0;
}

/* The state of the whole capture, for the first line. */
static const char *
overall_state(struct ui *ui, char *buf, size_t len)
{
	unsigned i, fin = 0, paused = 0, failed = 0, gone = 0, down = 0;

	if (ui->nsrc == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	for (i = 0; i < ui->nsrc; i++) {
		if (ui->src[i].state == UI_SRC_FINISHED)
			fin++;
		else if (ui->src[i].state == UI_SRC_PAUSED)
			paused++;
		else if (ui->src[i].state == UI_SRC_FAILED)
			failed++;
		else if (ui->src[i].state == UI_SRC_GONE)
			gone++;
		else if (ui->src[i].state == UI_SRC_DOWN)
			down++;
	}
	if (fin == ui->nsrc)
		snprintf(buf, len, "finished");
	else if (failed == ui->nsrc)
		snprintf(buf, len, "failed");
	else if (gone + down + failed == ui->nsrc)
		snprintf(buf, len, gone > 0 ? "gone" : "down");
	else if (paused > 0)
		snprintf(buf, len, "paused");
	else {
		for (i = 0; i < ui->nsrc; i++)
			if (ui->src[i].state == UI_SRC_REPLAY ||
			    ui->src[i].state == UI_SRC_LIVE)
				break;
		if (i == ui->nsrc) {
			snprintf(buf, len, "-");
			return buf;
		}
		state_text(&ui->src[i], buf, len);
		if (gone > 0) {
			size_t n = strlen(buf);

			snprintf(buf + n, len - n, " (%u gone)", gone);
		}
		if (down > 0) {
			size_t n = strlen(buf);

			snprintf(buf + n, len - n, " (%u down)", down);
		}
	}
	return buf;
}

static void
source_line(struct ui_pane *p, struct ui_line *l, unsigned i)
{
	struct ui *ui = p->ui;
	const struct engine_source *es = engine_source(ui->engine, i);
	const struct ui_source *us = i < ui->nsrc ? &ui->src[i] : NULL;
	char a[32], b[32], c[32], d[32];
	uint64_t bad;
	enum ui_color hc = UI_COLOR_HEADER, hi = UI_COLOR_HEADER_HI;

	ui_line_clear(l, hc);
	ui_line_puts(l, hc, " ");
	ui_line_puts(l, hi, ui_source_label(us ? us->name : es->name));
	if (us != NULL) {
		ui_line_puts(l, hc, " ");
		ui_line_puts(l, us->state == UI_SRC_FAILED ||
		    us->state == UI_SRC_GONE || us->state == UI_SRC_DOWN ?
		    UI_COLOR_CRIT : hc,
		    state_text(us, a, sizeof a));
	}
	ui_line_puts(l, hc, "  rx ");
	ui_line_puts(l, UI_COLOR_RX, fmt_rate(rate_hist_avg(&es->rx,
	    ui->now_sec, 2), ui->opts.bits, 1, a, sizeof a));
	ui_line_puts(l, hc, " tx ");
	ui_line_puts(l, UI_COLOR_TX, fmt_rate(rate_hist_avg(&es->tx,
	    ui->now_sec, 2), ui->opts.bits, 1, a, sizeof a));
	ui_line_printf(l, hc, "  %s pps  flows %s  hosts %s",
	    fmt_count((uint64_t)(rate_hist_pps(&es->rx, ui->now_sec, 2) +
	    rate_hist_pps(&es->tx, ui->now_sec, 2) + 0.5), a, sizeof a),
	    fmt_count(es->flows_active, b, sizeof b),
	    fmt_count(es->hosts_active, c, sizeof c));
	if (us != NULL) {
		bad = us->kernel_drops + us->if_drops + us->ring_drops;
		if (bad == 0)
			ui_line_puts(l, hc, "  drops 0");
		else
			ui_line_printf(l, UI_COLOR_WARN, "  drops k%s if%s "
			    "ring%s", fmt_count(us->kernel_drops, a, sizeof a),
			    fmt_count(us->if_drops, b, sizeof b),
			    fmt_count(us->ring_drops, c, sizeof c));
	}
	bad = es->status[PKT_TRUNCATED] + es->status[PKT_INVALID] +
	    es->status[PKT_UNSUPPORTED];
	if (bad == 0)
		ui_line_puts(l, hc, "  decode ok");
	else
		ui_line_printf(l, UI_COLOR_WARN, "  trunc %s inval %s "
		    "unsup %s", fmt_count(es->status[PKT_TRUNCATED], a,
		    sizeof a), fmt_count(es->status[PKT_INVALID], b, sizeof b),
		    fmt_count(es->status[PKT_UNSUPPORTED], d, sizeof d));
	if (us != NULL && us->truncated)
		ui_line_puts(l, UI_COLOR_WARN, "  file truncated");
	if (us != NULL && (us->state == UI_SRC_FAILED ||
	    us->state == UI_SRC_GONE || us->state == UI_SRC_DOWN) &&
	    us->error[0]) {
		ui_line_puts(l, hc, "  ");
		ui_line_puts(l, UI_COLOR_CRIT, us->error);
	}
}

/* A source of the snapshot. */
static void
msource_line(struct ui_line *l, struct ui *ui, const struct ui_msrc *s)
{
	char a[32], b[32], c[32];
	enum ui_color hc = UI_COLOR_HEADER;
	int bad = strcmp(s->state, "live") != 0;

	ui_line_clear(l, hc);
	ui_line_puts(l, hc, " ");
	ui_line_puts(l, UI_COLOR_HEADER_HI, ui_source_label(s->name));
	ui_line_puts(l, hc, " ");
	ui_line_puts(l, bad ? UI_COLOR_CRIT : hc, s->state);
	ui_line_puts(l, hc, "  rx ");
	ui_line_puts(l, UI_COLOR_RX, fmt_rate(s->rx, ui->opts.bits, 1, a,
	    sizeof a));
	ui_line_puts(l, hc, " tx ");
	ui_line_puts(l, UI_COLOR_TX, fmt_rate(s->tx, ui->opts.bits, 1, a,
	    sizeof a));
	ui_line_printf(l, hc, "  %s pps  flows %s  hosts %s",
	    fmt_count((uint64_t)(s->pps + 0.5), a, sizeof a),
	    fmt_count(s->flows, b, sizeof b), fmt_count(s->hosts, c,
	    sizeof c));
	if (s->drops_kernel + s->drops_iface + s->drops_ring == 0)
		ui_line_puts(l, hc, "  drops 0");
	else
		ui_line_printf(l, UI_COLOR_WARN, "  drops k%s if%s ring%s",
		    fmt_count(s->drops_kernel, a, sizeof a),
		    fmt_count(s->drops_iface, b, sizeof b),
		    fmt_count(s->drops_ring, c, sizeof c));
	if (bad && s->detail[0] != '\0') {
		ui_line_puts(l, hc, "  ");
		ui_line_puts(l, UI_COLOR_CRIT, s->detail);
	}
}

/* The header of wiretop view: the daemon's clock and how fresh. */
static void
header_mdraw(struct ui_pane *p, const struct ui_model *m)
{
	struct ui *ui = p->ui;
	struct ui_line *l = &p->lines[0];
	char a[64], b[32], c[32], d[32];
	int64_t age = (int64_t)time(NULL) - m->wall_s;
	unsigned i;

	ui_line_clear(l, UI_COLOR_HEADER);
	ui_line_puts(l, UI_COLOR_HEADER_HI, " wiretop view ");
	if (m->empty) {
		ui_line_puts(l, UI_COLOR_WARN, " waiting for the daemon: no "
		    "snapshot in ");
		ui_line_puts(l, UI_COLOR_WARN, ui->snap_path ? ui->snap_path :
		    "the database");
		for (i = 1; i < p->h; i++)
			ui_line_clear(&p->lines[i], UI_COLOR_HEADER);
		return;
	}
	ui_line_puts(l, UI_COLOR_HEADER_HI, m->pkt_ns > 0 ?
	    fmt_time_clock((uint64_t)m->pkt_ns, a, sizeof a) : "--:--:--");
	ui_line_printf(l, UI_COLOR_HEADER, "  flows %s  hosts %s  pkts %s  ",
	    fmt_count(m->flows_total, b, sizeof b),
	    fmt_count(m->hosts_total, c, sizeof c),
	    fmt_count(m->packets, d, sizeof d));
	if (age > HEADER_STALE_S)
		ui_line_printf(l, UI_COLOR_CRIT, "daemon not writing since %s "
		    "(history paused, or the daemon stopped: see its log)",
		    fmt_time_clock((uint64_t)m->wall_s * 1000000000u, a,
		    sizeof a));
	else
		ui_line_printf(l, UI_COLOR_HEADER, "snapshot %lld s behind",
		    (long long)(age > 0 ? age : 0));
	if (m->hist_dropped > 0)
		ui_line_printf(l, UI_COLOR_CRIT, "  history: %s batches lost",
		    fmt_count(m->hist_dropped, b, sizeof b));
	if (ui->paused)
		ui_line_puts(l, UI_COLOR_WARN, "  [display paused]");
	for (i = 1; i < p->h; i++) {
		if (i - 1 < m->nsrcs && i - 1 < HEADER_MAX_SOURCES)
			msource_line(&p->lines[i], ui, &m->srcs[i - 1]);
		else {
			ui_line_clear(&p->lines[i], UI_COLOR_HEADER);
			if (i - 1 < m->nsrcs)
				ui_line_printf(&p->lines[i], UI_COLOR_HEADER,
				    " +%u more sources",
				    m->nsrcs - HEADER_MAX_SOURCES);
		}
	}
}

static void
header_draw(struct ui_pane *p)
{
	struct ui *ui = p->ui;
	const struct engine_totals *t = engine_totals(ui->engine);
	struct ui_line *l = &p->lines[0];
	unsigned i, n = engine_source_count(ui->engine);
	char a[64], b[32], c[32], d[32];
	uint64_t ev;

	if (ui->snap != NULL) {
		header_mdraw(p, ui->snap);
		return;
	}
	ui_line_clear(l, UI_COLOR_HEADER);
	ui_line_puts(l, UI_COLOR_HEADER_HI, " wiretop ");
	ui_line_puts(l, UI_COLOR_HEADER_HI,
	    ui->now_ns ? fmt_time_clock(ui->now_ns, a, sizeof a) : "--:--:--");
	ui_line_puts(l, UI_COLOR_HEADER, "  ");
	ui_line_puts(l, UI_COLOR_HEADER_HI, overall_state(ui, a, sizeof a));
	ui_line_printf(l, UI_COLOR_HEADER, "  flows %s  hosts %s  pkts %s",
	    fmt_count(engine_flow_count(ui->engine), b, sizeof b),
	    fmt_count(engine_host_count(ui->engine), c, sizeof c),
	    fmt_count(t->packets, d, sizeof d));
	ev = t->flows_evicted + t->hosts_evicted;
	if (ev > 0)
		ui_line_printf(l, UI_COLOR_WARN, "  evicted %s",
		    fmt_count(ev, b, sizeof b));
	if (ui->paused)
		ui_line_puts(l, UI_COLOR_WARN, "  [display paused]");
	if (geoip_notice(engine_geoip(ui->engine)) != NULL) {
		ui_line_puts(l, UI_COLOR_HEADER, "  ");
		ui_line_puts(l, UI_COLOR_WARN,
		    geoip_notice(engine_geoip(ui->engine)));
	} else if (!geoip_active(engine_geoip(ui->engine))) {
		ui_line_puts(l, UI_COLOR_HEADER, "  ");
		ui_line_puts(l, UI_COLOR_WARN,
		    geoip_status(engine_geoip(ui->engine)));
	}
	if (ui->bpf != NULL && ui->bpf[0] != '\0') {
		ui_line_puts(l, UI_COLOR_HEADER, "  bpf: ");
		ui_line_puts(l, UI_COLOR_HEADER, ui->bpf);
	}
	for (i = 1; i < p->h; i++) {
		if (i - 1 < n && i - 1 < HEADER_MAX_SOURCES)
			source_line(p, &p->lines[i], i - 1);
		else {
			ui_line_clear(&p->lines[i], UI_COLOR_HEADER);
			if (i - 1 < n)
				ui_line_printf(&p->lines[i], UI_COLOR_HEADER,
				    " +%u more sources", n - HEADER_MAX_SOURCES);
		}
	}
}

const struct ui_pane_ops ui_header_ops = {
	.name = "header",
	.title = "",
	.min_h = 1,
	.pref_h = header_pref_h,
	.collect = header_collect,
	.draw = header_draw,
};
