/*
 * engine-host.c: the host table (one entry per IP address) and the
 * host-pair table that makes peer counts exact.
 *
 * Owned by the main thread.  Hosts live in a bounded table
 * (engine-table.c) with one LRU list (least recently active first; a
 * host moves to the tail at most once per packet-time second, so a busy
 * host costs no list work); a host's private fields are struct host_priv
 * (engine.h).
 * Invariants: a host with flows_active > 0 is never evicted (flows hold
 * host indices), so when the table is full of busy hosts a new address
 * is simply not tracked (its flows carry host index 0).
 *
 * Pairs: one 64-bit slot per pair of host serials that ever had a flow
 * while both were in the table, in an open-addressing table.  Serials of
 * evicted hosts never come back, so stale pairs cannot match; they are
 * swept when the table fills.  peers is exact while the pair table is
 * within its bound (twice the flow or host limit, whichever is larger).
 */
#include "config.h"
#include "engine.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

static uint64_t
host_hash(const struct engine *e, uint8_t ip_ver, const uint8_t addr[16])
{
	uint8_t k[17];

	memcpy(k, addr, 16);
	k[16] = ip_ver;
	return engine_hash(e->hkey, k, sizeof k);
}

static uint64_t
host_entry_hash(const void *entry, const void *arg)
{
	const struct host *h = entry;

	return host_hash(arg, h->ip_ver, h->addr);
}

/* Set up the host and pair tables. */
void
engine_hosts_init(struct engine *e)
{
	uint64_t mc;

	engine_table_init(&e->ht, sizeof(struct host),
	    offsetof(struct host, priv.link), e->cfg.max_hosts, 256, 256,
	    host_entry_hash, e);
	mc = (uint64_t)(e->cfg.max_flows > e->ht.max ? e->cfg.max_flows :
	    e->ht.max) * 2;
	e->pt.max_cap = 1024;
	while (e->pt.max_cap < mc && e->pt.max_cap < (1u << 31))
		e->pt.max_cap <<= 1;
	e->pt.cap = 1024;
	e->pt.slots = xcalloc(e->pt.cap, sizeof *e->pt.slots);
}

/* Free the host and pair tables. */
void
engine_hosts_done(struct engine *e)
{
	uint32_t i;

	if (e->ht.v != NULL) {
		for (i = 1; i <= e->ht.used; i++)
			free(engine_host_at(e, i)->rates);
	}
	engine_table_done(&e->ht);
	free(e->pt.slots);
}

/* ---- pairs ---------------------------------------------------------- */

static int
pair_serial_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
pair_live(const uint32_t *live, size_t n, uint32_t s)
{
	return bsearch(&s, live, n, sizeof *live, pair_serial_cmp) != NULL;
}

static void
pair_insert_slot(uint64_t *slots, uint32_t cap, const uint64_t k[4],
    uint64_t v)
{
	uint32_t i = (uint32_t)engine_hash(k, &v, sizeof v) & (cap - 1);

	while (slots[i] != 0)
		i = (i + 1) & (cap - 1);
	slots[i] = v;
}

/* Drop pairs whose hosts left the table, and grow if still crowded.
 * When no host was evicted since the last sweep every pair is live, and
 * the sweep is a plain rehash into a bigger table. */
static void
pair_sweep(struct engine *e)
{
	struct pair_table *pt = &e->pt;
	uint32_t *live = NULL, i, ncap, count = 0;
	int check = e->totals.hosts_evicted != pt->swept_evicted;
	size_t n = 0;
	uint64_t *ns, v;

	if (check) {
		live = xcalloc(e->ht.count + 1, sizeof *live);
		for (i = 1; i <= e->ht.used; i++) {
			uint32_t sr = engine_host_at(e, i)->priv.serial;

			if (sr != 0)
				live[n++] = sr;
		}
		qsort(live, n, sizeof *live, pair_serial_cmp);
		for (i = 0; i < pt->cap; i++) {
			v = pt->slots[i];
			if (v == 0 || !pair_live(live, n, (uint32_t)(v >> 32)) ||
			    !pair_live(live, n, (uint32_t)v))
				pt->slots[i] = 0;
			else
				count++;
		}
	} else
		count = pt->count;
	/* Grow only past 5/8 full: a doubling at exactly half would leave a
	 * table of n pairs at 4n slots, 32 bytes a pair. */
	ncap = pt->cap;
	while (count >= ncap / 8 * 5 && ncap < pt->max_cap)
		ncap *= 2;
	ns = xcalloc(ncap, sizeof *ns);
	for (i = 0; i < pt->cap; i++) {
		if ((v = pt->slots[i]) != 0)
			pair_insert_slot(ns, ncap, e->hkey, v);
	}
	free(pt->slots);
	free(live);
	pt->slots = ns;
	pt->cap = ncap;
	pt->count = count;
	/* Full: stop adding until enough hosts left to make a sweep pay. */
	pt->full = count >= ncap / 8 * 5;
	pt->full_evicted = e->totals.hosts_evicted;
	pt->swept_evicted = e->totals.hosts_evicted;
}

/* Record that hosts with serials sa and sb talked; 1 if new. */
static int
pair_add(struct engine *e, uint32_t sa, uint32_t sb)
{
	struct pair_table *pt = &e->pt;
	uint64_t v = sa < sb ? (uint64_t)sa << 32 | sb :
	    (uint64_t)sb << 32 | sa;
	uint32_t i;

	i = (uint32_t)engine_hash(e->hkey, &v, sizeof v) & (pt->cap - 1);
	while (pt->slots[i] != 0) {
		if (pt->slots[i] == v)
			return 0;
		i = (i + 1) & (pt->cap - 1);
	}
	if (pt->full) {
		/* Retry a sweep only after many evictions. */
		if (e->totals.hosts_evicted - pt->full_evicted <
		    pt->cap / 8 + 1)
			return 0;
		pt->full = 0;
	}
	if (pt->count + 1 > pt->cap / 4 * 3) {
		pair_sweep(e);
		if (pt->full)
			return 0;
		pair_insert_slot(pt->slots, pt->cap, e->hkey, v);
	} else
		pt->slots[i] = v;
	pt->count++;
	return 1;
}

/* ---- hosts ---------------------------------------------------------- */

static void
host_evict(struct engine *e, uint32_t i)
{
	struct host *h = engine_host_at(e, i);

	engine_table_remove(&e->ht, i, host_hash(e, h->ip_ver, h->addr), 0);
	engine_source_get(e, h->source)->hosts_active--;
	h->priv.serial = 0;
	e->totals.hosts_evicted++;
}

/* Make room: evict the least recently active host without flows. */
static int
host_make_room(struct engine *e)
{
	int steps;

	for (steps = 0; steps < 64 && e->ht.lru[0].head != 0; steps++) {
		uint32_t i = e->ht.lru[0].head;

		if (engine_host_at(e, i)->flows_active == 0) {
			host_evict(e, i);
			return 1;
		}
		/* Busy: it is not idle, whatever its last packet says. */
		engine_table_touch(&e->ht, i, 0);
	}
	return 0;
}

static uint32_t
host_find(const struct engine *e, uint8_t ip_ver, const uint8_t addr[16],
    uint64_t hash)
{
	uint32_t i;

	for (i = engine_table_chain(&e->ht, hash); i != 0;
	    i = engine_host_at(e, i)->priv.link.hnext) {
		const struct host *h = engine_host_at(e, i);

		if (h->ip_ver == ip_ver && memcmp(h->addr, addr, 16) == 0)
			return i;
	}
	return 0;
}

/* Country/ASN of a new host: local hosts need none. */
static void
host_geo(struct engine *e, struct host *h)
{
	if (h->local)
		h->geo.state = GEOIP_PRIVATE;
	else if (e->cfg.geoip != NULL) {
		geoip_lookup(e->cfg.geoip, h->ip_ver, h->addr, &h->geo);
		if (geoip_active(e->cfg.geoip))
			e->geo_known = 1;
	}
}

/* Find or create the host of an address. */
uint32_t
engine_host_get(struct engine *e, uint8_t ip_ver, const uint8_t addr[16],
    uint16_t source, uint64_t ts)
{
	struct engine_table *t = &e->ht;
	struct host_rates *rates;
	struct host *h;
	uint64_t hash = host_hash(e, ip_ver, addr);
	uint32_t i, used = t->used;

	if ((i = host_find(e, ip_ver, addr, hash)) != 0)
		return i;
	if (t->count >= t->max && !host_make_room(e)) {
		e->totals.hosts_untracked++;
		return 0;
	}
	i = engine_table_new(t);
	h = engine_host_at(e, i);
	/* A reused entry keeps its rates allocation; a fresh one has
	 * none. */
	rates = i > used ? NULL : h->rates;
	memset(h, 0, sizeof *h);
	if (ENGINE_HOSTS_LIVE(e)) {
		if (rates == NULL)
			rates = xmalloc(sizeof *rates);
		memset(rates, 0, sizeof *rates);
		h->rates = rates;
	} else
		free(rates);
	memcpy(h->addr, addr, 16);
	h->ip_ver = ip_ver;
	h->local = (uint8_t)(engine_is_local(e, ip_ver, addr) ||
	    engine_is_own_any(e, ip_ver, addr));
	h->source = source;
	h->first_ns = h->last_ns = ts;
	host_geo(e, h);
	if (++e->host_serial == 0)
		e->host_serial = 1;
	h->priv.serial = e->host_serial;
	engine_table_insert(t, i, hash, 0);
	e->totals.hosts_created++;
	engine_source_get(e, source)->hosts_active++;
	return i;
}

static void
host_touch(struct engine *e, uint32_t i, struct host *h, uint64_t ts)
{
	if (ts > h->last_ns) {
		if (ts / NS_PER_SEC != h->last_ns / NS_PER_SEC)
			engine_table_touch(&e->ht, i, 0);
		h->last_ns = ts;
	} else if (ts < h->first_ns)
		h->first_ns = ts;
}

/* Count a packet against its sender and receiver (rates kept). */
void
engine_host_count_pkt(struct engine *e, uint32_t from, uint32_t to,
    uint32_t wire_len, uint64_t ts)
{
	uint64_t sec = ts / NS_PER_SEC;
	struct host *h;

	if (from != 0) {
		h = engine_host_at(e, from);
		h->bytes_out += wire_len;
		h->pkts_out++;
		if (h->rates != NULL)
			rate_add(&h->rates->out, sec, wire_len);
		host_touch(e, from, h, ts);
	}
	if (to != 0) {
		h = engine_host_at(e, to);
		h->bytes_in += wire_len;
		h->pkts_in++;
		if (h->rates != NULL)
			rate_add(&h->rates->in, sec, wire_len);
		host_touch(e, to, h, ts);
	}
}

/* Add a final record's counts to a host's credited base, or a live
 * flow's counts to its visible totals (engine_sync()). */
static void
host_credit_one(struct engine *e, uint32_t i, uint64_t pkts_out,
    uint64_t bytes_out, uint64_t pkts_in, uint64_t bytes_in, uint64_t ts,
    int final)
{
	struct host *h = engine_host_at(e, i);

	if (final) {
		h->priv.base_pkts_out += pkts_out;
		h->priv.base_bytes_out += bytes_out;
		h->priv.base_pkts_in += pkts_in;
		h->priv.base_bytes_in += bytes_in;
	} else {
		h->pkts_out += pkts_out;
		h->bytes_out += bytes_out;
		h->pkts_in += pkts_in;
		h->bytes_in += bytes_in;
	}
	host_touch(e, i, h, ts);
}

/* Credit a flow record to its two hosts (rates not kept); final: the
 * record is done (ended, or a partial record), else it is a live flow's
 * counts added by engine_sync().  A host talking to itself gets both
 * sides, as packet-by-packet counting gives it. */
void
engine_host_credit(struct engine *e, uint32_t a, uint32_t b,
    uint64_t a_pkts, uint64_t a_bytes, uint64_t b_pkts, uint64_t b_bytes,
    uint64_t last_ns, int final)
{
	if (a != 0)
		host_credit_one(e, a, a_pkts, a_bytes, b_pkts, b_bytes,
		    last_ns, final);
	if (b != 0)
		host_credit_one(e, b, b_pkts, b_bytes, a_pkts, a_bytes,
		    last_ns, final);
}

/* Set every host's totals back to what ended flow records credited. */
void
engine_hosts_rebase(struct engine *e)
{
	struct host *h;
	uint32_t i;

	for (i = 1; i <= e->ht.used; i++) {
		h = engine_host_at(e, i);
		if (h->priv.serial == 0)
			continue;
		h->pkts_out = h->priv.base_pkts_out;
		h->bytes_out = h->priv.base_bytes_out;
		h->pkts_in = h->priv.base_pkts_in;
		h->bytes_in = h->priv.base_bytes_in;
	}
}

/* Note a new flow between two hosts (peers, flows_active). */
void
engine_host_flow_new(struct engine *e, uint32_t a, uint32_t b)
{
	struct host *ha = a ? engine_host_at(e, a) : NULL;
	struct host *hb = b ? engine_host_at(e, b) : NULL;

	if (ha != NULL)
		ha->flows_active++;
	if (hb != NULL && b != a)
		hb->flows_active++;
	if (ha != NULL && hb != NULL && a != b &&
	    pair_add(e, ha->priv.serial, hb->priv.serial)) {
		ha->peers++;
		hb->peers++;
	}
}

/* Note that a flow between two hosts ended. */
void
engine_host_flow_end(struct engine *e, uint32_t a, uint32_t b)
{
	if (a != 0 && engine_host_at(e, a)->flows_active > 0)
		engine_host_at(e, a)->flows_active--;
	if (b != 0 && b != a && engine_host_at(e, b)->flows_active > 0)
		engine_host_at(e, b)->flows_active--;
}

/* ---- public --------------------------------------------------------- */

/* Return the number of hosts in the table. */
size_t
engine_host_count(const struct engine *e)
{
	return e->ht.count;
}

static const struct host *
host_scan(const struct engine *e, uint32_t i)
{
	for (; i <= e->ht.used; i++) {
		if (engine_host_at(e, i)->priv.serial != 0)
			return engine_host_at(e, i);
	}
	return NULL;
}

/* Return the first host, or NULL. */
const struct host *
engine_host_first(const struct engine *e)
{
	return host_scan(e, 1);
}

/* Return the host after h, or NULL. */
const struct host *
engine_host_next(const struct engine *e, const struct host *h)
{
	if (h == NULL)
		return NULL;
	return host_scan(e, (uint32_t)(((const char *)h - e->ht.v) /
	    (ptrdiff_t)sizeof *h) + 1);
}

/* Find the host of an address, or NULL. */
const struct host *
engine_host_lookup(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	uint32_t i = host_find(e, ip_ver, addr, host_hash(e, ip_ver, addr));

	return i != 0 ? engine_host_at(e, i) : NULL;
}

/* Return the GeoIP handle, or NULL. */
struct geoip *
engine_geoip(const struct engine *e)
{
	return e->cfg.geoip;
}

/* Look every host up again. */
void
engine_geo_refresh(struct engine *e)
{
	struct host *h;
	uint32_t i;

	for (i = 1; i <= e->ht.used; i++) {
		h = engine_host_at(e, i);
		if (h->priv.serial != 0) {
			memset(&h->geo, 0, sizeof h->geo);
			host_geo(e, h);
		}
	}
}

/* One endpoint's country/ASN: its host's, else a lookup now. */
static void
host_geo_of(const struct engine *e, uint32_t hi, uint8_t ip_ver,
    const uint8_t addr[16], struct geoip_info *out)
{
	if (hi != 0) {
		*out = engine_host_at(e, hi)->geo;
		return;
	}
	memset(out, 0, sizeof *out);
	if (engine_is_local(e, ip_ver, addr))
		out->state = GEOIP_PRIVATE;
	else if (e->cfg.geoip != NULL)
		geoip_lookup(e->cfg.geoip, ip_ver, addr, out);
}

/* Country/ASN of a flow's two endpoints. */
void
engine_flow_geo(const struct engine *e, const struct flow *f,
    struct geoip_info *orig, struct geoip_info *resp)
{
	const struct flow_key *k = &f->key;

	/* No host has a country or an AS (no GeoIP database was ever open):
	 * nothing to copy, and no host entry to fetch for it (two cache
	 * misses a record, on the store's path) */
	if (e == NULL || (!e->geo_known && !geoip_active(e->cfg.geoip))) {
		memset(orig, 0, sizeof *orig);
		memset(resp, 0, sizeof *resp);
		return;
	}
	if (f->orig_is_a) {
		host_geo_of(e, f->priv.host_a, k->ip_ver, k->a, orig);
		host_geo_of(e, f->priv.host_b, k->ip_ver, k->b, resp);
	} else {
		host_geo_of(e, f->priv.host_b, k->ip_ver, k->b, orig);
		host_geo_of(e, f->priv.host_a, k->ip_ver, k->a, resp);
	}
}
