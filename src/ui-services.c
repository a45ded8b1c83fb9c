/*
 * ui-services.c: the protocols and services pane: share of traffic by IP
 * protocol (all traffic since start, from the engine totals) and by
 * service (the flows now in the table), as bars with percentages.
 *
 * Main thread only.  Services are summed by ui_flow_services() in the
 * frame's walk of the flow table, keyed by the service name pointer, and
 * merged by name here, so a frame costs no pass of its own over the flow
 * table and no string compare per flow.
 *
 * From a model (ui_pane_model()): the snapshot's two lists as the daemon
 * summed them, or a history range's services (bytes of the service_hour
 * or service_day rows of the range) across the whole width.
 */
#include "config.h"
#include "ui-pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "xmalloc.h"

#define SVC_MAX_ROWS	64

struct svc_row {
	char name[24];
	uint64_t bytes;
};

struct services {
	struct svc_row proto[258];
	unsigned nproto;
	uint64_t proto_total;
	struct svc_row svc[SVC_MAX_ROWS];
	unsigned nsvc;
	uint64_t svc_total;
};

static void
services_init(struct ui_pane *p)
{
	p->data = xcalloc(1, sizeof(struct services));
}

static void
services_done(struct ui_pane *p)
{
	free(p->data);
	p->data = NULL;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct svc_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Add bytes to the row called name (merging equal names). */
static void
add_row(struct svc_row *rows, unsigned *n, unsigned max, const char *name,
    uint64_t bytes)
{
	unsigned i;

	for (i = 0; i < *n; i++) {
		if (strcmp(rows[i].name, name) == 0) {
			rows[i].bytes += bytes;
			return;
		}
	}
	if (*n == max) {
		/* Table full: fold into the last row, "other". */
		snprintf(rows[max - 1].name, sizeof rows[0].name, "other");
		rows[max - 1].bytes += bytes;
		return;
	}
	snprintf(rows[*n].name, sizeof rows[0].name, "%s", name);
	rows[*n].bytes = bytes;
	(*n)++;
}

static void
services_mcollect(struct ui_pane *p, const struct ui_model *m)
{
	struct services *s = p->data;
	size_t i;

	s->nproto = 0;
	s->proto_total = 0;
	for (i = 0; i < m->nprotos; i++) {
		add_row(s->proto, &s->nproto, 258, m->protos[i].name,
		    m->protos[i].bytes);
		s->proto_total += m->protos[i].bytes;
	}
	s->nsvc = 0;
	s->svc_total = 0;
	for (i = 0; i < m->nsvcs; i++) {
		add_row(s->svc, &s->nsvc, SVC_MAX_ROWS, m->svcs[i].name,
		    m->svcs[i].bytes);
		s->svc_total += m->svcs[i].bytes;
	}
	qsort(s->proto, s->nproto, sizeof s->proto[0], row_cmp);
	qsort(s->svc, s->nsvc, sizeof s->svc[0], row_cmp);
	p->nrows = s->nproto > s->nsvc ? s->nproto : s->nsvc;
}

static void
services_collect(struct ui_pane *p, size_t want)
{
	struct services *s = p->data;
	struct ui *ui = p->ui;
	const struct engine_totals *t = engine_totals(ui->engine);
	const struct ui_svc_sum *sums;
	const char *name;
	char buf[32];
	unsigned i;

	(void)want;
	if (ui_pane_model(p) != NULL) {
		services_mcollect(p, ui_pane_model(p));
		return;
	}
	s->nproto = 0;
	s->proto_total = 0;
	for (i = 0; i < 256; i++) {
		if (t->by_proto_bytes[i] == 0)
			continue;
		name = proto_name((uint8_t)i);
		if (name == NULL) {
			snprintf(buf, sizeof buf, "ip proto %u", i);
			name = buf;
		}
		add_row(s->proto, &s->nproto, 258, name, t->by_proto_bytes[i]);
		s->proto_total += t->by_proto_bytes[i];
	}
	if (t->non_ip_bytes > 0) {
		add_row(s->proto, &s->nproto, 258, "non-ip", t->non_ip_bytes);
		s->proto_total += t->non_ip_bytes;
	}
	qsort(s->proto, s->nproto, sizeof s->proto[0], row_cmp);

	sums = ui_flow_services(ui, &s->svc_total);
	s->nsvc = 0;
	for (i = 0; i < UI_SVC_SLOTS; i++) {
		const struct ui_svc_sum *e = &sums[i];

		if (!e->used)
			continue;
		if (e->svc != NULL)
			name = e->svc;
		else {
			const char *pn = proto_name(e->proto);

			if (pn != NULL)
				snprintf(buf, sizeof buf, "%s other", pn);
			else
				snprintf(buf, sizeof buf, "proto %u",
				    e->proto);
			name = buf;
		}
		add_row(s->svc, &s->nsvc, SVC_MAX_ROWS, name, e->bytes);
	}
	qsort(s->svc, s->nsvc, sizeof s->svc[0], row_cmp);
	p->nrows = s->nproto > s->nsvc ? s->nproto : s->nsvc;
}

static void
share_cell(struct ui_line *l, unsigned x, unsigned w, const struct svc_row *r,
    uint64_t total)
{
	char pct[16], size[16];
	double frac = total ? (double)r->bytes / (double)total : 0;
	unsigned namew, barw;

	if (w < 20)
		return;
	namew = w >= 44 ? 14 : 10;
	barw = w - namew - 1 - 7 - (w >= 36 ? 10 : 0);
	ui_line_field(l, x, namew, UI_COLOR_NORMAL, r->name, UI_ALIGN_LEFT);
	ui_line_goto(l, x + namew + 1);
	ui_bar(l, UI_COLOR_BAR, frac, barw);
	snprintf(pct, sizeof pct, "%.1f%%", frac * 100);
	ui_line_field(l, x + namew + 1 + barw, 7, UI_COLOR_NORMAL, pct,
	    UI_ALIGN_RIGHT);
	if (w >= 36)
		ui_line_field(l, x + namew + barw + 9, 9, UI_COLOR_DIM,
		    fmt_size(r->bytes, size, sizeof size), UI_ALIGN_RIGHT);
}

static void
services_draw(struct ui_pane *p)
{
	struct services *s = p->data;
	unsigned i, half = p->w / 2;
	size_t row;
	struct ui_line *l;
	const struct ui_model *m = ui_pane_model(p);

	if (m != NULL && m->kind == UI_MODEL_RANGE) {
		ui_pane_title(p, &p->lines[0], "services: bytes in the range");
		for (i = 1; i < p->h; i++) {
			l = &p->lines[i];
			ui_line_clear(l, UI_COLOR_NORMAL);
			row = p->top + i - 1;
			if (row == 0 && p->nrows == 0)
				ui_line_puts(l, UI_COLOR_DIM,
				    " no traffic in this range");
			else if (row < s->nsvc)
				share_cell(l, 0, p->w, &s->svc[row],
				    s->svc_total);
		}
		return;
	}
	ui_pane_title(p, &p->lines[0],
	    "protocols: all traffic | services: flows now");
	for (i = 1; i < p->h; i++) {
		l = &p->lines[i];
		ui_line_clear(l, UI_COLOR_NORMAL);
		row = p->top + i - 1;
		if (row == 0 && p->nrows == 0) {
			ui_line_puts(l, UI_COLOR_DIM, " no traffic yet");
			continue;
		}
		if (row < s->nproto)
			share_cell(l, 0, half - 1, &s->proto[row],
			    s->proto_total);
		ui_line_goto(l, half - 1);
		ui_line_glyph(l, UI_COLOR_DIM, UI_GLYPH_VLINE);
		if (row < s->nsvc)
			share_cell(l, half + 1, p->w - half - 1, &s->svc[row],
			    s->svc_total);
	}
}

static unsigned
services_pref_h(struct ui_pane *p)
{
	(void)p;
	return 7;
}

const struct ui_pane_ops ui_services_ops = {
	.name = "services",
	.title = "Protocols and services",
	.min_h = 3,
	.weight = 0,
	.head_rows = 1,
	.selectable = 0,
	.pref_h = services_pref_h,
	.init = services_init,
	.done = services_done,
	.collect = services_collect,
	.draw = services_draw,
};
