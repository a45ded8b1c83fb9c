/*
 * mode-import.c: `wiretop import FILE...`: capture files and flow logs
 * into the history database, on their own timestamps, as if captured
 * live.
 *
 * Each file is told by its content: a pcap or pcapng magic number makes
 * it a capture, read through the pipeline; otherwise flowlog_detect()
 * must know it as a flow log (Zeek conn.log TSV or JSON, wiretop's CSV,
 * NDJSON or JSON flow export), whose records the main thread reads
 * (flowlog.c) and hands to the store with store_add_flow(), where they
 * are rolled up into host and service totals like captured flows.  A
 * file that is neither is refused before anything is written, in one
 * line, with exit status 2 (WT_EXIT_USAGE: the command line names an
 * input import cannot take; no capture, permission or database went
 * wrong).  A malformed line of a flow log is skipped and reported (file
 * and line number, the first IMPORT_BAD_SHOWN of each file, then how
 * many more), and the rest of the file is imported.
 *
 * Main thread; the store thread (store.c) does the writing.  Each file's
 * content is hashed (SHA-256) before anything else; a file whose hash the
 * database already holds is skipped with a note, so importing the same
 * capture twice never counts it twice.  The hash is recorded as started
 * with the first batch and as complete with the last: a file whose import
 * was interrupted is refused too (the database holds part of it).  The files are opened with the
 * pipeline, privileges are dropped (mode_drop), and only then is the
 * database opened, as the user the process runs as.  The alert
 * detectors watch the captures (not the flow logs) and their alerts are
 * stored; alert_command is not run for a file from the past.  Offline, the store
 * queue makes the pipeline wait rather than drop a batch.
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "flowlog.h"
#include "log.h"
#include "pipeline.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

#define IMPORT_BATCH	4096	/* records per pipeline_drain */
/* A file's identity: SHA-256 of its size and content, where the content
 * of a file over 4 edges is its first and last IMPORT_HASH_EDGE bytes
 * and 64 KiB of every IMPORT_HASH_STEP between them (a 3 GB capture is
 * not read twice to be recognised). */
#define IMPORT_HASH_EDGE	(4u << 20)
#define IMPORT_HASH_STEP	(64u << 20)
#define IMPORT_HASH_SAMPLE	65536u
#define IMPORT_SIG_EVERY	16	/* batches between signal checks */
#define IMPORT_BAD_SHOWN	10	/* malformed lines reported a file */
#define IMPORT_LOG_SIG_EVERY	4096	/* log records between signal checks */

/* What a file is: a capture (0), a flow log (a flowlog_kind), or
 * neither (-1); -2 + cause if it cannot be read. */
static int
import_kind(const char *path, char **cause)
{
	static const uint32_t magic[] = { 0xa1b2c3d4u, 0xd4c3b2a1u,
	    0xa1b23c4du, 0x4d3cb2a1u, 0xa1b2cd34u, 0x34cdb2a1u, 0x0a0d0d0au };
	char *buf;
	size_t n = 0;
	ssize_t r;
	uint32_t m;
	unsigned i;
	int fd, k;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -2;
	}
	buf = xmalloc(FLOWLOG_DETECT_LEN);
	while (n < FLOWLOG_DETECT_LEN && (r = read(fd, buf + n,
	    FLOWLOG_DETECT_LEN - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "%s: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return -2;
		}
		n += (size_t)r;
	}
	close(fd);
	if (n >= 4) {
		memcpy(&m, buf, 4);
		for (i = 0; i < sizeof magic / sizeof magic[0]; i++) {
			if (m == magic[i]) {
				free(buf);
				return 0;
			}
		}
	}
	k = (int)flowlog_detect(buf, n);
	free(buf);
	return k == FLOWLOG_NONE ? -1 : k;
}

/* Read one flow log into the store; 0, 1 if a signal stopped it, -1 on a
 * read error (said on stderr). */
static int
import_log(struct store *s, FILE *fp, const char *path,
    enum flowlog_kind kind, int sfd)
{
	struct flowlog *fl = flowlog_create(kind);
	struct store_flow f;
	uint64_t ok = 0, bad = 0;
	char *cause = NULL;
	int r, stop = 0;

	while ((r = flowlog_next(fl, fp, &f, &cause)) != 0) {
		if (r == 1) {
			store_add_flow(s, &f);
			if (++ok % IMPORT_LOG_SIG_EVERY == 0 &&
			    (proc_signals_read(sfd) & (PROC_EV_STOP |
			    PROC_EV_HUP))) {
				stop = 1;
				break;
			}
			continue;
		}
		if (r == -2) {
			log_stderr("import: %s: %s", path,
			    cause);
			free(cause);
			flowlog_free(fl);
			return -1;
		}
		if (++bad <= IMPORT_BAD_SHOWN)
			log_stderr("import: %s:%llu: malformed "
			    "line: %s", path,
			    (unsigned long long)flowlog_line(fl), cause);
		free(cause);
		cause = NULL;
	}
	if (bad > IMPORT_BAD_SHOWN)
		log_stderr("import: %s: %llu more malformed "
		    "lines", path, (unsigned long long)(bad -
		    IMPORT_BAD_SHOWN));
	log_stderr("import: %s (%s): %llu records imported, "
	    "%llu malformed lines skipped%s", path, flowlog_kind_name(kind),
	    (unsigned long long)ok, (unsigned long long)bad,
	    stop ? " before it was interrupted" : "");
	log_info("import: %s (%s): %llu records imported, %llu malformed "
	    "lines skipped", path, flowlog_kind_name(kind),
	    (unsigned long long)ok, (unsigned long long)bad);
	flowlog_free(fl);
	return stop;
}

/* pread() exactly n bytes at off; -1 with errno (0: end of file). */
static int
import_pread_all(int fd, uint8_t *buf, size_t n, uint64_t off)
{
	ssize_t r;

	while (n > 0) {
		r = pread(fd, buf, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		buf += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Hash n bytes of fd from off; -1 with errno (0: the file ended). */
static int
import_hash_range(int fd, struct sha256_ctx *ctx, uint64_t off, uint64_t n)
{
	uint8_t buf[65536];
	size_t k;

	while (n > 0) {
		k = n < sizeof buf ? (size_t)n : sizeof buf;
		if (import_pread_all(fd, buf, k, off) != 0)
			return -1;
		sha256_update(ctx, k, buf);
		off += k;
		n -= k;
	}
	return 0;
}

/* The identity of a file (IMPORT_HASH_EDGE) as hex into hex; its size
 * into *size. */
static int
import_hash(const char *path, char hex[65], uint64_t *size, char **cause)
{
	struct sha256_ctx ctx;
	struct stat st;
	uint8_t d[SHA256_DIGEST_SIZE], len[8];
	uint64_t off;
	int fd, i, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a regular file (a file is "
		    "identified before it is imported, to refuse a second "
		    "import)", path);
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	sha256_init(&ctx);
	for (i = 0; i < 8; i++)
		len[i] = (uint8_t)(*size >> (8 * i));
	sha256_update(&ctx, sizeof len, len);
	/* the whole of a small file; of a big one its edges and a sample
	 * of every IMPORT_HASH_STEP between them */
	if (*size <= 4 * (uint64_t)IMPORT_HASH_EDGE)
		rc = import_hash_range(fd, &ctx, 0, *size);
	else {
		rc = import_hash_range(fd, &ctx, 0, IMPORT_HASH_EDGE);
		for (off = IMPORT_HASH_EDGE; rc == 0 && off +
		    IMPORT_HASH_SAMPLE <= *size - IMPORT_HASH_EDGE;
		    off += IMPORT_HASH_STEP)
			rc = import_hash_range(fd, &ctx, off,
			    IMPORT_HASH_SAMPLE);
		if (rc == 0)
			rc = import_hash_range(fd, &ctx,
			    *size - IMPORT_HASH_EDGE, IMPORT_HASH_EDGE);
	}
	if (rc != 0) {
		xasprintf(cause, "%s: %s", path, errno != 0 ?
		    strerror(errno) : "the file shrank while it was read");
		close(fd);
		return -1;
	}
	close(fd);
	sha256_digest(&ctx, sizeof d, d);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

int
mode_import(struct wt_opts *o)
{
	char hex[WT_MAX_SOURCES][65];
	uint64_t size[WT_MAX_SOURCES];
	const char *path[WT_MAX_SOURCES];
	int kind[WT_MAX_SOURCES];
	FILE *log[WT_MAX_SOURCES];
	struct store *s;
	struct pipeline *p = NULL;
	struct alerts *alerts = NULL;
	const char *cmd;
	struct capture_stats cs;
	struct store_stats st;
	struct pollfd *pfd;
	char *cause = NULL, *dbpath;
	long group = 0;
	unsigned i, j, n, npfd, nbatch = 0, ncap = 0;
	int code, sfd, failed = 0, stop = 0, r;

	if (o->n_ifaces > 0 || o->n_files == 0) {
		log_stderr("import: name one or more capture "
		    "files or flow logs (wiretop import FILE...)");
		return WT_EXIT_USAGE;
	}
	n = o->n_files;
	for (i = 0; i < n; i++) {
		path[i] = o->files[i];
		log[i] = NULL;
		if (strcmp(o->files[i], "-") == 0) {
			log_stderr("import: standard input "
			    "cannot be imported (its content is hashed "
			    "first, to refuse a second import)");
			return WT_EXIT_USAGE;
		}
		if (import_hash(o->files[i], hex[i], &size[i], &cause) != 0 ||
		    (kind[i] = import_kind(o->files[i], &cause)) == -2) {
			log_stderr("%s", cause);
			free(cause);
			return WT_EXIT_CAPTURE;
		}
		if (kind[i] < 0) {
			log_stderr("import: %s: neither a capture "
			    "file (pcap, pcapng) nor a flow log wiretop knows "
			    "(Zeek conn.log, wiretop CSV or NDJSON flows)",
			    o->files[i]);
			return WT_EXIT_USAGE;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(hex[i], hex[j]) == 0) {
				log_stderr("import: %s and %s have the same "
				    "size and content hash", o->files[j],
				    o->files[i]);
				return WT_EXIT_USAGE;
			}
		}
	}
	/* flow logs are opened here, with the rights captures are opened
	 * with; the pipeline gets the captures alone */
	for (i = 0; i < n; i++) {
		if (kind[i] == 0) {
			o->files[ncap++] = path[i];
			continue;
		}
		if ((log[i] = fopen(path[i], "re")) == NULL) {
			log_stderr("%s: %s", path[i],
			    strerror(errno));
			code = WT_EXIT_CAPTURE;
			goto close_logs;
		}
	}
	o->n_files = ncap;
	o->speed = 0;

	/* as root, the directory is made for the user the import becomes */
	dbpath = mode_db_write_path(o);
	if (o->db_group != NULL &&
	    (group = store_group_lookup(o->db_group, &cause)) < 0) {
		log_stderr("%s", cause);
		free(cause);
		free(dbpath);
		code = WT_EXIT_USAGE;
		goto close_logs;
	}
	if ((code = mode_db_dir(o, dbpath, group)) != WT_EXIT_OK) {
		free(dbpath);
		goto close_logs;
	}
	if (ncap > 0)
		code = mode_open(o, "cannot open the capture files", &p);
	else
		code = mode_drop(o, NULL);	/* the flow logs are open */
	if (code != WT_EXIT_OK) {
		free(dbpath);
		goto close_logs;
	}
	if ((s = mode_store_open(o, dbpath, 0, group)) == NULL) {
		free(dbpath);
		pipeline_free(p);
		code = WT_EXIT_DB;
		goto close_logs;
	}
	for (i = 0; i < n; i++) {
		if ((j = (unsigned)store_has_file(s, hex[i])) != 0) {
			if (j == 1)
				log_stderr("import: %s: already in %s (same "
				    "size and content hash); nothing imported",
				    path[i], dbpath);
			else
				log_stderr("import: %s: an "
				    "earlier import of it into %s was "
				    "interrupted and holds part of it; not "
				    "imported again", path[i], dbpath);
			store_close(s, NULL);
			free(dbpath);
			pipeline_free(p);
			code = j == 1 ? WT_EXIT_OK : WT_EXIT_DB;
			goto close_logs;
		}
	}
	/* The detectors watch the captures as the daemon's would, and their
	 * alerts are stored; alert_command is for what happens now, not for
	 * a file from the past, and is not run. */
	cmd = o->alert.command;
	o->alert.command = NULL;
	code = p != NULL ? mode_alerts_open(o, pipeline_engine(p), &alerts) :
	    WT_EXIT_OK;
	o->alert.command = cmd;
	if (code != WT_EXIT_OK) {
		store_close(s, NULL);
		free(dbpath);
		pipeline_free(p);
		goto close_logs;
	}
	if (alerts != NULL)
		alerts_subscribe(alerts, &(struct alert_sub){ .arg = s,
		    .event = store_alert_event });
	for (i = 0; i < n; i++)
		store_add_file(s, hex[i], path[i], size[i], 0);
	if ((sfd = proc_signals_open(&cause)) == -1 ||
	    store_start(s, p != NULL ? pipeline_engine(p) : NULL,
	    &cause) != 0 || (p != NULL && pipeline_start(p, &cause) != 0)) {
		log_stderr("%s", cause);
		free(cause);
		if (sfd >= 0)
			close(sfd);
		store_close(s, NULL);
		alerts_free(alerts);
		free(dbpath);
		pipeline_free(p);
		code = WT_EXIT_RUNTIME;
		goto close_logs;
	}

	/* the flow logs first (the capture threads wait on their rings
	 * meanwhile), then the captures */
	for (i = 0; i < n && !stop && !failed; i++) {
		if (log[i] == NULL)
			continue;
		r = import_log(s, log[i], path[i], (enum flowlog_kind)kind[i],
		    sfd);
		if (r > 0)
			stop = 1;
		else if (r < 0)
			failed = 1;
	}

	pfd = xreallocarray(NULL, p != NULL ? pipeline_pollfd_count(p) + 1 :
	    1, sizeof *pfd);
	while (p != NULL && !stop && !failed) {
		if (pipeline_drain(p, IMPORT_BATCH) > 0) {
			/* a big file keeps the loop busy: look at signals
			 * now and then all the same */
			if (++nbatch % IMPORT_SIG_EVERY == 0 &&
			    (proc_signals_read(sfd) & (PROC_EV_STOP |
			    PROC_EV_HUP)))
				stop = 1;
			continue;
		}
		if (pipeline_finished(p))
			break;
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		npfd = 1;
		if (pipeline_arm(p, pfd, &npfd))
			continue;
		poll(pfd, npfd, 50);
		if ((pfd[0].revents & POLLIN) &&
		    (proc_signals_read(sfd) & (PROC_EV_STOP | PROC_EV_HUP)))
			stop = 1;
		pipeline_clear(p);
		mode_log_sources(p);
	}
	free(pfd);
	if (p != NULL)
		pipeline_stop(p);
	close(sfd);
	code = WT_EXIT_OK;
	for (i = 0; p != NULL && i < pipeline_source_count(p); i++) {
		capture_get_stats(pipeline_source(p, i), &cs);
		if (cs.state == CAPTURE_STATE_FAILED) {
			log_stderr("%s", cs.error[0] != '\0' ?
			    cs.error : capture_name(pipeline_source(p, i)));
			failed = 1;
		}
	}
	/* What was read is written, an import stopped or failed too:
	 * what the sources published before the stop, and the flows still
	 * open (the samples already count their packets). */
	if (p != NULL) {
		while (pipeline_drain(p, IMPORT_BATCH) > 0)
			;
		engine_flush(pipeline_engine(p));
	}
	/* the alerts' last counts and times go with the last batch */
	alerts_sync(alerts);
	store_get_stats(s, &st);
	if (st.late > 0)
		log_stderr("import: %llu flow records not stored: they end "
		    "after 2255-06-05, the latest time the history keeps",
		    (unsigned long long)st.late);
	if (stop || failed) {
		/* the file is not recorded as imported whole: a second
		 * import of it is refused; say so */
		log_stderr("import %s: the database holds part of the input",
		    stop ? "interrupted" : "failed");
		code = stop ? WT_EXIT_RUNTIME : WT_EXIT_CAPTURE;
	} else {
		/* recorded with the last batch: only a whole import counts */
		for (i = 0; i < n; i++)
			store_add_file(s, hex[i], path[i], size[i], 1);
	}
	if (store_close(s, &cause) != 0) {
		log_stderr("%s", cause);
		log_error("%s", cause);
		free(cause);
		code = WT_EXIT_DB;
	}
	alerts_free(alerts);
	if (p != NULL) {
		for (i = 0; i < pipeline_source_count(p) && !failed; i++)
			capture_print_warnings(pipeline_source(p, i));
		mode_log_end(p, code);
		pipeline_free(p);
	} else
		log_info("exit %d", code);
	free(dbpath);
close_logs:
	for (i = 0; i < n; i++)
		if (log[i] != NULL)
			fclose(log[i]);
	return code;
}
