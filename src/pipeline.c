/*
 * pipeline.c: sources -> rings -> engine, the part every mode shares.
 *
 * Main thread only.  The pipeline opens the capture sources (the
 * privileged step), creates the engine, starts one capture thread per
 * source and moves records from each source's rings into the engine in
 * bounded batches.  Modes drive it from their own event loops and add
 * their sinks: the exporters through the engine's flow sink, the TUI by
 * rendering on ticks.
 *
 * File sources are merged by packet time (see pipeline_merge), so the
 * engine sees one order whatever the reader threads' timing; live
 * sources are real time and taken as they come.  Either way the records
 * of one frame (one per tunnel layer, PKT_F_MORE on all but the last)
 * reach the engine together, never split by a batch or another source.  The pipeline also tells
 * the engine how each source ended (EOF, error, interface gone), its new
 * drops, and the capture host's own addresses on each interface.
 */
#include "config.h"
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "geoip.h"
#include "log.h"
#include "mode.h"
#include "ring.h"
#include "xmalloc.h"

#define PIPELINE_BATCH	256	/* records taken from one ring at a time */

struct pipeline {
	struct capture *src[WT_MAX_SOURCES];
	const char *names[WT_MAX_SOURCES];	/* borrowed from captures */
	unsigned n;
	unsigned nfiles;	/* file sources (merged by packet time) */
	unsigned next;		/* round-robin start for fairness */
	uint64_t taken[WT_MAX_SOURCES];	/* file: records handed over */
	int ended[WT_MAX_SOURCES];	/* end published to the engine */
	uint64_t drops[WT_MAX_SOURCES];	/* drop total last published */
	unsigned ncalls;	/* pipeline_drain calls, to pace drop checks */
	int live;		/* any live source */
	int all_live;		/* every source is live */
	char *default_iface;	/* owned, when no source was given */
	struct engine_net nets[64];
	struct engine *engine;
	struct geoip *geoip;	/* owned; opened by pipeline_start() */
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

/* Is file i of o the same file (device and inode) as an earlier one?
 * Returns the earlier one's name, or NULL. */
static const char *
pipeline_file_dup(const struct wt_opts *o, unsigned i, struct stat *seen)
{
	const char *f = o->files[i];
	unsigned j;
	int r;

	r = strcmp(f, "-") == 0 ? fstat(STDIN_FILENO, &seen[i]) :
	    stat(f, &seen[i]);
	if (r != 0) {
		/* capture_open reports it */
		memset(&seen[i], 0, sizeof seen[i]);
		return NULL;
	}
	for (j = 0; j < i; j++) {
		if (seen[j].st_ino == seen[i].st_ino &&
		    seen[j].st_dev == seen[i].st_dev && seen[j].st_ino != 0)
			return o->files[j];
	}
	return NULL;
}

/* Is interface i of o captured by an earlier -i of the same name, or by
 * "any"?  Returns the one that covers it, or NULL. */
static const char *
pipeline_iface_dup(const struct wt_opts *o, unsigned i)
{
	unsigned j;

	for (j = 0; j < o->n_ifaces; j++) {
		if (strcmp(o->ifaces[j], "any") == 0 &&
		    strcmp(o->ifaces[i], "any") != 0)
			return o->ifaces[j];
		if (j < i && strcmp(o->ifaces[j], o->ifaces[i]) == 0)
			return o->ifaces[j];
	}
	return NULL;
}

/* The networks of live source i's interface, parsed into out (at most
 * max); with own, each is narrowed to the address itself.  Returns how
 * many. */
static unsigned
pipeline_source_nets(struct pipeline *p, unsigned i, struct engine_net *out,
    unsigned max, int own)
{
	unsigned j, n = 0, cnt = 0;
	char **nets = NULL;

	if (capture_kind(p->src[i]) != CAPTURE_LIVE)
		return 0;
	/* even on failure, what it appended is ours to free */
	if (capture_interface_networks(capture_name(p->src[i]), &nets,
	    &cnt) >= 0) {
		for (j = 0; j < cnt; j++) {
			if (n < max && engine_net_parse(nets[j], &out[n]) == 0) {
				if (own)
					out[n].plen = out[n].ip_ver == 4 ?
					    32 : 128;
				n++;
			}
		}
	}
	for (j = 0; j < cnt; j++)
		free(nets[j]);
	free(nets);
	return n;
}

/* Local networks of the live interfaces, when none were configured. */
static unsigned
pipeline_iface_nets(struct pipeline *p)
{
	unsigned i, n = 0, max = sizeof p->nets / sizeof p->nets[0];

	for (i = 0; i < p->n; i++)
		n += pipeline_source_nets(p, i, p->nets + n, max - n, 0);
	return n;
}

/* Tell the engine the capture host's own addresses on each live source
 * (all of them for "any"): they decide rx/tx first. */
static void
pipeline_own_addrs(struct pipeline *p)
{
	struct engine_net a[64];
	unsigned i, n;

	for (i = 0; i < p->n; i++) {
		if (capture_kind(p->src[i]) != CAPTURE_LIVE)
			continue;
		n = pipeline_source_nets(p, i, a, sizeof a / sizeof a[0], 1);
		engine_source_addrs(p->engine, i, a, n);
	}
}

struct pipeline *
pipeline_create(struct wt_opts *o, char **cause, int *exit_code)
{
	struct pipeline *p;
	struct capture_opts co;
	struct engine_cfg ec;
	struct stat seen[WT_MAX_SOURCES];
	const char *dup;
	unsigned i, nnets;

	p = xcalloc(1, sizeof *p);
	*exit_code = WT_EXIT_CAPTURE;

	memset(&co, 0, sizeof co);
	co.filter = o->filter;
	co.snaplen = o->snaplen;
	co.buffer_kb = o->buffer_kb;
	co.promisc = o->promisc;
	co.tunnel_depth = o->tunnel_depth;
	co.speed = o->speed;

	/* A source given twice would count every packet twice: open it
	 * once and say so. */
	for (i = 0; i < o->n_files && i < WT_MAX_SOURCES; i++) {
		if ((dup = pipeline_file_dup(o, i, seen)) != NULL) {
			log_stderr("warning: %s is the same file "
			    "as %s: read once", o->files[i], dup);
			continue;
		}
		co.kind = CAPTURE_FILE;
		co.name = o->files[i];
		if (pipeline_add(p, &co, cause) != 0)
			goto fail;
		p->nfiles++;
	}
	if (o->n_ifaces == 0 && o->n_files == 0) {
		p->default_iface = capture_default_interface(cause);
		if (p->default_iface == NULL)
			goto fail;
		o->ifaces[o->n_ifaces++] = p->default_iface;
	}
	for (i = 0; i < o->n_ifaces; i++) {
		if ((dup = pipeline_iface_dup(o, i)) != NULL) {
			if (strcmp(dup, o->ifaces[i]) == 0)
				log_stderr("warning: -i %s given "
				    "twice: captured once", dup);
			else
				log_stderr("warning: -i %s: "
				    "already captured by -i any",
				    o->ifaces[i]);
			continue;
		}
		co.kind = CAPTURE_LIVE;
		co.name = o->ifaces[i];
		if (pipeline_add(p, &co, cause) != 0)
			goto fail;
		p->live = 1;
	}
	p->all_live = p->nfiles == 0;

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
	p->geoip = geoip_create(o->geoip_country_db, o->geoip_asn_db);
	ec.geoip = p->geoip;
	p->engine = engine_create(&ec);
	pipeline_own_addrs(p);
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

	/* After the privilege drop, before the first packet: the
	 * databases are parsed with the rights of the user we run as. */
	geoip_open(p->geoip);
	for (i = 0; i < p->n; i++) {
		if (capture_start(p->src[i], cause) != 0)
			return -1;
	}
	return 0;
}

/* Publish a source event to the engine's sinks. */
static void
pipeline_event(struct pipeline *p, unsigned i, enum engine_source_ev kind,
    const struct capture_stats *cs, const char *detail)
{
	struct engine_source_event ev;

	memset(&ev, 0, sizeof ev);
	ev.source = i;
	ev.kind = kind;
	ev.ts_ns = cs->last_ts_ns;
	ev.drops_kernel = cs->kernel_drops;
	ev.drops_iface = cs->if_drops;
	ev.drops_ring = cs->ring_drops;
	ev.detail = detail;
	engine_source_event(p->engine, &ev);
}

/* Source i has ended and everything it produced was handed over:
 * publish how it ended, once. */
static void
pipeline_source_ended(struct pipeline *p, unsigned i)
{
	struct capture_stats cs;

	if (p->ended[i])
		return;
	p->ended[i] = 1;
	capture_get_stats(p->src[i], &cs);
	if (cs.state == CAPTURE_STATE_GONE)
		pipeline_event(p, i, ENGINE_SRC_GONE, &cs, cs.error);
	else if (cs.state == CAPTURE_STATE_FAILED)
		pipeline_event(p, i, ENGINE_SRC_ERROR, &cs, cs.error);
	else
		pipeline_event(p, i, ENGINE_SRC_EOF, &cs, NULL);
}

/* Live sources: publish ends and, now and then, new drops. */
static void
pipeline_events(struct pipeline *p)
{
	struct capture_stats cs;
	struct capture *c;
	uint64_t d;
	unsigned i;
	int drops = (p->ncalls++ & 255) == 0;

	for (i = 0; i < p->n; i++) {
		c = p->src[i];
		if (capture_kind(c) != CAPTURE_LIVE || p->ended[i])
			continue;
		if (capture_finished(c)) {
			if (ring_count(capture_ring(c)) == 0 &&
			    ring_count(capture_name_ring(c)) == 0)
				pipeline_source_ended(p, i);
			continue;
		}
		if (!drops)
			continue;
		capture_get_stats(c, &cs);
		d = cs.kernel_drops + cs.if_drops + cs.ring_drops;
		if (d != p->drops[i]) {
			p->drops[i] = d;
			pipeline_event(p, i, ENGINE_SRC_DROPS, &cs, NULL);
		}
	}
}

/* Hand the names of source c learned from packets up to index seq to the
 * engine; returns the seq of the first name left, or UINT64_MAX if none
 * is visible. */
static uint64_t
pipeline_names_upto(struct pipeline *p, struct capture *c, uint64_t seq)
{
	struct ring *nr = capture_name_ring(c);
	const struct capture_name *cn;
	void *first;
	size_t got, i;

	while ((got = ring_peek(nr, &first, PIPELINE_BATCH)) > 0) {
		cn = first;
		for (i = 0; i < got && cn[i].seq <= seq; i++)
			engine_name(p->engine, &cn[i].name);
		ring_release(nr, i);
		if (i < got)
			return cn[i].seq;
	}
	return UINT64_MAX;
}

/* Hand every name on a source's name ring to the engine (live sources,
 * and a file source that has ended). */
static void
pipeline_names_all(struct pipeline *p, struct capture *c)
{
	(void)pipeline_names_upto(p, c, UINT64_MAX);
}

/* Records from the start of first up to and including the end of the
 * first frame that ends among the got there (all got if none ends). */
static size_t
pipeline_frame_end(const void *first, size_t got)
{
	const struct pkt_meta *m = first;
	size_t k;

	for (k = 0; k < got; k++)
		if (!(m[k].flags & PKT_F_MORE))
			return k + 1;
	return got;
}

/* Move up to max records of a live source into the engine, and past max
 * to the end of a frame (its records go to the engine together). */
static size_t
pipeline_drain_live(struct pipeline *p, struct capture *c, size_t max)
{
	struct ring *r = capture_ring(c);
	void *first;
	size_t got, done = 0;
	int more = 0;

	/* Names first: a DNS answer is then known by the time the packets
	 * that follow it are accounted. */
	pipeline_names_all(p, c);
	while (done < max || more) {
		got = ring_peek(r, &first, done < max &&
		    max - done < PIPELINE_BATCH ? max - done : PIPELINE_BATCH);
		if (got == 0)
			break;		/* a producer publishes whole frames */
		if (done >= max)
			got = pipeline_frame_end(first, got);
		more = (((const struct pkt_meta *)first)[got - 1].flags &
		    PKT_F_MORE) != 0;
		engine_packets(p->engine, first, got);
		ring_release(r, got);
		done += got;
	}
	return done;
}

/* Deliver the first n records at first from file source i, each packet
 * after the names learned from it. */
static void
pipeline_deliver(struct pipeline *p, unsigned i, const struct pkt_meta *m,
    size_t n)
{
	struct capture *c = p->src[i];
	uint64_t a = p->taken[i], b = a + n, next, end;

	while (a < b) {
		next = pipeline_names_upto(p, c, a);
		end = next < b ? next : b;
		engine_packets(p->engine, m + (a - p->taken[i]),
		    (size_t)(end - a));
		a = end;
	}
	ring_release(capture_ring(c), n);
	p->taken[i] = b;
}

/*
 * Merge the file sources by packet time: repeatedly take the source whose
 * next record is the oldest (ties: the lower source index; within a
 * source, ring order) and hand over its records up to the next source's
 * head.  A source whose ring is empty but which has not finished may
 * still produce an older record, so the merge stops there (pipeline_arm
 * then waits for that source).  The order is the same on every run,
 * whatever the threads' timing.
 */
static size_t
pipeline_merge(struct pipeline *p, size_t max)
{
	uint64_t head[WT_MAX_SOURCES], lt, le, ts;
	const struct pkt_meta *m;
	struct capture *c;
	void *first;
	size_t done = 0, got, k;
	unsigned i;
	int best, more;

	while (done < max) {
		best = -1;
		for (i = 0; i < p->n; i++) {
			c = p->src[i];
			if (capture_kind(c) != CAPTURE_FILE || p->ended[i])
				continue;
			if (ring_peek(capture_ring(c), &first, 1) == 0) {
				if (!capture_finished(c))
					return done;
				if (ring_peek(capture_ring(c), &first, 1) ==
				    0) {
					pipeline_names_all(p, c);
					pipeline_source_ended(p, i);
					continue;
				}
			}
			head[i] = ((const struct pkt_meta *)first)->ts_ns;
			if (best < 0 || head[i] < head[best])
				best = (int)i;
		}
		if (best < 0)
			break;
		/* records of best go while older than every lower source's
		 * head and not newer than every higher source's */
		lt = le = UINT64_MAX;
		for (i = 0; i < p->n; i++) {
			if (capture_kind(p->src[i]) != CAPTURE_FILE ||
			    p->ended[i] || (int)i == best)
				continue;
			if ((int)i < best && head[i] < lt)
				lt = head[i];
			if ((int)i > best && head[i] < le)
				le = head[i];
		}
		got = ring_peek(capture_ring(p->src[best]), &first,
		    max - done < PIPELINE_BATCH ? max - done : PIPELINE_BATCH);
		m = first;
		for (k = 0; k < got; k++) {
			ts = m[k].ts_ns;
			if (ts >= lt || ts > le)
				break;
		}
		if (k == 0)
			k = 1;		/* the head itself is the minimum */
		/* A frame's records share its time but must not be split
		 * either (a tie with a lower source stops at the head). */
		while (k < got && (m[k - 1].flags & PKT_F_MORE))
			k++;
		more = (m[k - 1].flags & PKT_F_MORE) != 0;
		pipeline_deliver(p, (unsigned)best, m, k);
		done += k;
		/* cut by the batch or the ring's wrap: the rest of the
		 * frame is published (a producer publishes whole frames) */
		while (more) {
			got = ring_peek(capture_ring(p->src[best]), &first,
			    PIPELINE_BATCH);
			if (got == 0)
				break;
			k = pipeline_frame_end(first, got);
			m = first;
			more = (m[k - 1].flags & PKT_F_MORE) != 0;
			pipeline_deliver(p, (unsigned)best, m, k);
			done += k;
		}
	}
	return done;
}

size_t
pipeline_drain(struct pipeline *p, size_t max)
{
	size_t done = 0, got;
	unsigned i, k;
	int progress = 1;

	if (p->nfiles > 0)
		done = pipeline_merge(p, max);
	while (p->live && done < max && progress) {
		progress = 0;
		for (k = 0; k < p->n && done < max; k++) {
			i = (p->next + k) % p->n;
			if (capture_kind(p->src[i]) != CAPTURE_LIVE)
				continue;
			got = pipeline_drain_live(p, p->src[i],
			    (max - done) < PIPELINE_BATCH * 16 ?
			    (max - done) : PIPELINE_BATCH * 16);
			if (got > 0)
				progress = 1;
			done += got;
		}
		if (p->n > 0)
			p->next = (p->next + 1) % p->n;
	}
	pipeline_events(p);
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

/* Add ring r to the poll set; 1 if it has records already. */
static int
pipeline_arm_ring(struct ring *r, struct pollfd *pfd, unsigned *npfd)
{
	if (ring_arm(r))
		return 1;
	pfd[*npfd].fd = ring_fd(r);
	pfd[*npfd].events = POLLIN;
	pfd[*npfd].revents = 0;
	(*npfd)++;
	return 0;
}

int
pipeline_arm(struct pipeline *p, struct pollfd *pfd, unsigned *npfd)
{
	struct capture *c;
	unsigned i, waiting = 0, ready = 0;

	for (i = 0; i < p->n; i++) {
		c = p->src[i];
		if (capture_kind(c) == CAPTURE_LIVE) {
			if (pipeline_arm_ring(capture_ring(c), pfd, npfd) ||
			    pipeline_arm_ring(capture_name_ring(c), pfd, npfd))
				return 1;
			continue;
		}
		/* A file source's names are visible with its packets; the
		 * merge waits only for the file sources with empty rings. */
		if (p->ended[i])
			continue;
		if (ring_count(capture_ring(c)) != 0) {
			ready++;
			continue;
		}
		if (pipeline_arm_ring(capture_ring(c), pfd, npfd))
			return 1;
		/* after arming: a source that finishes now publishes once
		 * more, or is seen finished here (capture_finish) */
		if (capture_finished(c))
			return 1;
		waiting++;
	}
	return ready > 0 && waiting == 0;
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
	geoip_free(p->geoip);
	free(p->default_iface);
	free(p);
}

struct geoip *
pipeline_geoip(struct pipeline *p)
{
	return p->geoip;
}

int
pipeline_geoip_check(struct pipeline *p)
{
	if (!geoip_check(p->geoip))
		return 0;
	engine_geo_refresh(p->engine);
	return 1;
}

void
pipeline_geoip_reopen(struct pipeline *p, const char *country_db,
    const char *asn_db)
{
	geoip_set_paths(p->geoip, country_db, asn_db);
	geoip_open(p->geoip);
	engine_geo_refresh(p->engine);
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
