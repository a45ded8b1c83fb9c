/*
 * engine-source.c: capture sources as the engine sees them: per-source
 * totals and rx/tx history, the capture host's own addresses on each
 * (which decide direction first), and source events for the sinks.
 *
 * Owned by the main thread.  Sources are an array indexed as in
 * engine_cfg.source_names; a packet naming a source the configuration
 * did not grows it (named "sourceN").
 */
#include "config.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

/* Set up the sources the configuration names (at least one). */
void
engine_sources_init(struct engine *e)
{
	unsigned i;

	e->n_sources = e->cfg.n_sources > 0 ? e->cfg.n_sources : 1;
	e->sources = xcalloc(e->n_sources, sizeof *e->sources);
	e->own = xcalloc(e->n_sources, sizeof *e->own);
	for (i = 0; i < e->n_sources; i++) {
		const char *nm = NULL;

		if (i < e->cfg.n_sources && e->cfg.source_names != NULL)
			nm = e->cfg.source_names[i];
		if (nm != NULL)
			snprintf(e->sources[i].name, sizeof e->sources[i].name,
			    "%s", nm);
		else
			snprintf(e->sources[i].name, sizeof e->sources[i].name,
			    "source%u", i);
	}
	e->cfg.source_names = NULL;
}

/* Free the sources and their own addresses. */
void
engine_sources_done(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->n_sources; i++)
		free(e->own[i].addrs);
	free(e->own);
	free(e->sources);
}

/* The source record for index i, growing the array if a packet names a
 * source the configuration did not. */
struct engine_source *
engine_source_get(struct engine *e, unsigned i)
{
	if (i >= e->n_sources) {
		unsigned n = i + 1, j;

		e->sources = xreallocarray(e->sources, n, sizeof *e->sources);
		memset(e->sources + e->n_sources, 0,
		    (n - e->n_sources) * sizeof *e->sources);
		e->own = xreallocarray(e->own, n, sizeof *e->own);
		memset(e->own + e->n_sources, 0,
		    (n - e->n_sources) * sizeof *e->own);
		for (j = e->n_sources; j < n; j++)
			snprintf(e->sources[j].name, sizeof e->sources[j].name,
			    "source%u", j);
		e->n_sources = n;
	}
	return &e->sources[i];
}

/* Note a source event on its source: GONE marks it, and the event's
 * detail (or what happened) becomes its state line. */
void
engine_source_note(struct engine *e, const struct engine_source_event *ev)
{
	struct engine_source *s = engine_source_get(e, ev->source);
	const char *what = NULL;

	switch (ev->kind) {
	case ENGINE_SRC_GONE:
		s->gone = 1;
		what = "gone";
		break;
	case ENGINE_SRC_EOF:
		what = "end of file";
		break;
	case ENGINE_SRC_ERROR:
		what = "error";
		break;
	case ENGINE_SRC_DROPS:
		break;
	}
	if (what != NULL || ev->detail != NULL)
		snprintf(s->state_detail, sizeof s->state_detail, "%s",
		    ev->detail != NULL ? ev->detail : what);
}

/* Set the capture host's own addresses on a source (copied). */
void
engine_source_addrs(struct engine *e, unsigned source,
    const struct engine_net *addrs, unsigned n)
{
	struct engine_own *o;

	engine_source_get(e, source);
	o = &e->own[source];
	free(o->addrs);
	o->addrs = NULL;
	o->n = 0;
	if (n == 0 || addrs == NULL)
		return;
	o->addrs = xcalloc(n, sizeof *o->addrs);
	memcpy(o->addrs, addrs, n * sizeof *o->addrs);
	o->n = n;
}

/* Say whether an address is the capture host's own on a source. */
int
engine_is_own(const struct engine *e, unsigned source, uint8_t ip_ver,
    const uint8_t addr[16])
{
	if (source >= e->n_sources)
		return 0;
	return engine_nets_match(e->own[source].addrs, e->own[source].n,
	    ip_ver, addr);
}

/* Say whether an address is the capture host's own on any source. */
int
engine_is_own_any(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	unsigned i;

	for (i = 0; i < e->n_sources; i++) {
		if (e->own[i].n > 0 && engine_is_own(e, i, ip_ver, addr))
			return 1;
	}
	return 0;
}

/* Return the number of capture sources. */
unsigned
engine_source_count(const struct engine *e)
{
	return e->n_sources;
}

/* Return source i, or NULL. */
const struct engine_source *
engine_source(const struct engine *e, unsigned i)
{
	return i < e->n_sources ? &e->sources[i] : NULL;
}
