/*
 * ui-flows.c: the connections pane, and the flow table it shares with the
 * host view: protocol, endpoints, service, state, duration, rates, bytes,
 * RTT and retransmissions.
 *
 * Main thread only.  Like the talkers, collect() keeps engine pointers
 * (the rows it will show, from the frame's one walk of the flow table,
 * ui_flows()) only until draw() in the same frame; Enter uses the
 * originator address copied at draw time.  Rows not shown are never
 * formatted: the rate columns are read from the rings for the visible
 * rows only.
 *
 * In wiretop view the pane draws the snapshot's flows instead
 * (ui_pane_model()): the best UI_MODEL_ROWS the daemon saw, sorted here.
 */
#include "config.h"
#include "ui-pane.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "xmalloc.h"

enum { FS_RATE, FS_BYTES, FS_PKTS, FS_DURATION, FS_START, FS_RTT, FS_RETRANS };
const char *const ui_flow_sorts[] = { "rate", "bytes", "pkts", "duration",
	"start", "rtt", "retrans", NULL };
const int ui_flow_sort_asc[] = { 0, 0, 0, 0, 0, 0, 0 };
_Static_assert(FS_RATE == UI_FLOW_SORT_RATE && FS_BYTES == UI_FLOW_SORT_BYTES,
    "ui-pane.h names these sorts");

enum {
	FC_PROTO, FC_ORIG, FC_RESP, FC_SERVICE, FC_STATE, FC_DUR, FC_ORATE,
	FC_RRATE, FC_BYTES, FC_RTT, FC_RETR
};
const struct ui_col ui_flow_cols[UI_FLOW_COLS] = {
	[FC_PROTO] = { "proto", 5, 0, UI_ALIGN_LEFT, 0, -1 },
	[FC_ORIG] = { "originator", 21, 0, UI_ALIGN_LEFT, 1, -1 },
	[FC_RESP] = { "responder", 21, 0, UI_ALIGN_LEFT, 1, -1 },
	[FC_SERVICE] = { "service", 7, 1, UI_ALIGN_LEFT, 0, -1 },
	[FC_STATE] = { "state", 5, 3, UI_ALIGN_LEFT, 0, -1 },
	[FC_DUR] = { "dur", 6, 4, UI_ALIGN_RIGHT, 0, FS_DURATION },
	[FC_ORATE] = { "o>r 10s", 7, 5, UI_ALIGN_RIGHT, 0, FS_RATE },
	[FC_RRATE] = { "r>o 10s", 7, 5, UI_ALIGN_RIGHT, 0, -1 },
	[FC_BYTES] = { "bytes", 9, 2, UI_ALIGN_RIGHT, 0, FS_BYTES },
	[FC_RTT] = { "rtt", 7, 6, UI_ALIGN_RIGHT, 0, FS_RTT },
	[FC_RETR] = { "retr", 5, 7, UI_ALIGN_RIGHT, 0, FS_RETRANS },
};

struct flows {
	struct ui_sortent *ents;	/* owned */
	size_t cap;
	struct flow_ep *vis;		/* originators of the rows drawn */
	uint8_t *vis_ver;
	size_t nvis;
	size_t vis_top;
	size_t midx[UI_MODEL_ROWS];	/* model rows, in order */
};

static double
flow_rate10(struct ui *ui, const struct flow *f, int dir)
{
	if (f->last_ns / 1000000000u + 10 < ui->now_sec)
		return 0;	/* idle for the whole window */
	return ui_rate(flow_rate(ui->engine, f, dir), f->last_ns, ui->now_sec,
	    10);
}

double
ui_flow_key(struct ui *ui, const struct flow *f, unsigned s)
{
	switch (s) {
	case FS_RATE:
		return flow_rate10(ui, f, 0) + flow_rate10(ui, f, 1);
	case FS_BYTES:
		return (double)(f->dir[0].wire_bytes + f->dir[1].wire_bytes);
	case FS_PKTS:
		return (double)(f->dir[0].pkts + f->dir[1].pkts);
	case FS_DURATION:
		return (double)(f->last_ns - f->first_ns);
	case FS_START:
		return (double)f->first_ns;
	case FS_RTT:
		return f->rtt_us;
	default:
		return f->retrans;
	}
}

/* ui_flow_tk() takes the prefix of this memcmp() from key.a. */
_Static_assert(offsetof(struct flow_key, a) == 0, "flow_key starts with a");

int
ui_flow_tie(const void *a, const void *b)
{
	const struct flow *x = a, *y = b;

	return memcmp(&x->key, &y->key, sizeof x->key);
}

/* "addr:port", "[v6]:port", or name (if not NULL) with the port, into
 * buf. */
static const char *
endpoint_fmt(const struct flow *f, const struct flow_ep *ep, const char *name,
    char *buf, size_t len)
{
	char a[PKT_NAME_MAX];
	int ports = f->key.proto == 6 || f->key.proto == 17 ||
	    f->key.proto == 132;

	if (name != NULL)
		snprintf(a, sizeof a, "%s", name);
	else
		fmt_addr(f->key.ip_ver, ep->addr, a, sizeof a);
	if (!ports)
		snprintf(buf, len, "%s", a);
	else if (f->key.ip_ver == 6 && name == NULL)
		snprintf(buf, len, "[%s]:%u", a, ep->port);
	else
		snprintf(buf, len, "%s:%u", a, ep->port);
	return buf;
}

/* The learned name of an endpoint, if names are shown. */
static const char *
endpoint_name(struct ui *ui, const struct flow *f, const struct flow_ep *ep)
{
	if (!ui->opts.names)
		return NULL;
	return engine_name_lookup(ui->engine, f->key.ip_ver, ep->addr);
}

/* "addr:port", "[v6]:port", or the learned name, into buf. */
static const char *
endpoint_text(struct ui *ui, const struct flow *f, const struct flow_ep *ep,
    int with_name, char *buf, size_t len)
{
	return endpoint_fmt(f, ep, with_name ? endpoint_name(ui, f, ep) : NULL,
	    buf, len);
}

static const char *
proto_text(uint8_t proto, char *buf, size_t len)
{
	const char *n = proto_name(proto);

	if (n != NULL)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%u", proto);
	return buf;
}

int
ui_flow_match(struct ui *ui, const struct flow *f, const char *filter)
{
	struct flow_ep o, r;
	char buf[PKT_NAME_MAX + 16], clean[PKT_NAME_MAX + 16];
	const char *s, *name;

	flow_endpoints(f, &o, &r);
	if (ui_match(endpoint_fmt(f, &o, NULL, buf, sizeof buf), filter) ||
	    ui_match(endpoint_fmt(f, &r, NULL, buf, sizeof buf), filter))
		return 1;
	/* As shown, with a learned name: without one that is the text just
	 * tried (an address sanitises to itself). */
	if ((name = endpoint_name(ui, f, &o)) != NULL) {
		endpoint_fmt(f, &o, name, buf, sizeof buf);
		ui_sanitize(buf, clean, sizeof clean);
		if (ui_match(clean, filter))
			return 1;
	}
	if ((name = endpoint_name(ui, f, &r)) != NULL) {
		endpoint_fmt(f, &r, name, buf, sizeof buf);
		ui_sanitize(buf, clean, sizeof clean);
		if (ui_match(clean, filter))
			return 1;
	}
	if ((s = ui_flow_service(ui, f)) != NULL && ui_match(s, filter))
		return 1;
	if (ui_match(proto_text(f->key.proto, buf, sizeof buf), filter))
		return 1;
	return ui_match(flow_conn_state(f), filter);
}

void
ui_flow_row(struct ui *ui, struct ui_line *l, const struct ui_cols *c,
    const struct flow *f, enum ui_color rc)
{
	const struct ui_col *cols = ui_flow_cols;
	struct flow_ep o, r;
	char buf[PKT_NAME_MAX + 16];
	const char *s, *st;
	enum ui_color sc;
	int bits = ui->opts.bits;

	flow_endpoints(f, &o, &r);
	if (ui->opts.names) {
		/* resolve = reverse: the endpoints on screen are looked up */
		engine_name_want(ui->engine, f->key.ip_ver, o.addr);
		engine_name_want(ui->engine, f->key.ip_ver, r.addr);
	}
	ui_line_clear(l, rc);
	ui_cols_put(l, cols, c, FC_PROTO, rc,
	    proto_text(f->key.proto, buf, sizeof buf));
	ui_cols_put(l, cols, c, FC_ORIG, rc,
	    endpoint_text(ui, f, &o, 1, buf, sizeof buf));
	ui_cols_put(l, cols, c, FC_RESP, rc,
	    endpoint_text(ui, f, &r, 1, buf, sizeof buf));
	s = ui_flow_service(ui, f);
	ui_cols_put(l, cols, c, FC_SERVICE, rc, s ? s : "-");
	st = flow_conn_state(f);
	sc = rc;
	if (rc == UI_COLOR_NORMAL && st != NULL) {
		if (strcmp(st, "REJ") == 0 || strcmp(st, "S0") == 0 ||
		    strncmp(st, "RST", 3) == 0)
			sc = UI_COLOR_WARN;
		else if (strcmp(st, "SF") == 0 || strcmp(st, "S1") == 0)
			sc = UI_COLOR_OK;
	}
	ui_cols_put(l, cols, c, FC_STATE, sc, st ? st : "");
	if (c->x[FC_DUR] >= 0)
		ui_cols_put(l, cols, c, FC_DUR, rc, fmt_duration(
		    (double)(f->last_ns - f->first_ns) / 1e9, buf, sizeof buf));
	if (c->x[FC_ORATE] >= 0)
		ui_cols_put(l, cols, c, FC_ORATE, rc == UI_COLOR_NORMAL ?
		    UI_COLOR_TX : rc, fmt_rate(flow_rate10(ui, f, 0), bits, 1,
		    buf, sizeof buf));
	if (c->x[FC_RRATE] >= 0)
		ui_cols_put(l, cols, c, FC_RRATE, rc == UI_COLOR_NORMAL ?
		    UI_COLOR_RX : rc, fmt_rate(flow_rate10(ui, f, 1), bits, 1,
		    buf, sizeof buf));
	ui_cols_put(l, cols, c, FC_BYTES, rc, fmt_size(f->dir[0].wire_bytes +
	    f->dir[1].wire_bytes, buf, sizeof buf));
	if (c->x[FC_RTT] >= 0) {
		if (f->rtt_us == 0)
			snprintf(buf, sizeof buf, "-");
		else if (f->rtt_us < 10000)
			snprintf(buf, sizeof buf, "%.2fms", f->rtt_us / 1e3);
		else
			snprintf(buf, sizeof buf, "%.0fms", f->rtt_us / 1e3);
		ui_cols_put(l, cols, c, FC_RTT, rc, buf);
	}
	if (c->x[FC_RETR] >= 0) {
		snprintf(buf, sizeof buf, "%u", f->retrans);
		ui_cols_put(l, cols, c, FC_RETR, f->retrans && rc ==
		    UI_COLOR_NORMAL ? UI_COLOR_WARN : rc, buf);
	}
}

/* ---- from a model ----------------------------------------------------- */

static const struct ui_model *mf_model;	/* for qsort (main thread) */
static unsigned mf_sort;

static double
mflow_key(const struct ui_mflow *f, unsigned s)
{
	switch (s) {
	case FS_RATE:
		return f->orate + f->rrate;
	case FS_DURATION:
		return f->dur_s;
	case FS_RTT:
		return f->rtt_us;
	case FS_RETRANS:
		return f->retrans;
	default:	/* bytes; the snapshot keeps no packets or start */
		return (double)f->bytes;
	}
}

static int
mflow_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct ui_mflow *x = &mf_model->flows[i];
	const struct ui_mflow *y = &mf_model->flows[j];
	double kx = mflow_key(x, mf_sort), ky = mflow_key(y, mf_sort);

	if (kx != ky)
		return kx > ky ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return i < j ? -1 : i > j;	/* the daemon's order */
}

/* "addr:port", "[v6]:port" or "name:port" of a model endpoint. */
static const char *
mflow_ep(struct ui *ui, const struct ui_mflow *f, const char *addr,
    uint16_t port, const char *name, char *buf, size_t len)
{
	int ports = f->proto_num == 6 || f->proto_num == 17 ||
	    f->proto_num == 132;
	int named = ui->opts.names && name[0] != '\0';
	const char *a = named ? name : addr;

	if (!ports)
		snprintf(buf, len, "%s", a);
	else if (!named && strchr(addr, ':') != NULL)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

static int
mflow_match(struct ui *ui, const struct ui_mflow *f, const char *filter)
{
	char buf[300], clean[300];

	if (ui_match(mflow_ep(ui, f, f->orig, f->orig_p, f->orig_name, buf,
	    sizeof buf), filter) || ui_match(mflow_ep(ui, f, f->resp,
	    f->resp_p, f->resp_name, buf, sizeof buf), filter))
		return 1;
	ui_sanitize(f->orig_name, clean, sizeof clean);
	if (ui_match(clean, filter) || ui_match(f->orig, filter) ||
	    ui_match(f->resp, filter))
		return 1;
	ui_sanitize(f->resp_name, clean, sizeof clean);
	return ui_match(clean, filter) || ui_match(f->service, filter) ||
	    ui_match(f->proto, filter) || ui_match(f->state, filter);
}

void
ui_mflow_row(struct ui *ui, struct ui_line *l, const struct ui_cols *c,
    const struct ui_mflow *f, enum ui_color rc)
{
	const struct ui_col *cols = ui_flow_cols;
	char buf[300];
	enum ui_color sc = rc;
	int bits = ui->opts.bits;

	ui_line_clear(l, rc);
	ui_cols_put(l, cols, c, FC_PROTO, rc, f->proto);
	ui_cols_put(l, cols, c, FC_ORIG, rc, mflow_ep(ui, f, f->orig,
	    f->orig_p, f->orig_name, buf, sizeof buf));
	ui_cols_put(l, cols, c, FC_RESP, rc, mflow_ep(ui, f, f->resp,
	    f->resp_p, f->resp_name, buf, sizeof buf));
	ui_cols_put(l, cols, c, FC_SERVICE, rc, f->service[0] ? f->service :
	    "-");
	if (rc == UI_COLOR_NORMAL) {
		if (strcmp(f->state, "REJ") == 0 || strcmp(f->state, "S0") ==
		    0 || strncmp(f->state, "RST", 3) == 0)
			sc = UI_COLOR_WARN;
		else if (strcmp(f->state, "SF") == 0 ||
		    strcmp(f->state, "S1") == 0)
			sc = UI_COLOR_OK;
	}
	ui_cols_put(l, cols, c, FC_STATE, sc, f->state);
	if (c->x[FC_DUR] >= 0)
		ui_cols_put(l, cols, c, FC_DUR, rc, fmt_duration(f->dur_s, buf,
		    sizeof buf));
	if (c->x[FC_ORATE] >= 0)
		ui_cols_put(l, cols, c, FC_ORATE, rc == UI_COLOR_NORMAL ?
		    UI_COLOR_TX : rc, fmt_rate(f->orate, bits, 1, buf,
		    sizeof buf));
	if (c->x[FC_RRATE] >= 0)
		ui_cols_put(l, cols, c, FC_RRATE, rc == UI_COLOR_NORMAL ?
		    UI_COLOR_RX : rc, fmt_rate(f->rrate, bits, 1, buf,
		    sizeof buf));
	ui_cols_put(l, cols, c, FC_BYTES, rc, fmt_size(f->bytes, buf,
	    sizeof buf));
	if (c->x[FC_RTT] >= 0) {
		if (f->rtt_us == 0)
			snprintf(buf, sizeof buf, "-");
		else if (f->rtt_us < 10000)
			snprintf(buf, sizeof buf, "%.2fms", f->rtt_us / 1e3);
		else
			snprintf(buf, sizeof buf, "%.0fms", f->rtt_us / 1e3);
		ui_cols_put(l, cols, c, FC_RTT, rc, buf);
	}
	if (c->x[FC_RETR] >= 0) {
		snprintf(buf, sizeof buf, "%u", f->retrans);
		ui_cols_put(l, cols, c, FC_RETR, f->retrans && rc ==
		    UI_COLOR_NORMAL ? UI_COLOR_WARN : rc, buf);
	}
}

void
ui_mflow_sort(const struct ui_model *m, size_t *idx, size_t n, unsigned sort)
{
	mf_model = m;
	mf_sort = sort;
	qsort(idx, n, sizeof *idx, mflow_cmp);
}

static void
flows_mcollect(struct ui_pane *p, const struct ui_model *m)
{
	struct flows *t = p->data;
	size_t i, n = 0;

	for (i = 0; i < m->nflows; i++)
		if (p->filter[0] == '\0' || mflow_match(p->ui, &m->flows[i],
		    p->filter))
			t->midx[n++] = i;
	ui_mflow_sort(m, t->midx, n, p->sort);
	p->nrows = n;
}

static void
flows_mdraw(struct ui_pane *p, const struct ui_model *m)
{
	struct flows *t = p->data;
	struct ui_cols c;
	size_t i, row;

	ui_cols_fit(ui_flow_cols, UI_FLOW_COLS, p->w, &c);
	ui_pane_title(p, &p->lines[0], NULL);
	if (p->h < 2)
		return;
	ui_cols_head(p, &p->lines[1], ui_flow_cols, UI_FLOW_COLS, &c);
	t->nvis = 0;	/* Enter: no drill-down from the snapshot */
	for (i = 2; i < p->h; i++) {
		row = p->top + i - 2;
		if (row >= p->nrows) {
			ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
			if (i == 2)
				ui_line_puts(&p->lines[i], UI_COLOR_DIM,
				    p->filter[0] ? " no flow matches the filter"
				    : m->empty ? " waiting for the daemon" :
				    " no flows yet");
			continue;
		}
		ui_mflow_row(p->ui, &p->lines[i], &c, &m->flows[t->midx[row]],
		    ui_pane_row_color(p, row, UI_COLOR_NORMAL));
	}
}

/* ---- from the engine --------------------------------------------------- */

static void
flows_init(struct ui_pane *p)
{
	p->data = xcalloc(1, sizeof(struct flows));
	p->sort = FS_RATE;
}

static void
flows_done(struct ui_pane *p)
{
	struct flows *t = p->data;

	if (t != NULL) {
		free(t->ents);
		free(t->vis);
		free(t->vis_ver);
		free(t);
	}
	p->data = NULL;
}

struct flows_walk {
	struct ui_pane *p;
	struct ui_topk top;
	size_t n;		/* rows that pass the filter */
};

static void
flows_visit(void *arg, const struct ui_sortent *e)
{
	struct flows_walk *w = arg;
	struct ui_pane *p = w->p;

	if (p->filter[0] != '\0' && !ui_flow_match(p->ui, e->p, p->filter))
		return;
	w->n++;
	ui_topk_add(&w->top, e);
}

static void
flows_collect(struct ui_pane *p, size_t want)
{
	struct flows *t = p->data;
	struct ui *ui = p->ui;
	struct flows_walk w;
	size_t count = engine_flow_count(ui->engine);
	const struct ui_model *m = ui_pane_model(p);

	if (m != NULL) {
		flows_mcollect(p, m);
		return;
	}
	if (want > count)
		want = count;
	if (want > t->cap) {
		free(t->ents);
		t->cap = want + want / 4 + 16;
		t->ents = xcalloc(t->cap, sizeof *t->ents);
	}
	w.p = p;
	w.n = 0;
	ui_topk_init(&w.top, t->ents, want, ui_pane_sort_asc(p), ui_flow_tie);
	ui_flows(ui, (int)p->sort, flows_visit, &w);
	p->nrows = w.n;
	ui_topk_done(&w.top);
}

static void
flows_draw(struct ui_pane *p)
{
	struct flows *t = p->data;
	struct ui_cols c;
	const struct flow *f;
	struct flow_ep o, r;
	size_t i, row;
	const struct ui_model *m = ui_pane_model(p);

	if (m != NULL) {
		flows_mdraw(p, m);
		return;
	}
	ui_cols_fit(ui_flow_cols, UI_FLOW_COLS, p->w, &c);
	ui_pane_title(p, &p->lines[0], NULL);
	if (p->h < 2)
		return;
	ui_cols_head(p, &p->lines[1], ui_flow_cols, UI_FLOW_COLS, &c);
	free(t->vis);
	free(t->vis_ver);
	t->vis = xcalloc(p->body ? p->body : 1, sizeof *t->vis);
	t->vis_ver = xcalloc(p->body ? p->body : 1, 1);
	t->nvis = 0;
	t->vis_top = p->top;
	for (i = 2; i < p->h; i++) {
		row = p->top + i - 2;
		if (row >= p->nrows) {
			ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
			if (i == 2)
				ui_line_puts(&p->lines[i], UI_COLOR_DIM,
				    p->filter[0] ? " no flow matches the filter"
				    : " no flows yet");
			continue;
		}
		f = t->ents[row].p;
		flow_endpoints(f, &o, &r);
		t->vis[t->nvis] = o;
		t->vis_ver[t->nvis] = f->key.ip_ver;
		t->nvis++;
		ui_flow_row(p->ui, &p->lines[i], &c, f,
		    ui_pane_row_color(p, row, UI_COLOR_NORMAL));
	}
}

static int
flows_enter(struct ui_pane *p)
{
	struct flows *t = p->data;
	size_t i;

	if (p->sel < t->vis_top)
		return UI_REACT_NONE;
	i = p->sel - t->vis_top;
	if (i >= t->nvis)
		return UI_REACT_NONE;
	return ui_open_host(p->ui, t->vis_ver[i], t->vis[i].addr);
}

const struct ui_pane_ops ui_flows_ops = {
	.name = "flows",
	.title = "Connections",
	.min_h = 4,
	.weight = 3,
	.head_rows = 2,
	.selectable = 1,
	.sorts = ui_flow_sorts,
	.sort_asc = ui_flow_sort_asc,
	.init = flows_init,
	.done = flows_done,
	.collect = flows_collect,
	.draw = flows_draw,
	.enter = flows_enter,
};
