/*
 * engine-names.c: names, address -> the latest name learned for it from
 * a DNS answer, a DHCP request or a TLS SNI (passive), or, with resolve =
 * reverse, from a PTR lookup of an address on screen that has no passive
 * name.
 *
 * Owned by the main thread.  A bounded table (engine-table.c, max_names
 * entries, one LRU list by learning time); when full, the name learned
 * longest ago is dropped, and on each packet-time second the names not
 * learned again for name_max_age_s are dropped from the old end of that
 * list (the list is in learning order, so this stops at the first name
 * young enough).  Names are copied (owned by the entry); records without
 * an IP address (DHCP known only by MAC) are ignored.  With resolve =
 * off no name is learned.  The resolver (resolve.c) runs its lookups on
 * its own threads; its results are taken here, on the main thread, on
 * the tick (and by a screen per frame), so the table has one writer and
 * the packet path takes no lock.  A PTR name never replaces a passive
 * one (passive names come first).
 */
#include "config.h"
#include "engine.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "resolve.h"
#include "xmalloc.h"

static uint64_t
name_hash(const struct engine *e, uint8_t ip_ver, const uint8_t addr[16])
{
	uint8_t k[17];

	memcpy(k, addr, 16);
	k[16] = ip_ver;
	return engine_hash(e->hkey, k, sizeof k);
}

static uint64_t
name_entry_hash(const void *entry, const void *arg)
{
	const struct name_entry *n = entry;

	return name_hash(arg, n->ip_ver, n->addr);
}

static inline struct name_entry *
name_at(const struct engine *e, uint32_t i)
{
	return engine_table_at(&e->nt, i);
}

/* Set up the name table. */
void
engine_names_init(struct engine *e)
{
	uint32_t nb = 64;

	/* As many chains as names: the table never rehashes. */
	while (nb < e->cfg.max_names && nb < (1u << 30))
		nb <<= 1;
	engine_table_init(&e->nt, sizeof(struct name_entry),
	    offsetof(struct name_entry, link), e->cfg.max_names, nb, 64,
	    name_entry_hash, e);
	e->name_age_ns = (uint64_t)e->cfg.name_max_age_s * NS_PER_SEC;
	if (e->cfg.resolve != NULL && strcmp(e->cfg.resolve, "off") == 0)
		e->names_off = 1;
	/* No thread until a name is wanted (after the privilege drop). */
	if (e->cfg.resolve != NULL && strcmp(e->cfg.resolve, "reverse") == 0)
		e->res = resolve_create(&e->cfg.resolve_cfg);
	e->cfg.resolve = NULL;		/* borrowed: not kept */
}

/* Free the name table and its names. */
void
engine_names_done(struct engine *e)
{
	uint32_t i;

	resolve_free(e->res);
	e->res = NULL;
	for (i = engine_table_scan(&e->nt, 1); i != 0;
	    i = engine_table_scan(&e->nt, i + 1))
		free(name_at(e, i)->name);
	engine_table_done(&e->nt);
}

static uint32_t
name_find(const struct engine *e, uint8_t ip_ver, const uint8_t addr[16],
    uint64_t hash)
{
	uint32_t i;

	for (i = engine_table_chain(&e->nt, hash); i != 0;
	    i = name_at(e, i)->link.hnext) {
		const struct name_entry *n = name_at(e, i);

		if (n->ip_ver == ip_ver && memcmp(n->addr, addr, 16) == 0)
			return i;
	}
	return 0;
}

static void
name_drop_oldest(struct engine *e)
{
	uint32_t i = e->nt.lru[0].head;
	struct name_entry *n = name_at(e, i);

	free(n->name);
	n->name = NULL;
	engine_table_remove(&e->nt, i, name_hash(e, n->ip_ver, n->addr), 0);
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

/* Learn a name for an address (the newest wins, but a PTR name never
 * replaces a passive one). */
static void
name_learn(struct engine *e, const struct pkt_name *pn)
{
	struct name_entry *n;
	uint64_t h, ts;
	size_t len;
	uint32_t i;

	len = strnlen(pn->name, sizeof pn->name);
	if (len == 0 || len == sizeof pn->name)
		return;
	/* A name is learned when its packet is: usually a little ahead of
	 * the clock, which moves on that packet. */
	ts = pn->ts_ns > e->now_ns ? pn->ts_ns : e->now_ns;
	h = name_hash(e, pn->ip_ver, pn->addr);
	if ((i = name_find(e, pn->ip_ver, pn->addr, h)) != 0) {
		n = name_at(e, i);
		if (pn->kind == PKT_NAME_PTR && n->kind != PKT_NAME_PTR)
			return;
		if (strcmp(n->name, pn->name) != 0) {
			free(n->name);
			n->name = xstrdup(pn->name);
		}
		n->kind = pn->kind;
		n->learned_ns = ts;
		engine_table_touch(&e->nt, i, 0);
		e->totals.names_learned++;
		name_publish(e, pn);
		return;
	}
	if (e->nt.count >= e->nt.max)
		name_drop_oldest(e);
	i = engine_table_new(&e->nt);
	n = name_at(e, i);
	memset(n, 0, sizeof *n);
	memcpy(n->addr, pn->addr, 16);
	n->ip_ver = pn->ip_ver;
	n->kind = pn->kind;
	n->learned_ns = ts;
	n->name = xstrdup(pn->name);
	engine_table_insert(&e->nt, i, h, 0);
	e->totals.names_learned++;
	name_publish(e, pn);
}

/* Learn a name from a packet (or pass a DNS event on). */
void
engine_name(struct engine *e, const struct pkt_name *pn)
{
	e->started = 1;
	if (pn->ip_ver != 4 && pn->ip_ver != 6)
		return;
	if (pn->kind == PKT_NAME_DNS_NX || pn->kind == PKT_NAME_DNS_LONG) {
		/* not a name of the address: to the sinks that ask */
		unsigned k;

		for (k = 0; k < e->n_sinks; k++)
			if (e->sinks[k].dns != NULL)
				e->sinks[k].dns(e->sinks[k].arg, pn);
		return;
	}
	if (e->names_off || pn->kind == PKT_NAME_PTR)
		return;		/* PTR names come from the resolver only */
	name_learn(e, pn);
}

/* Drop the names not learned again for name_max_age_s (each second). */
void
engine_names_expire(struct engine *e)
{
	uint32_t i;

	if (e->name_age_ns == 0 || e->now_ns < e->name_age_ns)
		return;
	while ((i = e->nt.lru[0].head) != 0 &&
	    name_at(e, i)->learned_ns <= e->now_ns - e->name_age_ns) {
		name_drop_oldest(e);
		e->totals.names_expired++;
	}
}

/* Learn the names the resolver found. */
void
engine_names_poll(struct engine *e)
{
	struct pkt_name got[16];
	size_t n, k;

	if (e->res == NULL)
		return;
	do {
		n = resolve_take(e->res, got, 16);
		for (k = 0; k < n; k++) {
			got[k].ts_ns = e->now_ns;
			name_learn(e, &got[k]);
		}
	} while (n == 16);
}

/* Ask the resolver for an address on screen that has no name. */
void
engine_name_want(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	static const uint8_t zero[16];

	if (e->res == NULL || (ip_ver != 4 && ip_ver != 6))
		return;
	/* no name to ask for: unspecified, broadcast, multicast */
	if (memcmp(addr, zero, ip_ver == 4 ? 4 : 16) == 0)
		return;
	if (ip_ver == 4 && addr[0] >= 224)
		return;		/* 240/4 and the broadcast address too */
	if (ip_ver == 6 && addr[0] == 0xff)
		return;
	if (name_find(e, ip_ver, addr, name_hash(e, ip_ver, addr)) != 0)
		return;
	resolve_want(e->res, ip_ver, addr);
}

/* Return the resolver's counters (-1: no resolver). */
int
engine_resolve_stats(const struct engine *e, struct resolve_stats *st)
{
	if (e->res == NULL)
		return -1;
	resolve_get_stats(e->res, st);
	return 0;
}

/* Return the name learned for an address, or NULL. */
const char *
engine_name_lookup(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	uint32_t i;

	if (ip_ver != 4 && ip_ver != 6)
		return NULL;
	i = name_find(e, ip_ver, addr, name_hash(e, ip_ver, addr));
	return i != 0 ? name_at(e, i)->name : NULL;
}

/* Return where an address's name came from, 0 if it has none. */
unsigned
engine_name_kind(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	uint32_t i;

	if (ip_ver != 4 && ip_ver != 6)
		return 0;
	i = name_find(e, ip_ver, addr, name_hash(e, ip_ver, addr));
	return i != 0 ? name_at(e, i)->kind : 0;
}
