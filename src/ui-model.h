/*
 * ui-model.h: what the panes show when they do not read the engine: a
 * daemon's live snapshot (wiretop view) or a time range of the history
 * database (the t key).  Both are read from SQLite by ui-hist.c into the
 * same plain rows; the talkers, connections, services, bandwidth and
 * header panes draw them instead of walking the engine's tables.
 */
#ifndef WIRETOP_UI_MODEL_H
#define WIRETOP_UI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"

struct sqlite3;
struct ui;

#define UI_MODEL_ROWS	200	/* rows per table at most (the snapshot's
				   bound too) */
#define UI_MODEL_SERIES	600	/* points of a bandwidth series at most */
#define UI_MODEL_ALERTS	64	/* the daemon's newest alerts listed */

/* A host: rates in bytes/s over 2, 10 and 40 s (0 in a history range). */
struct ui_mhost {
	uint8_t ver;			/* 4 or 6; 0 if addr did not parse */
	uint8_t addr[16];
	char text[48];			/* the address as stored */
	char name[256];			/* learned name, "" = none */
	double in[3], out[3];
	uint64_t bytes_in, bytes_out;	/* wire bytes */
	uint64_t flows;
	int64_t last_s;			/* packet time, s */
	char cc[3];			/* GeoIP country, "" unknown */
};

/* A flow of the snapshot, as the connections pane shows it. */
struct ui_mflow {
	char proto[PROTO_NAME_MAX];
	uint8_t proto_num;
	char orig[48], resp[48];	/* addresses as stored */
	uint16_t orig_p, resp_p;
	char orig_name[256], resp_name[256];
	char service[24];		/* "" = none */
	char state[8];
	double dur_s;
	double orate, rrate;		/* bytes/s, 10 s */
	uint64_t bytes;			/* wire bytes, both directions */
	uint32_t rtt_us;
	uint32_t retrans;
};

/* A share row of the services pane (protocol or service). */
struct ui_mshare {
	char name[32];
	uint64_t bytes;
};

/* A capture source: header facts and a bandwidth series. */
struct ui_msrc {
	char name[64];
	char state[16];			/* "live", "gone", ... */
	char detail[96];		/* one line, "" = none */
	double rx, tx, pps;		/* 2 s rates, bytes/s and packets/s */
	uint64_t drops_kernel, drops_iface, drops_ring;
	uint64_t flows, hosts;
	double rx_series[UI_MODEL_SERIES];	/* bytes/s, oldest first */
	double tx_series[UI_MODEL_SERIES];
	unsigned nseries;
};

enum ui_model_kind {
	UI_MODEL_SNAPSHOT,		/* a daemon's live snapshot */
	UI_MODEL_RANGE,			/* a history range */
};

struct ui_model {
	enum ui_model_kind kind;
	int empty;			/* snapshot: none written yet */
	char range[32];			/* "last 24 h": title of a range */
	unsigned step_s;		/* seconds per series point */
	int64_t wall_s;			/* snapshot: wall clock it was taken */
	int64_t pkt_ns;			/* packet clock (snapshot), or the
					   range's newest second * 1e9 */
	uint64_t flows_total, hosts_total, packets;
	uint64_t hist_dropped;		/* the daemon's batches lost */
	uint64_t hist_retries;		/* its writes retried */
	struct ui_mhost hosts[UI_MODEL_ROWS];
	size_t nhosts;
	struct ui_mflow flows[UI_MODEL_ROWS];
	size_t nflows;
	struct ui_mshare protos[64];
	size_t nprotos;
	struct ui_mshare svcs[UI_MODEL_ROWS];
	size_t nsvcs;
	struct ui_msrc srcs[8];
	unsigned nsrcs;
	/* snapshot: the daemon's alerts from the history (newest first;
	 * id: the row's) */
	int alerts_known;		/* 0: its database has none to read */
	struct alert alerts[UI_MODEL_ALERTS];
	size_t nalerts;
	uint64_t alerts_raised, alerts_open;
};

/* Open a history database for reading only, as a reader that may not
 * write its directory or -shm file: mode=ro, then immutable when no
 * writer is there (no -wal file).  NULL + cause; *denied set to 1 when
 * the file cannot be read for permissions (the cause names the group
 * to ask for). */
struct sqlite3	*ui_db_open(const char *path, char **cause, int *denied);
/* Reopen if the connection was opened immutable and a writer appeared. */
struct sqlite3	*ui_db_refresh(struct sqlite3 *, const char *path);
void		 ui_db_close(struct sqlite3 *);
/* Read the live snapshot into m (one read transaction).  0, or -1 +
 * cause. */
int		 ui_model_snapshot(struct sqlite3 *, struct ui_model *,
		    char **cause);
/* Read the range of secs seconds before the newest second stored. */
int		 ui_model_range(struct sqlite3 *, unsigned secs,
		    struct ui_model *, char **cause);

/* Show the snapshot m (borrowed; NULL: the engine again) in every pane;
 * path names the database in the header. */
void		 ui_set_snapshot(struct ui *, const struct ui_model *,
		    const char *path);

#endif
