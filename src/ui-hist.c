/*
 * ui-hist.c: the models the panes show instead of the engine, read from
 * the history database: a daemon's live snapshot (wiretop view) and the
 * time ranges of the t key (1 h, 24 h, 7 d, 30 d).
 *
 * Main thread only, over its own read-only connection: one read
 * transaction per load, so a load sees one whole snapshot, and WAL lets
 * it read while the daemon writes.  It is opened as every reader opens
 * it (store_db_open_reader, store.c: mode=ro, immutable with no writer,
 * for a member of the database's group too), and opened again normally
 * once a writer appears.
 * Ranges count back from the newest second stored (meta.newest, the
 * packet clock), as export --db --since does; host and service totals
 * are summed over the hours (the days for 30 d) that overlap the range.
 */
#include "config.h"
#include "ui-model.h"

#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "xmalloc.h"

static int
hist_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	*v = 0;
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

sqlite3 *
ui_db_open(const char *path, char **cause, int *denied)
{
	sqlite3 *db;
	int64_t app, ntab, ver;

	if ((db = store_db_open_reader(path, cause, denied)) == NULL)
		return NULL;
	if (hist_int(db, "PRAGMA application_id", &app) != SQLITE_OK ||
	    hist_int(db, "SELECT count(*) FROM sqlite_master", &ntab) !=
	    SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	if (app != STORE_APP_ID || ntab == 0) {
		xasprintf(cause, "%s: %s", path, ntab == 0 ? "an empty "
		    "database (no daemon or import wrote it yet)" : "not a "
		    "wiretop history database (another application's SQLite "
		    "file)");
		sqlite3_close(db);
		return NULL;
	}
	if (hist_int(db, "SELECT max(version) FROM schema_version", &ver) !=
	    SQLITE_OK || ver > STORE_SCHEMA_VERSION) {
		xasprintf(cause, "%s: history database schema %lld is newer "
		    "than this wiretop's (%d)", path, (long long)ver,
		    STORE_SCHEMA_VERSION);
		sqlite3_close(db);
		return NULL;
	}
	/* flows, host_hour and host_day (store-seg.c) */
	if (store_seg_register(db) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *
ui_db_refresh(sqlite3 *db, const char *path)
{
	const char *fn;
	char *wal, *cause = NULL;
	sqlite3 *n;
	int denied, writer;

	if (db == NULL || (fn = sqlite3_db_filename(db, "main")) == NULL ||
	    !sqlite3_uri_boolean(fn, "immutable", 0))
		return db;
	xasprintf(&wal, "%s-wal", path);
	writer = access(wal, F_OK) == 0;
	free(wal);
	if (!writer)
		return db;
	if ((n = ui_db_open(path, &cause, &denied)) == NULL) {
		free(cause);
		return db;
	}
	sqlite3_close(db);
	return n;
}

void
ui_db_close(sqlite3 *db)
{
	sqlite3_close(db);
}

static uint64_t
hist_u64(sqlite3_stmt *st, int i)
{
	int64_t v = sqlite3_column_int64(st, i);

	return v > 0 ? (uint64_t)v : 0;
}

/* Parse a stored address for the host rows (Enter, sorting). */
static void
hist_addr(struct ui_mhost *h)
{
	memset(h->addr, 0, sizeof h->addr);
	if (inet_pton(AF_INET, h->text, h->addr) == 1)
		h->ver = 4;
	else if (inet_pton(AF_INET6, h->text, h->addr) == 1)
		h->ver = 6;
	else
		h->ver = 0;
}

/* "n,n,..." into v (at most UI_MODEL_SERIES, the newest kept). */
static unsigned
hist_series(const unsigned char *s, double *v)
{
	double tmp[UI_MODEL_SERIES * 2];
	unsigned n = 0, i, off;
	char *end;
	const char *p = (const char *)s;

	if (p == NULL)
		return 0;
	while (*p != '\0' && n < UI_MODEL_SERIES * 2) {
		tmp[n++] = strtod(p, &end);
		if (end == p)
			break;
		p = *end == ',' ? end + 1 : end;
	}
	off = n > UI_MODEL_SERIES ? n - UI_MODEL_SERIES : 0;
	for (i = off; i < n; i++)
		v[i - off] = tmp[i];
	return n - off;
}

static int
hist_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char **cause)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int
hist_done(sqlite3 *db, sqlite3_stmt *st, int rc, char **cause)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "%s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int
snap_read(sqlite3 *db, struct ui_model *m, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (hist_prepare(db, "SELECT wall_ns, pkt_ns, flows, hosts, packets, "
	    "hist_dropped, hist_retries FROM live_snapshot", &st, cause) != 0)
		return -1;
	m->empty = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m->empty = 0;
		m->wall_s = sqlite3_column_int64(st, 0) / 1000000000;
		m->pkt_ns = sqlite3_column_int64(st, 1);
		m->flows_total = hist_u64(st, 2);
		m->hosts_total = hist_u64(st, 3);
		m->packets = hist_u64(st, 4);
		m->hist_dropped = hist_u64(st, 5);
		m->hist_retries = hist_u64(st, 6);
	}
	if (hist_done(db, st, rc, cause) != 0 || m->empty)
		return m->empty ? 0 : -1;

	if (hist_prepare(db, "SELECT name, state, detail, rx_rate, tx_rate, "
	    "pps, drops_kernel, drops_iface, drops_ring, flows, hosts, "
	    "rx_series, tx_series FROM live_sources ORDER BY idx", &st,
	    cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && m->nsrcs < 8) {
		struct ui_msrc *s = &m->srcs[m->nsrcs++];

		store_col_text(st, 0, s->name, sizeof s->name);
		store_col_text(st, 1, s->state, sizeof s->state);
		store_col_text(st, 2, s->detail, sizeof s->detail);
		s->rx = sqlite3_column_double(st, 3);
		s->tx = sqlite3_column_double(st, 4);
		s->pps = sqlite3_column_double(st, 5);
		s->drops_kernel = hist_u64(st, 6);
		s->drops_iface = hist_u64(st, 7);
		s->drops_ring = hist_u64(st, 8);
		s->flows = hist_u64(st, 9);
		s->hosts = hist_u64(st, 10);
		s->nseries = hist_series(sqlite3_column_text(st, 11),
		    s->rx_series);
		if (hist_series(sqlite3_column_text(st, 12), s->tx_series) !=
		    s->nseries)
			s->nseries = 0;
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (hist_done(db, st, rc, cause) != 0)
		return -1;

	if (hist_prepare(db, "SELECT addr, name, in_2s, in_10s, in_40s, "
	    "out_2s, out_10s, out_40s, bytes_in, bytes_out, flows, last_ts, "
	    "cc FROM live_hosts ORDER BY rank", &st, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    m->nhosts < UI_MODEL_ROWS) {
		struct ui_mhost *h = &m->hosts[m->nhosts++];
		int k;

		store_col_text(st, 0, h->text, sizeof h->text);
		hist_addr(h);
		store_col_text(st, 1, h->name, sizeof h->name);
		for (k = 0; k < 3; k++) {
			h->in[k] = sqlite3_column_double(st, 2 + k);
			h->out[k] = sqlite3_column_double(st, 5 + k);
		}
		h->bytes_in = hist_u64(st, 8);
		h->bytes_out = hist_u64(st, 9);
		h->flows = hist_u64(st, 10);
		h->last_s = sqlite3_column_int64(st, 11);
		store_col_text(st, 12, h->cc, sizeof h->cc);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (hist_done(db, st, rc, cause) != 0)
		return -1;

	if (hist_prepare(db, "SELECT proto, proto_num, orig_h, orig_p, "
	    "resp_h, resp_p, orig_name, resp_name, service, conn_state, "
	    "duration, orig_rate, resp_rate, bytes, rtt_us, retrans "
	    "FROM live_flows ORDER BY rank", &st, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    m->nflows < UI_MODEL_ROWS) {
		struct ui_mflow *f = &m->flows[m->nflows++];

		store_col_text(st, 0, f->proto, sizeof f->proto);
		f->proto_num = (uint8_t)sqlite3_column_int(st, 1);
		store_col_text(st, 2, f->orig, sizeof f->orig);
		f->orig_p = (uint16_t)sqlite3_column_int(st, 3);
		store_col_text(st, 4, f->resp, sizeof f->resp);
		f->resp_p = (uint16_t)sqlite3_column_int(st, 5);
		store_col_text(st, 6, f->orig_name, sizeof f->orig_name);
		store_col_text(st, 7, f->resp_name, sizeof f->resp_name);
		store_col_text(st, 8, f->service, sizeof f->service);
		store_col_text(st, 9, f->state, sizeof f->state);
		f->dur_s = sqlite3_column_double(st, 10);
		f->orate = sqlite3_column_double(st, 11);
		f->rrate = sqlite3_column_double(st, 12);
		f->bytes = hist_u64(st, 13);
		f->rtt_us = (uint32_t)sqlite3_column_int64(st, 14);
		f->retrans = (uint32_t)sqlite3_column_int64(st, 15);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (hist_done(db, st, rc, cause) != 0)
		return -1;

	if (hist_prepare(db, "SELECT kind, name, bytes FROM live_services "
	    "ORDER BY kind, rank", &st, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(st, 0);
		struct ui_mshare *r;

		if (k != NULL && strcmp((const char *)k, "proto") == 0) {
			if (m->nprotos == 64)
				continue;
			r = &m->protos[m->nprotos++];
		} else {
			if (m->nsvcs == UI_MODEL_ROWS)
				continue;
			r = &m->svcs[m->nsvcs++];
		}
		store_col_text(st, 1, r->name, sizeof r->name);
		r->bytes = hist_u64(st, 2);
	}
	return hist_done(db, st, rc, cause);
}

/* The daemon's newest alerts (store-alert.c), and how many it raised
 * and left open.  A database of an older schema has none: the pane says
 * so instead of failing the snapshot. */
static void
snap_alerts(sqlite3 *db, struct ui_model *m)
{
	sqlite3_stmt *st;
	char sql[512];

	snprintf(sql, sizeof sql, "SELECT %s FROM alerts ORDER BY ts_us DESC, "
	    "id DESC LIMIT %d", store_alert_cols, UI_MODEL_ALERTS);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW && m->nalerts < UI_MODEL_ALERTS)
		if (store_alert_row(st, &m->alerts[m->nalerts]) == 0)
			m->nalerts++;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT count(*), coalesce(sum(state <> "
	    "'resolved'), 0) FROM alerts", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->alerts_raised = (uint64_t)sqlite3_column_int64(st, 0);
		m->alerts_open = (uint64_t)sqlite3_column_int64(st, 1);
		m->alerts_known = 1;
	}
	sqlite3_finalize(st);
}

int
ui_model_snapshot(sqlite3 *db, struct ui_model *m, char **cause)
{
	int rc;

	memset(m, 0, sizeof *m);
	m->kind = UI_MODEL_SNAPSHOT;
	m->step_s = 1;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s", sqlite3_errmsg(db));
		return -1;
	}
	rc = snap_read(db, m, cause);
	if (rc == 0)
		snap_alerts(db, m);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* Bandwidth of the range: per source, buckets of step_s seconds. */
static int
range_samples(sqlite3 *db, struct ui_model *m, const char *table,
    int64_t start, int64_t end, char **cause)
{
	sqlite3_stmt *st;
	char sql[256];
	const char *name;
	unsigned i, b;
	int rc;

	snprintf(sql, sizeof sql, "SELECT source, ts, rx_bytes, tx_bytes, "
	    "rx_pkts + tx_pkts FROM %s WHERE ts >= ?1 AND ts < ?2 "
	    "ORDER BY source, ts", table);
	if (hist_prepare(db, sql, &st, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		if (name == NULL)
			continue;
		for (i = 0; i < m->nsrcs; i++)
			if (strcmp(m->srcs[i].name, name) == 0)
				break;
		if (i == m->nsrcs) {
			if (m->nsrcs == 8)
				continue;
			snprintf(m->srcs[i].name, sizeof m->srcs[i].name, "%s",
			    name);
			snprintf(m->srcs[i].state, sizeof m->srcs[i].state,
			    "history");
			m->srcs[i].nseries = (unsigned)((end - start) /
			    m->step_s);
			m->nsrcs++;
		}
		b = (unsigned)((sqlite3_column_int64(st, 1) - start) /
		    m->step_s);
		if (b >= m->srcs[i].nseries)
			continue;
		m->srcs[i].rx_series[b] += (double)hist_u64(st, 2) / m->step_s;
		m->srcs[i].tx_series[b] += (double)hist_u64(st, 3) / m->step_s;
		m->srcs[i].rx += (double)hist_u64(st, 2);
		m->srcs[i].tx += (double)hist_u64(st, 3);
		m->packets += hist_u64(st, 4);
	}
	for (i = 0; i < m->nsrcs; i++) {
		/* the range's averages */
		m->srcs[i].rx /= (double)(end - start);
		m->srcs[i].tx /= (double)(end - start);
	}
	return hist_done(db, st, rc, cause);
}

int
ui_model_range(sqlite3 *db, unsigned secs, struct ui_model *m, char **cause)
{
	sqlite3_stmt *st;
	const char *samples, *hosts, *svcs;
	int64_t newest, t0, unit, end, start, tstep;
	unsigned npts;
	int rc;

	memset(m, 0, sizeof *m);
	m->kind = UI_MODEL_RANGE;
	if (secs >= 86400 * 2)
		snprintf(m->range, sizeof m->range, "last %u d", secs / 86400);
	else
		snprintf(m->range, sizeof m->range, "last %u h", secs / 3600);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (hist_int(db, "SELECT value FROM meta WHERE key = 'newest'",
	    &newest) != SQLITE_OK) {
		xasprintf(cause, "%s", sqlite3_errmsg(db));
		goto fail;
	}
	m->pkt_ns = newest * 1000000000;
	t0 = newest - secs;
	end = newest + 1;
	/* the finest samples kept for the range, in at most
	 * UI_MODEL_SERIES buckets of whole table steps */
	if (secs <= 3600)
		samples = "samples_sec", tstep = 1;
	else if (secs <= 86400)
		samples = "samples_min", tstep = 60;
	else
		samples = "samples_hour", tstep = 3600;
	m->step_s = (unsigned)(((secs + UI_MODEL_SERIES - 1) /
	    UI_MODEL_SERIES + tstep - 1) / tstep * tstep);
	npts = secs / m->step_s;
	start = end - (int64_t)npts * m->step_s;
	if (range_samples(db, m, samples, start, end, cause) != 0)
		goto fail;

	if (secs <= 7 * 86400)
		hosts = "host_hour", svcs = "service_hour", unit = 3600;
	else
		hosts = "host_day", svcs = "service_day", unit = 86400;
	{
		char sql[640];

		snprintf(sql, sizeof sql, "SELECT h.addr, (SELECT name FROM "
		    "names n WHERE n.addr = h.addr ORDER BY last_ts DESC "
		    "LIMIT 1), sum(bytes_in), sum(bytes_out), sum(flows), "
		    "max(ts) FROM %s h WHERE ts >= ?1 AND ts < ?2 "
		    "GROUP BY addr ORDER BY sum(bytes_in) + sum(bytes_out) "
		    "DESC, addr LIMIT %d", hosts, UI_MODEL_ROWS);
		if (hist_prepare(db, sql, &st, cause) != 0)
			goto fail;
	}
	sqlite3_bind_int64(st, 1, t0 - t0 % unit);
	sqlite3_bind_int64(st, 2, end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ui_mhost *h = &m->hosts[m->nhosts++];

		store_col_text(st, 0, h->text, sizeof h->text);
		hist_addr(h);
		store_col_text(st, 1, h->name, sizeof h->name);
		h->bytes_in = hist_u64(st, 2);
		h->bytes_out = hist_u64(st, 3);
		h->flows = hist_u64(st, 4);
		h->last_s = sqlite3_column_int64(st, 5);
	}
	if (hist_done(db, st, rc, cause) != 0)
		goto fail;
	{
		char sql[256];

		snprintf(sql, sizeof sql, "SELECT service, sum(bytes) FROM %s "
		    "WHERE ts >= ?1 AND ts < ?2 GROUP BY service "
		    "ORDER BY sum(bytes) DESC, service LIMIT %d", svcs,
		    UI_MODEL_ROWS);
		if (hist_prepare(db, sql, &st, cause) != 0)
			goto fail;
	}
	sqlite3_bind_int64(st, 1, t0 - t0 % unit);
	sqlite3_bind_int64(st, 2, end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ui_mshare *r = &m->svcs[m->nsvcs++];

		store_col_text(st, 0, r->name, sizeof r->name);
		r->bytes = hist_u64(st, 1);
	}
	if (hist_done(db, st, rc, cause) != 0)
		goto fail;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return 0;
fail:
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return -1;
}
