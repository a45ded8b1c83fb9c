/*
 * engine.c: the accounting engine's front: creation, sinks, the clock
 * (expiry and ticks), totals, and the dispatch of packets to the flow
 * table (engine-flow.c) and their sources (engine-source.c).  Below those
 * are the hosts, names and fragments tables, and at the bottom keys and
 * hashing (engine-key.c).
 *
 * Owned by the main thread, the only writer of every table; sinks run
 * inside engine calls, on that thread.  Time is packet time in ns: the
 * clock is the newest timestamp seen (packets older than it are counted
 * but never move it back), and flow expiry runs once per packet-time
 * second, before the packet that crossed into the new second (so do the
 * aging of names and the hand-over of reverse DNS results,
 * engine-names.c).
 *
 * Direction per source (as iftop): a packet sent from one of the capture
 * host's own addresses on that source counts as tx, one sent to them as
 * rx; between two other addresses, a packet whose sender is in the local
 * networks counts as tx; every other packet (including non-IP) as rx.
 *
 * Sinks: the engine publishes flow records, a tick once per packet-time
 * second, names learned, source events and (to the sinks that ask: the
 * alert detectors) each packet of a frame's innermost layer to the sinks
 * subscribed with
 * engine_sink_add(), in subscription order; it knows none of them.
 */
#include "config.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

/* Create an engine; cfg is copied (NULL: all defaults). */
struct engine *
engine_create(const struct engine_cfg *cfg)
{
	struct engine *e = xcalloc(1, sizeof *e);

	e->checked_sec = UINT64_MAX;	/* no second yet */
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
	e->timeout_ns[FLOW_CLASS_DNS] = (uint64_t)(e->cfg.dns_timeout_s ?
	    e->cfg.dns_timeout_s : 10) * NS_PER_SEC;
	e->vlan_mask = e->cfg.vlan_key ? 0xffff : 0;
	e->active_ns = (uint64_t)(e->cfg.active_timeout_s ?
	    e->cfg.active_timeout_s : 1800) * NS_PER_SEC;

	engine_nets_init(e);

	engine_sources_init(e);

	engine_key_random(e->hkey);
	engine_flows_init(e);
	engine_hosts_init(e);
	engine_names_init(e);
	return e;
}

/* Free the engine and every table (no records are emitted). */
void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	engine_flows_done(e);
	engine_hosts_done(e);
	engine_names_done(e);
	engine_sources_done(e);
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
	if (sk->flags & ENGINE_SINK_HOST_RATES) {
		if (e->started && !ENGINE_HOSTS_LIVE(e))
			return -1;
		e->cfg.keep_host_rates = 1;
	}
	s = &e->sinks[e->n_sinks++];
	*s = *sk;
	if (s->flow != NULL) {
		e->flow_sinks[e->n_flow_sinks++] = s;
		if (!(s->flags & ENGINE_SINK_UNORDERED))
			e->flush_ordered = 1;
	}
	if (s->packet != NULL) {
		if (e->n_pkt_sinks == 0 || s->packet_large < e->pkt_large)
			e->pkt_large = s->packet_large;
		e->pkt_want |= s->packet_want;
		e->pkt_sinks[e->n_pkt_sinks++] = s;
	}
	return 0;
}

/* Publish a source event to every sink; a GONE event marks the source. */
void
engine_source_event(struct engine *e, const struct engine_source_event *ev)
{
	unsigned i;

	engine_source_note(e, ev);
	for (i = 0; i < e->n_sinks; i++) {
		if (e->sinks[i].source != NULL)
			e->sinks[i].source(e->sinks[i].arg, ev);
	}
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

/* Give a packet to the packet sinks that want its kind. */
static void
engine_publish_packet(struct engine *e, const struct pkt_meta *m,
    unsigned what)
{
	const struct flow *f = NULL;
	unsigned i;

	if (m->ip_ver == 4 || m->ip_ver == 6)
		f = e->pkt_flow;
	for (i = 0; i < e->n_pkt_sinks; i++) {
		const struct engine_sink *s = e->pkt_sinks[i];
		unsigned w = what;

		/* what says large by the smallest bound of all */
		if ((w & ENGINE_PKT_LARGE) && m->wire_len <= s->packet_large)
			w &= ~ENGINE_PKT_LARGE;
		if (s->packet_want & w)
			s->packet(s->arg, m, f, e->pkt_dir, w);
	}
}

/* Move the clock to ts if it is newer; expire once per new second. */
static void
engine_clock(struct engine *e, uint64_t ts)
{
	uint64_t sec;

	/* (the first packet's second ticks, the epoch's first included) */
	if (ts <= e->now_ns && e->checked_sec != UINT64_MAX)
		return;
	e->now_ns = ts;
	/* Zeek runs the DNS session checks due by a packet's time before
	 * the packet: so do we, whatever flow the packet is for. */
	if (ts >= e->ft.dns_due)
		engine_flows_dns_due(e);
	sec = ts / NS_PER_SEC;
	if (sec != e->checked_sec) {
		e->checked_sec = sec;
		engine_flows_expire(e);
		engine_names_expire(e);
		engine_names_poll(e);
		engine_publish_tick(e);
	}
}

/* Account one packet whose flow key may already be worked out. */
static void
engine_account(struct engine *e, const struct pkt_meta *m,
    struct flow_prep *p)
{
	struct engine_totals *t = &e->totals;
	unsigned st = m->status < PKT_STATUS_COUNT ? m->status : PKT_INVALID;
	int tx = 0;

	e->started = 1;
	engine_clock(e, m->ts_ns);

	/* A tunnelled frame is a record per layer: every layer is a flow,
	 * but the totals count the frame once, at its innermost layer. */
	if (m->layer == 0)
		e->layer_valid = 0;
	if ((m->flags & (PKT_F_TUNNEL | PKT_F_TUN_SKIP)) ==
	    (PKT_F_TUNNEL | PKT_F_TUN_SKIP))
		t->tunnels_skipped++;
	if (m->flags & PKT_F_MORE) {
		if (m->ip_ver == 4 || m->ip_ver == 6)
			tx = engine_flow_packet(e, m, p);
		/* The wire decides whether the frame was sent or received
		 * on the source, not the addresses inside the tunnel. */
		if (m->layer == 0) {
			t->tunnel_frames++;
			e->frame_tx = tx;
		}
		return;
	}

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
		if (m->layer > 0)
			tx = e->frame_tx;
	} else {
		t->non_ip_pkts++;
		t->non_ip_bytes += m->wire_len;
	}

	engine_source_account(e, m, st, tx);
	if (e->n_pkt_sinks != 0) {
		/* Sort the packet out here: most are none of the kinds. */
		unsigned what = ENGINE_PKT_ALL;

		if (m->proto == 6 && (m->tcp_flags & PKT_TCP_SYN) &&
		    (m->flags & PKT_F_L4) && m->ip_ver != 0)
			what |= ENGINE_PKT_SYN;
		if ((m->ip_ver == 4 || m->ip_ver == 6) &&
		    e->pkt_flow->dir[e->pkt_dir].pkts == 1)
			what |= ENGINE_PKT_FIRST;
		if (m->wire_len > e->pkt_large)
			what |= ENGINE_PKT_LARGE;
		if (what & e->pkt_want)
			engine_publish_packet(e, m, what);
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
