/*
 * engine-table.c: the one bounded table the flows, hosts and names live
 * in: fixed-size entries in one array, found through keyed hash chains,
 * ordered by activity in LRU lists, all by uint32 index links.
 *
 * Owned by the main thread.  The array grows by doubling up to max + 1
 * entries (realloc: on Linux large blocks move by mremap, no copy, and
 * untouched pages cost no memory); index 0 is never used, so 0 means
 * "none" in every link.  Growing moves the array: no pointer into a
 * table survives engine_table_new().  Each entry holds a struct
 * engine_link at link_off; a free entry (on the free list, through
 * hnext) has prev == ENGINE_TABLE_FREE.  Entries are in one of up to
 * ENGINE_TABLE_LISTS LRU lists, head least recently active; the owner
 * says which list an entry is in (flows: their timeout class).  The
 * table does not know keys: the owner hashes them (engine_hash with the
 * per-run key) and compares them while walking a chain; the table's
 * hash callback is used only to rehash when it grows.
 */
#include "config.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

/* Set up an empty table of entries of esize bytes with their link at
 * link_off, at most max entries, nbuckets (a power of two) chains to
 * begin with; hash gives an entry's hash when rehashing. */
void
engine_table_init(struct engine_table *t, size_t esize, size_t link_off,
    uint32_t max, uint32_t nbuckets, uint32_t first_cap,
    uint64_t (*hash)(const void *entry, const void *arg), const void *arg)
{
	memset(t, 0, sizeof *t);
	t->esize = esize;
	t->link_off = link_off;
	t->max = max;
	t->first_cap = first_cap;
	t->hash = hash;
	t->hash_arg = arg;
	t->nbuckets = nbuckets;
	t->buckets = xcalloc(nbuckets, sizeof *t->buckets);
}

/* Free the table's memory (not what its entries own). */
void
engine_table_done(struct engine_table *t)
{
	free(t->v);
	free(t->buckets);
	t->v = NULL;
	t->buckets = NULL;
}

static void
table_rehash(struct engine_table *t, uint32_t nb)
{
	uint32_t i, b;

	free(t->buckets);
	t->buckets = xcalloc(nb, sizeof *t->buckets);
	t->nbuckets = nb;
	for (i = 1; i <= t->used; i++) {
		struct engine_link *l = engine_table_link(t, i);

		if (l->prev == ENGINE_TABLE_FREE)
			continue;
		b = (uint32_t)t->hash(engine_table_at(t, i), t->hash_arg) &
		    (nb - 1);
		l->hnext = t->buckets[b];
		t->buckets[b] = i;
	}
}

/* Take a free entry (0 if the table holds max entries: evict first).
 * The entry's bytes are left as they were; it is linked nowhere until
 * engine_table_insert(). */
uint32_t
engine_table_new(struct engine_table *t)
{
	uint32_t i;

	if (t->count >= t->max)
		return 0;
	if (t->free_head != 0) {
		i = t->free_head;
		t->free_head = engine_table_link(t, i)->hnext;
		return i;
	}
	if (t->used + 1 >= t->cap) {
		uint32_t ncap = t->cap ? t->cap * 2 : t->first_cap;

		if (ncap > t->max + 1)
			ncap = t->max + 1;
		if (ncap <= t->used + 1)
			ncap = t->used + 2;
		/* New entries are not touched until used: untouched pages
		 * cost no memory. */
		t->v = xreallocarray(t->v, ncap, t->esize);
		t->cap = ncap;
	}
	return ++t->used;
}

static void
table_list_append(struct engine_table *t, uint32_t i, unsigned list)
{
	struct engine_list *l = &t->lru[list];
	struct engine_link *k = engine_table_link(t, i);

	k->prev = l->tail;
	k->next = 0;
	if (l->tail != 0)
		engine_table_link(t, l->tail)->next = i;
	else
		l->head = i;
	l->tail = i;
}

static void
table_list_unlink(struct engine_table *t, uint32_t i, unsigned list)
{
	struct engine_list *l = &t->lru[list];
	struct engine_link *k = engine_table_link(t, i);

	if (k->prev != 0)
		engine_table_link(t, k->prev)->next = k->next;
	else
		l->head = k->next;
	if (k->next != 0)
		engine_table_link(t, k->next)->prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = 0;
}

/* Link entry i (filled in) into the chain of hash and at the tail of
 * list; the chains double when there are more entries than chains. */
void
engine_table_insert(struct engine_table *t, uint32_t i, uint64_t hash,
    unsigned list)
{
	uint32_t b = (uint32_t)hash & (t->nbuckets - 1);

	engine_table_link(t, i)->hnext = t->buckets[b];
	t->buckets[b] = i;
	table_list_append(t, i, list);
	t->count++;
	if (t->count > t->nbuckets && t->nbuckets < (1u << 31))
		table_rehash(t, t->nbuckets * 2);
}

/* Unlink entry i from its chain (hash: its hash) and from list, and free
 * it.  While the table is draining (engine_table_borrow_buckets()) the
 * chains and lists are left alone: every entry goes, and touching each
 * entry's neighbours would only cost cache misses. */
void
engine_table_remove(struct engine_table *t, uint32_t i, uint64_t hash,
    unsigned list)
{
	struct engine_link *k = engine_table_link(t, i);
	uint32_t *pp;

	if (!t->draining) {
		for (pp = &t->buckets[(uint32_t)hash & (t->nbuckets - 1)];
		    *pp != 0; pp = &engine_table_link(t, *pp)->hnext) {
			if (*pp == i) {
				*pp = k->hnext;
				break;
			}
		}
		table_list_unlink(t, i, list);
	}
	k->prev = ENGINE_TABLE_FREE;
	k->hnext = t->free_head;
	t->free_head = i;
	t->count--;
}

/* Move entry i, not at the tail, to the tail of list (the inline
 * engine_table_touch() checks that first). */
void
engine_table_relink(struct engine_table *t, uint32_t i, unsigned list)
{
	table_list_unlink(t, i, list);
	table_list_append(t, i, list);
}

/* Move entry i from list from to the tail of list to. */
void
engine_table_move(struct engine_table *t, uint32_t i, unsigned from,
    unsigned to)
{
	table_list_unlink(t, i, from);
	table_list_append(t, i, to);
}

/* Return the first entry in use at index i or after, 0 if none. */
uint32_t
engine_table_scan(const struct engine_table *t, uint32_t i)
{
	for (; i <= t->used; i++) {
		if (engine_table_link(t, i)->prev != ENGINE_TABLE_FREE)
			return i;
	}
	return 0;
}

/* Start removing every entry: lend the bucket array (at least count
 * entries) for the caller's use meanwhile; chains and lists are not
 * maintained until engine_table_return_buckets(). */
uint32_t *
engine_table_borrow_buckets(struct engine_table *t)
{
	t->draining = 1;
	return t->buckets;
}

/* Take the bucket array back once every entry is removed: the chains
 * and lists are empty again. */
void
engine_table_return_buckets(struct engine_table *t)
{
	memset(t->buckets, 0, t->nbuckets * sizeof *t->buckets);
	memset(t->lru, 0, sizeof t->lru);
	t->draining = 0;
}
