/*
 * engine.c: the accounting engine's front: clock, totals, sources, local
 * networks, and the dispatch of packets and names to the tables.
 *
 * Owned by the main thread, the only writer of every table; sinks run
 * inside engine calls, on that thread.  Time is packet time in ns: the
 * clock is the newest timestamp seen (packets older than it are counted
 * but never move it back), and flow expiry runs once per packet-time
 * second, before the packet that crossed into the new second.
 *
 * Direction per source (as iftop): a packet sent from one of the capture
 * host's own addresses on that source counts as tx, one sent to them as
 * rx; between two other addresses, a packet whose sender is in the local
 * networks counts as tx; every other packet (including non-IP) as rx.
 *
 * Sinks: the engine publishes flow records, a tick once per packet-time
 * second, names learned and source events to the sinks subscribed with
 * engine_sink_add(), in subscription order; it knows none of them.
 *
 * Table hashing uses a random per-run key (getrandom), so crafted
 * addresses cannot aim at one chain; nothing exported depends on it.
 */
#include "config.h"
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine-int.h"
#include "xmalloc.h"

/* Keyed 64-bit hash of a short byte string (multiply-mix, as wyhash). */
static inline uint64_t
engine_mum(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)(r >> 64) ^ (uint64_t)r;
#else
	uint64_t ha = a >> 32, la = (uint32_t)a, hb = b >> 32, lb = (uint32_t)b;
	uint64_t rh = ha * hb, rm0 = ha * lb, rm1 = hb * la, rl = la * lb;
	uint64_t t = rl + (rm0 << 32), c = t < rl, lo, hi;

	lo = t + (rm1 << 32);
	c += lo < t;
	hi = rh + (rm0 >> 32) + (rm1 >> 32) + c;
	return hi ^ lo;
#endif
}

/* Keyed 64-bit hash of n bytes at p. */
uint64_t
engine_hash(const uint64_t k[4], const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = k[0] ^ (n * 0x9e3779b97f4a7c15ull), w0, w1;
	size_t i;

	/* Fixed-size loads only: a variable-length copy into a word and a
	 * wide load of it would stall on store forwarding. */
	while (n >= 16) {
		memcpy(&w0, b, 8);
		memcpy(&w1, b + 8, 8);
		h = engine_mum(w0 ^ k[1], w1 ^ k[2] ^ h);
		b += 16;
		n -= 16;
	}
	if (n >= 8) {
		memcpy(&w0, b, 8);
		h = engine_mum(w0 ^ k[3], h ^ k[1]);
		b += 8;
		n -= 8;
	}
	if (n > 0) {
		w0 = 0;
		for (i = 0; i < n; i++)
			w0 |= (uint64_t)b[i] << (8 * i);
		h = engine_mum(w0 ^ k[2], h ^ k[3]);
	}
	return engine_mum(h ^ k[2], k[3] ^ 0x9e3779b97f4a7c15ull);
}

static void
engine_random_key(uint64_t k[4])
{
	uint8_t *p = (uint8_t *)k;
	size_t got = 0;

	while (got < 4 * sizeof k[0]) {
		ssize_t r = getrandom(p + got, 4 * sizeof k[0] - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	if (got < 4 * sizeof k[0]) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull;
		k[1] ^= (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 32);
		k[2] ^= (uint64_t)(uintptr_t)k;
		k[3] ^= k[0] * 0xbf58476d1ce4e5b9ull;
	}
}

/* Default local networks: RFC 1918, CGNAT, link-local, loopback, ULA. */
static const char *const engine_default_nets[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
	"169.254.0.0/16", "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128",
};

/* Parse "addr/len" or a bare address into a net. */
int
engine_net_parse(const char *s, struct engine_net *n)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long plen;
	unsigned max;

	if (s == NULL || strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	memset(n, 0, sizeof *n);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->ip_ver = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->ip_ver = 6;
		max = 128;
	} else
		return -1;
	plen = max;
	if (slash != NULL) {
		if (*slash < '0' || *slash > '9')
			return -1;
		errno = 0;
		plen = strtoul(slash, &end, 10);
		if (errno != 0 || *end != '\0' || plen > max)
			return -1;
	}
	n->plen = (uint8_t)plen;
	return 0;
}

static int
engine_net_match(const struct engine_net *n, uint8_t ip_ver,
    const uint8_t addr[16])
{
	unsigned full = n->plen / 8, rest = n->plen % 8;

	if (n->ip_ver != ip_ver)
		return 0;
	if (memcmp(n->addr, addr, full) != 0)
		return 0;
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((n->addr[full] & mask) != (addr[full] & mask))
			return 0;
	}
	return 1;
}

/* Say whether an address is in the local networks. */
int
engine_is_local(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	unsigned i;

	for (i = 0; i < e->n_nets; i++) {
		if (engine_net_match(&e->nets[i], ip_ver, addr))
			return 1;
	}
	return 0;
}

/* Create an engine; cfg is copied (NULL: all defaults). */
struct engine *
engine_create(const struct engine_cfg *cfg)
{
	struct engine *e = xcalloc(1, sizeof *e);
	unsigned i, n;

	if (cfg != NULL)
		e->cfg = *cfg;
	if (e->cfg.max_flows == 0)
		e->cfg.max_flows = ENGINE_DEFAULT_MAX_FLOWS;
	if (e->cfg.max_hosts == 0)
		e->cfg.max_hosts = ENGINE_DEFAULT_MAX_HOSTS;
	if (e->cfg.max_names == 0)
		e->cfg.max_names = ENGINE_DEFAULT_MAX_NAMES;
	/* Indices are uint32 with 0 reserved. */
	if (e->cfg.max_flows > UINT32_MAX / 2)
		e->cfg.max_flows = UINT32_MAX / 2;
	if (e->cfg.max_hosts > UINT32_MAX / 2)
		e->cfg.max_hosts = UINT32_MAX / 2;
	if (e->cfg.max_names > UINT32_MAX / 4)
		e->cfg.max_names = UINT32_MAX / 4;
	e->timeout_ns[FLOW_CLASS_TCP] = (uint64_t)(e->cfg.tcp_timeout_s ?
	    e->cfg.tcp_timeout_s : 300) * NS_PER_SEC;
	e->timeout_ns[FLOW_CLASS_UDP] = (uint64_t)(e->cfg.udp_timeout_s ?
	    e->cfg.udp_timeout_s : 60) * NS_PER_SEC;
	e->timeout_ns[FLOW_CLASS_OTHER] = (uint64_t)(e->cfg.other_timeout_s ?
	    e->cfg.other_timeout_s : 60) * NS_PER_SEC;
	e->timeout_ns[FLOW_CLASS_CLOSED] = (uint64_t)(e->cfg.close_timeout_s ?
	    e->cfg.close_timeout_s : 5) * NS_PER_SEC;
	e->active_ns = (uint64_t)(e->cfg.active_timeout_s ?
	    e->cfg.active_timeout_s : 1800) * NS_PER_SEC;

	if (cfg != NULL && cfg->n_local_nets > 0 && cfg->local_nets != NULL) {
		e->n_nets = cfg->n_local_nets;
		e->nets = xcalloc(e->n_nets, sizeof *e->nets);
		memcpy(e->nets, cfg->local_nets, e->n_nets * sizeof *e->nets);
	} else {
		n = sizeof engine_default_nets / sizeof engine_default_nets[0];
		e->nets = xcalloc(n, sizeof *e->nets);
		for (i = 0; i < n; i++) {
			if (engine_net_parse(engine_default_nets[i],
			    &e->nets[e->n_nets]) == 0)
				e->n_nets++;
		}
	}
	e->cfg.local_nets = e->nets;
	e->cfg.n_local_nets = e->n_nets;

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

	engine_random_key(e->hkey);
	engine_flows_init(e);
	engine_hosts_init(e);
	engine_names_init(e);
	return e;
}

/* Free the engine and every table (no records are emitted). */
void
engine_free(struct engine *e)
{
	unsigned i;

	if (e == NULL)
		return;
	engine_flows_done(e);
	engine_hosts_done(e);
	engine_names_done(e);
	for (i = 0; i < e->n_sources; i++)
		free(e->own[i].addrs);
	free(e->own);
	free(e->sources);
	free(e->nets);
	free(e);
}

/* Subscribe a sink (copied). */
int
engine_sink_add(struct engine *e, const struct engine_sink *sk)
{
	struct engine_sink *s;

	if (e->n_sinks == ENGINE_MAX_SINKS)
		return -1;
	if (sk->flags & ENGINE_SINK_RATES) {
		/* Rates are kept from a flow's or host's first packet. */
		if (e->started && !e->cfg.keep_rates)
			return -1;
		e->cfg.keep_rates = 1;
	}
	s = &e->sinks[e->n_sinks++];
	*s = *sk;
	if (s->flow != NULL) {
		e->flow_sinks[e->n_flow_sinks++] = s;
		if (!(s->flags & ENGINE_SINK_UNORDERED))
			e->flush_ordered = 1;
	}
	return 0;
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

/* Publish a source event to every sink; a GONE event marks the source. */
void
engine_source_event(struct engine *e, const struct engine_source_event *ev)
{
	struct engine_source *s = engine_source_get(e, ev->source);
	const char *what = NULL;
	unsigned i;

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
	for (i = 0; i < e->n_sinks; i++) {
		if (e->sinks[i].source != NULL)
			e->sinks[i].source(e->sinks[i].arg, ev);
	}
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
	const struct engine_own *o;
	unsigned i;

	if (source >= e->n_sources)
		return 0;
	o = &e->own[source];
	for (i = 0; i < o->n; i++) {
		if (engine_net_match(&o->addrs[i], ip_ver, addr))
			return 1;
	}
	return 0;
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

/* Give the tick to every sink that has a tick callback. */
static void
engine_publish_tick(struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->n_sinks; i++) {
		if (e->sinks[i].tick != NULL)
			e->sinks[i].tick(e->sinks[i].arg, e, e->now_ns);
	}
}

/* Move the clock to ts if it is newer; expire once per new second. */
static void
engine_clock(struct engine *e, uint64_t ts)
{
	uint64_t sec;

	if (ts <= e->now_ns)
		return;
	e->now_ns = ts;
	sec = ts / NS_PER_SEC;
	if (sec != e->checked_sec) {
		e->checked_sec = sec;
		engine_flows_expire(e);
		engine_publish_tick(e);
	}
}

/* Account one packet whose flow key may already be worked out. */
static void
engine_account(struct engine *e, const struct pkt_meta *m,
    struct flow_prep *p)
{
	struct engine_totals *t = &e->totals;
	struct engine_source *s;
	unsigned st = m->status < PKT_STATUS_COUNT ? m->status : PKT_INVALID;
	int tx = 0;

	e->started = 1;
	engine_clock(e, m->ts_ns);

	t->packets++;
	t->bytes += m->wire_len;
	t->status[st]++;
	if (t->first_ns == 0 || m->ts_ns < t->first_ns)
		t->first_ns = m->ts_ns;
	if (m->ts_ns > t->last_ns)
		t->last_ns = m->ts_ns;

	if (m->ip_ver == 4 || m->ip_ver == 6) {
		t->ip_packets++;
		t->by_proto_pkts[m->proto]++;
		t->by_proto_bytes[m->proto] += m->wire_len;
		tx = engine_flow_packet(e, m, p);
	} else {
		t->non_ip_pkts++;
		t->non_ip_bytes += m->wire_len;
	}

	s = m->source < e->n_sources ? &e->sources[m->source] :
	    engine_source_get(e, m->source);
	s->packets++;
	s->bytes += m->wire_len;
	s->status[st]++;
	if (tx) {
		s->tx_bytes += m->wire_len;
		rate_hist_add(&s->tx, m->ts_ns / NS_PER_SEC, m->wire_len, 1);
	} else {
		s->rx_bytes += m->wire_len;
		rate_hist_add(&s->rx, m->ts_ns / NS_PER_SEC, m->wire_len, 1);
	}
}

/* Account one packet. */
void
engine_packet(struct engine *e, const struct pkt_meta *m)
{
	struct flow_prep p;

	p.ready = 0;
	engine_account(e, m, &p);
}

/*
 * Account a batch.  Memory latency, not arithmetic, bounds the engine on
 * big tables, so this works LOOKAHEAD packets ahead: it hashes a packet
 * and prefetches its bucket, then the flow the bucket points to (hosts
 * are credited once a second, off this path).  Prefetches are only hints:
 * accounting redoes the lookup, so tables changing meanwhile (new flows,
 * rehashing) cannot make it wrong.
 */
#define ENGINE_LOOKAHEAD	8	/* power of two */
#define ENGINE_AHEAD_FLOW	4	/* packets ahead the flow is fetched */
#define ENGINE_AHEAD_RECORD	24	/* and the ring record itself */

void
engine_packets(struct engine *e, const struct pkt_meta *m, size_t n)
{
	struct flow_prep p[ENGINE_LOOKAHEAD];
	size_t i;

	for (i = 0; i < n && i < ENGINE_LOOKAHEAD; i++) {
		engine_flow_prep(e, &m[i], &p[i]);
		engine_flow_prefetch(e, &p[i], &m[i], 1);
	}
	for (i = 0; i < n; i++) {
		struct flow_prep *cur = &p[i & (ENGINE_LOOKAHEAD - 1)];
		size_t j;

		if ((j = i + ENGINE_AHEAD_FLOW) < n)
			engine_flow_prefetch(e, &p[j & (ENGINE_LOOKAHEAD - 1)],
			    &m[j], 2);
		/* Records come from another core's cache: ask for them well
		 * before the key is worked out. */
		if ((j = i + ENGINE_AHEAD_RECORD) < n) {
			__builtin_prefetch(&m[j]);
			__builtin_prefetch((const char *)&m[j] + 64);
			__builtin_prefetch((const char *)&m[j + 1] - 1);
		}
		engine_account(e, &m[i], cur);
		if ((j = i + ENGINE_LOOKAHEAD) < n) {
			engine_flow_prep(e, &m[j], cur);
			engine_flow_prefetch(e, cur, &m[j], 1);
		}
	}
}

/* Advance the clock on idle (live capture) and expire flows. */
void
engine_tick(struct engine *e, uint64_t now_ns)
{
	engine_clock(e, now_ns);
}

/* Bring host totals up to date (see engine.h). */
void
engine_sync(struct engine *e)
{
	engine_flows_sync(e);
}

/* Emit every flow left in the table, in a fixed order. */
void
engine_flush(struct engine *e)
{
	engine_flows_flush(e);
}

/* Return the packet-time clock, ns. */
uint64_t
engine_now(const struct engine *e)
{
	return e->now_ns;
}

/* Return the engine-wide counters. */
const struct engine_totals *
engine_totals(const struct engine *e)
{
	return &e->totals;
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
