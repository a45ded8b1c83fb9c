/*
 * engine-names.c: passive names, address -> the latest name learned for
 * it from a DNS answer, a DHCP request or a TLS SNI.
 *
 * Owned by the main thread.  A bounded table (max_names) in one array,
 * keyed hash chains and an LRU list by learning time; when full, the name
 * learned longest ago is dropped.  Names are copied (owned by the entry);
 * records without an IP address (DHCP known only by MAC) are ignored.
 */
#include "config.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

static uint32_t
name_bucket(const struct engine *e, uint8_t ip_ver, const uint8_t addr[16])
{
	uint8_t k[17];

	memcpy(k, addr, 16);
	k[16] = ip_ver;
	return (uint32_t)engine_hash(e->hkey, k, sizeof k) &
	    (e->nt.nbuckets - 1);
}

/* Set up the name table. */
void
engine_names_init(struct engine *e)
{
	struct name_table *t = &e->nt;

	t->max = e->cfg.max_names;
	t->nbuckets = 64;
	while (t->nbuckets < t->max && t->nbuckets < (1u << 30))
		t->nbuckets <<= 1;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
}

/* Free the name table and its names. */
void
engine_names_done(struct engine *e)
{
	struct name_table *t = &e->nt;
	uint32_t i;

	for (i = 1; i <= t->used; i++)
		free(t->e[i].name);
	free(t->e);
	free(t->buckets);
}

static void
name_lru_unlink(struct name_table *t, uint32_t i)
{
	struct name_entry *n = &t->e[i];

	if (n->prev != 0)
		t->e[n->prev].next = n->next;
	else
		t->lru.head = n->next;
	if (n->next != 0)
		t->e[n->next].prev = n->prev;
	else
		t->lru.tail = n->prev;
	n->prev = n->next = 0;
}

static void
name_lru_append(struct name_table *t, uint32_t i)
{
	struct name_entry *n = &t->e[i];

	n->prev = t->lru.tail;
	n->next = 0;
	if (t->lru.tail != 0)
		t->e[t->lru.tail].next = i;
	else
		t->lru.head = i;
	t->lru.tail = i;
}

static uint32_t
name_find(const struct engine *e, uint8_t ip_ver, const uint8_t addr[16],
    uint32_t b)
{
	const struct name_table *t = &e->nt;
	uint32_t i;

	for (i = t->buckets[b]; i != 0; i = t->e[i].hnext) {
		if (t->e[i].ip_ver == ip_ver &&
		    memcmp(t->e[i].addr, addr, 16) == 0)
			return i;
	}
	return 0;
}

static void
name_drop_oldest(struct engine *e)
{
	struct name_table *t = &e->nt;
	uint32_t i = t->lru.head, *pp;
	struct name_entry *n = &t->e[i];

	for (pp = &t->buckets[name_bucket(e, n->ip_ver, n->addr)]; *pp != 0;
	    pp = &t->e[*pp].hnext) {
		if (*pp == i) {
			*pp = n->hnext;
			break;
		}
	}
	name_lru_unlink(t, i);
	free(n->name);
	n->name = NULL;
	n->hnext = t->free_head;
	t->free_head = i;
	t->count--;
}

/* Tell the sinks that want names. */
static void
name_publish(struct engine *e, const struct pkt_name *pn)
{
	unsigned i;

	for (i = 0; i < e->n_sinks; i++) {
		if (e->sinks[i].name_learned != NULL)
			e->sinks[i].name_learned(e->sinks[i].arg, pn);
	}
}

/* Learn a name for an address (the newest wins). */
void
engine_name(struct engine *e, const struct pkt_name *pn)
{
	struct name_table *t = &e->nt;
	struct name_entry *n;
	size_t len;
	uint32_t b, i;

	e->started = 1;
	if (pn->ip_ver != 4 && pn->ip_ver != 6)
		return;
	len = strnlen(pn->name, sizeof pn->name);
	if (len == 0 || len == sizeof pn->name)
		return;
	b = name_bucket(e, pn->ip_ver, pn->addr);
	if ((i = name_find(e, pn->ip_ver, pn->addr, b)) != 0) {
		n = &t->e[i];
		if (strcmp(n->name, pn->name) != 0) {
			free(n->name);
			n->name = xstrdup(pn->name);
		}
		n->kind = pn->kind;
		name_lru_unlink(t, i);
		name_lru_append(t, i);
		e->totals.names_learned++;
		name_publish(e, pn);
		return;
	}
	if (t->count >= t->max)
		name_drop_oldest(e);
	if (t->free_head != 0) {
		i = t->free_head;
		t->free_head = t->e[i].hnext;
	} else {
		if (t->used + 1 >= t->alloc) {
			uint32_t na = t->alloc ? t->alloc * 2 : 64;

			if (na > t->max + 1)
				na = t->max + 1;
			if (na <= t->used + 1)
				na = t->used + 2;
			t->e = xreallocarray(t->e, na, sizeof *t->e);
			t->alloc = na;
		}
		i = ++t->used;
	}
	n = &t->e[i];
	memset(n, 0, sizeof *n);
	memcpy(n->addr, pn->addr, 16);
	n->ip_ver = pn->ip_ver;
	n->kind = pn->kind;
	n->name = xstrdup(pn->name);
	n->hnext = t->buckets[b];
	t->buckets[b] = i;
	name_lru_append(t, i);
	t->count++;
	e->totals.names_learned++;
	name_publish(e, pn);
}

/* Return the name learned for an address, or NULL. */
const char *
engine_name_lookup(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	uint32_t i;

	if (ip_ver != 4 && ip_ver != 6)
		return NULL;
	i = name_find(e, ip_ver, addr, name_bucket(e, ip_ver, addr));
	return i != 0 ? e->nt.e[i].name : NULL;
}
