/*
 * store-query.c: reading the history database: export --db, and the
 * helpers report --db and db share (the default path, times).
 *
 * Main thread of the mode that asks; it opens its own read-only
 * connection (WAL lets it read while a writer commits) and never writes.
 * Ages given as relative times (1h, 7d) count back from the newest second
 * stored (the packet clock), not from the wall clock.
 */
#include "config.h"
#include "store.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "out.h"
#include "out-rec.h"
#include "xmalloc.h"


int
store_time_parse(const char *s, int64_t *abs_s, int64_t *rel_s,
    int *relative)
{
	struct tm tm;
	char *end;
	long long n;
	int64_t mul, off = 0;
	const char *p;
	int oh = 0, om = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (isdigit((unsigned char)s[0]) && (n = strtoll(s, &end, 10)) >= 0 &&
	    end != s && end[0] != '\0' && end[1] == '\0' &&
	    strchr("smhdw", end[0]) != NULL) {
		mul = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ?
		    3600 : end[0] == 'd' ? 86400 : 604800;
		if (n > INT64_MAX / mul)
			return -1;
		*rel_s = n * mul;
		*relative = 1;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	p = strptime(s, "%Y-%m-%d", &tm);
	if (p == NULL)
		return -1;
	if (*p == 'T' || *p == ' ') {
		p = strptime(p + 1, "%H:%M", &tm);
		if (p == NULL)
			return -1;
		if (*p == ':' && (p = strptime(p + 1, "%S", &tm)) == NULL)
			return -1;
	}
	if (*p == 'Z')
		p++;
	else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh,
	    &om) == 2 && strlen(p) == 6) {
		off = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
		p += 6;
	}
	if (*p != '\0' || oh < 0 || oh > 23 || om < 0 || om > 59 ||
	    tm.tm_mday > fmt_month_days(tm.tm_year + 1900, tm.tm_mon + 1))
		return -1;
	*abs_s = (int64_t)timegm(&tm) - off;
	*relative = 0;
	return 0;
}

char *
store_pick_path(const char *given)
{
	/* the daemon's, whatever the installation prefix (as
	 * /etc/wiretop/wiretop.conf), unless configured otherwise */
	const char *sys = WT_DAEMON_DB;
	char *own;

	if (given != NULL)
		return xstrdup(given);
	own = store_default_path();
	if (access(own, F_OK) != 0 && access(sys, F_OK) == 0) {
		free(own);
		return xstrdup(sys);
	}
	return own;
}

int64_t
store_newest(struct sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t newest = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = "
	    "'newest'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			newest = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return newest;
}

int
store_time_resolve(const char *s, int64_t newest, int64_t *out)
{
	int64_t a = 0, r = 0;
	int rel = 0;

	if (store_time_parse(s, &a, &r, &rel) != 0)
		return -1;
	*out = rel ? newest - r : a;
	return 0;
}

static struct out_field
q_token(sqlite3_stmt *st, int i)
{
	struct out_field v;
	const char *s = (const char *)sqlite3_column_text(st, i);

	v.type = s != NULL && *s != '\0' ? OUT_TOKEN : OUT_NULL;
	v.v.tok.s = s;
	v.v.tok.len = 0;
	return v;
}

static struct out_field
q_uint(sqlite3_stmt *st, int i)
{
	struct out_field v;

	v.type = sqlite3_column_type(st, i) == SQLITE_NULL ? OUT_NULL :
	    OUT_UINT;
	v.v.u = (uint64_t)sqlite3_column_int64(st, i);
	return v;
}

static struct out_field
q_fixed(int64_t val, unsigned dec)
{
	struct out_field v;

	v.type = OUT_FIXED;
	v.v.fx.val = val;
	v.v.fx.dec = dec;
	return v;
}

/* flows: the columns and types of out-rec.c, in its order */
static int
store_q_flows(sqlite3 *db, int64_t since, int64_t until,
    struct out_writer *w)
{
	static const char *const names[] = { "ts", "uid", "id.orig_h",
	    "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
	    "duration", "orig_bytes", "resp_bytes", "conn_state", "history",
	    "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
	    "orig_wire_bytes", "resp_wire_bytes", "vlan", "inner_vlan",
	    "return_vlan", "tunnel_parents", "tunnel", "community_id",
	    "rtt_ms", "retrans", "orig_cc", "resp_cc", "orig_asn", "resp_asn",
	    "schema" };
	struct out_field v[32];
	sqlite3_stmt *st;
	const char *svc;
	int i, rc;

	if (sqlite3_prepare_v2(db, "SELECT * FROM flows WHERE ts_us >= ?1 "
	    "AND ts_us < ?2 ORDER BY ts_us, rowid", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, since * 1000000);
	sqlite3_bind_int64(st, 2, until * 1000000);
	out_rec_begin(w, OUT_REC_FLOWS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[0] = q_fixed(sqlite3_column_int64(st, 0), 6);
		v[1] = q_token(st, 1);
		v[2] = q_token(st, 2);
		v[3] = q_uint(st, 3);
		v[4] = q_token(st, 4);
		v[5] = q_uint(st, 5);
		v[6] = q_token(st, 6);
		svc = (const char *)sqlite3_column_text(st, 7);
		v[7].type = svc != NULL && *svc != '\0' ? OUT_STR : OUT_NULL;
		v[7].v.s = svc;
		v[8] = q_fixed(sqlite3_column_int64(st, 8), 6);
		for (i = 9; i <= 10; i++)
			v[i] = q_uint(st, i);
		v[11] = q_token(st, 11);
		v[12] = q_token(st, 12);
		for (i = 13; i <= 21; i++)
			v[i] = q_uint(st, i);
		v[22] = q_token(st, 22);
		if (v[22].type == OUT_TOKEN)
			v[22].type = OUT_TOKENS;
		v[23] = q_token(st, 23);
		v[24] = q_token(st, 24);
		if (sqlite3_column_type(st, 25) == SQLITE_NULL)
			v[25].type = OUT_NULL;
		else
			v[25] = q_fixed(sqlite3_column_int64(st, 25), 3);
		v[26] = q_uint(st, 26);
		for (i = 27; i <= 28; i++)
			v[i] = q_token(st, i);
		for (i = 29; i <= 30; i++)
			v[i] = q_uint(st, i);
		v[31].type = OUT_TOKEN;
		v[31].v.tok.s = "wiretop.flows/2";
		v[31].v.tok.len = 0;
		for (i = 0; i < 32; i++)
			v[i].name = names[i];
		if (out_record(w, v, 32) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* hosts, services and samples: one generic query, columns as named */
static int
store_q_rows(sqlite3 *db, const char *sql, const char *schema,
    const char *list, int64_t since, int64_t until, struct out_writer *w)
{
	struct out_field v[16];
	const char *cols[16];
	sqlite3_stmt *st;
	int i, n, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	n = sqlite3_column_count(st);
	if (n > 15)
		n = 15;
	for (i = 0; i < n; i++)
		cols[i] = sqlite3_column_name(st, i);
	cols[n] = "schema";
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	out_begin(w, schema, list, cols, (size_t)n + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
				v[i] = q_uint(st, i);
			else if (sqlite3_column_type(st, i) == SQLITE_NULL)
				v[i].type = OUT_NULL;
			else if (strcmp(cols[i], "name") == 0) {
				v[i].type = OUT_CAPTURED;
				v[i].v.s = (const char *)
				    sqlite3_column_text(st, i);
			} else {
				v[i].type = OUT_STR;
				v[i].v.s = (const char *)
				    sqlite3_column_text(st, i);
			}
			v[i].name = cols[i];
		}
		v[n].name = "schema";
		v[n].type = OUT_TOKEN;
		v[n].v.tok.s = schema;
		v[n].v.tok.len = 0;
		if (out_record(w, v, (size_t)n + 1) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* alerts: the records of export -r --what alerts (out_rec_alert), id the
 * row's; those that fired in the range, oldest first */
static int
store_q_alerts(sqlite3 *db, int64_t since, int64_t until,
    struct out_writer *w, uint64_t *unknown)
{
	char sql[512];
	struct alert a;
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "SELECT %s FROM alerts WHERE ts_us >= ?1 "
	    "AND ts_us < ?2 ORDER BY ts_us, id", store_alert_cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, since * 1000000);
	sqlite3_bind_int64(st, 2, until * 1000000);
	out_rec_begin(w, OUT_REC_ALERTS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_alert_row(st, &a) != 0) {
			/* written by a newer wiretop */
			(*unknown)++;
			continue;
		}
		if (out_rec_alert(w, &a) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_export(const char *path, enum store_what what, const char *since,
    const char *until, struct out_writer *w, char **cause, int *dbproblem)
{
	sqlite3 *db;
	int64_t newest, t0, t1 = INT64_MAX / 2000000;
	uint64_t unknown = 0;
	int rc;

	*dbproblem = 0;
	if ((db = store_db_open(path, 0, cause)) == NULL) {
		*dbproblem = 1;
		return -1;
	}
	newest = store_newest(db);
	if (store_time_resolve(since, newest, &t0) != 0 || (until != NULL &&
	    store_time_resolve(until, newest, &t1) != 0)) {
		xasprintf(cause, "--since/--until: expected ISO 8601 "
		    "(2024-05-01T13:00:00Z) or an age (90s, 15m, 1h, 7d, 2w)");
		sqlite3_close(db);
		return -1;
	}
	if (until != NULL && t1 <= t0) {
		/* as a report says it: not an empty answer */
		*cause = xstrdup("--until: must be later than --since");
		sqlite3_close(db);
		return -1;
	}
	/* to the newest second stored; alerts to the end (one raised
	 * when the input ended may carry a later time: its condition's
	 * timeout) */
	if (until == NULL && what != STORE_WHAT_ALERTS)
		t1 = newest + 1;
	switch (what) {
	case STORE_WHAT_FLOWS:
		rc = store_q_flows(db, t0, t1, w);
		break;
	case STORE_WHAT_HOSTS:
		rc = store_q_rows(db, "SELECT h.addr AS addr, (SELECT name "
		    "FROM names n WHERE n.addr = h.addr ORDER BY last_ts DESC "
		    "LIMIT 1) AS name, sum(bytes_in) AS bytes_in, "
		    "sum(bytes_out) AS bytes_out, sum(pkts_in) AS pkts_in, "
		    "sum(pkts_out) AS pkts_out, sum(flows) AS flows, "
		    "min(ts) AS first_hour, max(ts) AS last_hour "
		    "FROM host_hour h WHERE ts >= ?1 - ?1 % 3600 AND ts < ?2 "
		    "GROUP BY addr ORDER BY bytes_in + bytes_out DESC, addr",
		    "wiretop.db-hosts/1", "hosts", t0, t1, w);
		break;
	case STORE_WHAT_SERVICES:
		rc = store_q_rows(db, "SELECT service, sum(bytes) AS bytes, "
		    "sum(pkts) AS pkts, sum(flows) AS flows, min(ts) AS "
		    "first_hour, max(ts) AS last_hour FROM service_hour "
		    "WHERE ts >= ?1 - ?1 % 3600 AND ts < ?2 GROUP BY service "
		    "ORDER BY bytes DESC, service",
		    "wiretop.db-services/1", "services", t0, t1, w);
		break;
	case STORE_WHAT_ALERTS:
		if (!store_alert_kept(db)) {
			/* the records' header, and why there are none */
			out_rec_begin(w, OUT_REC_ALERTS);
			log_stderr("%s: a database of a schema "
			    "before alerts were kept: none to export (wiretop "
			    "db check migrates it)", path);
			rc = 0;
			break;
		}
		rc = store_q_alerts(db, t0, t1, w, &unknown);
		if (unknown > 0)
			log_stderr("%s: %llu alerts of a kind "
			    "or state this version does not know were left "
			    "out", path, (unsigned long long)unknown);
		break;
	default:
		rc = store_q_rows(db, "SELECT ts, source, rx_bytes, tx_bytes, "
		    "rx_pkts, tx_pkts, drops, decode_errors FROM samples_sec "
		    "WHERE ts >= ?1 AND ts < ?2 ORDER BY ts, source",
		    "wiretop.db-samples/1", "samples", t0, t1, w);
		break;
	}
	if (rc != 0 && out_error(w) == 0) {
		xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db));
		*dbproblem = 1;
	}
	out_end(w);
	sqlite3_close(db);
	return rc;
}
