/*
 * ui-talkers.c: the top talkers pane: hosts by 2 s / 10 s / 40 s rate,
 * total, address; with learned name, country/ASN and a sparkline of the
 * last minute.
 *
 * Main thread only.  collect() walks the engine's host table once and
 * keeps pointers to the rows it will show (ui_topk); they are valid only
 * until the engine next runs, so draw() follows collect() in the same
 * frame and keeps the addresses of the rows it drew (for Enter), never the
 * pointers.  Under a rate sort every live host's two rings are read: that
 * is most of a frame's cost with a big table, so they are prefetched some
 * hosts ahead (ui_rate_prefetch()), and the rate columns of the visible
 * rows only are computed in draw().
 *
 * Fed by a model instead (wiretop view's snapshot, or a history range of
 * the t key: ui_pane_model()), the pane sorts and draws the model's rows,
 * at most UI_MODEL_ROWS; a range has no rates, so it shows byte totals
 * (exact, for "who used the link") and flows instead.
 */
#include "config.h"
#include "ui-pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "geoip.h"
#include "xmalloc.h"

struct talkers {
	struct ui_sortent *ents;	/* owned */
	size_t cap;
	struct talker_id {
		uint8_t ver;
		uint8_t addr[16];
	} *vis;				/* rows drawn, owned */
	size_t nvis;
	size_t vis_top;
	size_t midx[UI_MODEL_ROWS];	/* model rows, in order */
};

enum { TS_2S, TS_10S, TS_40S, TS_TOTAL, TS_IN, TS_OUT, TS_HOST };
static const char *const talkers_sorts[] = { "2s", "10s", "40s", "total",
	"in", "out", "host", NULL };
static const int talkers_sort_asc[] = { 0, 0, 0, 0, 0, 0, 1 };

enum {
	TC_HOST, TC_NAME, TC_GEO, TC_IN2, TC_IN10, TC_IN40, TC_OUT2, TC_OUT10,
	TC_OUT40, TC_TOTAL, TC_SPARK, TC_COUNT
};
static const struct ui_col talkers_cols[TC_COUNT] = {
	[TC_HOST] = { "host", 15, 0, UI_ALIGN_LEFT, 0, TS_HOST },
	[TC_NAME] = { "name", 12, 3, UI_ALIGN_LEFT, 1, -1 },
	[TC_GEO] = { "geo", 3, 7, UI_ALIGN_LEFT, 0, -1 },
	[TC_IN2] = { "in 2s", 7, 4, UI_ALIGN_RIGHT, 0, TS_2S },
	[TC_IN10] = { "in 10s", 7, 2, UI_ALIGN_RIGHT, 0, TS_10S },
	[TC_IN40] = { "in 40s", 7, 5, UI_ALIGN_RIGHT, 0, TS_40S },
	[TC_OUT2] = { "out 2s", 7, 4, UI_ALIGN_RIGHT, 0, -1 },
	[TC_OUT10] = { "out 10s", 7, 2, UI_ALIGN_RIGHT, 0, -1 },
	[TC_OUT40] = { "out 40s", 7, 5, UI_ALIGN_RIGHT, 0, -1 },
	[TC_TOTAL] = { "total", 9, 1, UI_ALIGN_RIGHT, 0, TS_TOTAL },
	[TC_SPARK] = { "last 60s", 12, 6, UI_ALIGN_LEFT, 0, -1 },
};

static void
talkers_init(struct ui_pane *p)
{
	p->data = xcalloc(1, sizeof(struct talkers));
	p->sort = TS_10S;
}

static void
talkers_done(struct ui_pane *p)
{
	struct talkers *t = p->data;

	if (t != NULL) {
		free(t->ents);
		free(t->vis);
		free(t);
	}
	p->data = NULL;
}

static int
host_tie(const void *a, const void *b)
{
	const struct host *x = a, *y = b;

	if (x->ip_ver != y->ip_ver)
		return x->ip_ver < y->ip_ver ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static int
host_tie_rev(const void *a, const void *b)
{
	return host_tie(b, a);
}

static int
host_match(struct ui *ui, const struct host *h, const char *filter)
{
	char a[FMT_ADDR_MAX], n[PKT_NAME_MAX];
	const char *name;

	if (ui_match(fmt_addr(h->ip_ver, h->addr, a, sizeof a), filter))
		return 1;
	name = engine_name_lookup(ui->engine, h->ip_ver, h->addr);
	if (name != NULL) {
		ui_sanitize(name, n, sizeof n);
		if (ui_match(n, filter))
			return 1;
	}
	return 0;
}

/* Tie prefix of host_tie(): the version, then the address's first bytes
 * (a v4 address entirely). */
static uint64_t
host_tk(const struct host *h)
{
	const uint8_t *a = h->addr;

	return (uint64_t)h->ip_ver << 56 | (uint64_t)a[0] << 48 |
	    (uint64_t)a[1] << 40 | (uint64_t)a[2] << 32 |
	    (uint64_t)a[3] << 24 | (uint64_t)a[4] << 16 |
	    (uint64_t)a[5] << 8 | a[6];
}

/* Sort keys of a host, but for a rate sort k1 as for an idle host. */
static void
host_keys(const struct host *h, unsigned sort, struct ui_sortent *s)
{
	switch (sort) {
	case TS_2S:
	case TS_10S:
	case TS_40S:
		s->k1 = 0;	/* ui_rate() of an idle host, in and out */
		s->k2 = (double)(h->bytes_in + h->bytes_out);
		break;
	case TS_TOTAL:
		s->k1 = (double)(h->bytes_in + h->bytes_out);
		s->k2 = 0;
		break;
	case TS_IN:
		s->k1 = (double)h->bytes_in;
		s->k2 = (double)h->bytes_out;
		break;
	case TS_OUT:
		s->k1 = (double)h->bytes_out;
		s->k2 = (double)h->bytes_in;
		break;
	default:
		s->k1 = h->ip_ver;
		s->k2 = 0;
		break;
	}
}

/* What talkers_collect() keeps while it walks the hosts. */
struct talkers_walk {
	struct ui *ui;
	unsigned sort;
	unsigned secs;		/* window of a rate sort */
	int rev;		/* ties by descending address */
	struct ui_topk top;
};

/* Offer a host to the selection; rated: read its rings for the key (a
 * live host under a rate sort). */
static void
talker_add(struct talkers_walk *w, const struct host *h, int rated)
{
	struct ui_sortent s;

	host_keys(h, w->sort, &s);
	if (rated)	/* live: what ui_rate() gives, in + out */
		s.k1 = rate_avg(host_rate_in(h), w->ui->now_sec, w->secs) +
		    rate_avg(host_rate_out(h), w->ui->now_sec, w->secs);
	s.tk = w->rev ? ~host_tk(h) : host_tk(h);
	s.p = h;
	ui_topk_add(&w->top, &s);
}

/* ---- from a model ----------------------------------------------------- */

/* qsort() has no argument: the pane being sorted (main thread only). */
static const struct ui_model *mt_model;
static unsigned mt_sort;
static int mt_asc;

static double
mhost_key(const struct ui_mhost *h, unsigned sort)
{
	switch (sort) {
	case TS_2S:
		return h->in[0] + h->out[0];
	case TS_10S:
		return h->in[1] + h->out[1];
	case TS_40S:
		return h->in[2] + h->out[2];
	case TS_IN:
		return (double)h->bytes_in;
	case TS_OUT:
		return (double)h->bytes_out;
	default:
		return (double)(h->bytes_in + h->bytes_out);
	}
}

static int
mhost_cmp(const void *a, const void *b)
{
	const struct ui_mhost *x = &mt_model->hosts[*(const size_t *)a];
	const struct ui_mhost *y = &mt_model->hosts[*(const size_t *)b];
	double kx, ky;
	int c;

	if (mt_sort != TS_HOST) {
		kx = mhost_key(x, mt_sort);
		ky = mhost_key(y, mt_sort);
		if (kx != ky)
			return (kx < ky) == mt_asc ? -1 : 1;
		kx = (double)(x->bytes_in + x->bytes_out);
		ky = (double)(y->bytes_in + y->bytes_out);
		if (kx != ky)
			return kx > ky ? -1 : 1;
	}
	c = x->ver != y->ver ? (x->ver < y->ver ? -1 : 1) :
	    memcmp(x->addr, y->addr, 16);
	if (c == 0)
		c = strcmp(x->text, y->text);
	return mt_sort == TS_HOST && !mt_asc ? -c : c;
}

static int
mhost_match(const struct ui_mhost *h, const char *filter)
{
	char n[sizeof h->name];

	if (ui_match(h->text, filter))
		return 1;
	ui_sanitize(h->name, n, sizeof n);
	return ui_match(n, filter);
}

static void
talkers_mcollect(struct ui_pane *p, const struct ui_model *m)
{
	struct talkers *t = p->data;
	size_t i, n = 0;

	for (i = 0; i < m->nhosts; i++)
		if (p->filter[0] == '\0' || mhost_match(&m->hosts[i],
		    p->filter))
			t->midx[n++] = i;
	mt_model = m;
	mt_sort = p->sort;
	mt_asc = ui_pane_sort_asc(p);
	qsort(t->midx, n, sizeof t->midx[0], mhost_cmp);
	p->nrows = n;
}

enum {
	TR_HOST, TR_NAME, TR_IN, TR_OUT, TR_TOTAL, TR_BYTES, TR_FLOWS, TR_COUNT
};
static const struct ui_col talkers_rcols[TR_COUNT] = {
	[TR_HOST] = { "host", 15, 0, UI_ALIGN_LEFT, 0, TS_HOST },
	[TR_NAME] = { "name", 12, 3, UI_ALIGN_LEFT, 1, -1 },
	[TR_IN] = { "in", 10, 2, UI_ALIGN_RIGHT, 0, TS_IN },
	[TR_OUT] = { "out", 10, 2, UI_ALIGN_RIGHT, 0, TS_OUT },
	[TR_TOTAL] = { "total", 10, 1, UI_ALIGN_RIGHT, 0, TS_TOTAL },
	[TR_BYTES] = { "bytes", 14, 0, UI_ALIGN_RIGHT, 0, -1 },
	[TR_FLOWS] = { "flows", 7, 4, UI_ALIGN_RIGHT, 0, -1 },
};

/* A model row: a snapshot's with the live columns, a range's totals. */
static void
talkers_mrow(struct ui_pane *p, struct ui_line *l, const struct ui_cols *c,
    const struct ui_model *m, const struct ui_mhost *h, enum ui_color rc)
{
	struct ui *ui = p->ui;
	char buf[64];
	int bits = ui->opts.bits;
	unsigned k;

	ui_line_clear(l, rc);
	if (m->kind == UI_MODEL_RANGE) {
		const struct ui_col *cols = talkers_rcols;

		ui_cols_put(l, cols, c, TR_HOST, rc, h->text);
		ui_cols_put(l, cols, c, TR_NAME, rc, h->name);
		ui_cols_put(l, cols, c, TR_IN, rc == UI_COLOR_NORMAL ?
		    UI_COLOR_RX : rc, fmt_size(h->bytes_in, buf, sizeof buf));
		ui_cols_put(l, cols, c, TR_OUT, rc == UI_COLOR_NORMAL ?
		    UI_COLOR_TX : rc, fmt_size(h->bytes_out, buf, sizeof buf));
		ui_cols_put(l, cols, c, TR_TOTAL, rc, fmt_size(h->bytes_in +
		    h->bytes_out, buf, sizeof buf));
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)
		    (h->bytes_in + h->bytes_out));
		ui_cols_put(l, cols, c, TR_BYTES, rc, buf);
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)h->flows);
		ui_cols_put(l, cols, c, TR_FLOWS, rc, buf);
		return;
	}
	ui_cols_put(l, talkers_cols, c, TC_HOST, rc, h->text);
	ui_cols_put(l, talkers_cols, c, TC_NAME, rc, h->name);
	ui_cols_put(l, talkers_cols, c, TC_GEO, rc == UI_COLOR_NORMAL &&
	    h->cc[0] == '\0' ? UI_COLOR_DIM : rc, h->cc[0] != '\0' ? h->cc :
	    "--");
	for (k = 0; k < 3; k++) {
		fmt_rate(h->in[k], bits, 1, buf, sizeof buf);
		ui_cols_put(l, talkers_cols, c, TC_IN2 + k,
		    rc == UI_COLOR_NORMAL ? UI_COLOR_RX : rc, buf);
		fmt_rate(h->out[k], bits, 1, buf, sizeof buf);
		ui_cols_put(l, talkers_cols, c, TC_OUT2 + k,
		    rc == UI_COLOR_NORMAL ? UI_COLOR_TX : rc, buf);
	}
	ui_cols_put(l, talkers_cols, c, TC_TOTAL, rc,
	    fmt_size(h->bytes_in + h->bytes_out, buf, sizeof buf));
}

static void
talkers_mdraw(struct ui_pane *p, const struct ui_model *m)
{
	struct talkers *t = p->data;
	struct ui *ui = p->ui;
	struct ui_col cols[UI_COLS_MAX];
	struct ui_cols c;
	unsigned n, hostw = 15, len, name;
	size_t i, row;

	if (m->kind == UI_MODEL_RANGE) {
		n = TR_COUNT;
		name = TR_NAME;
		memcpy(cols, talkers_rcols, sizeof talkers_rcols);
	} else {
		n = TC_COUNT;
		name = TC_NAME;
		memcpy(cols, talkers_cols, sizeof talkers_cols);
		/* no per-host history in the snapshot */
		cols[TC_SPARK].prio = 100;
		cols[TC_SPARK].w = 10000;
	}
	for (i = 0; i < p->body && p->top + i < p->nrows; i++) {
		len = (unsigned)strlen(m->hosts[t->midx[p->top + i]].text);
		if (len > hostw)
			hostw = len;
	}
	cols[0].w = hostw;
	if (!ui->opts.names)
		cols[name].prio = 100, cols[name].w = 10000;
	ui_cols_fit(cols, n, p->w, &c);
	/* the history keeps totals, no rates: a rate sort is by total */
	ui_pane_title(p, &p->lines[0], m->kind == UI_MODEL_RANGE &&
	    p->sort <= TS_40S ? "no rates in history: by total" : NULL);
	if (p->h < 2)
		return;
	ui_cols_head(p, &p->lines[1], cols, n, &c);
	free(t->vis);
	t->vis = xcalloc(p->body ? p->body : 1, sizeof *t->vis);
	t->nvis = 0;
	t->vis_top = p->top;
	for (i = 2; i < p->h; i++) {
		row = p->top + i - 2;
		if (row >= p->nrows) {
			ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
			if (i == 2)
				ui_line_puts(&p->lines[i], UI_COLOR_DIM,
				    p->filter[0] ? " no host matches the filter"
				    : m->kind == UI_MODEL_RANGE ?
				    " no hosts in this range" : m->empty ?
				    " waiting for the daemon" : " no hosts yet");
			continue;
		}
		t->vis[t->nvis].ver = m->hosts[t->midx[row]].ver;
		memcpy(t->vis[t->nvis].addr, m->hosts[t->midx[row]].addr, 16);
		t->nvis++;
		talkers_mrow(p, &p->lines[i], &c, m, &m->hosts[t->midx[row]],
		    ui_pane_row_color(p, row, UI_COLOR_NORMAL));
	}
}

/* ---- from the engine --------------------------------------------------- */

static void
talkers_collect(struct ui_pane *p, size_t want)
{
	struct talkers *t = p->data;
	struct ui *ui = p->ui;
	const struct engine *e = ui->engine;
	const struct host *h, *pend[UI_RATE_AHEAD];
	size_t n = 0, count = engine_host_count(e), phead = 0, ptail = 0;
	struct talkers_walk w;
	int asc = ui_pane_sort_asc(p), rates = p->sort <= TS_40S;
	const struct ui_model *m = ui_pane_model(p);

	if (m != NULL) {
		talkers_mcollect(p, m);
		return;
	}
	if (want > count)
		want = count;
	if (want > t->cap) {
		free(t->ents);
		t->cap = want + want / 4 + 16;
		t->ents = xcalloc(t->cap, sizeof *t->ents);
	}
	w.ui = ui;
	w.sort = p->sort;
	w.secs = p->sort == TS_2S ? 2 : p->sort == TS_40S ? 40 : 10;
	/* Ties go by ascending address, except when sorting by address. */
	w.rev = p->sort == TS_HOST && !asc;
	ui_topk_init(&w.top, t->ents, want, asc, w.rev ? host_tie_rev :
	    host_tie);
	for (h = engine_host_first(e); h != NULL; h = engine_host_next(e, h)) {
		if (p->filter[0] != '\0' && !host_match(ui, h, p->filter))
			continue;
		/* A tunnel endpoint whose every frame counted at the hosts
		 * inside: nothing of its own (as the hosts export). */
		if (h->pkts_in + h->pkts_out == 0)
			continue;
		n++;
		if (!rates || !ui_rate_live(h->last_ns, ui->now_sec, w.secs)) {
			talker_add(&w, h, 0);
			continue;
		}
		/* A live host's rings are read UI_RATE_AHEAD live hosts
		 * later, once this prefetch has brought them in. */
		if (ptail - phead == UI_RATE_AHEAD)
			talker_add(&w, pend[phead++ % UI_RATE_AHEAD], 1);
		pend[ptail++ % UI_RATE_AHEAD] = h;
		ui_rate_prefetch(host_rate_in(h), ui->now_sec, w.secs);
		ui_rate_prefetch(host_rate_out(h), ui->now_sec, w.secs);
	}
	while (phead != ptail)
		talker_add(&w, pend[phead++ % UI_RATE_AHEAD], 1);
	p->nrows = n;
	ui_topk_done(&w.top);
}

static void
talkers_row(struct ui_pane *p, struct ui_line *l, const struct ui_cols *c,
    const struct host *h, enum ui_color rc)
{
	struct ui *ui = p->ui;
	const struct ui_col *cols = talkers_cols;
	char buf[PKT_NAME_MAX], cc[3];
	const char *name;
	uint32_t in[60], out[60];
	double v[60];
	unsigned i;
	int bits = ui->opts.bits;

	ui_line_clear(l, rc);
	ui_cols_put(l, cols, c, TC_HOST, rc,
	    fmt_addr(h->ip_ver, h->addr, buf, sizeof buf));
	if (c->x[TC_NAME] >= 0) {
		/* resolve = reverse: hosts on screen get a PTR lookup */
		engine_name_want(ui->engine, h->ip_ver, h->addr);
		name = engine_name_lookup(ui->engine, h->ip_ver, h->addr);
		ui_cols_put(l, cols, c, TC_NAME, rc, name ? name : "");
	}
	ui_cols_put(l, cols, c, TC_GEO, rc == UI_COLOR_NORMAL &&
	    h->geo.cc[0] == '\0' ? UI_COLOR_DIM : rc,
	    geoip_cc(&h->geo, cc));
#define RATE_COL(col, r, secs, color) do {				\
	if (c->x[col] >= 0) {						\
		fmt_rate(ui_rate(r, h->last_ns, ui->now_sec, secs), bits, \
		    1, buf,						\
		    sizeof buf);					\
		ui_cols_put(l, cols, c, col, rc == UI_COLOR_NORMAL ?	\
		    color : rc, buf);					\
	}								\
} while (0)
	RATE_COL(TC_IN2, host_rate_in(h), 2, UI_COLOR_RX);
	RATE_COL(TC_IN10, host_rate_in(h), 10, UI_COLOR_RX);
	RATE_COL(TC_IN40, host_rate_in(h), 40, UI_COLOR_RX);
	RATE_COL(TC_OUT2, host_rate_out(h), 2, UI_COLOR_TX);
	RATE_COL(TC_OUT10, host_rate_out(h), 10, UI_COLOR_TX);
	RATE_COL(TC_OUT40, host_rate_out(h), 40, UI_COLOR_TX);
#undef RATE_COL
	ui_cols_put(l, cols, c, TC_TOTAL, rc,
	    fmt_size(h->bytes_in + h->bytes_out, buf, sizeof buf));
	if (c->x[TC_SPARK] >= 0) {
		rate_series(host_rate_in(h), ui->now_sec, in, 60);
		rate_series(host_rate_out(h), ui->now_sec, out, 60);
		for (i = 0; i < 60; i++)
			v[i] = (double)in[i] + out[i];
		ui_line_goto(l, (unsigned)c->x[TC_SPARK]);
		ui_spark(l, rc == UI_COLOR_NORMAL ? UI_COLOR_BAR : rc, v, 60,
		    0, c->w[TC_SPARK]);
	}
}

static void
talkers_draw(struct ui_pane *p)
{
	struct talkers *t = p->data;
	struct ui *ui = p->ui;
	struct ui_col cols[TC_COUNT];
	struct ui_cols c;
	const struct host *h;
	size_t i, row;
	unsigned hostw = 15, len;
	char a[FMT_ADDR_MAX];
	const struct ui_model *m = ui_pane_model(p);

	if (m != NULL) {
		talkers_mdraw(p, m);
		return;
	}
	memcpy(cols, talkers_cols, sizeof cols);
	for (i = 0; i < p->body && p->top + i < p->nrows; i++) {
		h = t->ents[p->top + i].p;
		len = (unsigned)strlen(fmt_addr(h->ip_ver, h->addr, a,
		    sizeof a));
		if (len > hostw)
			hostw = len;
	}
	cols[TC_HOST].w = hostw;
	if (!ui->opts.names)
		cols[TC_NAME].prio = 100, cols[TC_NAME].w = 10000;
	ui_cols_fit(cols, TC_COUNT, p->w, &c);

	ui_pane_title(p, &p->lines[0], NULL);
	if (p->h < 2)
		return;
	ui_cols_head(p, &p->lines[1], cols, TC_COUNT, &c);

	free(t->vis);
	t->vis = xcalloc(p->body ? p->body : 1, sizeof *t->vis);
	t->nvis = 0;
	t->vis_top = p->top;
	for (i = 2; i < p->h; i++) {
		row = p->top + i - 2;
		if (row >= p->nrows) {
			ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
			if (i == 2)
				ui_line_puts(&p->lines[i], UI_COLOR_DIM,
				    p->filter[0] ? " no host matches the filter"
				    : " no hosts yet");
			continue;
		}
		h = t->ents[row].p;
		t->vis[t->nvis].ver = h->ip_ver;
		memcpy(t->vis[t->nvis].addr, h->addr, 16);
		t->nvis++;
		talkers_row(p, &p->lines[i], &c, h,
		    ui_pane_row_color(p, row, UI_COLOR_NORMAL));
	}
}

static int
talkers_enter(struct ui_pane *p)
{
	struct talkers *t = p->data;
	size_t i;

	if (p->sel < t->vis_top)
		return UI_REACT_NONE;
	i = p->sel - t->vis_top;
	if (i >= t->nvis)
		return UI_REACT_NONE;
	if (ui_pane_model(p) != NULL &&
	    ui_pane_model(p)->kind == UI_MODEL_RANGE) {
		/* the history keeps totals per host, nothing to drill in */
		ui_message(p->ui, "drill-down shows the live screen or the "
		    "snapshot, not a history range (t)");
		return UI_REACT_REDRAW;
	}
	return ui_open_host(p->ui, t->vis[i].ver, t->vis[i].addr);
}

const struct ui_pane_ops ui_talkers_ops = {
	.name = "talkers",
	.title = "Top talkers",
	.min_h = 4,
	.weight = 3,
	.head_rows = 2,
	.selectable = 1,
	.sorts = talkers_sorts,
	.sort_asc = talkers_sort_asc,
	.init = talkers_init,
	.done = talkers_done,
	.collect = talkers_collect,
	.draw = talkers_draw,
	.enter = talkers_enter,
};
