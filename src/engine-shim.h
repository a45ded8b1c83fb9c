/*
 * engine-shim.h: TEMPORARY stand-in for the engine's source-event API.
 *
 * DELETE THIS FILE AT MERGE (and its #include in pipeline.c): the ENGINE
 * branch adds these declarations to engine.h with real bodies.  They are
 * copied here exactly as in the shared contract so pipeline.c compiles on
 * the capture branch; the bodies do nothing.
 */
#ifndef WIRETOP_ENGINE_SHIM_H
#define WIRETOP_ENGINE_SHIM_H

#include <stdint.h>

#include "engine.h"

#ifndef ENGINE_SRC_GONE
enum engine_source_ev {
	ENGINE_SRC_GONE = 1,	/* live interface disappeared / went down */
	ENGINE_SRC_EOF,		/* file source finished */
	ENGINE_SRC_ERROR,	/* source stopped on an error (detail says) */
	ENGINE_SRC_DROPS,	/* new drops since the last event */
};
#define ENGINE_SRC_GONE ENGINE_SRC_GONE
struct engine_source_event {
	unsigned source;		/* index as in engine_cfg.source_names */
	enum engine_source_ev kind;
	uint64_t ts_ns;			/* packet clock when it happened */
	uint64_t drops_kernel, drops_iface, drops_ring;	/* totals so far */
	const char *detail;		/* borrowed, one line, may be NULL */
};

static inline void
engine_source_event(struct engine *e, const struct engine_source_event *ev)
{
	(void)e;
	(void)ev;
}

static inline void
engine_source_addrs(struct engine *e, unsigned source,
    const struct engine_net *addrs, unsigned n)
{
	(void)e;
	(void)source;
	(void)addrs;
	(void)n;
}
#endif

#endif
