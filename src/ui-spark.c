/*
 * ui-spark.c: sparklines, share bars and the bandwidth pane (rx and tx
 * history per capture source, auto-scaled, the scale shown).
 *
 * Main thread only.  Sparklines use the eight block elements U+2581..2588
 * in UTF-8 mode and ASCII characters otherwise (ui-line.c chooses); a
 * zero value is always a blank cell, any non-zero value at least level 1,
 * so a trickle is never invisible.
 */
#include "config.h"
#include "ui-pane.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

#define SPARK_MAX	1024

double
ui_spark(struct ui_line *l, enum ui_color c, const double *v, unsigned n,
    double max, unsigned w)
{
	double b[SPARK_MAX];
	unsigned i, j, lo, hi, nb, lvl;
	double sum;

	if (w > SPARK_MAX)
		w = SPARK_MAX;
	if (n > w) {
		nb = w;
		for (j = 0; j < w; j++) {
			lo = (unsigned)((uint64_t)j * n / w);
			hi = (unsigned)((uint64_t)(j + 1) * n / w);
			sum = 0;
			for (i = lo; i < hi; i++)
				sum += v[i];
			b[j] = hi > lo ? sum / (hi - lo) : 0;
		}
	} else {
		nb = n;
		for (j = 0; j < n; j++)
			b[j] = v[j];
	}
	if (!(max > 0)) {
		max = 0;
		for (j = 0; j < nb; j++)
			if (b[j] > max)
				max = b[j];
	}
	ui_line_glyphs(l, c, UI_GLYPH_SPARK0, w - nb);
	for (j = 0; j < nb; j++) {
		if (!(b[j] > 0) || !(max > 0))
			lvl = 0;
		else {
			lvl = (unsigned)ceil(b[j] / max * UI_SPARK_LEVELS);
			if (lvl < 1)
				lvl = 1;
			if (lvl > UI_SPARK_LEVELS)
				lvl = UI_SPARK_LEVELS;
		}
		ui_line_glyph(l, c, (enum ui_glyph)(UI_GLYPH_SPARK0 + lvl));
	}
	return max;
}

void
ui_bar(struct ui_line *l, enum ui_color c, double frac, unsigned w)
{
	unsigned n;

	if (!(frac > 0))
		frac = 0;
	if (frac > 1)
		frac = 1;
	n = (unsigned)lround(frac * w);
	if (n == 0 && frac > 0 && w > 0)
		n = 1;
	ui_line_glyphs(l, c, UI_GLYPH_BAR, n);
	ui_line_glyphs(l, UI_COLOR_DIM, UI_GLYPH_SPARK0, w - n);
}

/* ---- the bandwidth pane --------------------------------------------- */

static unsigned
bw_pref_h(struct ui_pane *p)
{
	const struct ui_model *m = ui_pane_model(p);
	unsigned n = m != NULL ? m->nsrcs : engine_source_count(p->ui->engine);

	if (n == 0)
		n = 1;
	if (n > 8)
		n = 8;
	return 1 + 2 * n;
}

static void
bw_collect(struct ui_pane *p, size_t want)
{
	const struct ui_model *m = ui_pane_model(p);

	(void)want;
	p->nrows = 2 * (size_t)(m != NULL ? m->nsrcs :
	    engine_source_count(p->ui->engine));
}

/* A row of a model: the snapshot's last seconds, or a history range in
 * buckets of m->step_s seconds (the rate shown is the range's mean). */
static void
bw_mrow(struct ui_pane *p, struct ui_line *l, const struct ui_model *m,
    const struct ui_msrc *s, int tx)
{
	struct ui *ui = p->ui;
	const double *series = tx ? s->tx_series : s->rx_series;
	double peak;
	char cur[32], pk[32];
	unsigned w, n, namew = 10;
	enum ui_color c = tx ? UI_COLOR_TX : UI_COLOR_RX;

	ui_line_clear(l, UI_COLOR_NORMAL);
	if (l->width < 40)
		namew = 6;
	ui_line_field(l, 0, namew, UI_COLOR_NORMAL, tx ? "" :
	    ui_source_label(s->name), UI_ALIGN_LEFT);
	fmt_rate(tx ? s->tx : s->rx, ui->opts.bits, 1, cur, sizeof cur);
	ui_line_field(l, namew + 1, 2, c, tx ? "tx" : "rx", UI_ALIGN_LEFT);
	ui_line_field(l, namew + 4, 8, c, cur, UI_ALIGN_RIGHT);
	if (l->width < namew + 13 + 15 + 4)
		return;
	w = l->width - (namew + 13) - 15;
	n = s->nseries;
	if (m->kind == UI_MODEL_SNAPSHOT && n > w)
		n = w;	/* the newest seconds, as live */
	ui_line_goto(l, namew + 13);
	peak = ui_spark(l, c, series + (s->nseries - n), n, 0, w);
	fmt_rate(peak, ui->opts.bits, 1, pk, sizeof pk);
	ui_line_printf(l, UI_COLOR_DIM, " peak %s", pk);
}

static void
bw_mdraw(struct ui_pane *p, const struct ui_model *m)
{
	char info[64];
	unsigned i, w;
	size_t row;

	if (m->kind == UI_MODEL_RANGE)
		snprintf(info, sizeof info, "mean rate; %u s samples",
		    m->step_s);
	else {
		w = p->w > 38 ? p->w - 38 : 1;
		if (w > UI_MODEL_SERIES)
			w = UI_MODEL_SERIES;
		snprintf(info, sizeof info, "last %us", w);
	}
	ui_pane_title(p, &p->lines[0], info);
	for (i = 1; i < p->h; i++) {
		ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
		row = p->top + i - 1;
		if (row >= 2 * (size_t)m->nsrcs) {
			if (m->nsrcs == 0 && i == 1)
				ui_line_puts(&p->lines[i], UI_COLOR_DIM,
				    m->kind == UI_MODEL_RANGE ?
				    " no samples in this range" :
				    " no capture sources");
			continue;
		}
		bw_mrow(p, &p->lines[i], m, &m->srcs[row / 2], (int)(row % 2));
	}
}

static void
bw_row(struct ui_pane *p, struct ui_line *l, const struct engine_source *s,
    int tx)
{
	struct ui *ui = p->ui;
	const struct rate_hist *h = tx ? &s->tx : &s->rx;
	uint64_t raw[RATE_HIST_SLOTS];
	double v[RATE_HIST_SLOTS], peak;
	char cur[32], pk[32];
	unsigned w, n, i, namew = 10;
	enum ui_color c = tx ? UI_COLOR_TX : UI_COLOR_RX;

	ui_line_clear(l, UI_COLOR_NORMAL);
	if (l->width < 40)
		namew = 6;
	ui_line_field(l, 0, namew, UI_COLOR_NORMAL, tx ? "" :
	    ui_source_label(s->name), UI_ALIGN_LEFT);
	fmt_rate(rate_hist_avg(h, ui->now_sec, 2), ui->opts.bits, 1, cur,
	    sizeof cur);
	ui_line_field(l, namew + 1, 2, c, tx ? "tx" : "rx", UI_ALIGN_LEFT);
	ui_line_field(l, namew + 4, 8, c, cur, UI_ALIGN_RIGHT);
	/* name, rx, rate, spark, " peak 123.4Mb" */
	if (l->width < namew + 13 + 15 + 4)
		return;
	w = l->width - (namew + 13) - 15;
	n = w < RATE_HIST_SLOTS ? w : RATE_HIST_SLOTS;
	rate_hist_series(h, ui->now_sec, raw, n);
	for (i = 0; i < n; i++)
		v[i] = (double)raw[i];
	ui_line_goto(l, namew + 13);
	peak = ui_spark(l, c, v, n, 0, w);
	fmt_rate(peak, ui->opts.bits, 1, pk, sizeof pk);
	ui_line_printf(l, UI_COLOR_DIM, " peak %s", pk);
}

static void
bw_draw(struct ui_pane *p)
{
	struct engine *e = p->ui->engine;
	char info[64];
	unsigned i, n = engine_source_count(e), w;
	size_t row;

	if (ui_pane_model(p) != NULL) {
		bw_mdraw(p, ui_pane_model(p));
		return;
	}
	w = p->w > 38 ? p->w - 38 : 1;
	if (w > RATE_HIST_SLOTS)
		w = RATE_HIST_SLOTS;
	snprintf(info, sizeof info, "last %us", w);
	ui_pane_title(p, &p->lines[0], info);
	for (i = 1; i < p->h; i++) {
		ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
		row = p->top + i - 1;
		if (row >= 2 * (size_t)n) {
			if (n == 0 && i == 1)
				ui_line_puts(&p->lines[i], UI_COLOR_DIM,
				    " no capture sources");
			continue;
		}
		bw_row(p, &p->lines[i], engine_source(e, (unsigned)(row / 2)),
		    (int)(row % 2));
	}
}

const struct ui_pane_ops ui_bandwidth_ops = {
	.name = "bandwidth",
	.title = "Bandwidth",
	.min_h = 3,
	.weight = 0,
	.head_rows = 1,
	.selectable = 0,
	.pref_h = bw_pref_h,
	.collect = bw_collect,
	.draw = bw_draw,
};
