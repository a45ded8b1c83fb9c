/*
 * ui-host.c: the drill-down view for one host (Enter on a talker): its
 * totals and rates, rate history, peers, services and ports, and its
 * flows as a sortable, selectable list.
 *
 * Main thread only.  The subject is an address (ui->host_ver/host_addr),
 * not a pointer, so the view survives the host being evicted (it then
 * says so).  Peers and services are aggregated per frame from the flow
 * table by sorting, bounded by the host's flow count.
 *
 * In wiretop view the subject's row and flows come from the daemon's
 * snapshot (ui_pane_model()): its rates and totals, and those of the
 * snapshot's flows (the top UI_MODEL_ROWS) that it is an endpoint of;
 * the snapshot keeps no peers, services or rate history.
 */
#include "config.h"
#include "ui-pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "geoip.h"
#include "xmalloc.h"

#define HOST_TOP_ROWS	6	/* summary lines above the tables */
#define HOST_MAX_AGG	8	/* peers / services rows at most */

struct agg {
	uint8_t ver;
	uint8_t addr[16];	/* peer address (peers) */
	char name[32];		/* service (services) */
	uint64_t bytes;
	uint32_t flows;
};

struct hostview {
	struct ui_sortent *ents;	/* this host's flows, owned */
	size_t cap;
	struct agg *peers;		/* owned, cap entries */
	struct agg *svcs;		/* owned, cap entries */
	size_t npeers, nsvcs;
	struct agg vis[256];		/* peers of the flow rows drawn */
	size_t nvis;
	size_t vis_top;
	unsigned agg_rows;		/* rows of the peer/service table */
	unsigned flow_y;		/* first row of the flow table */
	size_t midx[UI_MODEL_ROWS];	/* snapshot flows of the host */
};

static void
host_init(struct ui_pane *p)
{
	p->data = xcalloc(1, sizeof(struct hostview));
	p->sort = 1;	/* bytes */
}

static void
host_done(struct ui_pane *p)
{
	struct hostview *v = p->data;

	if (v != NULL) {
		free(v->ents);
		free(v->peers);
		free(v->svcs);
		free(v);
	}
	p->data = NULL;
}

static int
agg_addr_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	if (x->ver != y->ver)
		return x->ver < y->ver ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static int
agg_name_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
agg_bytes_cmp(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->ver != y->ver || memcmp(x->addr, y->addr, 16) != 0)
		return agg_addr_cmp(a, b);
	return strcmp(x->name, y->name);
}

/* Sort by key, merge equal keys, then order by bytes; returns the count. */
static size_t
agg_merge(struct agg *a, size_t n, int (*key)(const void *, const void *))
{
	size_t i, o = 0;

	if (n == 0)
		return 0;
	qsort(a, n, sizeof *a, key);
	for (i = 1; i < n; i++) {
		if (key(&a[o], &a[i]) == 0) {
			a[o].bytes += a[i].bytes;
			a[o].flows += a[i].flows;
		} else
			a[++o] = a[i];
	}
	n = o + 1;
	qsort(a, n, sizeof *a, agg_bytes_cmp);
	return n;
}

struct host_walk {
	struct ui_pane *p;
	size_t n;		/* flows of the host */
};

/* Take a flow if it is one of the host's: its peer, its service and, if
 * it passes the filter, its sort entry. */
static void
host_visit(void *arg, const struct ui_sortent *e)
{
	struct host_walk *w = arg;
	struct ui_pane *p = w->p;
	struct hostview *v = p->data;
	struct ui *ui = p->ui;
	const struct flow *f = e->p;
	const struct flow_key *k = &f->key;
	struct flow_ep o, r;
	const uint8_t *peer;
	const char *svc;
	uint16_t port;
	size_t n = w->n;

	if (n >= v->cap || k->ip_ver != ui->host_ver)
		return;
	if (memcmp(k->a, ui->host_addr, 16) == 0)
		peer = k->b;
	else if (memcmp(k->b, ui->host_addr, 16) == 0)
		peer = k->a;
	else
		return;
	v->peers[n].ver = k->ip_ver;
	memcpy(v->peers[n].addr, peer, 16);
	v->peers[n].name[0] = '\0';
	v->peers[n].bytes = f->dir[0].wire_bytes + f->dir[1].wire_bytes;
	v->peers[n].flows = 1;
	v->svcs[n] = v->peers[n];
	memset(v->svcs[n].addr, 0, 16);
	flow_endpoints(f, &o, &r);
	svc = ui_flow_service(ui, f);
	port = r.port;
	if (svc != NULL)
		snprintf(v->svcs[n].name, sizeof v->svcs[n].name, "%s/%u", svc,
		    port);
	else if (proto_name(k->proto) != NULL)
		snprintf(v->svcs[n].name, sizeof v->svcs[n].name, "%s/%u",
		    proto_name(k->proto), port);
	else
		snprintf(v->svcs[n].name, sizeof v->svcs[n].name, "proto %u",
		    k->proto);
	if (p->filter[0] == '\0' || ui_flow_match(ui, f, p->filter))
		v->ents[n] = *e;
	else
		v->ents[n].p = NULL;
	w->n++;
}

/* ---- from the snapshot (wiretop view) -------------------------------- */

static void
host_mcollect(struct ui_pane *p, const struct ui_model *m)
{
	struct hostview *v = p->data;
	struct ui *ui = p->ui;
	char self[FMT_ADDR_MAX];
	size_t i, n = 0;

	fmt_addr(ui->host_ver, ui->host_addr, self, sizeof self);
	for (i = 0; i < m->nflows; i++)
		if (strcmp(m->flows[i].orig, self) == 0 ||
		    strcmp(m->flows[i].resp, self) == 0)
			v->midx[n++] = i;
	ui_mflow_sort(m, v->midx, n, p->sort);
	p->nrows = n;
	v->nvis = 0;
	v->flow_y = HOST_TOP_ROWS;
	p->body = p->h > v->flow_y + 2 ? p->h - v->flow_y - 2 : 0;
	ui_pane_clamp(p);
}

static void
host_mdraw(struct ui_pane *p, const struct ui_model *m)
{
	struct hostview *v = p->data;
	struct ui *ui = p->ui;
	const struct ui_mhost *h = NULL;
	char self[FMT_ADDR_MAX], a[32], b[32], d[32], t[32];
	struct ui_cols c;
	struct ui_line *l;
	unsigned i, k;
	size_t row;

	for (i = 0; i < p->h; i++)
		ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
	fmt_addr(ui->host_ver, ui->host_addr, self, sizeof self);
	for (row = 0; row < m->nhosts; row++)
		if (strcmp(m->hosts[row].text, self) == 0)
			h = &m->hosts[row];
	l = &p->lines[0];
	ui_line_clear(l, UI_COLOR_TITLE_FOCUS);
	ui_line_glyph(l, UI_COLOR_TITLE_FOCUS, UI_GLYPH_HLINE);
	ui_line_printf(l, UI_COLOR_TITLE_FOCUS, " Host %s (snapshot) ", self);
	ui_line_glyph(l, UI_COLOR_TITLE_FOCUS, UI_GLYPH_HLINE);
	ui_line_puts(l, UI_COLOR_TITLE_FOCUS, " Esc: back ");
	if (l->col < l->width)
		ui_line_glyphs(l, UI_COLOR_TITLE_FOCUS, UI_GLYPH_HLINE,
		    l->width - l->col);
	if (p->h < 2)
		return;
	l = &p->lines[1];
	ui_line_puts(l, UI_COLOR_NORMAL, " name ");
	ui_line_puts(l, UI_COLOR_HEADER_HI, h != NULL && h->name[0] ? h->name :
	    "(none learned)");
	if (h == NULL)
		ui_line_puts(l, UI_COLOR_WARN, "  no longer in the snapshot's "
		    "top hosts");
	else
		ui_line_printf(l, UI_COLOR_NORMAL, "  flows %llu  last seen %s",
		    (unsigned long long)h->flows, fmt_time_clock(
		    (uint64_t)h->last_s * 1000000000u, a, sizeof a));
	for (k = 0; h != NULL && k < 2 && 2 + k < p->h; k++) {
		const double *r = k ? h->out : h->in;

		l = &p->lines[2 + k];
		ui_line_printf(l, k ? UI_COLOR_TX : UI_COLOR_RX, " %-4s",
		    k ? "out" : "in");
		ui_line_printf(l, UI_COLOR_NORMAL, "2s %8s  10s %8s  40s %8s  "
		    "total %9s",
		    fmt_rate(r[0], ui->opts.bits, 1, a, sizeof a),
		    fmt_rate(r[1], ui->opts.bits, 1, b, sizeof b),
		    fmt_rate(r[2], ui->opts.bits, 1, d, sizeof d),
		    fmt_size(k ? h->bytes_out : h->bytes_in, t, sizeof t));
	}
	if (p->h > 4)
		ui_line_puts(&p->lines[4], UI_COLOR_DIM, " the daemon's "
		    "snapshot keeps its top rows only: no peers, services or "
		    "rate history here");
	if (v->flow_y >= p->h)
		return;
	l = &p->lines[v->flow_y];
	ui_line_clear(l, UI_COLOR_TITLE);
	ui_line_glyph(l, UI_COLOR_TITLE, UI_GLYPH_HLINE);
	ui_line_printf(l, UI_COLOR_TITLE, " Flows of %s in the snapshot ",
	    self);
	ui_line_glyph(l, UI_COLOR_TITLE, UI_GLYPH_HLINE);
	ui_line_printf(l, UI_COLOR_TITLE, " sort: %s ",
	    ui_flow_sorts[p->sort]);
	ui_line_glyph(l, UI_COLOR_TITLE, UI_GLYPH_ARROW_DOWN);
	if (p->nrows > 0)
		ui_line_printf(l, UI_COLOR_TITLE, "  %zu/%zu ", p->sel + 1,
		    p->nrows);
	if (l->col < l->width)
		ui_line_glyphs(l, UI_COLOR_TITLE, UI_GLYPH_HLINE,
		    l->width - l->col);
	if (v->flow_y + 1 >= p->h)
		return;
	ui_cols_fit(ui_flow_cols, UI_FLOW_COLS, p->w, &c);
	ui_cols_head(p, &p->lines[v->flow_y + 1], ui_flow_cols, UI_FLOW_COLS,
	    &c);
	for (i = v->flow_y + 2; i < p->h; i++) {
		row = p->top + (i - v->flow_y - 2);
		if (row >= p->nrows)
			break;
		ui_mflow_row(ui, &p->lines[i], &c, &m->flows[v->midx[row]],
		    ui_pane_row_color(p, row, UI_COLOR_NORMAL));
	}
}

/* ---- from the engine --------------------------------------------------- */

static void
host_collect(struct ui_pane *p, size_t want)
{
	struct hostview *v = p->data;
	struct ui *ui = p->ui;
	struct host_walk w;
	size_t n, count = engine_flow_count(ui->engine);
	unsigned rest, rows;

	(void)want;
	if (ui_pane_model(p) != NULL) {
		host_mcollect(p, ui_pane_model(p));
		return;
	}
	if (count > v->cap) {
		free(v->ents);
		free(v->peers);
		free(v->svcs);
		v->cap = count + count / 4 + 16;
		v->ents = xcalloc(v->cap, sizeof *v->ents);
		v->peers = xcalloc(v->cap, sizeof *v->peers);
		v->svcs = xcalloc(v->cap, sizeof *v->svcs);
	}
	w.p = p;
	w.n = 0;
	/* The peers and services are merged, the flows sorted, after the
	 * walk: the order the rate sort hands flows on does not matter. */
	ui_flows(ui, (int)p->sort, host_visit, &w);
	n = w.n;
	v->npeers = agg_merge(v->peers, n, agg_addr_cmp);
	v->nsvcs = agg_merge(v->svcs, n, agg_name_cmp);
	/* Compact the flow entries that passed the filter. */
	{
		size_t i, m = 0;

		for (i = 0; i < n; i++)
			if (v->ents[i].p != NULL)
				v->ents[m++] = v->ents[i];
		n = m;
	}
	p->nrows = n;

	/* Layout inside the view: summary, peers|services, flow table. */
	rows = (unsigned)(v->npeers > v->nsvcs ? v->npeers : v->nsvcs);
	if (rows > HOST_MAX_AGG)
		rows = HOST_MAX_AGG;
	if (rows < 1)
		rows = 1;
	rest = p->h > HOST_TOP_ROWS + 1 ? p->h - HOST_TOP_ROWS - 1 : 0;
	if (rows > rest / 2)
		rows = rest / 2;
	v->agg_rows = rows;
	v->flow_y = HOST_TOP_ROWS + 1 + rows;
	p->body = p->h > v->flow_y + 2 ? p->h - v->flow_y - 2 : 0;
	ui_pane_clamp(p);
	ui_sort_top(v->ents, n, p->top + p->body, ui_pane_sort_asc(p),
	    ui_flow_tie);
}

static void
rates_line(struct ui *ui, struct ui_line *l, const char *label,
    const struct rate *r, uint64_t total, uint64_t pkts, enum ui_color c)
{
	char a[32], b[32], d[32], t[32];

	ui_line_clear(l, UI_COLOR_NORMAL);
	ui_line_printf(l, c, " %-4s", label);
	ui_line_printf(l, UI_COLOR_NORMAL, "2s %8s  10s %8s  40s %8s  "
	    "total %9s  pkts %llu",
	    fmt_rate(rate_avg(r, ui->now_sec, 2), ui->opts.bits, 1, a, sizeof a),
	    fmt_rate(rate_avg(r, ui->now_sec, 10), ui->opts.bits, 1, b,
	    sizeof b),
	    fmt_rate(rate_avg(r, ui->now_sec, 40), ui->opts.bits, 1, d,
	    sizeof d),
	    fmt_size(total, t, sizeof t), (unsigned long long)pkts);
}

static void
history_line(struct ui *ui, struct ui_line *l, const char *label,
    const struct rate *r, enum ui_color c)
{
	uint32_t raw[60];
	double v[60], peak;
	unsigned i, w;
	char pk[32];

	ui_line_clear(l, UI_COLOR_NORMAL);
	ui_line_printf(l, c, " %-4s", label);
	if (l->width < 30)
		return;
	rate_series(r, ui->now_sec, raw, 60);
	for (i = 0; i < 60; i++)
		v[i] = raw[i];
	w = l->width - 5 - 16;
	if (w > 60)
		w = 60;
	peak = ui_spark(l, c, v, 60, 0, w);
	ui_line_printf(l, UI_COLOR_DIM, " peak %s (60s)",
	    fmt_rate(peak, ui->opts.bits, 1, pk, sizeof pk));
}

/* Where a name came from, as the host view says it. */
static const char *
host_name_source(unsigned kind)
{
	switch (kind) {
	case PKT_NAME_DNS:
		return "from a DNS answer";
	case PKT_NAME_DHCP:
		return "from DHCP";
	case PKT_NAME_SNI:
		return "from TLS SNI";
	case PKT_NAME_PTR:
		return "reverse DNS";
	default:
		return "learned";
	}
}

static void
host_draw(struct ui_pane *p)
{
	struct hostview *v = p->data;
	struct ui *ui = p->ui;
	const struct host *h;
	const char *name;
	char addr[FMT_ADDR_MAX], self[FMT_ADDR_MAX], a[64], b[64], cc[3];
	char buf[PKT_NAME_MAX + 32];
	const struct geoip *geo;
	struct ui_cols c;
	struct ui_line *l;
	unsigned i, half = p->w / 2;
	size_t row;

	if (ui_pane_model(p) != NULL) {
		host_mdraw(p, ui_pane_model(p));
		return;
	}
	for (i = 0; i < p->h; i++)
		ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
	fmt_addr(ui->host_ver, ui->host_addr, self, sizeof self);
	engine_name_want(ui->engine, ui->host_ver, ui->host_addr);
	name = engine_name_lookup(ui->engine, ui->host_ver, ui->host_addr);
	l = &p->lines[0];
	ui_line_clear(l, UI_COLOR_TITLE_FOCUS);
	ui_line_glyph(l, UI_COLOR_TITLE_FOCUS, UI_GLYPH_HLINE);
	ui_line_printf(l, UI_COLOR_TITLE_FOCUS, " Host %s ", self);
	ui_line_glyph(l, UI_COLOR_TITLE_FOCUS, UI_GLYPH_HLINE);
	ui_line_puts(l, UI_COLOR_TITLE_FOCUS, " Esc: back ");
	if (l->col < l->width)
		ui_line_glyphs(l, UI_COLOR_TITLE_FOCUS, UI_GLYPH_HLINE,
		    l->width - l->col);
	if (p->h < 2)
		return;
	h = engine_host_lookup(ui->engine, ui->host_ver, ui->host_addr);
	l = &p->lines[1];
	ui_line_puts(l, UI_COLOR_NORMAL, " name ");
	ui_line_puts(l, UI_COLOR_HEADER_HI, name ? name : "(none learned)");
	if (name != NULL)
		ui_line_printf(l, UI_COLOR_NORMAL, " (%s)", host_name_source(
		    engine_name_kind(ui->engine, ui->host_ver,
		    ui->host_addr)));
	if (h == NULL) {
		ui_line_puts(l, UI_COLOR_WARN,
		    "  this host is no longer in the table");
	} else {
		ui_line_printf(l, UI_COLOR_NORMAL, "  %s  geo ",
		    h->local ? "local" : "remote");
		ui_line_puts(l, h->geo.cc[0] != '\0' ? UI_COLOR_HEADER_HI :
		    UI_COLOR_DIM, geoip_cc(&h->geo, cc));
		if (h->geo.asn != 0)
			ui_line_printf(l, UI_COLOR_HEADER_HI, " AS%lu",
			    (unsigned long)h->geo.asn);
		ui_line_printf(l, UI_COLOR_NORMAL, "  peers %u  "
		    "flows %u  seen %s .. %s", h->peers, h->flows_active,
		    fmt_time_clock(h->first_ns, a, sizeof a),
		    fmt_time_clock(h->last_ns, b, sizeof b));
		/* names from the database: sanitised by ui_line_puts */
		geo = engine_geoip(ui->engine);
		if (h->geo.city != 0) {
			ui_line_puts(l, UI_COLOR_NORMAL, "  city ");
			ui_line_puts(l, UI_COLOR_NORMAL,
			    geoip_str(geo, h->geo.city));
		}
		if (h->geo.org != 0) {
			ui_line_puts(l, UI_COLOR_NORMAL, "  as ");
			ui_line_puts(l, UI_COLOR_NORMAL,
			    geoip_str(geo, h->geo.org));
		}
		if (p->h > 2)
			rates_line(ui, &p->lines[2], "in", host_rate_in(h),
			    h->bytes_in, h->pkts_in, UI_COLOR_RX);
		if (p->h > 3)
			rates_line(ui, &p->lines[3], "out", host_rate_out(h),
			    h->bytes_out, h->pkts_out, UI_COLOR_TX);
		if (p->h > 4)
			history_line(ui, &p->lines[4], "in", host_rate_in(h),
			    UI_COLOR_RX);
		if (p->h > 5)
			history_line(ui, &p->lines[5], "out", host_rate_out(h),
			    UI_COLOR_TX);
	}
	if (p->h <= HOST_TOP_ROWS)
		return;
	/* Peers | services and ports. */
	l = &p->lines[HOST_TOP_ROWS];
	ui_line_clear(l, UI_COLOR_COLHEAD);
	ui_line_field(l, 1, half > 24 ? half - 24 : 1, UI_COLOR_COLHEAD,
	    "peer", UI_ALIGN_LEFT);
	ui_line_field(l, half > 22 ? half - 22 : 0, 9, UI_COLOR_COLHEAD,
	    "bytes", UI_ALIGN_RIGHT);
	ui_line_field(l, half > 12 ? half - 12 : 0, 6, UI_COLOR_COLHEAD,
	    "flows", UI_ALIGN_RIGHT);
	ui_line_field(l, half + 1, p->w - half > 24 ? p->w - half - 24 : 1,
	    UI_COLOR_COLHEAD, "service/port", UI_ALIGN_LEFT);
	ui_line_field(l, p->w > 22 ? p->w - 22 : 0, 9, UI_COLOR_COLHEAD,
	    "bytes", UI_ALIGN_RIGHT);
	ui_line_field(l, p->w > 12 ? p->w - 12 : 0, 6, UI_COLOR_COLHEAD,
	    "flows", UI_ALIGN_RIGHT);
	ui_line_goto(l, half - 1);
	ui_line_glyph(l, UI_COLOR_COLHEAD, UI_GLYPH_VLINE);
	for (i = 0; i < v->agg_rows; i++) {
		unsigned y = HOST_TOP_ROWS + 1 + i;

		if (y >= p->h)
			break;
		l = &p->lines[y];
		if (i < v->npeers) {
			const struct agg *g = &v->peers[i];
			const char *pn = NULL;

			if (ui->opts.names) {
				engine_name_want(ui->engine, g->ver, g->addr);
				pn = engine_name_lookup(ui->engine, g->ver,
				    g->addr);
			}

			fmt_addr(g->ver, g->addr, addr, sizeof addr);
			if (pn != NULL)
				snprintf(buf, sizeof buf, "%s (%s)", addr, pn);
			else
				snprintf(buf, sizeof buf, "%s", addr);
			ui_line_field(l, 1, half > 24 ? half - 24 : 1,
			    UI_COLOR_NORMAL, buf, UI_ALIGN_LEFT);
			ui_line_field(l, half > 22 ? half - 22 : 0, 9,
			    UI_COLOR_NORMAL, fmt_size(g->bytes, a, sizeof a),
			    UI_ALIGN_RIGHT);
			snprintf(a, sizeof a, "%u", g->flows);
			ui_line_field(l, half > 12 ? half - 12 : 0, 6,
			    UI_COLOR_NORMAL, a, UI_ALIGN_RIGHT);
		} else if (i == 0)
			ui_line_puts(l, UI_COLOR_DIM, " no active flows");
		ui_line_goto(l, half - 1);
		ui_line_glyph(l, UI_COLOR_DIM, UI_GLYPH_VLINE);
		if (i < v->nsvcs) {
			const struct agg *g = &v->svcs[i];

			ui_line_field(l, half + 1, p->w - half > 24 ?
			    p->w - half - 24 : 1, UI_COLOR_NORMAL, g->name,
			    UI_ALIGN_LEFT);
			ui_line_field(l, p->w > 22 ? p->w - 22 : 0, 9,
			    UI_COLOR_NORMAL, fmt_size(g->bytes, a, sizeof a),
			    UI_ALIGN_RIGHT);
			snprintf(a, sizeof a, "%u", g->flows);
			ui_line_field(l, p->w > 12 ? p->w - 12 : 0, 6,
			    UI_COLOR_NORMAL, a, UI_ALIGN_RIGHT);
		}
	}
	/* Flow table. */
	if (v->flow_y >= p->h)
		return;
	l = &p->lines[v->flow_y];
	ui_line_clear(l, UI_COLOR_TITLE);
	ui_line_glyph(l, UI_COLOR_TITLE, UI_GLYPH_HLINE);
	ui_line_printf(l, UI_COLOR_TITLE, " Flows of %s ", self);
	ui_line_glyph(l, UI_COLOR_TITLE, UI_GLYPH_HLINE);
	ui_line_printf(l, UI_COLOR_TITLE, " sort: %s ",
	    ui_flow_sorts[p->sort]);
	ui_line_glyph(l, UI_COLOR_TITLE, ui_pane_sort_asc(p) ?
	    UI_GLYPH_ARROW_UP : UI_GLYPH_ARROW_DOWN);
	if (p->filter[0] != '\0') {
		ui_line_puts(l, UI_COLOR_TITLE, " filter: ");
		ui_line_puts(l, UI_COLOR_TITLE, p->filter);
	}
	if (p->nrows > 0)
		ui_line_printf(l, UI_COLOR_TITLE, "  %zu/%zu ", p->sel + 1,
		    p->nrows);
	if (l->col < l->width)
		ui_line_glyphs(l, UI_COLOR_TITLE, UI_GLYPH_HLINE,
		    l->width - l->col);
	if (v->flow_y + 1 >= p->h)
		return;
	ui_cols_fit(ui_flow_cols, UI_FLOW_COLS, p->w, &c);
	ui_cols_head(p, &p->lines[v->flow_y + 1], ui_flow_cols, UI_FLOW_COLS,
	    &c);
	v->nvis = 0;
	v->vis_top = p->top;
	for (i = v->flow_y + 2; i < p->h; i++) {
		const struct flow *f;

		row = p->top + (i - v->flow_y - 2);
		if (row >= p->nrows)
			break;
		f = v->ents[row].p;
		if (v->nvis < sizeof v->vis / sizeof v->vis[0]) {
			v->vis[v->nvis].ver = f->key.ip_ver;
			memcpy(v->vis[v->nvis].addr, memcmp(f->key.a,
			    ui->host_addr, 16) == 0 ? f->key.b : f->key.a, 16);
			v->nvis++;
		}
		ui_flow_row(ui, &p->lines[i], &c, f,
		    ui_pane_row_color(p, row, UI_COLOR_NORMAL));
	}
}

/* Enter on a flow: drill into its peer. */
static int
host_enter(struct ui_pane *p)
{
	struct hostview *v = p->data;
	size_t i;

	if (p->sel < v->vis_top)
		return UI_REACT_NONE;
	i = p->sel - v->vis_top;
	if (i >= v->nvis)
		return UI_REACT_NONE;
	return ui_open_host(p->ui, v->vis[i].ver, v->vis[i].addr);
}

const struct ui_pane_ops ui_host_ops = {
	.name = "host",
	.title = "Host",
	.min_h = 3,
	.weight = 1,
	.head_rows = HOST_TOP_ROWS + 3,
	.selectable = 1,
	.sorts = ui_flow_sorts,
	.sort_asc = ui_flow_sort_asc,
	.init = host_init,
	.done = host_done,
	.collect = host_collect,
	.draw = host_draw,
	.enter = host_enter,
};
