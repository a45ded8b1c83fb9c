/*
 * pipeline.h: sources -> rings -> engine, as every mode runs it.
 *
 * Created and driven by the main thread.  The pipeline owns the capture
 * sources (one thread each) and the engine; modes add their sinks (the
 * engine's flow sink, the TUI's render on ticks).
 */
#ifndef WIRETOP_PIPELINE_H
#define WIRETOP_PIPELINE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct wt_opts;
struct engine;
struct capture;
struct geoip;

struct pipeline;

/* Open every source of opts (live -i and files -r; if none, the default
 * interface) and create the engine.  A source given twice (the same file,
 * the same interface, or an interface beside "any") is opened once, with
 * a warning on stderr.  Privileged step.  NULL + cause (one line) and
 * *exit_code on failure. */
struct pipeline	*pipeline_create(struct wt_opts *, char **cause,
		    int *exit_code);
/* Start the capture threads (block signals first). */
int		 pipeline_start(struct pipeline *, char **cause);
/* Move at most max records from the rings into the engine; returns the
 * number moved.  File sources are merged by packet time (ties: the lower
 * source index), each name just before the packet it came from, so the
 * engine sees the same sequence on every run; live sources are taken as
 * they come.  Source ends and drops go to the engine as source events. */
size_t		 pipeline_drain(struct pipeline *, size_t max);
/* 1 when every source has finished and its rings are empty. */
int		 pipeline_finished(struct pipeline *);
/* Prepare to sleep: returns 1 if records can be moved already (do not
 * sleep); otherwise appends the wakeup fds of the rings it waits for to
 * pfd (room for pipeline_pollfd_count()) and returns 0.  The merge of
 * file sources waits for the ones whose rings are empty. */
int		 pipeline_arm(struct pipeline *, struct pollfd *pfd,
		    unsigned *npfd);
unsigned	 pipeline_pollfd_count(struct pipeline *);
/* Clear wakeup fds after poll returned. */
void		 pipeline_clear(struct pipeline *);
/* Live sources: advance the engine clock to the wall clock on idle. */
void		 pipeline_tick(struct pipeline *);
/* Stop every capture thread and join them. */
void		 pipeline_stop(struct pipeline *);
void		 pipeline_free(struct pipeline *);

struct engine	*pipeline_engine(struct pipeline *);
unsigned	 pipeline_source_count(struct pipeline *);
struct capture	*pipeline_source(struct pipeline *, unsigned);
/* The GeoIP databases (borrowed; opened by pipeline_start()). */
struct geoip	*pipeline_geoip(struct pipeline *);
/* Open the GeoIP databases again if a file changed on disk (checked at
 * most every few seconds), and look every host up again; 1 if so. */
int		 pipeline_geoip_check(struct pipeline *);
/* Open the GeoIP databases again with these settings (HUP), and look
 * every host up again. */
void		 pipeline_geoip_reopen(struct pipeline *, const char *country_db,
		    const char *asn_db);
/* 1 if any source is a live interface. */
int		 pipeline_is_live(struct pipeline *);

#endif
