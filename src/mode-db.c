/*
 * mode-db.c: `wiretop db check|vacuum|purge --before T`: looking after
 * the history database.
 *
 * Main thread only.  Each action opens its own writable connection
 * (store_db_open(path, 1)), which may run while a daemon or an import
 * writes the same file: SQLite's locks order the two writers, and the
 * busy timeout (DB_BUSY_MS) makes this one wait its turn instead of
 * failing.  The writer on the other side sees SQLITE_BUSY while this
 * one holds the write lock and keeps its batch and retries (store.c), so
 * nothing is lost; it is only delayed for as long as the action holds
 * the lock:
 * - check only reads (integrity_check reads every page, under one read
 *   transaction, which never blocks a WAL writer);
 * - purge deletes in one BEGIN IMMEDIATE ... COMMIT, so a reader sees the
 *   rows before or after, never half of them;
 * - vacuum is SQLite's VACUUM in place, then a checkpoint that gives the
 *   file back its unused pages.  It holds the write lock for as long as
 *   it takes to rewrite the file (seconds per GiB).  VACUUM INTO a copy
 *   renamed over the database is not used: a writer that has the file
 *   open would go on writing to the old, unlinked inode, and its rows
 *   would be lost.
 * Times are whole seconds since the epoch, UTC (store.c); relative times
 * count back from the newest second stored.
 */
#include "config.h"
#include "mode.h"

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define DB_BUSY_MS	60000	/* longest wait for a writer's lock */
#define DB_PROBLEMS	20	/* integrity problems listed at most */

/* A table, its oldest and newest time, and what purge deletes of it:
 * the rows wholly older than T (a per-minute, per-hour or per-day row
 * only once its whole period is: nothing newer than T is deleted), flows
 * that started before T, names and alerts last seen before T.  imported_files is kept: it is what refuses a second import. */
struct db_table {
	const char *name;
	const char *from;	/* where its times are kept (NULL: name) */
	const char *first;	/* SQL of its oldest time, s */
	const char *last;	/* of its newest time, s */
	const char *purge;	/* DELETE of the rows older than ?1 (s) */
	int seg;		/* DB_SEG_*: kept in segments (store-seg.c) */
};

enum {
	DB_SEG_NONE, DB_SEG_FLOWS, DB_SEG_HOUR, DB_SEG_DAY
};

static const struct db_table db_tables[] = {
	{ "samples_sec", NULL, "min(ts)", "max(ts)",
	  "DELETE FROM samples_sec WHERE ts < ?1", DB_SEG_NONE },
	{ "samples_min", NULL, "min(ts)", "max(ts)",
	  "DELETE FROM samples_min WHERE ts <= ?1 - 60", DB_SEG_NONE },
	{ "samples_hour", NULL, "min(ts)", "max(ts)",
	  "DELETE FROM samples_hour WHERE ts <= ?1 - 3600", DB_SEG_NONE },
	{ "host_hour", "host_seg WHERE tier = 0", "min(ts)", "max(ts)",
	  NULL, DB_SEG_HOUR },
	{ "host_day", "host_seg WHERE tier = 1", "min(ts)", "max(ts)",
	  NULL, DB_SEG_DAY },
	{ "service_hour", NULL, "min(ts)", "max(ts)",
	  "DELETE FROM service_hour WHERE ts <= ?1 - 3600", DB_SEG_NONE },
	{ "service_day", NULL, "min(ts)", "max(ts)",
	  "DELETE FROM service_day WHERE ts <= ?1 - 86400", DB_SEG_NONE },
	{ "flows", "flow_seg", "min(t_min) / 1000000", "max(t_max) / 1000000",
	  NULL, DB_SEG_FLOWS },
	{ "names", NULL, "min(first_ts)", "max(last_ts)",
	  "DELETE FROM names WHERE last_ts < ?1", DB_SEG_NONE },
	{ "alerts", NULL, "min(ts_us) / 1000000", "max(last_us) / 1000000",
	  "DELETE FROM alerts WHERE last_us < ?1 * 1000000", DB_SEG_NONE },
	{ "imported_files", NULL, NULL, NULL, NULL, DB_SEG_NONE },
};
#define DB_NTABLES (sizeof db_tables / sizeof db_tables[0])

static const char *
db_time(int64_t sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* Bytes of the database file and of its WAL. */
static uint64_t
db_size(const char *path, uint64_t *wal)
{
	struct stat sb;
	char *w;

	xasprintf(&w, "%s-wal", path);
	*wal = stat(w, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	free(w);
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* One integer of a query (*null set when it is NULL); -1 on error. */
static int
db_int(sqlite3 *db, const char *sql, int64_t *v, int *null)
{
	sqlite3_stmt *st;
	int rc;

	*v = 0;
	if (null != NULL)
		*null = 1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*v = sqlite3_column_int64(st, 0);
		if (null != NULL)
			*null = 0;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Print s escaped for the terminal (names and messages may hold any
 * byte). */
static void
db_put(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[FMT_ESC_MAX];

	while (*p != '\0') {
		p += fmt_escape_one(p, one);
		fputs(one, stdout);
	}
}

/* Print one problem line, escaped (it may quote the file's content). */
static void
db_problem(const char *what, const char *msg)
{
	printf("  problem: %s: ", what);
	db_put(msg);
	putchar('\n');
}

static int
db_check(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	const char *msg, *from;
	char *sql, b1[32], b2[32];
	uint64_t size, wal;
	int64_t v, first, last, page = 0, pages = 0, free_pages = 0;
	int problems = 0, n, null, rc;
	size_t i;

	size = db_size(path, &wal);
	if (db_int(db, "PRAGMA page_size", &page, NULL) != 0 ||
	    db_int(db, "PRAGMA page_count", &pages, NULL) != 0 ||
	    db_int(db, "PRAGMA freelist_count", &free_pages, NULL) != 0) {
		db_problem("pages", sqlite3_errmsg(db));
		problems++;
	}
	printf("size         %" PRIu64 " bytes (%" PRId64 " pages of %" PRId64
	    ", %" PRId64 " free), WAL %" PRIu64 " bytes\n", size, pages, page,
	    free_pages, wal);
	if (db_int(db, "SELECT max(version) FROM schema_version", &v,
	    NULL) != 0) {
		db_problem("schema_version", sqlite3_errmsg(db));
		problems++;
	} else
		printf("schema       %" PRId64 " (this wiretop: %d)\n", v,
		    STORE_SCHEMA_VERSION);
	v = store_newest(db);
	printf("newest       %s\n", v > 0 ? db_time(v, b1, sizeof b1) :
	    "(nothing stored)");

	printf("%-16s %12s  %-20s  %-20s\n", "table", "rows", "oldest",
	    "newest");
	for (i = 0; i < DB_NTABLES; i++) {
		xasprintf(&sql, "SELECT count(*) FROM %s", db_tables[i].name);
		rc = db_int(db, sql, &v, NULL);
		free(sql);
		if (rc != 0) {
			db_problem(db_tables[i].name, sqlite3_errmsg(db));
			problems++;
			continue;
		}
		first = last = 0;
		null = 1;
		if (db_tables[i].first != NULL) {
			from = db_tables[i].from != NULL ?
			    db_tables[i].from : db_tables[i].name;
			xasprintf(&sql, "SELECT %s FROM %s",
			    db_tables[i].first, from);
			rc = db_int(db, sql, &first, &null);
			free(sql);
			xasprintf(&sql, "SELECT %s FROM %s",
			    db_tables[i].last, from);
			if (rc == 0)
				rc = db_int(db, sql, &last, NULL);
			free(sql);
			if (rc != 0) {
				db_problem(db_tables[i].name,
				    sqlite3_errmsg(db));
				problems++;
				continue;
			}
		}
		printf("%-16s %12" PRId64 "  %-20s  %-20s\n",
		    db_tables[i].name, v, null ? "-" : db_time(first, b1,
		    sizeof b1), null ? "-" : db_time(last, b2, sizeof b2));
	}

	/* every page, index and constraint */
	n = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(100)", -1, &st,
	    NULL) != SQLITE_OK) {
		db_problem("integrity_check", sqlite3_errmsg(db));
		problems++;
	} else {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			msg = (const char *)sqlite3_column_text(st, 0);
			if (msg != NULL && strcmp(msg, "ok") == 0)
				continue;
			if (n++ < DB_PROBLEMS)
				db_problem("integrity_check", msg != NULL ?
				    msg : "?");
		}
		if (rc != SQLITE_DONE) {
			db_problem("integrity_check", sqlite3_errmsg(db));
			n++;
		}
		sqlite3_finalize(st);
		if (n > DB_PROBLEMS)
			printf("  ... and %d more\n", n - DB_PROBLEMS);
		problems += n;
		printf("integrity    %s\n", n == 0 ? "ok" : "DAMAGED");
	}
	n = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st,
	    NULL) != SQLITE_OK) {
		db_problem("foreign_key_check", sqlite3_errmsg(db));
		problems++;
	} else {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			msg = (const char *)sqlite3_column_text(st, 0);
			if (n++ < DB_PROBLEMS)
				db_problem("foreign_key_check", msg != NULL ?
				    msg : "?");
		}
		if (rc != SQLITE_DONE) {
			db_problem("foreign_key_check", sqlite3_errmsg(db));
			n++;
		}
		sqlite3_finalize(st);
		problems += n;
		printf("foreign keys %s\n", n == 0 ? "ok" : "BROKEN");
	}
	if (problems > 0) {
		log_stderr("%s: %d problem%s found (see above)",
		    path, problems, problems == 1 ? "" : "s");
		return WT_EXIT_DB;
	}
	return WT_EXIT_OK;
}

static int
db_vacuum(sqlite3 *db, const char *path)
{
	uint64_t before, after, wal0, wal1;

	before = db_size(path, &wal0);
	if (sqlite3_exec(db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK) {
		log_stderr("%s: vacuum: %s", path,
		    sqlite3_errmsg(db));
		return WT_EXIT_DB;
	}
	/* the rewritten pages are in the WAL: move them into the file,
	 * which shrinks, and empty the WAL (a reader still inside an old
	 * snapshot can keep part of it: then it is done by the next
	 * checkpoint) */
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	after = db_size(path, &wal1);
	fputs("vacuumed ", stdout);
	db_put(path);
	printf(": %" PRIu64 " bytes before (WAL %" PRIu64 "), %" PRIu64
	    " after (WAL %" PRIu64 ")\n", before, wal0, after, wal1);
	return WT_EXIT_OK;
}

static int
db_purge(sqlite3 *db, const char *path, const char *before)
{
	struct store_seg *w = NULL;
	sqlite3_stmt *st;
	int rc;
	int64_t t, n[DB_NTABLES], total = 0;
	char b1[32];
	size_t i;

	if (before == NULL) {
		log_stderr("db purge: give --before T (ISO 8601, or an "
		    "age before the newest data stored: 30d)");
		return WT_EXIT_USAGE;
	}
	if (store_time_resolve(before, store_newest(db), &t) != 0) {
		log_stderr("--before: expected ISO 8601 "
		    "(2024-05-01T13:00:00Z) or an age (90s, 15m, 1h, 7d, 2w)");
		return WT_EXIT_USAGE;
	}
	if (t > INT64_MAX / 1000000 || t < INT64_MIN / 1000000) {
		log_stderr("--before: out of range");
		return WT_EXIT_USAGE;
	}
	if ((w = store_seg_open(db)) == NULL ||
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < DB_NTABLES; i++) {
		n[i] = -1;
		switch (db_tables[i].seg) {
		case DB_SEG_FLOWS:
			rc = store_seg_prune_flows(w, t * 1000000, &n[i]);
			break;
		case DB_SEG_HOUR:
			/* the hours that end by t */
			rc = store_seg_prune_hosts(db, 0, t - 3600 + 1, &n[i]);
			break;
		case DB_SEG_DAY:
			rc = store_seg_prune_hosts(db, 1, t - 86400 + 1,
			    &n[i]);
			break;
		default:
			rc = SQLITE_OK;
			break;
		}
		if (rc != SQLITE_OK)
			goto fail;
		if (db_tables[i].seg != DB_SEG_NONE) {
			total += n[i];
			continue;
		}
		if (db_tables[i].purge == NULL)
			continue;
		if (sqlite3_prepare_v2(db, db_tables[i].purge, -1, &st,
		    NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, t);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
		n[i] = sqlite3_changes64(db);
		total += n[i];
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	store_seg_close(w);
	printf("purged everything older than %s: %" PRId64 " rows\n",
	    db_time(t, b1, sizeof b1), total);
	for (i = 0; i < DB_NTABLES; i++)
		if (n[i] >= 0)
			printf("  %-16s %12" PRId64 "\n", db_tables[i].name,
			    n[i]);
	return WT_EXIT_OK;
fail:
	log_stderr("%s: purge: %s (nothing deleted)", path,
	    sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	store_seg_close(w);
	return WT_EXIT_DB;
}

/* db sql: the rows of each statement of q, columns joined by "|" (NULL
 * empty, a blob as x'hex'), escaped for the terminal like everything
 * else the database holds; over a read-only connection, so a query can
 * change nothing. */
static int
db_sql(sqlite3 *db, const char *path, const char *q)
{
	sqlite3_stmt *st;
	const unsigned char *b;
	const char *tail;
	int i, j, n, rc;

	while (q != NULL && *q != '\0') {
		if (sqlite3_prepare_v2(db, q, -1, &st, &tail) != SQLITE_OK) {
			log_stderr("db sql: %s", sqlite3_errmsg(db));
			return WT_EXIT_USAGE;
		}
		q = tail;
		if (st == NULL)		/* only a comment or spaces */
			continue;
		/* a read-only connection writes no database, but VACUUM
		 * INTO would write a new file: nothing that writes runs */
		if (!sqlite3_stmt_readonly(st)) {
			sqlite3_finalize(st);
			log_stderr("%s: db sql: the query writes; db sql only "
			    "reads", path);
			return WT_EXIT_USAGE;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(st); i++) {
				if (i > 0)
					putchar('|');
				switch (sqlite3_column_type(st, i)) {
				case SQLITE_NULL:
					break;
				case SQLITE_BLOB:
					b = sqlite3_column_blob(st, i);
					n = sqlite3_column_bytes(st, i);
					fputs("x'", stdout);
					for (j = 0; j < n; j++)
						printf("%02x", b[j]);
					putchar('\'');
					break;
				default:
					db_put((const char *)
					    sqlite3_column_text(st, i));
					break;
				}
			}
			putchar('\n');
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			log_stderr("%s: db sql: %s", path,
			    sqlite3_errmsg(db));
			return rc == SQLITE_ERROR || rc == SQLITE_READONLY ||
			    rc == SQLITE_CONSTRAINT ? WT_EXIT_USAGE : WT_EXIT_DB;
		}
	}
	return WT_EXIT_OK;
}

/* Run `wiretop db ACTION` and return its exit code. */
int
mode_db(struct wt_opts *o)
{
	const char *a = o->db_action;
	sqlite3 *db;
	char *path, *cause = NULL;
	int code;

	if (a == NULL || (strcmp(a, "check") != 0 && strcmp(a, "vacuum") != 0 &&
	    strcmp(a, "purge") != 0 && strcmp(a, "sql") != 0)) {
		log_stderr("db: expected check, vacuum, purge or sql (try "
		    "--help)");
		return WT_EXIT_USAGE;
	}
	if (strcmp(a, "sql") == 0 && o->db_sql == NULL) {
		log_stderr("db sql: give the query as an argument (try "
		    "--help)");
		return WT_EXIT_USAGE;
	}
	if (o->before != NULL && strcmp(a, "purge") != 0) {
		log_stderr("--before: only for db purge");
		return WT_EXIT_USAGE;
	}
	if (strcmp(a, "purge") == 0 && o->before == NULL) {
		log_stderr("db purge: give --before T (ISO 8601, or an "
		    "age before the newest data stored: 30d)");
		return WT_EXIT_USAGE;
	}
	path = store_pick_path(o->db_path);
	/* a writable open would create a missing file */
	if (access(path, F_OK) != 0) {
		log_stderr("%s: %s", path, errno == ENOENT ?
		    "no history database" : strerror(errno));
		free(path);
		return WT_EXIT_DB;
	}
	if ((db = store_db_open(path, strcmp(a, "sql") != 0, &cause)) ==
	    NULL) {
		if (strcmp(a, "check") == 0) {
			fputs("database     ", stdout);
			db_put(path);
			putchar('\n');
		}
		log_stderr("%s", cause);
		free(cause);
		free(path);
		return WT_EXIT_DB;
	}
	sqlite3_busy_timeout(db, DB_BUSY_MS);
	if (strcmp(a, "check") == 0) {
		fputs("database     ", stdout);
		db_put(path);
		putchar('\n');
		code = db_check(db, path);
	} else if (strcmp(a, "vacuum") == 0)
		code = db_vacuum(db, path);
	else if (strcmp(a, "sql") == 0)
		code = db_sql(db, path, o->db_sql);
	else
		code = db_purge(db, path, o->before);
	if (sqlite3_close(db) != SQLITE_OK && code == WT_EXIT_OK) {
		log_stderr("%s: cannot close the database",
		    path);
		code = WT_EXIT_DB;
	}
	if (fflush(stdout) != 0 && code == WT_EXIT_OK)
		code = WT_EXIT_RUNTIME;
	free(path);
	return code;
}
