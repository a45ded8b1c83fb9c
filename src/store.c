/*
 * store.c: the history database writer: an engine sink on the main
 * thread, and the store thread that owns the only write connection.
 *
 * Main thread: the sink callbacks copy what the engine publishes into the
 * current batch (each closed flow as the engine's struct flow, with its
 * tunnel facts and its ends' GeoIP; one sample per source per packet-time
 * second; names learned); a batch is handed to the
 * store thread on every tick (once per packet-time second) or when it
 * holds STORE_BATCH_FLOWS flow records.  The hand-over moves ownership:
 * after store_queue_put() the main thread never touches the batch again,
 * but for one thing: instead of waiting idle for the store thread (an
 * import's queue full, store_close()), it packs the engine flows of
 * batches still queued (store_help_one(), claimed under the queue's
 * lock, one batch at a time).
 * The queue is bounded (STORE_QUEUE_MAX): live capture never waits on it
 * (a batch that does not fit is freed and counted), offline import waits
 * (STORE_QUEUE_IMPORT: its batches are smaller, STORE_BATCH_IMPORT).
 *
 * Store thread: it owns the sqlite3 connection from store_start() on,
 * and writes each batch in one BEGIN IMMEDIATE ... COMMIT (an import: the
 * batches of STORE_GROUP_FLOWS records in one): its flows as
 * packed segments (store-seg.c), the samples and their per-minute and
 * per-hour rollups (added to, so they always equal the sum of the seconds
 * they came from), host totals (segments) and service totals per hour and
 * per day (from the flows), then retention, measured
 * on the packet clock (the newest second stored, table meta).  Transient
 * errors (BUSY, LOCKED, FULL, IOERR) roll back, keep the batches and
 * retry with backoff; any other error stops writing and is reported by
 * store_close().  A database an import creates has pages of
 * STORE_BULK_PAGE bytes (a page is a write, and an import's segments are
 * big); one a live store creates has SQLite's 4096, whose commits every
 * second rewrite small pages.
 *
 * Alerts: each change the alert core publishes (store_alert_event, its
 * subscriber) rides in the batch as the alert stood, and the store thread
 * upserts the alert's row (store-alert.c).
 *
 * Times in the database are whole seconds since the epoch (UTC) except
 * flows.ts_us, the durations and the alerts' times, in microseconds.
 */
#include "config.h"
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"
#include "out.h"
#include "xmalloc.h"

#define STORE_BATCH_FLOWS	8192	/* flow records per batch at most */
#define STORE_BATCH_IMPORT	2048	/* an import's engine flows per
					   batch: their array (312 bytes
					   each) stays in the cache between
					   the passes over it (host totals,
					   times, packing) */
#if STORE_BATCH_FLOWS > STORE_SEG_FLOWS
#error "a batch's engine flows are one segment (store_pack)"
#endif
#define STORE_QUEUE_MAX		16	/* batches waiting at most (8192 flow
					   records of ~420 bytes each at most) */
#define STORE_QUEUE_IMPORT	8	/* an import's: its main thread
					   waits, or packs, beyond (each
					   batch more is fresh memory) */
#define STORE_RETRY_MAX_MS	5000	/* longest wait between retries */
#define STORE_RETRY_STOP	20	/* tries at shutdown before giving up */
#define STORE_NICE		10	/* the store thread's nice value */
#define STORE_SPARE		8	/* flow arrays kept for reuse */
#define STORE_SPARE_PK		24	/* packing buffers kept: a group's
					   (STORE_GROUP_FLOWS /
					   STORE_BATCH_IMPORT), or a new one
					   grows by copies to its size */
#define STORE_BULK_PAGE		16384	/* page size of a database an import
					   creates (SQLite's default 4096:
					   a daemon's) */
#define STORE_CACHE		(-32768)	/* page cache, KiB (negative:
						   SQLite's convention) */
#define STORE_BULK_CACHE	(-2048)		/* an import's new database's */
#define STORE_GROUP_FLOWS	32768	/* an import's flow records per
					   transaction (at least) */
#define STORE_GROUP_MAX		64	/* an import's batches per
					   transaction at most */
#define STORE_STR_(x)		#x
#define STORE_STR(x)		STORE_STR_(x)
#define STORE_HOLD_MAX		(1u << 18)	/* host and service totals an
						   import holds at most */
#define STORE_HUGE		(2u << 20)	/* a transparent huge page */

/* A batch's total for one host or service in one hour or day (store
 * thread): 112 bytes (the text of its key is made when it is written). */
struct store_agg {
	uint64_t hash;			/* of which, ts and key */
	int64_t ts;
	uint64_t v[4];			/* host: bytes in, out, pkts in, out;
					   service: bytes, -, pkts, - */
	uint64_t flows;
	uint8_t which;			/* ST_HOST_H ... ST_SVC_D */
	uint8_t klen;
	uint8_t key[OUT_ADDR_MAX];	/* an address: 4 or 6, then its 4
					   or 16 bytes; a service (or an
					   address that is not one): 0, then
					   its text (46 bytes at most) */
};

/* A table of them: the entries in the order they came (e), found
 * through an open-addressing index at most half full (slot: the top 32
 * bits of the entry's hash, and its place in e + 1; 0 is free).  An index
 * slot is 8 bytes, not the entry's 112: finding a host among 100 000
 * touches little memory. */
struct store_aggtab {
	uint64_t *slot;
	size_t cap;			/* slots, a power of two */
	struct store_agg *e;
	size_t n, cape;
};

/* Additions waiting to be made to the table: a flow's are queued, and
 * made STORE_AGG_OPS at a time, each one's index slot and entry fetched
 * from memory some additions ahead (a table of 100 000 hosts is not in
 * the cache: one addition at a time, the store thread mostly waited
 * for memory). */
#define STORE_AGG_OPS		256
#define STORE_AGG_AHEAD		16	/* additions whose slot is fetched
					   ahead */
struct store_aggop {
	uint64_t hash;
	int64_t ts;
	uint64_t v[4];
	uint8_t which, klen;
	uint8_t key[OUT_ADDR_MAX];	/* zero after klen, to a multiple
					   of 8 bytes (hashed by words) */
};
/* (klen < OUT_ADDR_MAX: that word is inside the key) */
_Static_assert(OUT_ADDR_MAX % 8 == 0, "a key is whole 8-byte words");

/* One source's counts in one packet-time second. */
struct store_sample {
	int64_t ts;			/* second */
	char source[64];
	uint64_t rx_bytes, tx_bytes, rx_pkts, tx_pkts, drops, decode_errors;
};

struct store_file {
	char sha256[65];
	char *path;			/* owned */
	uint64_t size;
	int complete;			/* 0: the import started, 1: done */
};

struct store_batch {
	struct store_batch *next;
	struct store_flow *flows;	/* owned; STORE_BATCH_FLOWS of room
					   once there is one */
	size_t nflows, capflows;
	struct store_raw *raw;		/* owned; the same */
	size_t nraw;
	struct store_sample *samples;	/* owned */
	size_t nsamples, capsamples;
	struct pkt_name *names;		/* owned */
	size_t nnames, capnames;
	struct store_file *files;	/* owned */
	size_t nfiles;
	struct alert *alerts;		/* owned: changes, in their order */
	size_t nalerts, capalerts;
	int64_t newest;			/* packet clock, s */
	int final;			/* the last batch (store_close) */
	struct store_live *live;	/* owned: a snapshot to write, or NULL */
	/* raw packed as its flow segment ahead of the write: by the main
	 * thread instead of waiting (store_help_one), or by the store thread
	 * as it takes an import's batch.  pk_state 0 not, 1 being packed by
	 * the main thread (under mu: the store thread that takes the batch
	 * waits), 2 packed */
	int pk_state;
	struct seg_buf pk;		/* owned */
	int64_t pk_lo, pk_hi;
};

/* What the sink remembers of a source between ticks. */
struct store_src {
	uint64_t rx_bytes, tx_bytes;	/* the source's totals, as stored */
	uint64_t rx_pkts, tx_pkts;
	uint64_t status_bad;		/* truncated + invalid + unsupported */
	uint64_t drops;			/* kernel + iface + ring, last event */
	uint64_t drops_seen;		/* already stored */
};

struct store {
	struct store_cfg cfg;
	char *path;			/* owned */
	sqlite3 *db;			/* the store thread's after start */

	/* main thread */
	struct engine *engine;		/* borrowed */
	struct store_batch *cur;	/* being filled */
	uint64_t late;			/* flows past STORE_US_MAX, not stored */
	struct store_src src[64];
	int64_t cur_sec;		/* second of the last tick, -1: none */
	uint64_t flows_in;
	struct store_live_state *live;	/* owned; cfg.snapshot only */

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* queue changed */
	struct store_batch *head, *tail;
	size_t queued;
	int stopping;
	int failed;			/* a permanent error happened */
	char *error;			/* owned: its message */
	uint64_t dropped;		/* batches: the queue was full */
	uint64_t dropped_flows;		/* their flow records */
	uint64_t dropped_told;		/* of dropped, logged already */
	uint64_t dropped_flows_told;
	int drop_warned;		/* the first drop since then was */
	struct store_flow *spare[STORE_SPARE];	/* flow arrays of written
						   batches, for new ones */
	size_t nspare;
	struct store_raw *spare_raw[STORE_SPARE];
	size_t nspare_raw;
	struct seg_buf spare_pk[STORE_SPARE_PK];	/* packing buffers (pk) */
	size_t nspare_pk;
	pthread_t thread;
	int started;

	/* store thread */
	sqlite3_stmt *st[16];
	sqlite3_stmt *st_alert;		/* store-alert.c's upsert */
	struct store_seg *seg;		/* flow and host segments */
	int64_t newest;
	int64_t pruned;
	int64_t day_rolled;		/* hours before it are in the days */
	int degraded;

	struct store_aggtab agg;	/* host and service totals not
					   written yet: a live store's of
					   its batch, an import's of the
					   batches since the last write */
	struct store_aggop *ops;	/* STORE_AGG_OPS additions to agg */
	size_t nops;
	struct seg_buf hbuf;		/* host totals being packed */
	struct store_batch *grp[STORE_GROUP_MAX];	/* taken, not written
							   yet (an import's) */
	size_t ngrp;
	uint64_t grp_flows;		/* their flow records */

	/* counters: written by the store thread under mu */
	uint64_t n_batches, n_flows, n_samples, n_retries;
	uint64_t lost_batches, lost_flows;	/* never to be written: a
						   failed store's (its
						   flow records) */
	int64_t newest_pub;		/* newest, as of the last batch */
	int paused;
};

enum {
	ST_FLOW, ST_SEC, ST_MIN, ST_HOUR, ST_HOST_H, ST_HOST_D, ST_SVC_H,
	ST_SVC_D, ST_NAME, ST_FILE, ST_CLOCK, ST_N
};

/* ---- schema (version 1) --------------------------------------------- */

#define STORE_SAMPLE_COLS						\
	"ts INTEGER NOT NULL, source TEXT NOT NULL, "			\
	"rx_bytes INTEGER NOT NULL, tx_bytes INTEGER NOT NULL, "	\
	"rx_pkts INTEGER NOT NULL, tx_pkts INTEGER NOT NULL, "		\
	"drops INTEGER NOT NULL, decode_errors INTEGER NOT NULL, "	\
	"PRIMARY KEY (ts, source)) WITHOUT ROWID;\n"
#define STORE_HOST_COLS							\
	"ts INTEGER NOT NULL, addr TEXT NOT NULL, "			\
	"bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, "	\
	"pkts_in INTEGER NOT NULL, pkts_out INTEGER NOT NULL, "		\
	"flows INTEGER NOT NULL, PRIMARY KEY (ts, addr)) WITHOUT ROWID;\n"
#define STORE_SVC_COLS							\
	"ts INTEGER NOT NULL, service TEXT NOT NULL, "			\
	"bytes INTEGER NOT NULL, pkts INTEGER NOT NULL, "		\
	"flows INTEGER NOT NULL, PRIMARY KEY (ts, service)) WITHOUT ROWID;\n"

static const char store_schema_v1[] =
"CREATE TABLE schema_version (version INTEGER NOT NULL);\n"
"CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID;\n"
"CREATE TABLE samples_sec (" STORE_SAMPLE_COLS
"CREATE TABLE samples_min (" STORE_SAMPLE_COLS
"CREATE TABLE samples_hour (" STORE_SAMPLE_COLS
"CREATE TABLE host_hour (" STORE_HOST_COLS
"CREATE TABLE host_day (" STORE_HOST_COLS
"CREATE TABLE service_hour (" STORE_SVC_COLS
"CREATE TABLE service_day (" STORE_SVC_COLS
"CREATE TABLE flows (ts_us INTEGER NOT NULL, uid TEXT NOT NULL, "
"  orig_h TEXT NOT NULL, orig_p INTEGER NOT NULL, resp_h TEXT NOT NULL, "
"  resp_p INTEGER NOT NULL, proto TEXT NOT NULL, service TEXT, "
"  duration_us INTEGER NOT NULL, orig_bytes INTEGER NOT NULL, "
"  resp_bytes INTEGER NOT NULL, conn_state TEXT NOT NULL, history TEXT, "
"  orig_pkts INTEGER NOT NULL, orig_ip_bytes INTEGER NOT NULL, "
"  resp_pkts INTEGER NOT NULL, resp_ip_bytes INTEGER NOT NULL, "
"  orig_wire_bytes INTEGER NOT NULL, resp_wire_bytes INTEGER NOT NULL, "
"  vlan INTEGER, inner_vlan INTEGER, return_vlan INTEGER, "
"  tunnel_parents TEXT, tunnel TEXT, community_id TEXT, rtt_us INTEGER, "
"  retrans INTEGER NOT NULL);\n"
"CREATE INDEX flows_ts ON flows (ts_us);\n"
"CREATE TABLE names (addr TEXT NOT NULL, name TEXT NOT NULL, "
"  kind INTEGER NOT NULL, first_ts INTEGER NOT NULL, "
"  last_ts INTEGER NOT NULL, PRIMARY KEY (addr, name)) WITHOUT ROWID;\n"
"CREATE TABLE alerts (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, "
"  severity INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT, "
"  message TEXT NOT NULL, value REAL, threshold REAL, "
"  state TEXT NOT NULL DEFAULT 'active', resolved_ts INTEGER);\n"
"CREATE INDEX alerts_ts ON alerts (ts);\n"
"CREATE TABLE imported_files (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, "
"  size INTEGER NOT NULL, imported_ts INTEGER NOT NULL, "
"  complete INTEGER NOT NULL) WITHOUT ROWID;\n"
"CREATE TABLE live_snapshot (wall_ns INTEGER NOT NULL, "
"  pkt_ns INTEGER NOT NULL, flows INTEGER NOT NULL, hosts INTEGER NOT NULL, "
"  packets INTEGER NOT NULL, hist_dropped INTEGER NOT NULL DEFAULT 0, "
"  hist_retries INTEGER NOT NULL DEFAULT 0);\n"
"CREATE TABLE live_sources (idx INTEGER PRIMARY KEY, name TEXT NOT NULL, "
"  state TEXT NOT NULL, detail TEXT, rx_rate REAL, tx_rate REAL, pps REAL, "
"  drops_kernel INTEGER, drops_iface INTEGER, drops_ring INTEGER, "
"  flows INTEGER, hosts INTEGER, rx_series TEXT, tx_series TEXT);\n"
"CREATE TABLE live_hosts (rank INTEGER PRIMARY KEY, addr TEXT NOT NULL, "
"  name TEXT, in_2s REAL, in_10s REAL, in_40s REAL, out_2s REAL, "
"  out_10s REAL, out_40s REAL, bytes_in INTEGER, bytes_out INTEGER, "
"  flows INTEGER, last_ts INTEGER);\n"
"CREATE TABLE live_flows (rank INTEGER PRIMARY KEY, proto TEXT NOT NULL, "
"  proto_num INTEGER, orig_h TEXT NOT NULL, orig_p INTEGER, "
"  resp_h TEXT NOT NULL, resp_p INTEGER, orig_name TEXT, resp_name TEXT, "
"  service TEXT, conn_state TEXT, duration REAL, orig_rate REAL, "
"  resp_rate REAL, bytes INTEGER, rtt_us INTEGER, retrans INTEGER);\n"
"CREATE TABLE live_services (kind TEXT NOT NULL, rank INTEGER NOT NULL, "
"  name TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (kind, rank)) "
"  WITHOUT ROWID;\n"
"INSERT INTO schema_version VALUES (1);\n";

/* Migrations: migrations[v] takes a database from version v to v + 1
 * (SQL, or a function). */
static const struct {
	const char *sql;
	int (*fn)(sqlite3 *);
} store_migrations[] = {
	{ store_schema_v1, NULL },
	/* 2: flow records and host totals packed in segments (store-seg.c),
	 * the talkers' country in the live snapshot */
	{ "ALTER TABLE live_hosts ADD COLUMN cc TEXT;", store_seg_migrate_v1 },
	/* 3: the alerts the core raises (store-alert.c) */
	{ store_alert_schema_v3, NULL },
};

#define STORE_SAMPLE_UPSERT(t)						\
	"INSERT INTO " t " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "	\
	"ON CONFLICT (ts, source) DO UPDATE SET "			\
	"rx_bytes = rx_bytes + excluded.rx_bytes, "			\
	"tx_bytes = tx_bytes + excluded.tx_bytes, "			\
	"rx_pkts = rx_pkts + excluded.rx_pkts, "			\
	"tx_pkts = tx_pkts + excluded.tx_pkts, "			\
	"drops = drops + excluded.drops, "				\
	"decode_errors = decode_errors + excluded.decode_errors"
#define STORE_SVC_UPSERT(t)						\
	"INSERT INTO " t " VALUES (?1, ?2, ?3, ?4, ?5) "		\
	"ON CONFLICT (ts, service) DO UPDATE SET "			\
	"bytes = bytes + excluded.bytes, pkts = pkts + excluded.pkts, "	\
	"flows = flows + excluded.flows"

/* (flows and host totals: store-seg.c) */
static const char *const store_sql[ST_N] = {
	[ST_SEC] = (STORE_SAMPLE_UPSERT("samples_sec")),
	[ST_MIN] = (STORE_SAMPLE_UPSERT("samples_min")),
	[ST_HOUR] = (STORE_SAMPLE_UPSERT("samples_hour")),
	[ST_SVC_H] = (STORE_SVC_UPSERT("service_hour")),
	[ST_SVC_D] = (STORE_SVC_UPSERT("service_day")),
	[ST_NAME] = ("INSERT INTO names VALUES (?1, ?2, ?3, ?4, ?4) "
	    "ON CONFLICT (addr, name) DO UPDATE SET "
	    "last_ts = max(last_ts, excluded.last_ts)"),
	[ST_FILE] = ("INSERT INTO imported_files VALUES "
	    "(?1, ?2, ?3, strftime('%s', 'now'), ?4) ON CONFLICT (sha256) "
	    "DO UPDATE SET complete = excluded.complete"),
	[ST_CLOCK] = ("INSERT INTO meta VALUES ('newest', ?1) ON CONFLICT "
	    "(key) DO UPDATE SET value = max(value, excluded.value)"),
};

char *
store_default_path(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *p;

	if (x != NULL && *x == '/')
		xasprintf(&p, "%s/wiretop/history.db", x);
	else if (home != NULL && *home != '\0')
		xasprintf(&p, "%s/.local/state/wiretop/history.db", home);
	else
		p = xstrdup(WT_DAEMON_DB);
	return p;
}

/* mkdir -p of path's directory, with mode for what it creates. */
static int
store_mkdirs(const char *path, mode_t mode, char **cause)
{
	char *d = xstrdup(path), *s;

	for (s = d + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(d, mode) != 0 && errno != EEXIST) {
			xasprintf(cause, "%s: cannot create the directory: %s",
			    d, strerror(errno));
			free(d);
			return -1;
		}
		*s = '/';
	}
	free(d);
	return 0;
}

static int
store_exec(sqlite3 *db, const char *sql, char **cause, const char *path)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, err != NULL ? err :
		    sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* One integer from a query; -1 + cause on error. */
static int
store_int(sqlite3 *db, const char *sql, int64_t *v, char **cause,
    const char *path)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		*v = 0;
		return 0;
	}
fail:
	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		xasprintf(cause, "%s: not a wiretop history database (not an "
		    "SQLite database, or damaged)", path);
	else
		xasprintf(cause, "%s: %s", path, sqlite3_errstr(rc));
	return -1;
}

/* Check that db is a wiretop database (or empty: *fresh is set) and
 * migrate it; writable 2: an empty one gets pages of STORE_BULK_PAGE. */
static int
store_check(sqlite3 *db, const char *path, int writable, int *fresh,
    char **cause)
{
	int64_t app, ntab, ver = 0;
	size_t v;

	*fresh = 0;
	if (store_int(db, "PRAGMA application_id", &app, cause, path) != 0 ||
	    store_int(db, "SELECT count(*) FROM sqlite_master", &ntab, cause,
	    path) != 0)
		return -1;
	if (app == 0 && ntab == 0) {
		*fresh = 1;
		if (!writable) {
			xasprintf(cause, "%s: an empty database (nothing "
			    "imported yet)", path);
			return -1;
		}
		/* an import's new database: pages of STORE_BULK_PAGE (set
		 * before anything is written), its schema written as its
		 * records are, synchronous OFF, and a rollback journal
		 * until the import ends (store_main: WAL from then
		 * on).  Its records are new pages, which a rollback
		 * journal does not copy: each is written once, where a WAL
		 * writes it, reads it back and writes it again into the
		 * file at a checkpoint.  A reader meanwhile waits for a
		 * commit to end (busy timeout), instead of not at all. */
		if (writable == 2 && store_exec(db, "PRAGMA page_size = "
		    STORE_STR(STORE_BULK_PAGE) "; PRAGMA synchronous = OFF; "
		    "PRAGMA journal_mode = TRUNCATE", cause, path) != 0)
			return -1;
	} else if (app != STORE_APP_ID) {
		xasprintf(cause, "%s: not a wiretop history database (another "
		    "application's SQLite file)", path);
		return -1;
	} else if (store_int(db, "SELECT max(version) FROM schema_version",
	    &ver, cause, path) != 0)
		return -1;
	if (ver > STORE_SCHEMA_VERSION) {
		xasprintf(cause, "%s: history database schema %lld is newer "
		    "than this wiretop's (%d)", path, (long long)ver,
		    STORE_SCHEMA_VERSION);
		return -1;
	}
	if (!writable || ver == STORE_SCHEMA_VERSION)
		return 0;
	if (store_exec(db, "BEGIN IMMEDIATE", cause, path) != 0)
		return -1;
	for (v = (size_t)ver; v < STORE_SCHEMA_VERSION; v++) {
		if (store_migrations[v].fn != NULL &&
		    store_migrations[v].fn(db) != SQLITE_OK) {
			xasprintf(cause, "%s: cannot update the schema from "
			    "version %zu: %s", path, v, sqlite3_errmsg(db));
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (store_migrations[v].sql != NULL && store_exec(db,
		    store_migrations[v].sql, cause, path) != 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	if (store_exec(db, "UPDATE schema_version SET version = "
	    STORE_STR(STORE_SCHEMA_VERSION) "; "
	    "PRAGMA application_id = 2004119601", cause, path) != 0 ||
	    store_exec(db, "COMMIT", cause, path) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

long
store_group_lookup(const char *name, char **cause)
{
	struct group *gr;
	unsigned long id;
	char *end;

	errno = 0;
	if ((gr = getgrnam(name)) != NULL && gr->gr_gid != 0)
		return (long)gr->gr_gid;
	if (gr != NULL) {
		xasprintf(cause, "db_group %s: the root group cannot be the "
		    "database's group (name a group of analysts)", name);
		return -1;
	}
	id = strtoul(name, &end, 10);
	if (*name >= '0' && *name <= '9' && *end == '\0' && id < 0x7fffffffu &&
	    id > 0)
		return (long)id;
	xasprintf(cause, "db_group %s: %s", name, errno != 0 ?
	    strerror(errno) : "no such group");
	return -1;
}

/* Give the file open as fd (or the directory) to group gid with mode. */
static int
store_give(int fd, const char *what, long gid, mode_t mode, char **cause)
{
	if (fchown(fd, (uid_t)-1, (gid_t)gid) != 0) {
		xasprintf(cause, "%s: cannot give it to group %ld (db_group): "
		    "%s (the user wiretop runs as must be a member of that "
		    "group)", what, gid, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0) {
		xasprintf(cause, "%s: chmod: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* db_group: the directory 0750, the database and its -wal and -shm
 * 0640, all in the group, so its members can read (the writer may be
 * running already: its files are given too). */
static int
store_share(const char *path, long gid, char **cause)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	char *dir = xstrdup(path), *slash, *f;
	struct stat st;
	size_t i;
	int fd, rc = 0;

	if ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd != -1 && fstat(fd, &st) == 0 &&
		    st.st_uid == geteuid() && ((st.st_mode & 07777) != 0750 ||
		    st.st_gid != (gid_t)gid))
			rc = store_give(fd, dir, gid, 0750, cause);
		if (fd != -1)
			close(fd);
	}
	free(dir);
	for (i = 0; rc == 0 && i < 2; i++) {
		xasprintf(&f, "%s%s", path, sfx[i]);
		fd = open(f, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd != -1) {
			rc = store_give(fd, f, gid, 0640, cause);
			close(fd);
		}
		free(f);
	}
	return rc;
}

/* An errno that a disk that is full, read-only or failing gives: the
 * daemon waits for it to get better. */
static int
store_errno_transient(int e)
{
	return e == EROFS || e == ENOSPC || e == EDQUOT || e == EIO;
}

/* The same for an SQLite result code met while opening. */
static int
store_rc_transient(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_FULL:
	case SQLITE_IOERR: case SQLITE_READONLY: case SQLITE_CANTOPEN:
		return 1;
	}
	return 0;
}

static void
store_sqlite_once(void)
{
	/* (before any connection: SQLite refuses it later, harmlessly) */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* SQLite as wiretop uses it: every connection belongs to one thread at a
 * time (the store thread's, handed over at store_start, or the mode's
 * own), so it is opened without its mutex (SQLITE_OPEN_NOMUTEX), and
 * nothing asks SQLite how much memory it holds, so it does not count
 * it under a global mutex at every allocation.  Both were a lock and
 * an unlock per call on the store's path. */
void
store_sqlite_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, store_sqlite_once);
}

/* "file:" URI of path, with the characters URIs reserve escaped, and
 * params ("?mode=ro"). */
static char *
store_uri(const char *path, const char *params)
{
	size_t n = strlen(path), o = 0;
	char *u = xmalloc(n * 3 + strlen(params) + 8);
	const char *p;

	o += (size_t)sprintf(u, "file:");
	for (p = path; *p != '\0'; p++) {
		if (*p == '?' || *p == '#' || *p == '%' || (unsigned char)*p
		    < 0x20)
			o += (size_t)sprintf(u + o, "%%%02X", (unsigned char)*p);
		else
			u[o++] = *p;
	}
	u[o] = '\0';
	strcat(u, params);
	return u;
}

/* Open path read-only with URI params and read its schema once (the
 * -shm and the WAL are opened then); NULL with the result code. */
static sqlite3 *
store_ro_try(const char *path, const char *params, int *rcp)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	char *u = store_uri(path, params);
	int rc;

	store_sqlite_setup();
	rc = sqlite3_open_v2(u, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
	    SQLITE_OPEN_NOMUTEX, NULL);
	free(u);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 1000);
		if ((rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM "
		    "sqlite_master", -1, &st, NULL)) == SQLITE_OK) {
			rc = sqlite3_step(st);
			rc = rc == SQLITE_ROW ? SQLITE_OK : rc;
			sqlite3_finalize(st);
		}
		if (rc != SQLITE_OK)
			rc = sqlite3_extended_errcode(db);
	}
	*rcp = rc;
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* mode=ro, else immutable with no writer (store_db_open_reader); NULL
 * with the result code. */
static sqlite3 *
store_db_open_ro(const char *path, int *rc)
{
	sqlite3 *db;
	char *wal;

	if ((db = store_ro_try(path, "?mode=ro", rc)) == NULL &&
	    ((*rc & 0xff) == SQLITE_READONLY || (*rc & 0xff) ==
	    SQLITE_CANTOPEN || (*rc & 0xff) == SQLITE_PERM)) {
		/* no writer left its -wal and -shm for us, and we may not
		 * create them: then nothing is being written */
		xasprintf(&wal, "%s-wal", path);
		if (access(wal, F_OK) != 0)
			db = store_ro_try(path, "?mode=ro&immutable=1", rc);
		free(wal);
	}
	return db;
}

/* The group of path (or of its directory when the file cannot even be
 * looked at), by name. */
static void
store_group_of(const char *path, char *buf, size_t len)
{
	struct stat sb;
	struct group *gr;
	char *d;

	if (stat(path, &sb) != 0) {
		d = xstrdup(path);
		if (stat(dirname(d), &sb) != 0) {
			free(d);
			snprintf(buf, len, "of the database");
			return;
		}
		free(d);
	}
	if ((gr = getgrgid(sb.st_gid)) != NULL)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%lu", (unsigned long)sb.st_gid);
}

sqlite3 *
store_db_open_reader(const char *path, char **cause, int *denied)
{
	struct stat sb;
	sqlite3 *db;
	char grp[64];
	int rc, e;

	*denied = 0;
	if (access(path, R_OK) != 0) {
		e = errno;
		if (e == EACCES) {
			store_group_of(path, grp, sizeof grp);
			xasprintf(cause, "%s: permission denied (ask to be "
			    "added to group %s)", path, grp);
			*denied = 1;
		} else if (e == ENOENT)
			xasprintf(cause, "%s: no history database (the daemon "
			    "or an import writes it; --db names another)",
			    path);
		else
			xasprintf(cause, "%s: %s", path, strerror(e));
		return NULL;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s: a directory, not a history database",
		    path);
		return NULL;
	}
	if ((db = store_db_open_ro(path, &rc)) == NULL) {
		if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
			xasprintf(cause, "%s: not a wiretop history database "
			    "(not an SQLite database, or damaged)", path);
		else if ((rc & 0xff) == SQLITE_CANTOPEN ||
		    (rc & 0xff) == SQLITE_READONLY ||
		    (rc & 0xff) == SQLITE_PERM) {
			store_group_of(path, grp, sizeof grp);
			xasprintf(cause, "%s: permission denied: its -wal and "
			    "-shm files must be readable (ask to be added to "
			    "group %s)", path, grp);
			*denied = 1;
		} else
			xasprintf(cause, "%s: %s", path, sqlite3_errstr(rc));
	}
	return db;
}

/* Open (see store_db_open; writable 2: as 1, and a database created
 * here gets pages of STORE_BULK_PAGE); on failure *transient says whether
 * the cause is the disk's state (full, read-only, failing) rather than
 * the file. */
static sqlite3 *
store_db_open_as(const char *path, int writable, long gid, char **cause,
    int *transient)
{
	sqlite3 *db = NULL;
	char sql[160];
	int64_t page = 0;
	int rc, fd, fresh = 0, bulk = 0, denied;

	*transient = 0;
	if (writable) {
		if (store_mkdirs(path, gid > 0 ? 0750 : 0700, cause) != 0) {
			*transient = store_errno_transient(errno);
			return NULL;
		}
		/* created owner-only (or group-readable) here, never
		 * through a link: SQLite gives its -wal and -shm files the
		 * same mode */
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    gid > 0 ? 0640 : 0600);
		if (fd == -1) {
			*transient = store_errno_transient(errno);
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if (gid > 0 && (store_give(fd, path, gid, 0640, cause) != 0 ||
		    store_share(path, gid, cause) != 0)) {
			*transient = store_errno_transient(errno);
			close(fd);
			return NULL;
		}
		close(fd);
	}
	store_sqlite_setup();
	if (!writable) {
		/* a reader in the database's group, too */
		if ((db = store_db_open_reader(path, cause, &denied)) == NULL)
			return NULL;
	} else if ((rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		*transient = store_rc_transient(rc);
		xasprintf(cause, "%s: %s", path, db != NULL ?
		    sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	rc = store_check(db, path, writable, &fresh, cause);
	bulk = writable == 2 && fresh;
	/* (an import's new database: a rollback journal, store_check) */
	if (rc != 0 || (writable && ((!bulk && store_exec(db,
	    "PRAGMA journal_mode = WAL", cause, path) != 0) ||
	    store_int(db, "PRAGMA page_size", &page, cause, path) != 0))) {
		*transient = store_rc_transient(sqlite3_extended_errcode(db));
		sqlite3_close(db);
		return NULL;
	}
	/* A checkpoint every 4 MiB of WAL, whatever the page size.  A
	 * database an import creates holds that import alone: it is
	 * written without waiting for the disk (synchronous OFF: a crash of
	 * wiretop loses nothing committed; a power cut before the kernel
	 * has written it back can damage the new file, and the import is
	 * done again into a new one), and through a small page cache (its
	 * records are written once and not read again: a big cache is
	 * fresh memory, page faults and a cache the engine's tables are
	 * evicted from).  Every other (a daemon's, one that holds anything
	 * already) waits for the disk at each checkpoint. */
	snprintf(sql, sizeof sql, "PRAGMA synchronous = %s; "
	    "PRAGMA cache_size = %d; PRAGMA wal_autocheckpoint = %lld",
	    bulk ? "OFF" : "NORMAL", bulk ? STORE_BULK_CACHE : STORE_CACHE,
	    page >= 512 ? (long long)(4194304 / page) : 1024ll);
	if (writable && store_exec(db, sql, cause, path) != 0) {
		*transient = store_rc_transient(sqlite3_extended_errcode(db));
		sqlite3_close(db);
		return NULL;
	}
	if (store_seg_register(db) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *
store_db_open(const char *path, int writable, char **cause)
{
	int transient;

	return store_db_open_as(path, writable, 0, cause, &transient);
}

static struct store_batch *
store_batch_new(void)
{
	return xcalloc(1, sizeof(struct store_batch));
}

static void
store_batch_free(struct store_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nfiles; i++)
		free(b->files[i].path);
	free(b->files);
	free(b->flows);
	free(b->raw);
	free(b->samples);
	free(b->names);
	free(b->alerts);
	free(b->pk.p);
	store_live_free(b->live);
	free(b);
}

/* Keep a written batch's flow array for a new batch (either thread),
 * and free the batch: a batch's array is large, and fresh memory for each
 * one costs page faults on both threads. */
static void
store_batch_recycle(struct store *s, struct store_batch *b)
{
	pthread_mutex_lock(&s->mu);
	if (b->flows != NULL && s->nspare < STORE_SPARE) {
		s->spare[s->nspare++] = b->flows;
		b->flows = NULL;
	}
	if (b->pk.p != NULL && s->nspare_pk < STORE_SPARE_PK) {
		s->spare_pk[s->nspare_pk++] = b->pk;
		memset(&b->pk, 0, sizeof b->pk);
	}
	if (b->raw != NULL && s->nspare_raw < STORE_SPARE) {
		s->spare_raw[s->nspare_raw++] = b->raw;
		b->raw = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	store_batch_free(b);
}

/* Give b its flow record array (STORE_BATCH_FLOWS of room), a kept one
 * if there is one (either thread). */
static void
store_batch_flows(struct store *s, struct store_batch *b)
{
	if (b->flows != NULL)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->nspare > 0)
		b->flows = s->spare[--s->nspare];
	pthread_mutex_unlock(&s->mu);
	if (b->flows == NULL)
		b->flows = xreallocarray(NULL, STORE_BATCH_FLOWS,
		    sizeof *b->flows);
	b->capflows = STORE_BATCH_FLOWS;
}

/* Room for one more flow record in the current batch (main thread). */
static struct store_flow *
store_flow_slot(struct store *s)
{
	struct store_batch *b = s->cur;

	store_batch_flows(s, b);
	s->flows_in++;
	return &b->flows[b->nflows++];
}

/* Engine flows a batch takes before it is handed over (an import's
 * fewer: STORE_BATCH_IMPORT); its array is made that big. */
static size_t
store_batch_max(const struct store *s)
{
	return s->cfg.live ? STORE_BATCH_FLOWS : STORE_BATCH_IMPORT;
}

/* Room for one more engine flow in the current batch (main thread). */
static struct store_raw *
store_raw_slot(struct store *s)
{
	struct store_batch *b = s->cur;

	if (b->raw == NULL) {
		pthread_mutex_lock(&s->mu);
		if (s->nspare_raw > 0)
			b->raw = s->spare_raw[--s->nspare_raw];
		pthread_mutex_unlock(&s->mu);
		if (b->raw == NULL)
			b->raw = xreallocarray(NULL, store_batch_max(s),
			    sizeof *b->raw);
	}
	s->flows_in++;
	return &b->raw[b->nraw++];
}

/* Open the database and prepare the statements: 0, or -1 + cause with
 * *transient set as store_db_open_as says. */
static int
store_connect(struct store *s, char **cause, int *transient)
{
	sqlite3 *db;
	char *c2 = NULL;
	int i;

	/* (an import creates a database of bigger pages: its segments are
	 * big, and a page is a write) */
	if ((db = store_db_open_as(s->path, s->cfg.live ? 1 : 2, s->cfg.group,
	    cause, transient)) == NULL)
		return -1;
	for (i = 0; i < ST_N; i++) {
		if (store_sql[i] != NULL && sqlite3_prepare_v3(db,
		    store_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
		    NULL) != SQLITE_OK) {
			*transient = store_rc_transient(sqlite3_errcode(db));
			xasprintf(cause, "%s: %s", s->path, sqlite3_errmsg(db));
			while (i > 0)
				sqlite3_finalize(s->st[--i]);
			sqlite3_close(db);
			return -1;
		}
	}
	if ((s->seg = store_seg_open(db)) == NULL) {
		*transient = store_rc_transient(sqlite3_errcode(db));
		xasprintf(cause, "%s: %s", s->path, sqlite3_errmsg(db));
		for (i = 0; i < ST_N; i++)
			sqlite3_finalize(s->st[i]);
		sqlite3_close(db);
		return -1;
	}
	if (store_int(db, "SELECT value FROM meta WHERE key = 'newest'",
	    &s->newest, &c2, s->path) != 0)
		free(c2);
	c2 = NULL;
	if (store_int(db, "SELECT value FROM meta WHERE key = 'day_rolled'",
	    &s->day_rolled, &c2, s->path) != 0)
		free(c2);
	s->db = db;
	return 0;
}

struct store *
store_open(const struct store_cfg *cfg, char **cause)
{
	struct store *s;
	int transient;

	s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	s->path = xstrdup(cfg->path);
	s->cfg.path = s->path;
	s->cur = store_batch_new();
	s->cur_sec = -1;
	s->newest = 0;
	/* live capture (the daemon) keeps the snapshot wiretop view reads */
	if (cfg->snapshot || cfg->live)
		s->live = store_live_state_create();
	if (store_connect(s, cause, &transient) != 0) {
		if (!cfg->live || !transient) {
			store_live_state_free(s->live);
			store_batch_free(s->cur);
			free(s->path);
			free(s);
			return NULL;
		}
		/* live: capture goes on, the store thread opens the
		 * database when the disk lets it */
		log_warn("%s (retrying)", *cause);
		log_warn("%s: history paused: cannot open the database "
		    "(retrying)", s->path);
		free(*cause);
		*cause = NULL;
		s->degraded = 1;
		s->paused = 1;
	}
	/* A live store is the only one to follow alerts as they change:
	 * those a run before it left open (it stopped or crashed) are
	 * followed by nobody now, and end at their last sighting. */
	if (cfg->live && s->db != NULL && sqlite3_exec(s->db,
	    "UPDATE alerts SET state = 'resolved', resolved_us = last_us "
	    "WHERE state <> 'resolved'", NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_changes(s->db) > 0)
		log_info("%s: %d alerts left open by an earlier run closed "
		    "at their last sighting", s->path, sqlite3_changes(s->db));
	s->newest_pub = s->newest;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	return s;
}

int
store_has_file(struct store *s, const char *sha256)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT complete FROM imported_files "
	    "WHERE sha256 = ?1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		found = sqlite3_column_int(st, 0) ? 1 : 2;
	sqlite3_finalize(st);
	return found;
}

void
store_add_file(struct store *s, const char *sha256, const char *path,
    uint64_t size, int complete)
{
	struct store_batch *b = s->cur;
	struct store_file *f;

	b->files = xreallocarray(b->files, b->nfiles + 1, sizeof *b->files);
	f = &b->files[b->nfiles++];
	snprintf(f->sha256, sizeof f->sha256, "%s", sha256);
	f->path = xstrdup(path);
	f->size = size;
	f->complete = complete;
}

/* ---- the store thread ----------------------------------------------- */


/* Run a prepared statement to its end; the SQLite result code. */
static int
store_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
store_put_sample(struct store *s, int which, int64_t ts,
    const struct store_sample *x)
{
	sqlite3_stmt *st = s->st[which];

	sqlite3_bind_int64(st, 1, ts);
	sqlite3_bind_text(st, 2, x->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)x->rx_bytes);
	sqlite3_bind_int64(st, 4, (int64_t)x->tx_bytes);
	sqlite3_bind_int64(st, 5, (int64_t)x->rx_pkts);
	sqlite3_bind_int64(st, 6, (int64_t)x->tx_pkts);
	sqlite3_bind_int64(st, 7, (int64_t)x->drops);
	sqlite3_bind_int64(st, 8, (int64_t)x->decode_errors);
	return store_step(st);
}

static int
store_put_svc(struct store *s, int which, int64_t ts, const char *svc,
    uint64_t bytes, uint64_t pkts, uint64_t flows)
{
	sqlite3_stmt *st = s->st[which];

	sqlite3_bind_int64(st, 1, ts);
	sqlite3_bind_text(st, 2, svc, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)bytes);
	sqlite3_bind_int64(st, 4, (int64_t)pkts);
	sqlite3_bind_int64(st, 5, (int64_t)flows);
	return store_step(st);
}

/* Copy src into dst[size], cut if need be; the length copied.  (Not
 * snprintf: this runs for every flow record, and a format costs ten
 * times as much.) */
static size_t
store_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

/* v in decimal into dst[size] (size >= 6 for a 16-bit v); its length. */
static size_t
store_utoa(char *dst, size_t size, unsigned v)
{
	char tmp[12];
	size_t n = 0, len;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && n < sizeof tmp);
	if (n >= size)
		n = size - 1;
	len = n;
	dst[n] = '\0';
	while (n > 0)
		*dst++ = tmp[--n];
	return len;
}

/* The hash of an addition: its key by 8-byte words (zero after klen). */
static uint64_t
store_agg_hash(const struct store_aggop *op)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)op->which << 56 ^
	    op->klen, w;
	size_t i;

	for (i = 0; i < op->klen; i += 8) {
		memcpy(&w, op->key + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h = (h ^ (uint64_t)op->ts) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* Index a's entry (place k in e) in slot[0 .. cap). */
static void
store_agg_index(uint64_t *slot, size_t cap, uint64_t hash, size_t k)
{
	size_t i;

	for (i = (size_t)hash & (cap - 1); slot[i] != 0; i = (i + 1) &
	    (cap - 1))
		;
	slot[i] = (hash >> 32 << 32) | (uint64_t)(k + 1);
}

/* Transparent huge pages for the 2 MiB-aligned part of the n bytes at p,
 * asked before they are touched.  The totals of an import's hosts are
 * found at random in tens of MiB: in 4 KiB pages nearly every addition
 * missed the TLB and each page was a fault of its own.  (Nothing where
 * THP is off; nothing for a table under 2 MiB, a live store's.) */
static void
store_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a, b;

	a = ((uintptr_t)p + STORE_HUGE - 1) & ~(uintptr_t)(STORE_HUGE - 1);
	b = ((uintptr_t)p + n) & ~(uintptr_t)(STORE_HUGE - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* Room in tab for more entries (and for at least atleast in all): the
 * index at most half full, e not moved while they are added (they are
 * fetched ahead). */
static void
store_aggtab_room(struct store_aggtab *tab, size_t more, size_t atleast)
{
	size_t k;

	if (2 * (tab->n + more) > tab->cap) {
		/* twice the size (or more), reindexed */
		if (tab->cap == 0)
			tab->cap = 4096;
		while (2 * (tab->n + more) > tab->cap)
			tab->cap *= 2;
		free(tab->slot);
		/* written, not calloc'ed: fresh pages are faulted in once
		 * instead of read as the zero page and copied on write */
		tab->slot = xreallocarray(NULL, tab->cap, sizeof *tab->slot);
		store_huge(tab->slot, tab->cap * sizeof *tab->slot);
		memset(tab->slot, 0, tab->cap * sizeof *tab->slot);
		for (k = 0; k < tab->n; k++)
			store_agg_index(tab->slot, tab->cap, tab->e[k].hash, k);
	}
	if (tab->n + more > tab->cape || atleast > tab->cape) {
		if (tab->cape == 0)
			tab->cape = 1024;
		while (tab->n + more > tab->cape || atleast > tab->cape)
			tab->cape *= 2;
		tab->e = xreallocarray(tab->e, tab->cape, sizeof *tab->e);
		store_huge(tab->e + tab->n, (tab->cape - tab->n) *
		    sizeof *tab->e);
	}
}

/* Make op's addition to tab (room made): its entry, made if new. */
static void
store_aggtab_add(struct store_aggtab *tab, const struct store_aggop *op)
{
	struct store_agg *a;
	uint64_t tag = op->hash >> 32 << 32, v;
	size_t i, k;

	for (i = (size_t)op->hash & (tab->cap - 1); (v = tab->slot[i]) != 0;
	    i = (i + 1) & (tab->cap - 1)) {
		if ((v & 0xffffffff00000000ull) != tag)
			continue;
		a = &tab->e[(v & 0xffffffffu) - 1];
		if (a->which == op->which && a->ts == op->ts &&
		    a->klen == op->klen && memcmp(a->key, op->key,
		    op->klen) == 0)
			goto add;
	}
	k = tab->n++;
	tab->slot[i] = tag | (uint64_t)(k + 1);
	a = &tab->e[k];
	a->which = op->which;
	a->klen = op->klen;
	a->hash = op->hash;
	a->ts = op->ts;
	memcpy(a->key, op->key, op->klen);
	a->v[0] = a->v[1] = a->v[2] = a->v[3] = 0;
	a->flows = 0;
add:
	a->v[0] += op->v[0];
	a->v[1] += op->v[1];
	a->v[2] += op->v[2];
	a->v[3] += op->v[3];
	a->flows++;
}

/* Make the queued additions: each one's index slot is fetched
 * STORE_AGG_AHEAD additions ahead, and the entry it holds half as many
 * ahead (a guess: the first entry of that slot whose tag matches). */
static void
store_agg_run(struct store *s)
{
	struct store_aggtab *tab = &s->agg;
	const struct store_aggop *op = s->ops;
	const struct store_agg *a;
	size_t i, n = s->nops, j, mask;
	uint64_t v;

	if (n == 0)
		return;
	/* an import's table is made once for all it may hold (address
	 * space: only what is written to is memory) */
	store_aggtab_room(tab, n, s->cfg.live ? 0 : STORE_HOLD_MAX);
	mask = tab->cap - 1;
	for (i = 0; i < n; i++) {
		if (i + STORE_AGG_AHEAD < n)
			__builtin_prefetch(&tab->slot[op[i +
			    STORE_AGG_AHEAD].hash & mask]);
		if (i + STORE_AGG_AHEAD / 2 < n) {
			j = op[i + STORE_AGG_AHEAD / 2].hash & mask;
			v = tab->slot[j];
			if (v != 0 && (v >> 32) == op[i + STORE_AGG_AHEAD /
			    2].hash >> 32) {
				/* (an entry is two cache lines) */
				a = &tab->e[(v & 0xffffffffu) - 1];
				__builtin_prefetch(a, 1);
				__builtin_prefetch((const char *)a + 64, 1);
			}
		}
		store_aggtab_add(tab, &op[i]);
	}
	s->nops = 0;
}

static void
store_aggtab_clear(struct store_aggtab *tab)
{
	if (tab->n > 0)
		memset(tab->slot, 0, tab->cap * sizeof *tab->slot);
	tab->n = 0;
}

/* The key of a text: an address's (4 or 6 and its bytes) when it is one,
 * so that a flow log's and a capture's records of a host add up; else 0
 * and the text. */
static size_t
store_key_text(uint8_t key[OUT_ADDR_MAX], const char *text, int addr)
{
	size_t n;

	if (addr && inet_pton(AF_INET, text, key + 1) == 1) {
		key[0] = 4;
		return 5;
	}
	if (addr && inet_pton(AF_INET6, text, key + 1) == 1) {
		key[0] = 6;
		return 17;
	}
	key[0] = 0;
	n = strnlen(text, OUT_ADDR_MAX - 2);
	memcpy(key + 1, text, n);
	return n + 1;
}

/* Add to the batch's totals of (which, ts, key): a batch writes each
 * host's and service's totals once, however many of its records they
 * are in (most are in many). */
static void
store_agg_add(struct store *s, int which, int64_t ts, const uint8_t *key,
    size_t len, uint64_t v0, uint64_t v1, uint64_t v2, uint64_t v3)
{
	struct store_aggop *op;

	if (s->ops == NULL)
		s->ops = xreallocarray(NULL, STORE_AGG_OPS, sizeof *s->ops);
	else if (s->nops == STORE_AGG_OPS)
		store_agg_run(s);
	op = &s->ops[s->nops++];
	op->which = (uint8_t)which;
	op->klen = (uint8_t)len;
	op->ts = ts;
	/* zero after len to the next 8 bytes (the hash reads words), then
	 * the key: not the whole key buffer, 600 000 times an import */
	memset(op->key + (len & ~(size_t)7), 0, 8);
	memcpy(op->key, key, len);
	op->v[0] = v0;
	op->v[1] = v1;
	op->v[2] = v2;
	op->v[3] = v3;
	op->hash = store_agg_hash(op);
}

/* Add one flow's totals: own packets and wire bytes per direction ([0]
 * the originator's), in the hour its first packet is in; the keys of the
 * originator, responder and service. */
static void
store_agg_one(struct store *s, int64_t first_s, const uint64_t op[2],
    const uint64_t ow[2], const uint8_t *ko, size_t nko, const uint8_t *kr,
    size_t nkr, const uint8_t *ks, size_t nks)
{
	int64_t h = first_s, t;
	int k;

	/* none for a flow all of whose frames went on into a tunnel */
	if (op[0] + op[1] == 0)
		return;
	/* the hour now; the day when the hour ends (store_roll_days),
	 * or now if that hour was rolled up already */
	for (k = ST_HOST_H; k <= ST_HOST_D; k++) {
		if (k == ST_HOST_D && h - h % 3600 >= s->day_rolled)
			break;
		t = k == ST_HOST_H ? h - h % 3600 : h - h % 86400;
		if (nko > 1)
			store_agg_add(s, k, t, ko, nko, ow[1], ow[0], op[1],
			    op[0]);
		if (nkr > 1)
			store_agg_add(s, k, t, kr, nkr, ow[0], ow[1], op[0],
			    op[1]);
		store_agg_add(s, k == ST_HOST_H ? ST_SVC_H : ST_SVC_D, t, ks,
		    nks, ow[0] + ow[1], 0, op[0] + op[1], 0);
	}
}

/* A flow record's (a flow log's) host and service totals. */
static void
store_agg_flow(struct store *s, const struct store_flow *f)
{
	uint8_t ko[OUT_ADDR_MAX], kr[OUT_ADDR_MAX], ks[OUT_ADDR_MAX];
	size_t nko, nkr, nks;

	nko = store_key_text(ko, f->orig_h, 1);
	nkr = store_key_text(kr, f->resp_h, 1);
	nks = store_key_text(ks, f->svc_key, 0);
	store_agg_one(s, f->ts_us / 1000000, f->own_pkts, f->own_wire, ko,
	    nko, kr, nkr, ks, nks);
}

/* An engine flow's: its own frames (without those it carried on into a
 * tunnel: a frame counts once, at its innermost layer), the service as
 * the exporters name it, else "proto/responder port". */
static void
store_agg_raw(struct store *s, const struct store_raw *x)
{
	const struct flow *f = &x->f;
	uint8_t ko[OUT_ADDR_MAX], kr[OUT_ADDR_MAX], ks[OUT_ADDR_MAX];
	uint64_t op[2], ow[2];
	struct flow_ep o, r;
	const char *p;
	size_t alen = f->key.ip_ver == 6 ? 16 : 4, n;
	int d;

	for (d = 0; d < 2; d++) {
		op[d] = f->dir[d].pkts - (x->has_tu ? x->tu.inner_pkts[d] : 0);
		ow[d] = f->dir[d].wire_bytes - (x->has_tu ?
		    x->tu.inner_wire[d] : 0);
	}
	if (op[0] + op[1] == 0)
		return;
	flow_endpoints(f, &o, &r);
	ko[0] = kr[0] = (uint8_t)alen == 16 ? 6 : 4;
	memcpy(ko + 1, o.addr, alen);
	memcpy(kr + 1, r.addr, alen);
	ks[0] = 0;
	if ((p = flow_service(f)) != NULL && *p != '\0')
		n = 1 + store_copy((char *)ks + 1, 24, p);
	else {
		p = f->key.proto == 58 ? "icmp" : proto_name(f->key.proto);
		if (p != NULL)
			n = 1 + store_copy((char *)ks + 1,
			    PROTO_NAME_MAX, p);
		else
			n = 1 + store_utoa((char *)ks + 1, 8, f->key.proto);
		ks[n++] = '/';
		n += store_utoa((char *)ks + n, 6, r.port);
	}
	store_agg_one(s, (int64_t)(f->first_ns / 1000000000u), op, ow, ko,
	    alen + 1, kr, alen + 1, ks, n);
}

static int
store_agg_cmp(const void *x, const void *y)
{
	const struct store_agg *a = *(const struct store_agg *const *)x;
	const struct store_agg *b = *(const struct store_agg *const *)y;

	if (a->which != b->which)
		return a->which < b->which ? -1 : 1;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* Write a table of host and service totals: one upsert per service, the
 * hosts of each hour or day as one segment.  The hours in [from, to) are
 * rolled up now (store_roll_days() has rolled up what was written of
 * them before): their totals are added to their days' too. */
static int
store_aggtab_write(struct store *s, struct store_aggtab *tab, int64_t from,
    int64_t to)
{
	const struct store_agg **v;
	const struct store_agg *a;
	char svc[OUT_ADDR_MAX];
	size_t i, j, n = 0;
	int rc = SQLITE_OK, mixed = 0;

	if (tab->n == 0)
		return SQLITE_OK;
	v = xreallocarray(NULL, tab->n, sizeof *v);
	for (i = 0; i < tab->n && rc == SQLITE_OK; i++) {
		a = &tab->e[i];
		if (a->which == ST_HOST_H || a->which == ST_HOST_D) {
			if (n > 0 && (a->which != v[0]->which ||
			    a->ts != v[0]->ts))
				mixed = 1;
			v[n++] = a;
		} else {
			memcpy(svc, a->key + 1, a->klen - 1u);
			svc[a->klen - 1] = '\0';
			rc = store_put_svc(s, a->which, a->ts, svc, a->v[0],
			    a->v[2], a->flows);
			if (rc == SQLITE_OK && a->which == ST_SVC_H &&
			    a->ts >= from && a->ts < to)
				rc = store_put_svc(s, ST_SVC_D, a->ts -
				    a->ts % 86400, svc, a->v[0], a->v[2],
				    a->flows);
		}
	}
	if (mixed)
		qsort(v, n, sizeof *v, store_agg_cmp);
	/* the hosts of each hour or day, packed straight from the entries */
	for (i = 0; i < n && rc == SQLITE_OK; i = j) {
		store_seg_begin(&s->hbuf);
		for (j = i; j < n && v[j]->which == v[i]->which &&
		    v[j]->ts == v[i]->ts; j++) {
			a = v[j];
			store_seg_put_host_key(&s->hbuf, a->key[0] == 4 ||
			    a->key[0] == 6 ? a->key[0] : 0, a->key + 1,
			    a->klen - 1u, a->v, a->flows);
		}
		rc = store_seg_add_packed(s->seg, v[i]->which == ST_HOST_D,
		    v[i]->ts, v[i]->which == ST_HOST_H && v[i]->ts >= from &&
		    v[i]->ts < to, &s->hbuf, j - i);
	}
	free(v);
	return rc;
}

/* Delete what is older than each tier's limit on the packet clock. */
static int
store_prune(struct store *s, int64_t n)
{
	char sql[1280];
	char *err = NULL;
	uint32_t ks, km, kh, kf;
	int rc;

	/* HUP may change the limits (store_set_retention) */
	pthread_mutex_lock(&s->mu);
	ks = s->cfg.keep_seconds;
	km = s->cfg.keep_minutes;
	kh = s->cfg.keep_hours;
	kf = s->cfg.keep_flows;
	pthread_mutex_unlock(&s->mu);
	snprintf(sql, sizeof sql,
	    "DELETE FROM samples_sec WHERE ts < %lld;"
	    "DELETE FROM samples_min WHERE ts < %lld;"
	    "DELETE FROM samples_hour WHERE ts < %lld;"
	    "DELETE FROM service_hour WHERE ts < %lld;"
	    "DELETE FROM service_day WHERE ts < %lld;"
	    "DELETE FROM names WHERE last_ts < %lld;"
	    "DELETE FROM alerts WHERE last_us < %lld;",
	    (long long)(n - ks), (long long)(n - km), (long long)(n - kh),
	    (long long)(n - kh), (long long)(n - kh),
	    (long long)(n - kh), (long long)(n - kh) * 1000000);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);
	sqlite3_free(err);
	if (rc == SQLITE_OK)
		rc = store_seg_prune_hosts(s->db, 0, n - kh, NULL);
	if (rc == SQLITE_OK)
		rc = store_seg_prune_hosts(s->db, 1, n - kh, NULL);
	if (rc == SQLITE_OK)
		rc = store_seg_prune_flows(s->seg, (n - kf) * 1000000, NULL);
	return rc;
}

/* The per-day host and service totals of the hours in [from, to), from
 * their per-hour rows: a record adds to its hour at once, and to its day
 * when its hour has ended (or at once if that hour was rolled up
 * already), which spares the day tier an upsert per record. */
static int
store_roll_days(struct store *s, int64_t from, int64_t to)
{
	char sql[1536];
	char *err = NULL;
	int rc;

	if ((rc = store_seg_roll_days(s->seg, from, to)) != SQLITE_OK)
		return rc;
	snprintf(sql, sizeof sql,
	    "INSERT INTO service_day SELECT ts - ts %% 86400, service, "
	    "sum(bytes), sum(pkts), sum(flows) FROM service_hour "
	    "WHERE ts >= %lld AND ts < %lld GROUP BY 1, 2 "
	    "ON CONFLICT (ts, service) DO UPDATE SET "
	    "bytes = bytes + excluded.bytes, pkts = pkts + excluded.pkts, "
	    "flows = flows + excluded.flows;"
	    "INSERT INTO meta VALUES ('day_rolled', %lld) ON CONFLICT (key) "
	    "DO UPDATE SET value = excluded.value;",
	    (long long)from, (long long)to, (long long)to);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);
	sqlite3_free(err);
	return rc;
}

/* A batch's records, samples, names, files and snapshot, inside the
 * transaction; the SQLite result code. */
static int
store_write_batch(struct store *s, const struct store_batch *b)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((b->pk_state == 2 ? (rc = store_seg_add_packed_flows(s->seg,
	    &b->pk, b->pk_lo, b->pk_hi, b->nraw)) : (rc =
	    store_seg_add_raw(s->seg, b->raw, b->nraw))) != SQLITE_OK ||
	    (rc = store_seg_add_flows(s->seg, b->flows, b->nflows)) !=
	    SQLITE_OK)
		return rc;
	for (i = 0; i < b->nsamples; i++) {
		const struct store_sample *x = &b->samples[i];

		if ((rc = store_put_sample(s, ST_SEC, x->ts, x)) != SQLITE_OK ||
		    (rc = store_put_sample(s, ST_MIN, x->ts - x->ts % 60, x)) !=
		    SQLITE_OK || (rc = store_put_sample(s, ST_HOUR,
		    x->ts - x->ts % 3600, x)) != SQLITE_OK)
			return rc;
	}
	st = s->st[ST_NAME];
	for (i = 0; i < b->nnames; i++) {
		const struct pkt_name *nm = &b->names[i];
		char addr[OUT_ADDR_MAX];

		if (nm->ip_ver != 4 && nm->ip_ver != 6)
			continue;
		out_fmt_addr(nm->ip_ver, nm->addr, addr);
		sqlite3_bind_text(st, 1, addr, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, nm->name, (int)strnlen(nm->name,
		    sizeof nm->name), SQLITE_STATIC);
		sqlite3_bind_int(st, 3, nm->kind);
		sqlite3_bind_int64(st, 4, (int64_t)(nm->ts_ns / 1000000000u));
		if ((rc = store_step(st)) != SQLITE_OK)
			return rc;
	}
	st = s->st[ST_FILE];
	for (i = 0; i < b->nfiles; i++) {
		sqlite3_bind_text(st, 1, b->files[i].sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, b->files[i].path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)b->files[i].size);
		sqlite3_bind_int(st, 4, b->files[i].complete);
		if ((rc = store_step(st)) != SQLITE_OK)
			return rc;
	}
	for (i = 0; i < b->nalerts; i++)
		if ((rc = store_alert_put(s->db, &s->st_alert,
		    &b->alerts[i])) != SQLITE_OK)
			return rc;
	if (b->live != NULL &&
	    (rc = store_live_write(s->db, b->live)) != SQLITE_OK)
		return rc;
	return SQLITE_OK;
}

/* Write n batches (taken in order) in one transaction; the SQLite
 * result code. */
static int
store_write(struct store *s, struct store_batch *const *bs, size_t n)
{
	int64_t newest, roll, bnewest = 0;
	size_t i;
	int rc, prune, hold, final = bs[n - 1]->final;

	if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) !=
	    SQLITE_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = store_write_batch(s, bs[i])) != SQLITE_OK)
			goto fail;
		if (bs[i]->newest > bnewest)
			bnewest = bs[i]->newest;
	}
	if (bnewest > s->newest) {
		sqlite3_bind_int64(s->st[ST_CLOCK], 1, bnewest);
		if ((rc = store_step(s->st[ST_CLOCK])) != SQLITE_OK)
			goto fail;
	}
	newest = bnewest > s->newest ? bnewest : s->newest;
	roll = newest - newest % 3600 + (final ? 3600 : 0);
	/* Retention: every minute of packet time, and with the last batch.
	 * An import starts counting at its first transaction (pruning
	 * there would write the totals held so far, and its last batch
	 * prunes anyway); a live store prunes at once. */
	if (!s->cfg.live && s->pruned == 0)
		s->pruned = newest;
	prune = newest - s->pruned >= 60 || final;
	/* Host and service totals (added up in store_main, once per
	 * batch whatever the tries): a live store writes them with their
	 * batch.  An import holds them over batches (most hosts come back
	 * in the next batches: one segment entry instead of many) and
	 * writes them before pruning, at the end, or when STORE_HOLD_MAX
	 * keys are held; an import interrupted meanwhile holds part of its
	 * file anyway and is refused again. */
	hold = !s->cfg.live && !final && !prune && s->agg.n < STORE_HOLD_MAX;
	/* The days of the hours that ended (at the end, of every hour),
	 * when the totals are written: what earlier transactions wrote of
	 * those hours is copied, what this one writes is written to both.
	 * (Held, the hours wait: until they are rolled up, their records
	 * add to the hour alone, and the hour to the day when written.) */
	if (hold)
		roll = s->day_rolled;
	if (roll > s->day_rolled &&
	    (rc = store_roll_days(s, s->day_rolled, roll)) != SQLITE_OK)
		goto fail;
	if (!hold && (rc = store_aggtab_write(s, &s->agg, s->day_rolled,
	    roll > s->day_rolled ? roll : s->day_rolled)) != SQLITE_OK)
		goto fail;
	if (prune && (rc = store_prune(s, newest)) != SQLITE_OK)
		goto fail;
	/* the last commit leaves its checkpoint to the close, which makes
	 * one anyway (one copy and its syncs instead of two) */
	if (final)
		sqlite3_wal_autocheckpoint(s->db, 0);
	if ((rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) !=
	    SQLITE_OK)
		goto fail;
	/* only what was committed moves the clocks, and the totals */
	if (!hold)
		store_aggtab_clear(&s->agg);
	s->newest = newest;
	if (roll > s->day_rolled)
		s->day_rolled = roll;
	if (prune)
		s->pruned = newest;
	return SQLITE_OK;
fail:
	/* the totals stay for the retry */
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Store thread: open the database a disk problem kept closed.
 * SQLITE_OK when open, SQLITE_CANTOPEN while the cause is the disk, or
 * SQLITE_ERROR when it is the file (the store then fails). */
static int
store_reconnect(struct store *s)
{
	char *cause = NULL;
	int transient;

	if (store_connect(s, &cause, &transient) == 0)
		return SQLITE_OK;
	if (!transient) {
		/* (store_close reports it) */
		pthread_mutex_lock(&s->mu);
		if (!s->failed) {
			s->failed = 1;
			s->error = cause;
			cause = NULL;
		}
		pthread_mutex_unlock(&s->mu);
		free(cause);
		return SQLITE_ERROR;
	}
	free(cause);
	return SQLITE_CANTOPEN;
}

/* Store thread: writing stops for good, because of result code rc (the
 * code a statement returned: the connection's own message is gone by now,
 * the ROLLBACK after it replaced it).  The message names the file and
 * what went wrong in words; store_close() adds what was lost. */
static void
store_fail(struct store *s, int rc)
{
	const char *why = NULL, *hint = "";

	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		why = "the history database is damaged";
		hint = "; wiretop db check shows where";
		break;
	case SQLITE_FULL:
		why = "the disk is full";
		break;
	case SQLITE_CANTOPEN:
		why = "the database could not be opened";
		break;
	}
	pthread_mutex_lock(&s->mu);
	if (!s->failed) {
		s->failed = 1;
		if (why != NULL)
			xasprintf(&s->error, "%s: cannot write: %s (%s%s)",
			    s->path, why, sqlite3_errstr(rc), hint);
		else
			xasprintf(&s->error, "%s: cannot write: %s", s->path,
			    sqlite3_errstr(rc));
	}
	pthread_mutex_unlock(&s->mu);
}

/* Log the batches dropped (queue full) since the last time, if any:
 * when writing resumes, and at the end (either thread). */
static void
store_drops_told(struct store *s)
{
	uint64_t nb, nf;

	pthread_mutex_lock(&s->mu);
	nb = s->dropped - s->dropped_told;
	nf = s->dropped_flows - s->dropped_flows_told;
	s->dropped_told = s->dropped;
	s->dropped_flows_told = s->dropped_flows;
	s->drop_warned = 0;
	pthread_mutex_unlock(&s->mu);
	if (nb > 0)
		log_warn("%s: history: %llu batch%s (%llu flow records) "
		    "dropped while the queue was full", s->path,
		    (unsigned long long)nb, nb == 1 ? "" : "es",
		    (unsigned long long)nf);
}

/* Store thread: count the batches that will never be written. */
static void
store_lost(struct store *s, struct store_batch *const *bs, size_t n)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; i < n; i++) {
		s->lost_batches++;
		s->lost_flows += bs[i]->nflows + bs[i]->nraw;
	}
	pthread_mutex_unlock(&s->mu);
}

/* Pack b's engine flows as their segment into b->pk, a kept buffer if
 * there is one (either thread; the caller owns b's packing). */
static void
store_pack(struct store *s, struct store_batch *b)
{
	if (b->pk.p == NULL) {
		pthread_mutex_lock(&s->mu);
		if (s->nspare_pk > 0)
			b->pk = s->spare_pk[--s->nspare_pk];
		pthread_mutex_unlock(&s->mu);
	}
	store_seg_pack_raw(&b->pk, b->raw, b->nraw, &b->pk_lo, &b->pk_hi);
}

/* Store thread: write the batches taken (s->grp) in one transaction,
 * retrying as the errors allow, and give them back. */
static void
store_write_group(struct store *s)
{
	unsigned tries;
	uint64_t nf = 0, ns = 0;
	size_t i;
	int rc = SQLITE_OK, stopping, ms;

	for (tries = 0, ms = 50;; tries++) {
		if ((s->db != NULL || (rc = store_reconnect(s)) ==
		    SQLITE_OK) && (rc = store_write(s, s->grp, s->ngrp)) ==
		    SQLITE_OK)
			break;
		pthread_mutex_lock(&s->mu);
		stopping = s->stopping;
		s->n_retries++;
		s->paused = 1;
		pthread_mutex_unlock(&s->mu);
		/* (the message is the mode's to show, from store_close:
		 * one line, not one here too) */
		if (rc != SQLITE_OK && (!store_rc_transient(rc) ||
		    (stopping && tries >= STORE_RETRY_STOP))) {
			if (s->db != NULL)
				store_fail(s, rc);
			else if (store_rc_transient(rc))
				/* stopping, and never opened */
				store_fail(s, SQLITE_CANTOPEN);
			break;
		}
		if (!s->degraded)
			log_warn("%s: history paused: %s (retrying)",
			    s->path, sqlite3_errstr(rc));
		s->degraded = 1;
		/* at shutdown, a few seconds at most */
		usleep((useconds_t)(stopping && ms > 250 ? 250 : ms) *
		    1000);
		if ((ms *= 2) > STORE_RETRY_MAX_MS)
			ms = STORE_RETRY_MAX_MS;
	}
	if (rc == SQLITE_OK) {
		for (i = 0; i < s->ngrp; i++) {
			nf += s->grp[i]->nflows + s->grp[i]->nraw;
			ns += s->grp[i]->nsamples;
		}
		pthread_mutex_lock(&s->mu);
		s->n_batches += s->ngrp;
		s->n_flows += nf;
		s->n_samples += ns;
		s->newest_pub = s->newest;
		s->paused = 0;
		pthread_mutex_unlock(&s->mu);
	}
	if (rc == SQLITE_OK && s->degraded) {
		log_info("%s: history resumed", s->path);
		s->degraded = 0;
		store_drops_told(s);
	}
	if (rc != SQLITE_OK)
		store_lost(s, s->grp, s->ngrp);
	for (i = 0; i < s->ngrp; i++)
		store_batch_recycle(s, s->grp[i]);
	s->ngrp = 0;
	s->grp_flows = 0;
}

static void *
store_main(void *arg)
{
	struct store *s = arg;
	struct store_batch *b;
	size_t i;

#ifdef SYS_gettid
	/* The store is background work: capture and the engine come
	 * first.  A Linux thread has its own nice value; at STORE_NICE this
	 * one runs in the time they leave idle, and takes a small share
	 * only when they keep every core busy (it never starves: a live
	 * store drops and counts batches it cannot keep). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), STORE_NICE);
#endif
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->head == NULL && !s->stopping)
			pthread_cond_wait(&s->cv, &s->mu);
		if ((b = s->head) == NULL) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		s->head = b->next;
		if (s->head == NULL)
			s->tail = NULL;
		s->queued--;
		pthread_cond_broadcast(&s->cv);
		/* the main thread is packing it (store_help_one) */
		while (b->pk_state == 1)
			pthread_cond_wait(&s->cv, &s->mu);
		pthread_mutex_unlock(&s->mu);

		if (s->failed) {
			store_lost(s, &b, 1);
			store_batch_recycle(s, b);
			continue;
		}
		for (i = 0; i < b->nraw; i++)
			store_agg_raw(s, &b->raw[i]);
		for (i = 0; i < b->nflows; i++)
			store_agg_flow(s, &b->flows[i]);
		store_agg_run(s);
		/* an import's batch waits in the group packed: what the
		 * last transaction, at the end, has left to do is small */
		if (!s->cfg.live && b->nraw > 0 && b->pk_state == 0) {
			store_pack(s, b);
			b->pk_state = 2;
		}
		/* packed and added up, its engine flows are not needed
		 * again (a retry writes the segment): their array goes
		 * back now, not when the group is written.  An import's
		 * group would otherwise hold STORE_GROUP_FLOWS of them,
		 * and each new array is fresh memory, a page fault every
		 * 4 KiB on the main thread that fills it */
		if (b->pk_state == 2 && b->raw != NULL) {
			pthread_mutex_lock(&s->mu);
			if (s->nspare_raw < STORE_SPARE) {
				s->spare_raw[s->nspare_raw++] = b->raw;
				b->raw = NULL;
			}
			pthread_mutex_unlock(&s->mu);
		}
		/* A live store writes each batch as it comes.  An import
		 * writes STORE_GROUP_FLOWS records (or STORE_GROUP_MAX
		 * batches) in one transaction: a commit rewrites every
		 * page it touched (the names' B-tree, the indexes), and
		 * an import interrupted is refused again whatever it
		 * committed.  Counted, not timed: the same file makes the
		 * same database. */
		s->grp[s->ngrp++] = b;
		s->grp_flows += b->nflows + b->nraw;
		if (s->cfg.live || b->final || s->ngrp == STORE_GROUP_MAX ||
		    s->grp_flows >= STORE_GROUP_FLOWS)
			store_write_group(s);
	}
	/* (the last batch is final: nothing is left) */
	if (s->ngrp > 0)
		store_write_group(s);
	/* An import's new database had a rollback journal (store_check):
	 * WAL from now on, as every other, for readers beside a writer.
	 * (A no-op where it is WAL already.  A reader open at this moment
	 * keeps it from changing: the next writer to open it changes it,
	 * store_db_open_as.) */
	if (!s->cfg.live && s->db != NULL && !s->failed)
		sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL,
		    NULL);
	return NULL;
}

/* Main thread, with mu held, instead of waiting idle for the store
 * thread (the queue full, or in store_close()): pack the engine flows of
 * a queued batch as its segment, the last one not packed (the store
 * thread takes them from the first; one it takes while being packed, it
 * waits for).  The bytes are the same whichever thread packs (a batch is
 * one segment).  Whether there was one to pack (mu is held again). */
static int
store_help_one(struct store *s)
{
	struct store_batch *b, *pick = NULL;

	for (b = s->head; b != NULL; b = b->next)
		if (b->nraw > 0 && b->pk_state == 0)
			pick = b;
	if (pick == NULL)
		return 0;
	pick->pk_state = 1;
	pthread_mutex_unlock(&s->mu);
	store_pack(s, pick);
	pthread_mutex_lock(&s->mu);
	pick->pk_state = 2;
	pthread_cond_broadcast(&s->cv);
	return 1;
}

/* Hand the current batch to the store thread (ownership moves). */
static void
store_queue_put(struct store *s)
{
	struct store_batch *b = s->cur;

	if (b->nflows == 0 && b->nraw == 0 && b->nsamples == 0 &&
	    b->nnames == 0 && b->nalerts == 0 &&
	    b->nfiles == 0 && b->live == NULL && !b->final)
		return;
	s->cur = store_batch_new();
	pthread_mutex_lock(&s->mu);
	if (s->cfg.live && s->queued >= STORE_QUEUE_MAX) {
		int first = !s->drop_warned;

		s->dropped++;
		s->dropped_flows += b->nflows + b->nraw;
		s->drop_warned = 1;
		pthread_mutex_unlock(&s->mu);
		/* one line now, the count when writing resumes (or at the
		 * end): store_drops_told */
		if (first)
			log_warn("%s: history queue full (%d batches): batches "
			    "are dropped until writing resumes", s->path,
			    STORE_QUEUE_MAX);
		store_batch_recycle(s, b);
		return;
	}
	while (!s->cfg.live && s->queued >= STORE_QUEUE_IMPORT)
		if (!store_help_one(s))
			pthread_cond_wait(&s->cv, &s->mu);
	if (s->tail != NULL)
		s->tail->next = b;
	else
		s->head = b;
	s->tail = b;
	s->queued++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* ---- the sink (main thread) ------------------------------------------ */

static void
store_sink_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct store *s = arg;
	const struct flow_tunnel *tu;
	struct store_raw *x;

	(void)why;
	/* a time the history cannot keep (a capture's pcapng timestamps
	 * go to 2554): counted, not stored */
	if (f->last_ns / 1000 > (uint64_t)STORE_US_MAX) {
		s->late++;
		return;
	}
	x = store_raw_slot(s);
	memcpy(&x->f, f, sizeof x->f);
	if ((x->has_tu = (tu = engine_flow_tunnel(s->engine, f)) != NULL))
		x->tu = *tu;
	/* the hosts' country and AS now (GeoIP is the main thread's) */
	engine_flow_geo(s->engine, f, &x->geo[0], &x->geo[1]);
	if (s->cur->nflows + s->cur->nraw >= store_batch_max(s))
		store_queue_put(s);
}

void
store_add_flow(struct store *s, const struct store_flow *f)
{
	struct store_batch *b = s->cur;
	int64_t end;

	*store_flow_slot(s) = *f;
	/* the packet clock: the record's last packet */
	end = (f->ts_us + f->duration_us) / 1000000;
	if (end > b->newest)
		b->newest = end;
	if (b->nflows + b->nraw >= STORE_BATCH_FLOWS)
		store_queue_put(s);
}

/* Samples of second sec: what each source counted since the last one.
 * Read from the source's running totals, not from its per-second
 * buckets: a live capture hands packets over in blocks, so some of a
 * second arrive after the clock has passed it; they count in the next
 * sample instead of being lost (from a file, in time order, each sample
 * holds exactly its second). */
static void
store_samples(struct store *s, const struct engine *e, int64_t sec)
{
	struct store_batch *b = s->cur;
	const struct engine_source *src;
	struct store_sample *x;
	struct store_src *m;
	unsigned i, n = engine_source_count(e);
	uint64_t bad;

	for (i = 0; i < n && i < 64; i++) {
		src = engine_source(e, i);
		if (b->nsamples == b->capsamples) {
			b->capsamples = b->capsamples ? b->capsamples * 2 : 8;
			b->samples = xreallocarray(b->samples, b->capsamples,
			    sizeof *b->samples);
		}
		x = &b->samples[b->nsamples];
		memset(x, 0, sizeof *x);
		x->ts = sec;
		snprintf(x->source, sizeof x->source, "%s", src->name);
		m = &s->src[i];
		x->rx_bytes = src->rx_bytes - m->rx_bytes;
		x->tx_bytes = src->tx_bytes - m->tx_bytes;
		x->rx_pkts = src->rx_pkts - m->rx_pkts;
		x->tx_pkts = src->tx_pkts - m->tx_pkts;
		m->rx_bytes = src->rx_bytes;
		m->tx_bytes = src->tx_bytes;
		m->rx_pkts = src->rx_pkts;
		m->tx_pkts = src->tx_pkts;
		bad = src->status[PKT_TRUNCATED] + src->status[PKT_INVALID] +
		    src->status[PKT_UNSUPPORTED];
		x->decode_errors = bad - s->src[i].status_bad;
		s->src[i].status_bad = bad;
		x->drops = s->src[i].drops - s->src[i].drops_seen;
		s->src[i].drops_seen = s->src[i].drops;
		if (x->rx_pkts + x->tx_pkts + x->drops + x->decode_errors == 0)
			continue;
		b->nsamples++;
	}
	if (sec > b->newest)
		b->newest = sec;
}

static void
store_sink_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	struct store *s = arg;
	int64_t sec = (int64_t)(now_ns / 1000000000u);

	/* The tick comes before the packet that moved the clock is
	 * counted: everything counted since the last tick belongs to the
	 * second of that tick. */
	if (s->cur_sec >= 0 && sec != s->cur_sec)
		store_samples(s, e, s->cur_sec);
	s->cur_sec = sec;
	if (s->live != NULL && s->cur->live == NULL &&
	    (s->cur->live = store_live_collect(s->live, e)) != NULL) {
		/* what the viewers' header says of the history */
		struct store_stats st;

		store_get_stats(s, &st);
		store_live_history(s->cur->live, st.dropped, st.retries);
	}
	store_queue_put(s);
}

static void
store_sink_name(void *arg, const struct pkt_name *nm)
{
	struct store *s = arg;
	struct store_batch *b = s->cur;

	if (b->nnames == b->capnames) {
		b->capnames = b->capnames ? b->capnames * 2 : 16;
		b->names = xreallocarray(b->names, b->capnames,
		    sizeof *b->names);
	}
	b->names[b->nnames++] = *nm;
}

void
store_alert_event(void *arg, const struct alert *a, enum alert_event ev)
{
	struct store *s = arg;
	struct store_batch *b = s->cur;

	(void)ev;	/* the row holds the alert as it stands */
	if (b->nalerts == b->capalerts) {
		b->capalerts = b->capalerts ? b->capalerts * 2 : 8;
		b->alerts = xreallocarray(b->alerts, b->capalerts,
		    sizeof *b->alerts);
	}
	b->alerts[b->nalerts++] = *a;
}

static void
store_sink_source(void *arg, const struct engine_source_event *ev)
{
	struct store *s = arg;

	if (ev->source < 64)
		s->src[ev->source].drops = ev->drops_kernel + ev->drops_iface +
		    ev->drops_ring;
	store_live_source(s->live, ev);
}

int
store_start(struct store *s, struct engine *e, char **cause)
{
	s->engine = e;
	/* e is NULL when only flow logs are imported (store_add_flow) */
	if (e != NULL && engine_sink_add(e, &(struct engine_sink){
	    .name = "store", .arg = s, .flow = store_sink_flow,
	    .tick = store_sink_tick,
	    .name_learned = store_sink_name, .source = store_sink_source,
	    .flags = ENGINE_SINK_UNORDERED |
	    (s->live != NULL ? ENGINE_SINK_HOST_RATES : 0) }) != 0) {
		xasprintf(cause, "cannot subscribe the store to the engine");
		return -1;
	}
	if (pthread_create(&s->thread, NULL, store_main, s) != 0) {
		xasprintf(cause, "cannot start the store thread");
		return -1;
	}
	s->started = 1;
	return 0;
}

int
store_close(struct store *s, char **cause)
{
	int i, rc = 0;

	if (s == NULL)
		return 0;
	if (s->started) {
		/* the last second, then everything still queued */
		if (s->cur_sec >= 0)
			store_samples(s, s->engine, s->cur_sec);
		s->cur_sec = -1;
		s->cur->final = 1;
		store_queue_put(s);
		/* the flows the end flushed are packed by both threads */
		pthread_mutex_lock(&s->mu);
		while (store_help_one(s))
			;
		s->stopping = 1;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		/* (a failed store's cause counts them) */
		if (!s->failed)
			store_drops_told(s);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
	}
	if (s->failed) {
		/* the cause, and what it cost */
		uint64_t nb = s->lost_batches + s->dropped;
		char more[64] = "";

		if (s->dropped > 0)
			snprintf(more, sizeof more, ", %llu of them dropped "
			    "earlier (queue full)",
			    (unsigned long long)s->dropped);
		if (cause != NULL && nb > 0)
			xasprintf(cause, "%s; not written: %llu batch%s (%llu "
			    "flow records)%s", s->error, (unsigned long long)nb,
			    nb == 1 ? "" : "es", (unsigned long long)(
			    s->lost_flows + s->dropped_flows), more);
		else if (cause != NULL) {
			*cause = s->error;
			s->error = NULL;
		}
		rc = -1;
	}
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_finalize(s->st_alert);
	store_seg_close(s->seg);
	if (sqlite3_close(s->db) != SQLITE_OK && rc == 0) {
		if (cause != NULL)
			xasprintf(cause, "%s: cannot close the database",
			    s->path);
		rc = -1;
	}
	store_batch_free(s->cur);
	store_live_state_free(s->live);
	free(s->agg.slot);
	free(s->agg.e);
	free(s->ops);
	free(s->hbuf.p);
	while (s->nspare > 0)
		free(s->spare[--s->nspare]);
	while (s->nspare_raw > 0)
		free(s->spare_raw[--s->nspare_raw]);
	while (s->nspare_pk > 0)
		free(s->spare_pk[--s->nspare_pk].p);
	free(s->error);
	free(s->path);
	free(s);
	return rc;
}

void
store_get_stats(struct store *s, struct store_stats *st)
{
	memset(st, 0, sizeof *st);
	pthread_mutex_lock(&s->mu);
	st->batches = s->n_batches;
	st->flows = s->n_flows;
	st->samples = s->n_samples;
	st->dropped = s->dropped;
	st->retries = s->n_retries;
	st->queued = s->queued;
	st->paused = s->paused;
	st->failed = s->failed;
	st->newest = s->newest_pub;
	pthread_mutex_unlock(&s->mu);
	st->late = s->late;
}

void
store_set_retention(struct store *s, uint32_t ks, uint32_t km, uint32_t kh,
    uint32_t kf)
{
	pthread_mutex_lock(&s->mu);
	s->cfg.keep_seconds = ks;
	s->cfg.keep_minutes = km;
	s->cfg.keep_hours = kh;
	s->cfg.keep_flows = kf;
	pthread_mutex_unlock(&s->mu);
}

uint64_t
store_dropped(const struct store *s)
{
	return s->dropped;
}

uint64_t
store_flows(const struct store *s)
{
	return s->flows_in;
}
