/*
 * mode.c: what every mode does between opening its capture sources and
 * starting them.
 *
 * Main thread, before the capture threads exist.  The capture handles
 * are the last thing opened with privileges; then the process drops them
 * (proc_drop), and only then opens the files the user named (--log here,
 * -o in export), so they are created with the rights of the user the
 * process runs as and never through a symbolic link.
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "geoip.h"
#include "log.h"
#include "pipeline.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

/* The last state of each source that was logged. */
static enum capture_state mode_logged[WT_MAX_SOURCES];

/* Open the sources, then drop privileges (mode_drop()); what goes wrong
 * is one line on stderr (what names the sources in it) and the exit
 * code, with nothing left open. */
int
mode_open(struct wt_opts *o, const char *what, struct pipeline **pp)
{
	char *cause = NULL;
	int code = WT_EXIT_OK;

	*pp = pipeline_create(o, &cause, &code);
	if (*pp == NULL) {
		log_stderr("%s", cause != NULL ? cause :
		    what);
		free(cause);
		return code != WT_EXIT_OK ? code : WT_EXIT_CAPTURE;
	}
	if ((code = mode_drop(o, *pp)) != WT_EXIT_OK) {
		pipeline_free(*pp);
		*pp = NULL;
	}
	return code;
}

int
mode_alerts_open(const struct wt_opts *o, struct engine *e,
    struct alerts **ap)
{
	char *cause = NULL;

	*ap = NULL;
	if (!o->alert.enabled)
		return WT_EXIT_OK;
	if ((*ap = alerts_create(&o->alert, e, &cause)) == NULL) {
		log_stderr("%s", cause);
		log_error("%s", cause);
		free(cause);
		return WT_EXIT_USAGE;
	}
	/* geo and new_peer by ASN read the engine's GeoIP (its databases
	 * are opened by pipeline_start(); none: the lookups know
	 * nothing) */
	if (engine_geoip(e) != NULL)
		alerts_set_geo(*ap, alert_geo_engine, e);
	log_info("alerts: detectors %s", alerts_detectors(*ap));
	return WT_EXIT_OK;
}

int
mode_drop(struct wt_opts *o, struct pipeline *p)
{
	char *cause = NULL;
	unsigned i;
	int root;

	if (proc_drop(o->user, &root, &cause) != 0) {
		log_stderr("cannot drop privileges: %s",
		    cause);
		free(cause);
		return WT_EXIT_CAPTURE;
	}
	if (root)
		log_stderr("warning: still running as root "
		    "(user = root): %s parsed with every privilege",
		    p != NULL ? "captured packets are" : "its input is");
	if (o->log_path != NULL && log_open_file(o->log_path, &cause) != 0) {
		log_stderr("--log: %s", cause);
		free(cause);
		return WT_EXIT_RUNTIME;
	}

	for (i = 0; i < WT_MAX_SOURCES; i++)
		mode_logged[i] = CAPTURE_STATE_OPEN;
	log_info("wiretop %s started: %s mode, pid %ld", PACKAGE_VERSION,
	    o->mode, (long)getpid());
	for (i = 0; p != NULL && i < pipeline_source_count(p); i++)
		log_info("source %u opened: %s (%s)", i,
		    capture_name(pipeline_source(p, i)),
		    capture_kind(pipeline_source(p, i)) == CAPTURE_LIVE ?
		    "interface" : "file");
	if (root)
		log_warn("still running as root (user = root)");
	else
		log_info("privileges dropped: running as %s (uid %lu, gid "
		    "%lu), no capabilities, no_new_privs", proc_user(),
		    (unsigned long)getuid(), (unsigned long)getgid());
	return WT_EXIT_OK;
}

void
mode_geoip_notice(struct pipeline *p)
{
	const char *n = geoip_notice(pipeline_geoip(p));

	if (n != NULL)
		log_stderr("%s", n);
}

void
mode_log_sources(struct pipeline *p)
{
	struct capture_stats st;
	struct capture *c;
	unsigned i;

	for (i = 0; i < pipeline_source_count(p) && i < WT_MAX_SOURCES; i++) {
		c = pipeline_source(p, i);
		capture_get_stats(c, &st);
		if (st.state == mode_logged[i])
			continue;
		mode_logged[i] = st.state;
		if (st.state == CAPTURE_STATE_FAILED)
			log_error("source %u (%s) failed: %s", i,
			    capture_name(c), st.error);
		else if (st.state == CAPTURE_STATE_GONE)
			log_warn("source %u (%s) ended: %s; the other sources "
			    "go on", i, capture_name(c), st.error);
		else if (st.state == CAPTURE_STATE_FINISHED)
			log_info("source %u (%s) finished%s", i,
			    capture_name(c), st.truncated ?
			    " (the file ends inside a record)" : "");
	}
}

/* Names learned and aged out, and the resolver's counters. */
static void
mode_log_names(const struct engine *e)
{
	const struct engine_totals *t = engine_totals(e);
	struct resolve_stats rs;

	log_info("names: %llu learned, %llu aged out",
	    (unsigned long long)t->names_learned,
	    (unsigned long long)t->names_expired);
	if (engine_resolve_stats(e, &rs) == 0)
		log_info("reverse DNS: %llu asked, %llu found, %llu without "
		    "a name, %llu dropped (queue full), %llu from the cache, "
		    "%u waiting, %u in flight, %u threads",
		    (unsigned long long)rs.asked,
		    (unsigned long long)rs.found,
		    (unsigned long long)rs.not_found,
		    (unsigned long long)rs.dropped,
		    (unsigned long long)rs.cache_hits, rs.queued,
		    rs.in_flight, rs.threads);
}

void
mode_log_stats(struct pipeline *p)
{
	struct capture_stats st;
	struct capture *c;
	unsigned i;

	for (i = 0; i < pipeline_source_count(p); i++) {
		c = pipeline_source(p, i);
		capture_get_stats(c, &st);
		log_info("source %u (%s): %llu packets, drops: kernel %llu, "
		    "interface %llu, ring %llu, names %llu", i,
		    capture_name(c), (unsigned long long)st.packets,
		    (unsigned long long)st.kernel_drops,
		    (unsigned long long)st.if_drops,
		    (unsigned long long)st.ring_drops,
		    (unsigned long long)st.name_drops);
	}
	mode_log_names(pipeline_engine(p));
}

void
mode_log_end(struct pipeline *p, int code)
{
	mode_log_sources(p);
	mode_log_stats(p);
	log_info("exit %d", code);
}

int
mode_db_dir(const struct wt_opts *o, const char *db, long group)
{
	char *cause = NULL, *dir, *s;
	uid_t uid;
	gid_t gid;
	int rc;

	/* a user that does not exist is the privilege drop's failure
	 * (exit 3), met here first */
	if ((rc = proc_drop_target(o->user, &uid, &gid, &cause)) <= 0) {
		if (rc < 0) {
			log_stderr("cannot drop privileges: %s", cause);
			free(cause);
			return WT_EXIT_CAPTURE;
		}
		return WT_EXIT_OK;
	}
	dir = xstrdup(db);
	for (s = dir + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(dir, group > 0 ? 0750 : 0700) == 0) {
			if (chown(dir, uid, group > 0 ? (gid_t)group : gid) !=
			    0) {
				log_stderr("%s: %s", dir,
				    strerror(errno));
				free(dir);
				return WT_EXIT_DB;
			}
		} else if (errno == EROFS || errno == ENOSPC) {
			/* a live store waits for the disk; others fail
			 * when they open the database */
			break;
		} else if (errno != EEXIST) {
			log_stderr("%s: cannot create the "
			    "directory: %s", dir, strerror(errno));
			free(dir);
			return WT_EXIT_DB;
		}
		*s = '/';
	}
	free(dir);
	return WT_EXIT_OK;
}

char *
mode_db_write_path(const struct wt_opts *o)
{
	char *own;

	if (o->db_path != NULL)
		return xstrdup(o->db_path);
	own = store_default_path();
	if (geteuid() == 0 && access(own, F_OK) != 0) {
		free(own);
		return xstrdup(WT_DAEMON_DB);
	}
	return own;
}

struct store *
mode_store_open(const struct wt_opts *o, const char *path, int live,
    long group)
{
	struct store_cfg sc;
	struct store *s;
	char *cause = NULL;

	memset(&sc, 0, sizeof sc);
	sc.path = path;
	sc.live = live;
	sc.group = group;
	sc.keep_seconds = o->keep_seconds;
	sc.keep_minutes = o->keep_minutes;
	sc.keep_hours = o->keep_hours;
	sc.keep_flows = o->keep_flows;
	if ((s = store_open(&sc, &cause)) == NULL) {
		log_stderr("%s", cause);
		log_error("%s", cause);
		free(cause);
	}
	return s;
}
