/*
 * mode.h: the options every mode is given, and the modes' entry points.
 *
 * main.c parses the command line and the configuration into one struct
 * wt_opts, finds the mode in its table (name, usage line, entry point,
 * which option groups apply) and calls the mode's function, which returns
 * an exit code.  Every mode that captures calls mode_drop() between
 * pipeline_create() and pipeline_start().
 */
#ifndef WIRETOP_MODE_H
#define WIRETOP_MODE_H

#include <stdio.h>

#include "alert.h"
#include "engine.h"

struct pipeline;
struct store;

/* Exit codes (one enum for the whole program). */
enum wt_exit {
	WT_EXIT_OK = 0,
	WT_EXIT_RUNTIME = 1,	/* runtime failure */
	WT_EXIT_USAGE = 2,	/* bad command line or configuration */
	WT_EXIT_CAPTURE = 3,	/* capture or permission problem */
	WT_EXIT_DB = 4,		/* history database problem */
	WT_EXIT_PIPE = -1,	/* internal: standard output's reader left;
				   main() ends quietly, killed by SIGPIPE */
};

#define WT_MAX_SOURCES 32

struct wt_opts {
	const char *mode;		/* "tui", "export", ... */

	/* sources */
	const char *ifaces[WT_MAX_SOURCES];	/* -i, borrowed from argv */
	unsigned n_ifaces;
	const char *files[WT_MAX_SOURCES];	/* -r */
	unsigned n_files;
	const char *filter;		/* -f BPF, or NULL */
	int snaplen;			/* -s, 0 = default */
	int buffer_kb;			/* -B, 0 = default */
	int promisc;			/* 1 unless -p */
	int tunnel_depth;		/* tunnels opened per frame */
	double speed;			/* --speed: 0 = max, 1 = original pace */
	int speed_given;		/* --speed was on the command line */

	/* engine */
	struct engine_cfg ecfg;
	struct engine_net local_nets[64];	/* -F / local_networks */
	unsigned n_local_nets;

	/* export */
	const char *what;		/* flows | hosts | summary | alerts */
	const char *format;		/* csv | json | ndjson */
	const char *output;		/* -o FILE, NULL = stdout */
	double duration;		/* live export: seconds, 0 = until signal */

	/* IPFIX export (ipfix.c): export and the daemon */
	const char *ipfix;		/* --ipfix / ipfix_collector, NULL =
					   none */
	int ipfix_given;		/* --ipfix was on the command line (export
					   sends only then) */
	uint32_t ipfix_refresh_s;	/* ipfix_template_refresh */
	uint32_t ipfix_refresh_msgs;	/* ipfix_template_refresh_messages */

	/* history database (store.c) */
	const char *db_path;		/* --db, NULL = the default path */
	const char *since;		/* export --db: --since T */
	const char *until;		/* --until T, NULL = the newest */
	uint32_t keep_seconds;		/* retention_seconds */
	uint32_t keep_minutes;		/* retention_minutes */
	uint32_t keep_hours;		/* retention_hours */
	uint32_t keep_flows;		/* retention_flows */
	const char *db_group;		/* db_group: group that may read it */

	/* daemon */
	int daemonize;			/* --daemonize: detach */
	const char *pidfile;		/* --pidfile / pid_file, or NULL */
	const char *metrics_listen;	/* --metrics-listen / metrics_listen:
					   ADDR:PORT of /metrics, NULL: off */
	uint32_t metrics_top_hosts;	/* metrics_top_hosts: hosts labelled */
	const char *db_action;		/* db: check, vacuum, purge or sql */
	const char *db_sql;		/* db sql: the query */
	const char *before;		/* db purge: --before T */

	/* tui */
	int delay_ms;			/* -d: refresh interval */
	long frames;			/* --frames N: quit after N renders */
	const char *theme;		/* dark | light | mono */
	int bits;			/* show rates in bits */
	int names;			/* show learned names */

	/* alerts (alert.h; every mode that runs the engine) */
	struct alert_cfg alert;
	/* GeoIP (geoip.c) */
	const char *geoip_country_db;	/* country or city database(s),
					   NULL: none */
	const char *geoip_asn_db;	/* ASN database, NULL: none */

	/* support */
	const char *config_path;	/* -c */
	const char *log_path;		/* --log */
	const char *user;		/* -u: user after the drop; NULL = auto */
	const char *config_files[4];	/* files read, for --show-config */
	unsigned n_config_files;
};

int	mode_export(struct wt_opts *);
int	mode_import(struct wt_opts *);
int	mode_tui(struct wt_opts *);
int	mode_report(struct wt_opts *);
int	mode_daemon(struct wt_opts *);
int	mode_view(struct wt_opts *);

/* Read the configuration files cur was read from and the command line
 * again, as main() did at the start, into *o (HUP in the daemon).  -1 +
 * cause (one line, "file:line: key: ...") if a file is now invalid or
 * gone; *o is then untouched. */
int	mode_reload(const struct wt_opts *cur, struct wt_opts *o,
	    char **cause);
int	mode_db(struct wt_opts *);

/* After the capture handles (or other inputs) are open, before
 * pipeline_start(): drop privileges, open --log, log the start (and the
 * sources of p, which may be NULL when nothing is captured).  WT_EXIT_OK, or the exit code
 * after one line on stderr. */
int	mode_drop(struct wt_opts *, struct pipeline *);
/* pipeline_create() then mode_drop(): WT_EXIT_OK with *pp set, or the
 * exit code after one line ("cannot open WHAT" if the pipeline gives no
 * cause) with *pp NULL. */
int	mode_open(struct wt_opts *, const char *what, struct pipeline **pp);
/* The alert core over e (alerts_create with o's settings), after
 * mode_drop(), before the first packet: *ap is NULL when alerts = no.
 * WT_EXIT_OK, or WT_EXIT_USAGE after one line on stderr (a bad detector
 * setting). */
int	mode_alerts_open(const struct wt_opts *, struct engine *,
	    struct alerts **ap);
/* After pipeline_start(): the GeoIP notice (a database missing where
 * one was set, unreadable or damaged), one line on stderr, if any. */
void	mode_geoip_notice(struct pipeline *);
/* Log each source that failed or finished since the last call. */
void	mode_log_sources(struct pipeline *);
/* Log each source's packets and drops so far (SIGUSR1, and the end). */
void	mode_log_stats(struct pipeline *);
/* Log how each source ended, its packets and drops, and the exit code. */
void	mode_log_end(struct pipeline *, int code);

/* As root, before the privilege drop: create the directories of the
 * database path db that do not exist, for the user the process will
 * become (mode 0700, or 0750 in group when group > 0); existing ones are
 * left as they are.  WT_EXIT_OK, or after one line on stderr the exit
 * code: WT_EXIT_CAPTURE when the user to become does not exist (the
 * privilege drop would fail), WT_EXIT_DB when a directory cannot be
 * made.  Does nothing when the process keeps its identity. */
int	mode_db_dir(const struct wt_opts *, const char *db, long group);
/* store_open() with o's retention: NULL after one line on stderr and in
 * the log (the exit code is then WT_EXIT_DB). */
struct store *mode_store_open(const struct wt_opts *, const char *path,
	    int live, long group);
/* The database a writer (import) uses when --db is not given: the
 * user's own (store_default_path()); for root, when root has none, the
 * daemon's (WT_DAEMON_DB).  Owned. */
char	*mode_db_write_path(const struct wt_opts *);

/* WT_EXIT_USAGE after one line if -o names a -r file or the database
 * db (NULL: none) or one of its journals (opening -o would truncate it),
 * else WT_EXIT_OK. */
int	mode_output_check(const struct wt_opts *, const char *db);
/* Open -o after the privilege drop, never through a symbolic link, or
 * take stdout; *name is what messages call it.  WT_EXIT_OK, or the exit
 * code after one line on stderr. */
int	mode_output_open(const struct wt_opts *, FILE **, const char **name);

#endif
