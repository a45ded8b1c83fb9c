/*
 * store-alert.c: the alerts table of the history database: the schema,
 * the upsert the store thread runs for each change the alert core
 * publishes, and the reading back of a row as a struct alert (export
 * --db, report --db, wiretop view).
 *
 * Writing: the store thread only, inside the transaction of the batch the
 * change rode in (store.c copies each alert the core hands its subscriber
 * into the current batch on the main thread).  Reading: any thread, on its
 * own read-only connection.
 *
 * A row is keyed by the alert's uid (16 hex digits of alert.uid: a hash
 * of kind, subject, peer, port and the time it fired), so the changes of
 * one alert (new, repeats, acknowledged, resolved) update one row, and a
 * batch written twice after a retry writes the same row.  Times are
 * microseconds since the epoch (the exports' resolution); ack_us is the
 * wall clock of the acknowledgement, the others packet time.
 */
#include "config.h"
#include "store.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"

/* Schema 3: the alerts table of schema 1 (never written: nothing kept
 * alerts before) gives way to this one. */
const char store_alert_schema_v3[] =
"DROP TABLE alerts;\n"
"CREATE TABLE alerts (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, "
"  ts_us INTEGER NOT NULL, last_us INTEGER NOT NULL, "
"  severity INTEGER NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, "
"  subject TEXT NOT NULL, subject_name TEXT, peer TEXT, port INTEGER, "
"  message TEXT NOT NULL, value REAL NOT NULL, threshold REAL NOT NULL, "
"  count INTEGER NOT NULL, notifications INTEGER NOT NULL, "
"  resolved_us INTEGER, community_id TEXT, ack_user TEXT, ack_us INTEGER);\n"
"CREATE INDEX alerts_ts ON alerts (ts_us);\n";

int
store_alert_kept(sqlite3 *db)
{
	sqlite3_stmt *st;
	int kept = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version",
	    -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		kept = sqlite3_column_int64(st, 0) >= 3;
	sqlite3_finalize(st);
	return kept;
}

/* The columns a reader selects, in store_alert_row()'s order. */
const char store_alert_cols[] =
    "id, uid, ts_us, last_us, severity, kind, state, subject, "
    "subject_name, peer, port, message, value, threshold, count, "
    "notifications, resolved_us, community_id, ack_user, ack_us";

/* An acknowledgement stays: a change from an older state of the alert
 * (a batch retried, or a daemon that learned of the acknowledgement
 * later) never takes it back; resolved is final. */
static const char store_alert_upsert[] =
"INSERT INTO alerts (uid, ts_us, last_us, severity, kind, state, subject, "
"  subject_name, peer, port, message, value, threshold, count, "
"  notifications, resolved_us, community_id, ack_user, ack_us) "
"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
"  ?15, ?16, ?17, ?18, ?19) "
"ON CONFLICT (uid) DO UPDATE SET "
"  last_us = max(last_us, excluded.last_us), "
"  severity = max(severity, excluded.severity), "
"  state = CASE WHEN state = 'resolved' OR excluded.state = 'resolved' "
"    THEN 'resolved' WHEN state = 'acknowledged' THEN state "
"    ELSE excluded.state END, "
"  message = excluded.message, value = max(value, excluded.value), "
"  count = max(count, excluded.count), "
"  notifications = max(notifications, excluded.notifications), "
"  resolved_us = coalesce(resolved_us, excluded.resolved_us), "
"  ack_user = coalesce(ack_user, excluded.ack_user), "
"  ack_us = coalesce(ack_us, excluded.ack_us)";

static void
bind_text(sqlite3_stmt *st, int i, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
}

int
store_alert_put(sqlite3 *db, sqlite3_stmt **stp, const struct alert *a)
{
	sqlite3_stmt *st;
	char uid[17];
	int rc;

	if (*stp == NULL && (rc = sqlite3_prepare_v3(db, store_alert_upsert,
	    -1, SQLITE_PREPARE_PERSISTENT, stp, NULL)) != SQLITE_OK)
		return rc;
	st = *stp;
	snprintf(uid, sizeof uid, "%016" PRIx64, a->uid);
	sqlite3_bind_text(st, 1, uid, 16, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (int64_t)(a->ts_ns / 1000));
	sqlite3_bind_int64(st, 3, (int64_t)(a->last_ns / 1000));
	sqlite3_bind_int(st, 4, (int)a->sev);
	sqlite3_bind_text(st, 5, alert_kind_name(a->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, alert_state_name(a->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->subject, (int)strnlen(a->subject,
	    sizeof a->subject), SQLITE_STATIC);
	bind_text(st, 8, a->subject_name, sizeof a->subject_name);
	bind_text(st, 9, a->peer, sizeof a->peer);
	if (a->port != 0)
		sqlite3_bind_int(st, 10, a->port);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_text(st, 11, a->message, (int)strnlen(a->message,
	    sizeof a->message), SQLITE_STATIC);
	sqlite3_bind_double(st, 12, a->value);
	sqlite3_bind_double(st, 13, a->threshold);
	sqlite3_bind_int64(st, 14, a->count);
	sqlite3_bind_int64(st, 15, a->notifications);
	if (a->resolved_ns != 0)
		sqlite3_bind_int64(st, 16, (int64_t)(a->resolved_ns / 1000));
	else
		sqlite3_bind_null(st, 16);
	bind_text(st, 17, a->community_id, sizeof a->community_id);
	if (a->ack_wall_ns != 0) {
		bind_text(st, 18, a->ack_user, sizeof a->ack_user);
		sqlite3_bind_int64(st, 19, (int64_t)(a->ack_wall_ns / 1000));
	} else {
		sqlite3_bind_null(st, 18);
		sqlite3_bind_null(st, 19);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A name back to its enum; -1 if this build has no such name. */
static int
kind_parse(const char *s)
{
	int k;

	for (k = 0; s != NULL && k < ALERT_KIND_COUNT; k++)
		if (strcmp(alert_kind_name((enum alert_kind)k), s) == 0)
			return k;
	return -1;
}

static int
state_parse(const char *s)
{
	int k;

	for (k = ALERT_ACTIVE; s != NULL && k <= ALERT_RESOLVED; k++)
		if (strcmp(alert_state_name((enum alert_state)k), s) == 0)
			return k;
	return -1;
}

void
store_col_text(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t n;

	dst[0] = '\0';
	if (s == NULL)
		return;
	n = (size_t)sqlite3_column_bytes(st, i);
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static uint64_t
col_ns(sqlite3_stmt *st, int i)
{
	int64_t us = sqlite3_column_int64(st, i);

	return us > 0 ? (uint64_t)us * 1000 : 0;
}

int
store_alert_row(sqlite3_stmt *st, struct alert *a)
{
	const char *uid;
	int kind, state, sev;

	memset(a, 0, sizeof *a);
	kind = kind_parse((const char *)sqlite3_column_text(st, 5));
	state = state_parse((const char *)sqlite3_column_text(st, 6));
	sev = sqlite3_column_int(st, 4);
	if (kind < 0 || state < 0 || sev < ALERT_SEV_INFO ||
	    sev > ALERT_SEV_CRITICAL)
		return -1;
	a->id = (uint64_t)sqlite3_column_int64(st, 0);
	if ((uid = (const char *)sqlite3_column_text(st, 1)) != NULL)
		a->uid = strtoull(uid, NULL, 16);
	a->ts_ns = col_ns(st, 2);
	a->last_ns = col_ns(st, 3);
	a->sev = (enum alert_sev)sev;
	a->kind = (enum alert_kind)kind;
	a->state = (enum alert_state)state;
	store_col_text(st, 7, a->subject, sizeof a->subject);
	store_col_text(st, 8, a->subject_name, sizeof a->subject_name);
	store_col_text(st, 9, a->peer, sizeof a->peer);
	a->port = (uint16_t)sqlite3_column_int(st, 10);
	store_col_text(st, 11, a->message, sizeof a->message);
	a->value = sqlite3_column_double(st, 12);
	a->threshold = sqlite3_column_double(st, 13);
	a->count = (uint32_t)sqlite3_column_int64(st, 14);
	a->notifications = (uint32_t)sqlite3_column_int64(st, 15);
	a->resolved_ns = col_ns(st, 16);
	store_col_text(st, 17, a->community_id, sizeof a->community_id);
	store_col_text(st, 18, a->ack_user, sizeof a->ack_user);
	a->ack_wall_ns = col_ns(st, 19);
	return 0;
}
