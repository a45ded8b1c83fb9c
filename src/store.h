/*
 * store.h: the history database (SQLite): a writer thread fed by an
 * engine sink, and read-only queries for export --db.
 *
 * The main thread builds batches in the sink callbacks and hands each
 * whole batch to the store thread through a bounded queue; the store
 * thread owns the only write connection.  Readers open their own
 * read-only connection (store-query.c).
 */
#ifndef WIRETOP_STORE_H
#define WIRETOP_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "alert.h"
#include "engine.h"
#include "out.h"

struct engine;
struct out_writer;

#define STORE_SCHEMA_VERSION	3
#define STORE_APP_ID		0x77747031	/* "wtp1": PRAGMA application_id */

struct store_cfg {
	const char *path;		/* borrowed */
	int live;			/* 1: a full queue drops the batch
					   (counted); 0: the caller waits */
	uint32_t keep_seconds;		/* retention of per-second samples, s */
	uint32_t keep_minutes;		/* of per-minute rollups, s */
	uint32_t keep_hours;		/* of per-hour rollups and host and
					   service totals, s */
	uint32_t keep_flows;		/* of flow records, s */
	long group;			/* db_group: gid the directory and
					   files are given (0750, 0640), or
					   0: owner-only (0700, 0600) */
	int snapshot;			/* 1: keep the live snapshot (live_*
					   tables) for wiretop view; live
					   capture (live = 1) keeps it too */
};

/* What the store has done, for the daemon's USR1 and the header. */
struct store_stats {
	uint64_t batches;		/* written */
	uint64_t flows;			/* flow records written */
	uint64_t samples;		/* per-second sample rows written */
	uint64_t dropped;		/* batches dropped (queue full) */
	uint64_t late;			/* flows not stored: past STORE_US_MAX */
	uint64_t retries;		/* writes retried after an error */
	size_t queued;			/* batches waiting */
	int paused;			/* writes failing, being retried */
	int failed;			/* stopped writing for good */
	int64_t newest;			/* packet clock of the database */
};

struct store;

/* The latest time a flow record may have in the history, in us since
 * the epoch: 2^53 (2255-06-05T23:47:34Z), exact in a JSON number.  A
 * record that ends later is not stored: a flow log's line is malformed
 * (flowlog.c), a capture's flow is counted (store_stats.late). */
#define STORE_US_MAX	((int64_t)1 << 53)

/* A flow record as its export columns (out-rec.c) read it.  Made by a
 * flow log reader (flowlog.c), or read back from a segment (store-seg.c:
 * the engine's flows are stored as they are, struct store_raw). */
struct store_flow {
	int64_t ts_us;			/* first packet, us since the epoch */
	int64_t duration_us;		/* last packet - first packet, us */
	char uid[20];
	char orig_h[OUT_ADDR_MAX];
	char resp_h[OUT_ADDR_MAX];
	uint16_t orig_p, resp_p;
	uint16_t vlan, inner_vlan, return_vlan;
	uint8_t proto_num;
	char proto[PROTO_NAME_MAX];
	char service[24];		/* "" = none */
	char svc_key[24];		/* service, else "proto/port" */
	char conn_state[8];
	char history[16];
	uint64_t pkts[2], bytes[2], ip_bytes[2], wire_bytes[2];
	/* Without the frames it carried on into a tunnel: host and service
	 * totals count a frame once, at its innermost layer (the engine's
	 * rule). */
	uint64_t own_pkts[2], own_wire[2];
	char parents[FLOW_MAX_PARENTS * 19];
	char tunnel[16];
	char cid[64];
	uint32_t rtt_us;
	uint32_t retrans;
	/* GeoIP when the flow was stored ("" / 0: unknown) */
	char orig_cc[3], resp_cc[3];
	uint32_t orig_asn, resp_asn;
};

/* The default database path for this user (owned, caller frees):
 * $XDG_STATE_HOME/wiretop/history.db or ~/.local/state/wiretop/history.db. */
char	*store_default_path(void);
/* Open (creating it owner-only if needed) and migrate the database.  NULL
 * + cause; *code is then WT_EXIT_DB. */
struct store *store_open(const struct store_cfg *, char **cause);
/* Whether a file with this content hash (hex SHA-256) was imported: 0
 * no, 1 yes, 2 an import of it started and did not finish; call before
 * store_start(). */
int	 store_has_file(struct store *, const char *sha256);
/* Record an imported file with the next batch: complete 0 when its import
 * starts (committed with or before its first rows), 1 when it is done. */
void	 store_add_file(struct store *, const char *sha256, const char *path,
	    uint64_t size, int complete);
/* Start the store thread and subscribe its sink to e (NULL: no engine,
 * records come from store_add_flow() only). -1 + cause. */
int	 store_start(struct store *, struct engine *e, char **cause);
/* Append a flow record (copied) to the current batch, as the engine sink
 * does, and hand the batch over when it is full; main thread, after
 * store_start().  The packet clock advances to the record's end. */
void	 store_add_flow(struct store *, const struct store_flow *);
/* Hand over the last batch, wait for the thread to write everything, join
 * it, close the database and free s.  0, or -1 + cause if a batch could
 * not be written. */
int	 store_close(struct store *, char **cause);
/* A consistent copy of the counters (any time, main thread). */
void	 store_get_stats(struct store *, struct store_stats *);
/* New retention limits (HUP), applied at the next pruning. */
void	 store_set_retention(struct store *, uint32_t keep_seconds,
	    uint32_t keep_minutes, uint32_t keep_hours, uint32_t keep_flows);
/* Resolve a db_group setting (a group name or number) to a gid; -1 +
 * cause if there is no such group. */
long	 store_group_lookup(const char *name, char **cause);

/* Batches dropped because the queue was full (live capture only). */
uint64_t store_dropped(const struct store *);
/* Flow records handed to the store. */
uint64_t store_flows(const struct store *);

/* Open path read-write (created owner-only, migrated) or read-only, and
 * check that it is a wiretop database of a schema this build knows; NULL
 * + cause.  (The sqlite3 type is SQLite's own struct sqlite3.) */
struct sqlite3 *store_db_open(const char *path, int writable, char **cause);
/* A read-only connection to path for any reader (view, report, export
 * --db, db sql), one that may not write the database's directory or -shm
 * file too (a member of its group): mode=ro, so SQLite reads the -shm a
 * writer keeps; with no writer (no -wal file) the file opened immutable,
 * as nothing writes it.  NULL + cause (one line: a missing file, a
 * directory, a damaged file, or permission denied naming the group to
 * ask for, *denied then 1).  No check of what the file holds. */
struct sqlite3 *store_db_open_reader(const char *path, char **cause,
	    int *denied);
/* SQLite set up as every connection here uses it (before the first). */
void store_sqlite_setup(void);

/* ---- the live snapshot (store-live.c) ------------------------------ */

struct engine_source_event;
struct store_live;		/* one snapshot, rides in a batch */
struct store_live_state;	/* the collector's memory (main thread) */

struct store_live_state *store_live_state_create(void);
void	 store_live_state_free(struct store_live_state *);
/* Remember a source's drops and state (main thread, the sink). */
void	 store_live_source(struct store_live_state *,
	    const struct engine_source_event *);
/* Take a snapshot of e (main thread, in the tick); NULL if one was taken
 * less than a second ago.  Owned by the caller (store_live_free). */
struct store_live *store_live_collect(struct store_live_state *,
	    const struct engine *);
void	 store_live_free(struct store_live *);
/* The store's batches dropped (queue full) and writes retried so far,
 * for the viewers' header. */
void	 store_live_history(struct store_live *, uint64_t dropped,
	    uint64_t retries);
/* Replace the snapshot in the database (store thread, inside the batch's
 * transaction); the SQLite result code. */
int	 store_live_write(struct sqlite3 *, const struct store_live *);

/* ---- alerts (store-alert.c) ----------------------------------------- */

struct sqlite3_stmt;

/* The alert core's subscriber (alert.h struct alert_sub, arg: the store;
 * main thread, after store_start()): the change rides in the current
 * batch. */
void	 store_alert_event(void *arg, const struct alert *, enum alert_event);
/* Schema 3's alerts table (a migration). */
extern const char store_alert_schema_v3[];
/* Column i of st's row as text into dst (size bytes, cut to fit; "" for
 * NULL). */
void	 store_col_text(struct sqlite3_stmt *, int, char *, size_t);
/* Whether db keeps alerts (schema 3 on).  A reader of an older database
 * (read-only: not migrated) finds none there instead of failing: its
 * alerts table, of schema 1, was never written. */
int	 store_alert_kept(struct sqlite3 *);
/* The columns to SELECT for store_alert_row(), comma-separated. */
extern const char store_alert_cols[];
/* Insert or update an alert's row by its uid (store thread, in a
 * transaction; *st: the statement, prepared on first use, finalised by
 * the caller).  The SQLite result code. */
int	 store_alert_put(struct sqlite3 *, struct sqlite3_stmt **,
	    const struct alert *);
/* A row selected with store_alert_cols as a struct alert (id: the row's
 * id); -1 if it holds a kind, state or severity this build does not
 * know. */
int	 store_alert_row(struct sqlite3_stmt *, struct alert *);

/* ---- reading (store-query.c) --------------------------------------- */

enum store_what {
	STORE_WHAT_FLOWS,
	STORE_WHAT_HOSTS,
	STORE_WHAT_SERVICES,
	STORE_WHAT_SAMPLES,
	STORE_WHAT_ALERTS,
};

/* Parse a time for --since/--until: ISO 8601 (UTC unless it carries an
 * offset) into *abs_s, or relative ("90s", "15m", "1h", "7d", "2w") into
 * *rel_s (seconds before the newest time stored).  -1 if invalid. */
int	 store_time_parse(const char *, int64_t *abs_s, int64_t *rel_s,
	    int *relative);
/* A time string (as store_time_parse reads it) as seconds since the
 * epoch, a relative one counted back from newest.  -1 if invalid. */
int	 store_time_resolve(const char *, int64_t newest, int64_t *out);
/* The newest second stored (the packet clock), 0 when none. */
int64_t	 store_newest(struct sqlite3 *);
/* The database to read when the user named none (given == NULL): the
 * user's own (store_default_path()), or the daemon's (WT_DAEMON_DB,
 * /var/lib/wiretop/history.db) if that exists and the user's does not;
 * given itself otherwise.  Owned, caller frees. */
char	*store_pick_path(const char *given);
/* Write the records of one kind between since and until (strings as
 * store_time_parse reads them; until may be NULL) from the database at
 * path, opened read-only, to w.  0, or -1 + cause (*dbproblem set to 1 when
 * the database itself is at fault). */
int	 store_export(const char *path, enum store_what, const char *since,
	    const char *until, struct out_writer *, char **cause,
	    int *dbproblem);

/* ---- segments (store-seg.c) ------------------------------------------ */

/* Flow records and host totals are kept packed, a batch's in one row
 * (flow_seg, host_seg); the virtual tables flows, host_hour and host_day
 * read them back as rows. */
#define STORE_SEG_SCHEMA						\
	"CREATE TABLE flow_seg (id INTEGER PRIMARY KEY, "		\
	"  t_min INTEGER NOT NULL, t_max INTEGER NOT NULL, "		\
	"  n INTEGER NOT NULL, data BLOB NOT NULL);\n"			\
	"CREATE INDEX flow_seg_t ON flow_seg (t_max, t_min);\n"		\
	"CREATE INDEX flow_seg_t0 ON flow_seg (t_min);\n"			\
	"CREATE TABLE host_seg (id INTEGER PRIMARY KEY, "		\
	"  tier INTEGER NOT NULL, ts INTEGER NOT NULL, "		\
	"  lvl INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);\n" \
	"CREATE INDEX host_seg_ts ON host_seg (tier, ts, lvl);\n"
#define STORE_SEG_FLOWS	8192	/* flow records per segment at most */

/* A host's totals in one hour or day (tier 0 or 1). */
struct store_seg_host {
	char addr[OUT_ADDR_MAX];	/* "": none */
	uint64_t v[4];			/* bytes in, out, packets in, out */
	uint64_t flows;
};

struct seg_buf {
	uint8_t *p;
	size_t n, cap;
};

struct store_seg;		/* a writer: statements and a buffer */

/* An engine flow as the store's sink copied it (main thread): the store
 * thread packs it as it is (store_seg_add_raw), and the readers make its
 * text columns. */
struct store_raw {
	struct flow f;
	struct flow_tunnel tu;
	int has_tu;
	struct geoip_info geo[2];	/* originator's, responder's */
};

/* A writer on db (a write connection); NULL if its statements cannot be
 * prepared (sqlite3_errmsg(db) says why). */
struct store_seg *store_seg_open(struct sqlite3 *);
void	 store_seg_close(struct store_seg *);
/* Inside a transaction: n flow records as segments of STORE_SEG_FLOWS at
 * most; one tier's host totals for the hour or day ts as one segment
 * (merged with others when a level is full).  SQLite result codes. */
int	 store_seg_add_flows(struct store_seg *, const struct store_flow *,
	    size_t n);
int	 store_seg_add_raw(struct store_seg *, const struct store_raw *,
	    size_t n);
/* n engine flows (STORE_SEG_FLOWS at most) packed as one segment into
 * b, as store_seg_add_raw() packs them (any thread: it touches b alone),
 * their first and last start (us) into *lo, *hi; and that segment
 * written. */
void	 store_seg_pack_raw(struct seg_buf *b, const struct store_raw *,
	    size_t n, int64_t *lo, int64_t *hi);
int	 store_seg_add_packed_flows(struct store_seg *,
	    const struct seg_buf *b, int64_t lo, int64_t hi, size_t n);
int	 store_seg_add_hosts(struct store_seg *, int tier, int64_t ts,
	    const struct store_seg_host *const *, size_t n);
/* The same, packed by the caller into b (store_seg_begin,
 * store_seg_put_host_key); day 1: tier 0's hour ts, and the same as one
 * segment of its day (an hour whose day totals are made as it is
 * written, not copied from it afterwards). */
int	 store_seg_add_packed(struct store_seg *, int tier, int64_t ts,
	    int day, const struct seg_buf *b, size_t n);
/* The day totals of the hours in [from, to), added from theirs. */
int	 store_seg_roll_days(struct store_seg *, int64_t from, int64_t to);
/* Delete the flow records that start before before_us, the host totals
 * of a tier before the hour or day before; *rows (if not NULL) gets the
 * rows the virtual table loses. */
int	 store_seg_prune_flows(struct store_seg *, int64_t before_us,
	    int64_t *rows);
int	 store_seg_prune_hosts(struct sqlite3 *, int tier, int64_t before,
	    int64_t *rows);
/* The virtual tables flows, host_hour and host_day on this connection. */
int	 store_seg_register(struct sqlite3 *);
/* Schema 1 to 2: the rows of flows, host_hour and host_day into
 * segments, the tables dropped (inside the migration's transaction). */
int	 store_seg_migrate_v1(struct sqlite3 *);
/* Unpacking, for the fuzzer: a flow segment's records into *f (grown),
 * a host segment's distinct addresses; their count, or -1 if damaged. */
long	 store_seg_decode_flows(const void *, size_t, int64_t base,
	    struct store_flow **, size_t *cap);
long	 store_seg_decode_hosts(const void *, size_t);
/* Packing, for the tests and the fuzzer. */
void	 store_seg_begin(struct seg_buf *);
void	 store_seg_put_flow(struct seg_buf *, const struct store_flow *,
	    int64_t base);
void	 store_seg_put_host(struct seg_buf *, const struct store_seg_host *);
/* The same, the address given as its key: ip_ver 4 or 6 and its len
 * bytes, else (0) text of len bytes at most. */
void	 store_seg_put_host_key(struct seg_buf *, int ip_ver,
	    const uint8_t *key, size_t len, const uint64_t v[4],
	    uint64_t flows);

#endif
