/*
 * engine-int.h: what the engine's files share and nobody else sees.
 *
 * Flows, hosts and names live in the one bounded table of engine-table.c
 * (fixed-size entries in an array grown by doubling, addressed by uint32
 * index, 0 = "none"; keyed hash chains and LRU lists as index links in
 * the entries).  Growing a table moves it: no pointer into a table
 * survives a call that may create an entry.  The files, top-down:
 * engine.c (front, sinks, clock) -> engine-flow.c -> engine-host.c,
 * engine-names.c, engine-frag.c, engine-source.c, engine-rate.c ->
 * engine-table.c -> engine-key.c (hashing, networks).
 */
#ifndef WIRETOP_ENGINE_INT_H
#define WIRETOP_ENGINE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "pkt.h"

#define NS_PER_SEC	1000000000ull

/* Timeout classes of flows; one LRU list each. */
enum {
	FLOW_CLASS_TCP = 0,
	FLOW_CLASS_UDP,
	FLOW_CLASS_OTHER,
	FLOW_CLASS_CLOSED,	/* TCP closed: ends close_timeout after */
	FLOW_CLASS_DNS,		/* UDP DNS: Zeek's dns_session_timeout */
	FLOW_CLASS_COUNT
};

struct engine_list {
	uint32_t head;		/* least recently active */
	uint32_t tail;		/* most recently active */
};

/* A bounded table with hash chains and LRU lists (engine-table.c). */
#define ENGINE_TABLE_LISTS	5
#define ENGINE_TABLE_FREE	UINT32_MAX	/* link.prev of a free entry */

struct engine_table {
	char *v;		/* cap entries of esize bytes, [0] unused */
	size_t esize;
	size_t link_off;	/* offset of the struct engine_link */
	uint32_t cap;
	uint32_t first_cap;	/* entries of the first allocation */
	uint32_t max;		/* entries at most */
	uint32_t used;		/* highest index handed out so far */
	uint32_t count;		/* entries in use */
	uint32_t free_head;	/* free list through link.hnext */
	uint32_t *buckets;	/* chain heads, nbuckets (power of two) */
	uint32_t nbuckets;
	int draining;		/* every entry is being removed: buckets
				   lent out, chains and lists left alone */
	struct engine_list lru[ENGINE_TABLE_LISTS];
	uint64_t (*hash)(const void *entry, const void *arg);
	const void *hash_arg;
};

static inline void *
engine_table_at(const struct engine_table *t, uint32_t i)
{
	return t->v + (size_t)i * t->esize;
}

static inline struct engine_link *
engine_table_link(const struct engine_table *t, uint32_t i)
{
	return (struct engine_link *)(void *)(t->v + (size_t)i * t->esize +
	    t->link_off);
}

/* First entry of the chain of hash (0: none). */
static inline uint32_t
engine_table_chain(const struct engine_table *t, uint64_t hash)
{
	return t->buckets[(uint32_t)hash & (t->nbuckets - 1)];
}

void		 engine_table_init(struct engine_table *, size_t esize,
		    size_t link_off, uint32_t max, uint32_t nbuckets,
		    uint32_t first_cap,
		    uint64_t (*)(const void *, const void *), const void *);
void		 engine_table_done(struct engine_table *);
uint32_t	 engine_table_new(struct engine_table *);
void		 engine_table_insert(struct engine_table *, uint32_t,
		    uint64_t hash, unsigned list);
void		 engine_table_remove(struct engine_table *, uint32_t,
		    uint64_t hash, unsigned list);
void		 engine_table_relink(struct engine_table *, uint32_t,
		    unsigned list);
void		 engine_table_move(struct engine_table *, uint32_t,
		    unsigned from, unsigned to);
uint32_t	 engine_table_scan(const struct engine_table *, uint32_t);
uint32_t	*engine_table_borrow_buckets(struct engine_table *);
void		 engine_table_return_buckets(struct engine_table *);

/* Move entry i to the tail of list (most recently active). */
static inline void
engine_table_touch(struct engine_table *t, uint32_t i, unsigned list)
{
	if (t->lru[list].tail != i)
		engine_table_relink(t, i, list);
}

struct flow_table {
	struct engine_table tab;	/* struct flow entries, one LRU list
					   per timeout class */
	uint64_t seq;		/* flows created, feeds the uid */
	struct flow_rates **rates;	/* [tab.cap] per-flow rates, owned;
					   NULL unless keep_rates */
	uint32_t rates_cap;
	uint64_t dns_due;	/* the first DNS session check due, at most
				   (UINT64_MAX: none) */
	struct flow_tunnel **tun;	/* [tun_cap] tunnel facts, owned; NULL
					   until a frame carries a tunnel */
	uint32_t tun_cap;
};

/* Host pairs (peers): open addressing on two host serials. */
struct pair_table {
	uint64_t *slots;	/* lo serial << 32 | hi serial; 0 = empty */
	uint32_t cap;		/* power of two */
	uint32_t count;
	uint32_t max_cap;
	int full;		/* at max_cap and could not make room */
	uint64_t full_evicted;	/* hosts_evicted when it became full */
	uint64_t swept_evicted;	/* hosts_evicted at the last sweep */
};

/* First fragments seen recently: ports for the later fragments. */
#define ENGINE_FRAG_MAX	65536	/* first fragments remembered at most */
struct frag_entry {
	uint8_t src[16];
	uint8_t dst[16];
	uint64_t ts_ns;		/* packet time of the first fragment */
	uint32_t id;
	uint32_t hnext;		/* index chain: slot + 1, 0 = end */
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t ip_ver;
};

struct frag_table {
	struct frag_entry *v;	/* ring of cap slots, in arrival order */
	uint32_t cap;		/* 0 until the first fragment */
	uint32_t head;		/* oldest slot */
	uint32_t count;
	uint32_t *buckets;	/* chain heads (slot + 1), nbuckets */
	uint32_t nbuckets;	/* power of two */
};

struct name_entry {
	uint8_t addr[16];
	uint8_t ip_ver;
	uint8_t kind;		/* enum pkt_name_kind */
	struct engine_link link;
	uint64_t learned_ns;	/* packet time it was last learned */
	char *name;		/* owned */
};

/* The capture host's own addresses on one source. */
struct engine_own {
	struct engine_net *addrs;	/* owned */
	unsigned n;
};

struct engine {
	struct engine_cfg cfg;		/* copy; its pointers: ours below */
	struct engine_net *nets;	/* owned */
	unsigned n_nets;

	uint64_t now_ns;
	uint16_t vlan_mask;		/* 0xffff: VLAN in the flow key */
	/* The frame being accounted: uid hash and index of the flow of
	 * each layer so far (a layer > 0 record's parent is layer - 1). */
	uint64_t layer_uid[PKT_MAX_TUNNELS + 1];
	uint8_t layer_kind[PKT_MAX_TUNNELS + 1];	/* tunnel it carries */
	unsigned layer_valid;		/* bit l: layer_uid[l] is this frame's */
	int frame_tx;			/* the frame's layer 0 counts as tx */
	const struct flow *pkt_flow;	/* the flow the last IP record went
					   to (for the packet sinks) */
	int pkt_dir;			/* its direction: 0 from the
					   originator */
	uint64_t checked_sec;		/* last second expiry ran for,
					   UINT64_MAX before the first */
	uint64_t timeout_ns[FLOW_CLASS_COUNT];
	uint64_t active_ns;

	uint64_t hkey[4];		/* random per run: table hashing */
	int geo_known;			/* a host was looked up in an open
					   GeoIP database: hosts may hold a
					   country or an AS */

	struct engine_sink sinks[ENGINE_MAX_SINKS];
	unsigned n_sinks;
	/* The sinks with a flow callback, the record path's loop. */
	struct engine_sink *flow_sinks[ENGINE_MAX_SINKS];
	unsigned n_flow_sinks;
	/* The sinks with a packet callback (the detectors). */
	struct engine_sink *pkt_sinks[ENGINE_MAX_SINKS];
	unsigned n_pkt_sinks;
	unsigned pkt_want;		/* the union of their packet_want */
	uint32_t pkt_large;		/* the smallest packet_large */
	int flush_ordered;		/* a flow sink needs the flush order */
	int started;			/* a packet or name was accounted */

	struct engine_totals totals;
	struct engine_source *sources;	/* owned, n_sources */
	struct engine_own *own;		/* owned, n_sources: own addresses */
	unsigned n_sources;

	struct flow_table ft;
	struct engine_table ht;		/* hosts: struct host */
	uint32_t host_serial;		/* last host serial handed out */
	struct pair_table pt;
	struct frag_table fr;
	struct engine_table nt;		/* names: struct name_entry, one
					   LRU list by learning time */
	uint64_t name_age_ns;		/* name_max_age_s, 0 = never */
	int names_off;			/* resolve = off: learn no names */
	struct resolve *res;		/* resolve = reverse, else NULL;
					   owned */
};

/* engine-key.c */
uint64_t	 engine_hash(const uint64_t key[4], const void *, size_t);

#define ENGINE_HASH_GOLD	0x9e3779b97f4a7c15ull

/* Multiply-mix of two words (as wyhash), the step of engine_hash(). */
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

/* engine_hash() of the 16 bytes of two words, inline (the per-packet
 * hash of an IPv4 flow key). */
static inline uint64_t
engine_hash_2w(const uint64_t k[4], uint64_t w0, uint64_t w1)
{
	uint64_t h = k[0] ^ (16 * ENGINE_HASH_GOLD);

	h = engine_mum(w0 ^ k[1], w1 ^ k[2] ^ h);
	return engine_mum(h ^ k[2], k[3] ^ ENGINE_HASH_GOLD);
}
void		 engine_key_random(uint64_t key[4]);
int		 engine_nets_match(const struct engine_net *, unsigned n,
		    uint8_t ip_ver, const uint8_t addr[16]);
void		 engine_nets_init(struct engine *);

/* engine-source.c */
void		 engine_sources_init(struct engine *);
void		 engine_sources_done(struct engine *);
struct engine_source *engine_source_get(struct engine *, unsigned);
void		 engine_source_note(struct engine *,
		    const struct engine_source_event *);
/* 1 if addr is one of the capture host's own addresses on source i. */
int		 engine_is_own(const struct engine *, unsigned source,
		    uint8_t ip_ver, const uint8_t addr[16]);
/* 1 if addr is own on any source (hosts: the "local" mark). */
int		 engine_is_own_any(const struct engine *, uint8_t ip_ver,
		    const uint8_t addr[16]);

/* Hosts are counted packet by packet, with their rates (a sink shows
 * host rates), rather than credited flow record by flow record. */
#define ENGINE_HOSTS_LIVE(e)	((e)->cfg.keep_rates || (e)->cfg.keep_host_rates)

/* Count a packet on its source: tx (sent by the capture host, see
 * engine.c) or rx.  Inline: it is on every packet. */
static inline void
engine_source_account(struct engine *e, const struct pkt_meta *m,
    unsigned status, int tx)
{
	struct engine_source *s;

	s = m->source < e->n_sources ? &e->sources[m->source] :
	    engine_source_get(e, m->source);
	s->packets++;
	s->bytes += m->wire_len;
	s->status[status]++;
	if (tx) {
		s->tx_bytes += m->wire_len;
		s->tx_pkts++;
		rate_hist_add(&s->tx, m->ts_ns / NS_PER_SEC, m->wire_len, 1);
	} else {
		s->rx_bytes += m->wire_len;
		s->rx_pkts++;
		rate_hist_add(&s->rx, m->ts_ns / NS_PER_SEC, m->wire_len, 1);
	}
}

/* engine.c */
/* Give a flow record to every sink with a flow callback. */
static inline void
engine_publish_flow(struct engine *e, const struct flow *f,
    enum flow_end_reason why)
{
	unsigned i;

	for (i = 0; i < e->n_flow_sinks; i++)
		e->flow_sinks[i]->flow(e->flow_sinks[i]->arg, f, why);
}

/* engine-flow.c */
/* A packet's flow key, worked out ahead of accounting (engine_packets). */
struct flow_prep {
	struct flow_key k;
	uint64_t hash;
	int sender_is_a;
	int ready;		/* 0: work it out when accounting */
};

void		 engine_flows_init(struct engine *);
void		 engine_flows_dns_due(struct engine *);
void		 engine_flows_done(struct engine *);
/* Fill p for an IP packet, unless it needs state (a later fragment). */
void		 engine_flow_prep(struct engine *, const struct pkt_meta *,
		    struct flow_prep *);
/* Prefetch stage 1: the packet's hash bucket; 2: its flow. */
void		 engine_flow_prefetch(const struct engine *,
		    const struct flow_prep *, const struct pkt_meta *, int stage);
/* Account an IP packet to its flow; returns 1 if the sender is local. */
int		 engine_flow_packet(struct engine *, const struct pkt_meta *,
		    struct flow_prep *);
void		 engine_flows_expire(struct engine *);
void		 engine_flows_flush(struct engine *);
void		 engine_flows_sync(struct engine *);
/* Hash behind flow_uid(). */
uint64_t	 engine_flow_uid_hash(const struct flow *);
unsigned	 engine_flow_carried(const struct flow *, unsigned *dirs);

/* engine-host.c */
void		 engine_hosts_init(struct engine *);
void		 engine_hosts_done(struct engine *);
static inline struct host *
engine_host_at(const struct engine *e, uint32_t i)
{
	return engine_table_at(&e->ht, i);
}
/* Find or create the host; 0 if the table is full of busy hosts. */
uint32_t	 engine_host_get(struct engine *, uint8_t ip_ver,
		    const uint8_t addr[16], uint16_t source, uint64_t ts);
/* Count a packet sent by host from to host to (rates kept). */
void		 engine_host_count_pkt(struct engine *, uint32_t from,
		    uint32_t to, uint32_t wire_len, uint64_t ts);
/* Credit a flow record's counts to its hosts (rates not kept): a_pkts,
 * a_bytes sent by a to b, b_pkts, b_bytes the other way; final for an
 * ended or partial record, 0 for a live flow added by engine_sync(). */
void		 engine_host_credit(struct engine *, uint32_t a, uint32_t b,
		    uint64_t a_pkts, uint64_t a_bytes, uint64_t b_pkts,
		    uint64_t b_bytes, uint64_t last_ns, int final);
/* Hosts back to their credited counts, before live flows are added. */
void		 engine_hosts_rebase(struct engine *);
/* A flow between a and b was created / ended. */
void		 engine_host_flow_new(struct engine *, uint32_t a, uint32_t b);
void		 engine_host_flow_end(struct engine *, uint32_t a, uint32_t b);

/* engine-frag.c */
void		 engine_frags_done(struct engine *);
void		 engine_frag_remember(struct engine *, const struct pkt_meta *);
void		 engine_frag_ports(const struct engine *,
		    const struct pkt_meta *, uint16_t *sp, uint16_t *dp);

/* engine-names.c */
void		 engine_names_init(struct engine *);
void		 engine_names_done(struct engine *);
void		 engine_names_expire(struct engine *);

/* engine-cid.c: Community ID of an explicit tuple (used by flows). */
void		 engine_cid(uint8_t ip_ver, uint8_t proto, const uint8_t *saddr,
		    const uint8_t *daddr, uint16_t sport, uint16_t dport,
		    int has_ports, int one_way, uint16_t seed, char out[64]);

#endif
