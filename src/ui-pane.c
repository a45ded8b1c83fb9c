/*
 * ui-pane.c: the pane base: placement, list scrolling, title bars, table
 * columns and the partial sort the list panes use.
 *
 * Main thread only.  Invariants after ui_pane_clamp(): sel < nrows (or 0
 * when empty) and top <= sel < top + body.  ui_sort_top() and ui_topk
 * only order the rows a pane will show, so a frame over 100k flows costs
 * a heap pass, not a full sort.
 */
#include "config.h"
#include "ui-pane.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
free_lines(struct ui_pane *p)
{
	unsigned i;

	for (i = 0; i < p->alloc_h; i++) {
		ui_line_done(&p->lines[i]);
		ui_line_done(&p->old[i]);
	}
	free(p->lines);
	free(p->old);
	p->lines = p->old = NULL;
	p->alloc_h = p->alloc_w = 0;
}

void
ui_pane_place(struct ui_pane *p, unsigned x, unsigned y, unsigned w,
    unsigned h)
{
	unsigned i;

	if (w != p->alloc_w || h != p->alloc_h) {
		free_lines(p);
		if (h > 0) {
			p->lines = xcalloc(h, sizeof *p->lines);
			p->old = xcalloc(h, sizeof *p->old);
			for (i = 0; i < h; i++) {
				ui_line_init(&p->lines[i], w);
				ui_line_init(&p->old[i], w);
			}
		}
		p->alloc_w = w;
		p->alloc_h = h;
		p->old_valid = 0;
	}
	if (x != p->x || y != p->y)
		p->old_valid = 0;
	p->x = x;
	p->y = y;
	p->w = w;
	p->h = h;
	p->shown = h > 0 && w > 0;
}

void
ui_pane_done(struct ui_pane *p)
{
	free_lines(p);
}

void
ui_pane_clamp(struct ui_pane *p)
{
	size_t body = p->body ? p->body : 1;

	if (p->nrows == 0) {
		p->sel = p->top = 0;
		return;
	}
	if (p->sel >= p->nrows)
		p->sel = p->nrows - 1;
	if (p->top > p->sel)
		p->top = p->sel;
	if (p->sel >= p->top + body)
		p->top = p->sel - body + 1;
	if (p->top + body > p->nrows)
		p->top = p->nrows > body ? p->nrows - body : 0;
}

void
ui_pane_move(struct ui_pane *p, long delta)
{
	if (delta < 0) {
		if ((size_t)-delta > p->sel)
			p->sel = 0;
		else
			p->sel -= (size_t)-delta;
	} else {
		if ((size_t)delta >= p->nrows - p->sel || p->nrows == 0)
			p->sel = p->nrows ? p->nrows - 1 : 0;
		else
			p->sel += (size_t)delta;
	}
	if (!p->ops->selectable) {
		/* Non-selectable panes scroll: sel is the top row. */
		if (p->nrows > p->body && p->sel > p->nrows - p->body)
			p->sel = p->nrows - p->body;
		if (p->nrows <= p->body)
			p->sel = 0;
		p->top = p->sel;
		return;
	}
	ui_pane_clamp(p);
}

int
ui_pane_focused(struct ui_pane *p)
{
	struct ui *ui = p->ui;

	if (ui->view == UI_VIEW_HOST)
		return p == &ui->panes[UI_PANE_HOST];
	if (ui->view == UI_VIEW_HELP)
		return p == &ui->panes[UI_PANE_HELP];
	return p == &ui->panes[ui->focus];
}

int
ui_pane_sort_asc(struct ui_pane *p)
{
	int asc = 0;

	if (p->ops->sort_asc != NULL)
		asc = p->ops->sort_asc[p->sort];
	return p->reverse ? !asc : asc;
}

void
ui_pane_title(struct ui_pane *p, struct ui_line *l, const char *info)
{
	enum ui_color c = ui_pane_focused(p) ? UI_COLOR_TITLE_FOCUS :
	    UI_COLOR_TITLE;
	const struct ui_model *m = ui_pane_model(p);
	char buf[64];
	unsigned right;

	ui_line_clear(l, c);
	ui_line_glyph(l, c, UI_GLYPH_HLINE);
	ui_line_printf(l, c, " %s ", p->ops->title);
	if (m != NULL && m->kind == UI_MODEL_RANGE)
		ui_line_printf(l, c, "%s %s (history) ", ui_line_ascii() ?
		    "-" : "\u2014", m->range);
	if (p->ops->sorts != NULL) {
		ui_line_glyph(l, c, UI_GLYPH_HLINE);
		ui_line_printf(l, c, " sort: %s ", p->ops->sorts[p->sort]);
		ui_line_glyph(l, c, ui_pane_sort_asc(p) ? UI_GLYPH_ARROW_UP :
		    UI_GLYPH_ARROW_DOWN);
		ui_line_puts(l, c, " ");
	}
	if (p->filter[0] != '\0') {
		ui_line_glyph(l, c, UI_GLYPH_HLINE);
		ui_line_puts(l, c, " filter: ");
		ui_line_puts(l, c, p->filter);
		ui_line_puts(l, c, " ");
	}
	if (info != NULL && *info != '\0') {
		ui_line_glyph(l, c, UI_GLYPH_HLINE);
		ui_line_printf(l, c, " %s ", info);
	}
	buf[0] = '\0';
	if (p->ops->selectable && p->nrows > 0)
		snprintf(buf, sizeof buf, " %zu/%zu ", p->sel + 1, p->nrows);
	else if (p->nrows > p->body && p->body > 0)
		snprintf(buf, sizeof buf, " %zu-%zu/%zu ", p->top + 1,
		    p->top + p->body < p->nrows ? p->top + p->body : p->nrows,
		    p->nrows);
	right = (unsigned)strlen(buf) + 1;
	if (l->col + right < l->width) {
		ui_line_glyphs(l, c, UI_GLYPH_HLINE,
		    l->width - right - l->col);
		ui_line_puts(l, c, buf);
		ui_line_glyph(l, c, UI_GLYPH_HLINE);
	} else if (l->col < l->width)
		ui_line_glyphs(l, c, UI_GLYPH_HLINE, l->width - l->col);
}

enum ui_color
ui_pane_row_color(struct ui_pane *p, size_t idx, enum ui_color normal)
{
	if (p->ops->selectable && idx == p->sel && ui_pane_focused(p))
		return UI_COLOR_SELECTED;
	return normal;
}

void
ui_cols_fit(const struct ui_col *cols, unsigned n, unsigned width,
    struct ui_cols *out)
{
	unsigned i, prio, used = 0, count = 0, nflex = 0, spare, x, maxprio = 0;
	int take[UI_COLS_MAX];

	if (n > UI_COLS_MAX)
		n = UI_COLS_MAX;
	for (i = 0; i < n; i++) {
		take[i] = 0;
		if (cols[i].prio > maxprio)
			maxprio = cols[i].prio;
	}
	for (prio = 0; prio <= maxprio; prio++) {
		for (i = 0; i < n; i++) {
			if (cols[i].prio != prio)
				continue;
			if (used + cols[i].w + (count ? 1 : 0) > width)
				continue;
			used += cols[i].w + (count ? 1 : 0);
			count++;
			take[i] = 1;
			if (cols[i].flex)
				nflex++;
		}
	}
	spare = width - used;
	x = 0;
	for (i = 0; i < n; i++) {
		if (!take[i]) {
			out->x[i] = -1;
			out->w[i] = 0;
			continue;
		}
		out->x[i] = (int)x;
		out->w[i] = cols[i].w;
		if (cols[i].flex && nflex > 0) {
			out->w[i] += spare / nflex;
			spare -= spare / nflex;
			nflex--;
		}
		x += out->w[i] + 1;
	}
}

void
ui_cols_head(struct ui_pane *p, struct ui_line *l, const struct ui_col *cols,
    unsigned n, const struct ui_cols *c)
{
	unsigned i;
	int asc = ui_pane_sort_asc(p);

	ui_line_clear(l, UI_COLOR_COLHEAD);
	for (i = 0; i < n; i++) {
		if (c->x[i] < 0)
			continue;
		ui_line_field(l, (unsigned)c->x[i], c->w[i], UI_COLOR_COLHEAD,
		    cols[i].head, cols[i].align);
		if (p->ops->sorts != NULL && cols[i].sort == (int)p->sort &&
		    c->w[i] > 0) {
			/* The arrow sits just before a right-aligned heading,
			 * after a left-aligned one. */
			unsigned hw = (unsigned)strlen(cols[i].head), at;

			if (hw >= c->w[i])
				continue;
			at = cols[i].align == UI_ALIGN_RIGHT ?
			    (unsigned)c->x[i] + c->w[i] - hw - 1 :
			    (unsigned)c->x[i] + hw;
			ui_line_goto(l, at);
			ui_line_glyph(l, UI_COLOR_COLHEAD, asc ?
			    UI_GLYPH_ARROW_UP : UI_GLYPH_ARROW_DOWN);
		}
	}
}

void
ui_cols_put(struct ui_line *l, const struct ui_col *cols,
    const struct ui_cols *c, unsigned i, enum ui_color color,
    const char *text)
{
	if (c->x[i] < 0)
		return;
	ui_line_field(l, (unsigned)c->x[i], c->w[i], color, text,
	    cols[i].align);
}

/* Heap whose root is the entry that sorts last. */
static void
sift_down(struct ui_sortent *a, size_t i, size_t n, int asc, ui_tie_fn tie)
{
	struct ui_sortent t;
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && ui_sort_cmp(&a[c + 1], &a[c], asc, tie) > 0)
			c++;
		if (ui_sort_cmp(&a[c], &a[i], asc, tie) <= 0)
			return;
		t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

static void
sift_up(struct ui_sortent *a, size_t i, int asc, ui_tie_fn tie)
{
	struct ui_sortent t;
	size_t up;

	while (i > 0) {
		up = (i - 1) / 2;
		if (ui_sort_cmp(&a[i], &a[up], asc, tie) <= 0)
			return;
		t = a[i];
		a[i] = a[up];
		a[up] = t;
		i = up;
	}
}

/* Heap a[0 .. n) (root last) into best-first order. */
static void
heap_order(struct ui_sortent *a, size_t n, int asc, ui_tie_fn tie)
{
	struct ui_sortent t;
	size_t i;

	for (i = n; i-- > 1;) {
		t = a[0];
		a[0] = a[i];
		a[i] = t;
		sift_down(a, 0, i, asc, tie);
	}
}

void
ui_sort_top(struct ui_sortent *a, size_t n, size_t k, int asc, ui_tie_fn tie)
{
	struct ui_sortent t;
	size_t i;

	if (k > n)
		k = n;
	if (k == 0)
		return;
	for (i = k / 2; i-- > 0;)
		sift_down(a, i, k, asc, tie);
	for (i = k; i < n; i++) {
		if (ui_sort_cmp(&a[i], &a[0], asc, tie) < 0) {
			t = a[0];
			a[0] = a[i];
			a[i] = t;
			sift_down(a, 0, k, asc, tie);
		}
	}
	heap_order(a, k, asc, tie);
}

void
ui_topk_init(struct ui_topk *t, struct ui_sortent *a, size_t k, int asc,
    ui_tie_fn tie)
{
	t->a = a;
	t->k = k;
	t->n = 0;
	t->asc = asc;
	t->tie = tie;
}

void
ui_topk_insert(struct ui_topk *t, const struct ui_sortent *e)
{
	if (t->k == 0)
		return;
	if (t->n < t->k) {
		t->a[t->n] = *e;
		sift_up(t->a, t->n++, t->asc, t->tie);
		return;
	}
	/* ui_topk_add() checked that e sorts before the root. */
	t->a[0] = *e;
	sift_down(t->a, 0, t->n, t->asc, t->tie);
}

size_t
ui_topk_done(struct ui_topk *t)
{
	heap_order(t->a, t->n, t->asc, t->tie);
	return t->n;
}

int
ui_match(const char *hay, const char *needle)
{
	size_t i, j;

	if (needle == NULL || *needle == '\0')
		return 1;
	if (hay == NULL)
		return 0;
	for (i = 0; hay[i] != '\0'; i++) {
		for (j = 0; needle[j] != '\0'; j++) {
			if (hay[i + j] == '\0')
				return 0;
			if (tolower((unsigned char)hay[i + j]) !=
			    tolower((unsigned char)needle[j]))
				break;
		}
		if (needle[j] == '\0')
			return 1;
	}
	return 0;
}

const char *
ui_source_label(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : name;
}

double
ui_rate(const struct rate *r, uint64_t last_ns, uint64_t now_sec,
    unsigned secs)
{
	if (r == NULL || last_ns / 1000000000u + secs < now_sec)
		return 0;
	return rate_avg(r, now_sec, secs);
}
