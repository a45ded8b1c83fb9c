/*
 * resolve.h: optional reverse DNS (resolve = reverse): the names of the
 * addresses on screen, looked up off the main thread, never blocking it.
 */
#ifndef WIRETOP_RESOLVE_H
#define WIRETOP_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct resolve_cfg {
	uint32_t queue;			/* requests waiting at most */
	uint32_t lookups;		/* lookups in flight at most (each
					   one a resolver thread) */
	uint32_t ttl_s;			/* a name found is reused this
					   long (wall clock) */
	uint32_t negative_ttl_s;	/* an address without a name is not
					   asked again for this long */
};

#define RESOLVE_DEFAULT_QUEUE		256
#define RESOLVE_DEFAULT_LOOKUPS		4
#define RESOLVE_DEFAULT_TTL		3600
#define RESOLVE_DEFAULT_NEGATIVE_TTL	300
#define RESOLVE_CACHE_MAX		8192	/* addresses remembered */

/* Counters since resolve_create(). */
struct resolve_stats {
	uint64_t asked;			/* requests queued for a lookup */
	uint64_t dropped;		/* requests refused: the queue was
					   full */
	uint64_t found;			/* lookups that gave a name */
	uint64_t not_found;		/* lookups that gave none (or
					   failed) */
	uint64_t cache_hits;		/* names handed out again from the
					   cache, without a lookup */
	uint32_t queued;		/* requests waiting now */
	uint32_t in_flight;		/* lookups running now */
	uint32_t threads;		/* resolver threads started */
};

struct resolve;

/* Create a resolver (cfg copied; zero fields take the defaults).  No
 * thread runs until the first lookup is asked for. */
struct resolve	*resolve_create(const struct resolve_cfg *);
/* Stop the resolver threads and free what the caller owns; a thread
 * still inside a lookup ends (and frees the shared part) when its
 * lookup returns.  NULL is fine. */
void		 resolve_free(struct resolve *);
/* Ask for the name of an address (main thread).  Never blocks: a name
 * in the cache is handed out by the next resolve_take(), an address
 * asked recently (pending, or known to have no name) is ignored, and
 * otherwise the request is queued, or dropped and counted when the
 * queue is full. */
void		 resolve_want(struct resolve *, uint8_t ip_ver,
		    const uint8_t addr[16]);
/* Take up to n names found since the last call into out (kind
 * PKT_NAME_PTR, ts_ns 0; the name is the resolver's bytes, to be
 * escaped like any captured name); returns how many (main thread). */
size_t		 resolve_take(struct resolve *, struct pkt_name *out,
		    size_t n);
/* The counters so far (main thread). */
void		 resolve_get_stats(struct resolve *, struct resolve_stats *);

#endif
