/*
 * pipeline.c: sources -> rings -> engine, the part every mode shares.
 *
 * Main thread only.  The pipeline opens the capture sources (the
 * privileged step), creates the engine, starts one capture thread per
 * source and moves records from each source's rings into the engine in
 * bounded batches.  Modes drive it from their own event loops and add
 * their sinks: the exporters through the engine's flow sink, the TUI by
 * rendering on ticks.
 */
#include "config.h"
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "engine.h"
#include "log.h"
#include "mode.h"
#include "ring.h"
#include "xmalloc.h"

#define PIPELINE_BATCH	256	/* records taken from one ring at a time */

struct pipeline {
	struct capture *src[WT_MAX_SOURCES];
	const char *names[WT_MAX_SOURCES];	/* borrowed from captures */
	unsigned n;
	unsigned next;		/* round-robin start for fairness */
	int live;		/* any live source */
	int all_live;		/* every source is live */
	char *default_iface;	/* owned, when no source was given */
	struct engine_net nets[64];
	struct engine *engine;
};

static int
pipeline_add(struct pipeline *p, const struct capture_opts *co, char **cause)
{
	struct capture *c;

	if (p->n == WT_MAX_SOURCES) {
		xasprintf(cause, "too many sources (at most %d)",
		    WT_MAX_SOURCES);
		return -1;
	}
	c = capture_open(co, (uint16_t)p->n, cause);
	if (c == NULL)
		return -1;
	p->src[p->n] = c;
	p->names[p->n] = capture_name(c);
	p->n++;
	return 0;
}

/* Local networks of the live interfaces, when none were configured. */
static unsigned
pipeline_iface_nets(struct pipeline *p)
{
	unsigned i, j, n = 0, cnt;
	char **nets;

	for (i = 0; i < p->n; i++) {
		if (capture_kind(p->src[i]) != CAPTURE_LIVE)
			continue;
		nets = NULL;
		cnt = 0;
		/* Returns how many it appended, or -1. */
		if (capture_interface_networks(capture_name(p->src[i]), &nets,
		    &cnt) < 0) {
			for (j = 0; j < cnt; j++)
				free(nets[j]);
			free(nets);
			continue;
		}
		for (j = 0; j < cnt; j++) {
			if (n < sizeof p->nets / sizeof p->nets[0] &&
			    engine_net_parse(nets[j], &p->nets[n]) == 0)
				n++;
			free(nets[j]);
		}
		free(nets);
	}
	return n;
}

struct pipeline *
pipeline_create(struct wt_opts *o, char **cause, int *exit_code)
{
	struct pipeline *p;
	struct capture_opts co;
	struct engine_cfg ec;
	unsigned i, nnets;

	p = xcalloc(1, sizeof *p);
	*exit_code = WT_EXIT_CAPTURE;

	memset(&co, 0, sizeof co);
	co.filter = o->filter;
	co.snaplen = o->snaplen;
	co.buffer_kb = o->buffer_kb;
	co.promisc = o->promisc;
	co.speed = o->speed;

	for (i = 0; i < o->n_files; i++) {
		co.kind = CAPTURE_FILE;
		co.name = o->files[i];
		if (pipeline_add(p, &co, cause) != 0)
			goto fail;
	}
	if (o->n_ifaces == 0 && o->n_files == 0) {
		p->default_iface = capture_default_interface(cause);
		if (p->default_iface == NULL)
			goto fail;
		o->ifaces[o->n_ifaces++] = p->default_iface;
	}
	for (i = 0; i < o->n_ifaces; i++) {
		co.kind = CAPTURE_LIVE;
		co.name = o->ifaces[i];
		if (pipeline_add(p, &co, cause) != 0)
			goto fail;
		p->live = 1;
	}
	p->all_live = o->n_files == 0;

	ec = o->ecfg;
	ec.n_sources = p->n;
	ec.source_names = p->names;
	if (o->n_local_nets > 0) {
		ec.local_nets = o->local_nets;
		ec.n_local_nets = o->n_local_nets;
	} else if (p->live && (nnets = pipeline_iface_nets(p)) > 0) {
		ec.local_nets = p->nets;
		ec.n_local_nets = nnets;
	}
	p->engine = engine_create(&ec);
	*exit_code = WT_EXIT_OK;
	return p;

fail:
	pipeline_free(p);
	return NULL;
}

int
pipeline_start(struct pipeline *p, char **cause)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		if (capture_start(p->src[i], cause) != 0)
			return -1;
	}
	return 0;
}

/* Move up to max records of one source into the engine. */
static size_t
pipeline_drain_source(struct pipeline *p, struct capture *c, size_t max)
{
	struct ring *r = capture_ring(c), *nr = capture_name_ring(c);
	const struct pkt_meta *m;
	const struct pkt_name *nm;
	void *first;
	size_t got, i, done = 0;

	/* Names first: a DNS answer is then known by the time the packets
	 * that follow it are accounted. */
	while ((got = ring_peek(nr, &first, PIPELINE_BATCH)) > 0) {
		nm = first;
		for (i = 0; i < got; i++)
			engine_name(p->engine, &nm[i]);
		ring_release(nr, got);
	}
	while (done < max) {
		got = ring_peek(r, &first,
		    max - done < PIPELINE_BATCH ? max - done : PIPELINE_BATCH);
		if (got == 0)
			break;
		m = first;
		engine_packets(p->engine, m, got);
		ring_release(r, got);
		done += got;
	}
	return done;
}

size_t
pipeline_drain(struct pipeline *p, size_t max)
{
	size_t done = 0, got;
	unsigned i, k;
	int progress = 1;

	while (done < max && progress) {
		progress = 0;
		for (k = 0; k < p->n && done < max; k++) {
			i = (p->next + k) % p->n;
			got = pipeline_drain_source(p, p->src[i],
			    (max - done) < PIPELINE_BATCH * 16 ?
			    (max - done) : PIPELINE_BATCH * 16);
			if (got > 0)
				progress = 1;
			done += got;
		}
		if (p->n > 0)
			p->next = (p->next + 1) % p->n;
	}
	return done;
}

int
pipeline_finished(struct pipeline *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		if (!capture_finished(p->src[i]))
			return 0;
		if (ring_count(capture_ring(p->src[i])) != 0 ||
		    ring_count(capture_name_ring(p->src[i])) != 0)
			return 0;
	}
	return 1;
}

unsigned
pipeline_pollfd_count(struct pipeline *p)
{
	return p->n * 2;
}

int
pipeline_arm(struct pipeline *p, struct pollfd *pfd, unsigned *npfd)
{
	struct ring *r;
	unsigned i, k;

	for (i = 0; i < p->n; i++) {
		for (k = 0; k < 2; k++) {
			r = k == 0 ? capture_ring(p->src[i]) :
			    capture_name_ring(p->src[i]);
			if (ring_arm(r))
				return 1;
			pfd[*npfd].fd = ring_fd(r);
			pfd[*npfd].events = POLLIN;
			pfd[*npfd].revents = 0;
			(*npfd)++;
		}
	}
	return 0;
}

void
pipeline_clear(struct pipeline *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++) {
		ring_clear_fd(capture_ring(p->src[i]));
		ring_clear_fd(capture_name_ring(p->src[i]));
	}
}

void
pipeline_tick(struct pipeline *p)
{
	struct timespec ts;

	if (!p->all_live || p->n == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	engine_tick(p->engine,
	    (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

void
pipeline_stop(struct pipeline *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		capture_stop(p->src[i]);
}

void
pipeline_free(struct pipeline *p)
{
	unsigned i;

	if (p == NULL)
		return;
	pipeline_stop(p);
	for (i = 0; i < p->n; i++)
		capture_free(p->src[i]);
	engine_free(p->engine);
	free(p->default_iface);
	free(p);
}

struct engine *
pipeline_engine(struct pipeline *p)
{
	return p->engine;
}

unsigned
pipeline_source_count(struct pipeline *p)
{
	return p->n;
}

struct capture *
pipeline_source(struct pipeline *p, unsigned i)
{
	return i < p->n ? p->src[i] : NULL;
}

int
pipeline_is_live(struct pipeline *p)
{
	return p->live;
}
