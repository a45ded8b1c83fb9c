/*
 * mode-import.c: `wiretop import FILE...`: capture files into the history
 * database, on their own timestamps, as if captured live.
 *
 * Main thread; the store thread (store.c) does the writing.  Each file's
 * content is hashed (SHA-256) before anything else; a file whose hash the
 * database already holds is skipped with a note, so importing the same
 * capture twice never counts it twice.  The hash is recorded as started
 * with the first batch and as complete with the last: a file whose import
 * was interrupted is refused too (the database holds part of it).  The files are opened with the
 * pipeline, privileges are dropped (mode_drop), and only then is the
 * database opened, as the user the process runs as.  Offline, the store
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
#include "log.h"
#include "pipeline.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

#define IMPORT_BATCH	4096	/* records per pipeline_drain */
#define IMPORT_SIG_EVERY	16	/* batches between signal checks */

/* Hex SHA-256 of a file's content into hex; its size into *size. */
static int
import_hash(const char *path, char hex[65], uint64_t *size, char **cause)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE], buf[65536];
	ssize_t n;
	int fd, i;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	sha256_init(&ctx);
	*size = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		sha256_update(&ctx, (size_t)n, buf);
		*size += (uint64_t)n;
	}
	if (n < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
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
	struct store_cfg sc;
	struct store *s;
	struct pipeline *p;
	struct capture_stats cs;
	struct pollfd *pfd;
	char *cause = NULL, *dbpath;
	unsigned i, j, npfd, nbatch = 0;
	int code, sfd, failed = 0, stop = 0;

	if (o->n_ifaces > 0 || o->n_files == 0) {
		fprintf(stderr, "wiretop: import: name one or more capture "
		    "files (wiretop import FILE...)\n");
		return WT_EXIT_USAGE;
	}
	for (i = 0; i < o->n_files; i++) {
		if (strcmp(o->files[i], "-") == 0) {
			fprintf(stderr, "wiretop: import: standard input "
			    "cannot be imported (its content is hashed "
			    "first, to refuse a second import)\n");
			return WT_EXIT_USAGE;
		}
		if (import_hash(o->files[i], hex[i], &size[i], &cause) != 0) {
			fprintf(stderr, "wiretop: %s\n", cause);
			free(cause);
			return WT_EXIT_CAPTURE;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(hex[i], hex[j]) == 0) {
				fprintf(stderr, "wiretop: import: %s and %s "
				    "have the same content\n", o->files[j],
				    o->files[i]);
				return WT_EXIT_USAGE;
			}
		}
	}
	o->speed = 0;

	if ((code = mode_open(o, "cannot open the capture files", &p)) !=
	    WT_EXIT_OK)
		return code;
	dbpath = o->db_path != NULL ? xstrdup(o->db_path) :
	    store_default_path();
	memset(&sc, 0, sizeof sc);
	sc.path = dbpath;
	sc.live = 0;
	sc.keep_seconds = o->keep_seconds;
	sc.keep_minutes = o->keep_minutes;
	sc.keep_hours = o->keep_hours;
	sc.keep_flows = o->keep_flows;
	if ((s = store_open(&sc, &cause)) == NULL) {
		fprintf(stderr, "wiretop: %s\n", cause);
		log_error("%s", cause);
		free(cause);
		free(dbpath);
		pipeline_free(p);
		return WT_EXIT_DB;
	}
	for (i = 0; i < o->n_files; i++) {
		if ((j = (unsigned)store_has_file(s, hex[i])) != 0) {
			if (j == 1)
				fprintf(stderr, "wiretop: import: %s: already "
				    "in %s (same content); nothing imported\n",
				    o->files[i], dbpath);
			else
				fprintf(stderr, "wiretop: import: %s: an "
				    "earlier import of it into %s was "
				    "interrupted and holds part of it; not "
				    "imported again\n", o->files[i], dbpath);
			store_close(s, NULL);
			free(dbpath);
			pipeline_free(p);
			return j == 1 ? WT_EXIT_OK : WT_EXIT_DB;
		}
	}
	for (i = 0; i < o->n_files; i++)
		store_add_file(s, hex[i], o->files[i], size[i], 0);
	if ((sfd = proc_signals_open(&cause)) == -1 ||
	    store_start(s, pipeline_engine(p), &cause) != 0 ||
	    pipeline_start(p, &cause) != 0) {
		fprintf(stderr, "wiretop: %s\n", cause);
		free(cause);
		if (sfd >= 0)
			close(sfd);
		store_close(s, NULL);
		free(dbpath);
		pipeline_free(p);
		return WT_EXIT_RUNTIME;
	}

	pfd = xreallocarray(NULL, pipeline_pollfd_count(p) + 1, sizeof *pfd);
	while (!stop) {
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
	pipeline_stop(p);
	close(sfd);
	code = WT_EXIT_OK;
	for (i = 0; i < pipeline_source_count(p); i++) {
		capture_get_stats(pipeline_source(p, i), &cs);
		if (cs.state == CAPTURE_STATE_FAILED) {
			fprintf(stderr, "wiretop: %s\n", cs.error[0] != '\0' ?
			    cs.error : capture_name(pipeline_source(p, i)));
			failed = 1;
		}
	}
	if (stop || failed) {
		/* nothing of a partial import is committed past what the
		 * queue already holds; say so */
		fprintf(stderr, "wiretop: import %s: the database holds part "
		    "of the input\n", stop ? "interrupted" : "failed");
		code = stop ? WT_EXIT_RUNTIME : WT_EXIT_CAPTURE;
	} else {
		while (pipeline_drain(p, IMPORT_BATCH) > 0)
			;
		engine_flush(pipeline_engine(p));
		/* recorded with the last batch: only a whole import counts */
		for (i = 0; i < o->n_files; i++)
			store_add_file(s, hex[i], o->files[i], size[i], 1);
	}
	if (store_close(s, &cause) != 0) {
		fprintf(stderr, "wiretop: %s\n", cause);
		log_error("%s", cause);
		free(cause);
		code = WT_EXIT_DB;
	}
	for (i = 0; i < pipeline_source_count(p) && !failed; i++)
		capture_print_warnings(pipeline_source(p, i), stderr);
	mode_log_end(p, code);
	pipeline_free(p);
	free(dbpath);
	return code;
}
