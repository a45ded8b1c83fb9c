/*
 * engine-frag.c: the ports of later IP fragments, remembered from their
 * first fragment (the only one that carries the transport header).
 *
 * Owned by the main thread.  First fragments are kept in a ring in the
 * order they arrived, at most ENGINE_FRAG_MAX of them, with a hash index
 * (chains of slot numbers) to find one by its exact (source, destination,
 * protocol, IP version, id).  When the ring is full its oldest entry
 * goes, unless that entry is younger than ENGINE_FRAG_TTL and the ring
 * may still grow, in which case the ring doubles.  Which entries exist
 * therefore depends only on the packets and their times; the hash index
 * uses the engine's random key (crafted ids cannot aim at one chain) but
 * only to find entries, never to choose which one is dropped, so a
 * capture gives the same flows on every run.
 *
 * A later fragment takes the ports of the newest matching first fragment
 * seen at most ENGINE_FRAG_TTL before it; one whose first fragment was
 * not seen (lost, dropped from the ring, or arriving after it) counts to
 * the flow with ports 0/0.
 */
#include "config.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

#define ENGINE_FRAG_MIN	256
#define ENGINE_FRAG_TTL	(60 * NS_PER_SEC)

/* Hash of a fragment's identity (the index's key: random per run). */
static uint32_t
frag_hash(const struct engine *e, const uint8_t src[16],
    const uint8_t dst[16], uint32_t id, uint8_t proto, uint8_t ip_ver)
{
	uint64_t w[5];

	memcpy(w, src, 16);
	memcpy(w + 2, dst, 16);
	w[4] = (uint64_t)id | (uint64_t)proto << 32 | (uint64_t)ip_ver << 40;
	return (uint32_t)engine_hash(e->hkey, w, sizeof w);
}

static uint32_t
frag_bucket_of(const struct engine *e, const struct frag_entry *fe)
{
	return frag_hash(e, fe->src, fe->dst, fe->id, fe->proto, fe->ip_ver) &
	    (e->fr.nbuckets - 1);
}

/* Unlink slot s (its chain is found from its own key). */
static void
frag_unlink(struct engine *e, uint32_t s)
{
	struct frag_table *t = &e->fr;
	uint32_t *pp = &t->buckets[frag_bucket_of(e, &t->v[s])];

	for (; *pp != 0; pp = &t->v[*pp - 1].hnext) {
		if (*pp == s + 1) {
			*pp = t->v[s].hnext;
			return;
		}
	}
}

/* Resize the ring to ncap slots (oldest first from slot 0) and rebuild
 * the index, two buckets a slot. */
static void
frag_resize(struct engine *e, uint32_t ncap)
{
	struct frag_table *t = &e->fr;
	struct frag_entry *nv = xcalloc(ncap, sizeof *nv);
	uint32_t i, b;

	for (i = 0; i < t->count; i++)
		nv[i] = t->v[(t->head + i) % t->cap];
	free(t->v);
	free(t->buckets);
	t->v = nv;
	t->cap = ncap;
	t->head = 0;
	t->nbuckets = ncap * 2;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	for (i = 0; i < t->count; i++) {
		b = frag_bucket_of(e, &t->v[i]);
		t->v[i].hnext = t->buckets[b];
		t->buckets[b] = i + 1;
	}
}

/* Free the fragment ring. */
void
engine_frags_done(struct engine *e)
{
	free(e->fr.v);
	free(e->fr.buckets);
	memset(&e->fr, 0, sizeof e->fr);
}

/* Remember the ports of a first fragment. */
void
engine_frag_remember(struct engine *e, const struct pkt_meta *m)
{
	struct frag_table *t = &e->fr;
	struct frag_entry *fe;
	uint32_t s, b;

	if (t->cap == 0)
		frag_resize(e, ENGINE_FRAG_MIN);
	if (t->count == t->cap) {
		const struct frag_entry *old = &t->v[t->head];

		if (t->cap < ENGINE_FRAG_MAX && m->ts_ns < old->ts_ns +
		    ENGINE_FRAG_TTL)
			frag_resize(e, t->cap * 2);
		else {
			/* Drop the oldest. */
			frag_unlink(e, t->head);
			t->head = (t->head + 1) % t->cap;
			t->count--;
		}
	}
	s = (t->head + t->count) % t->cap;
	fe = &t->v[s];
	memcpy(fe->src, m->src, 16);
	memcpy(fe->dst, m->dst, 16);
	fe->id = m->frag_id;
	fe->proto = m->proto;
	fe->ip_ver = m->ip_ver;
	fe->sport = m->sport;
	fe->dport = m->dport;
	fe->ts_ns = m->ts_ns;
	b = frag_bucket_of(e, fe);
	fe->hnext = t->buckets[b];
	t->buckets[b] = s + 1;
	t->count++;
}

/* Set *sp, *dp to the ports of a later fragment's first fragment, if it
 * was seen lately (else leave them). */
void
engine_frag_ports(const struct engine *e, const struct pkt_meta *m,
    uint16_t *sp, uint16_t *dp)
{
	const struct frag_table *t = &e->fr;
	uint32_t i;

	if (t->count == 0)
		return;
	i = t->buckets[frag_hash(e, m->src, m->dst, m->frag_id, m->proto,
	    m->ip_ver) & (t->nbuckets - 1)];
	for (; i != 0; i = t->v[i - 1].hnext) {
		const struct frag_entry *fe = &t->v[i - 1];

		if (fe->id == m->frag_id && fe->proto == m->proto &&
		    fe->ip_ver == m->ip_ver &&
		    memcmp(fe->src, m->src, 16) == 0 &&
		    memcmp(fe->dst, m->dst, 16) == 0 &&
		    m->ts_ns >= fe->ts_ns &&
		    m->ts_ns - fe->ts_ns < ENGINE_FRAG_TTL) {
			*sp = fe->sport;
			*dp = fe->dport;
			return;
		}
	}
}
