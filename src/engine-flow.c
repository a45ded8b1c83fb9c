/*
 * engine-flow.c: the flow table: bidirectional flows, the TCP state
 * machine (Zeek conn_state and history), timeouts and flow records.
 *
 * Owned by the main thread.  Flows live in a bounded table
 * (engine-table.c: one array indexed by uint32, no per-flow allocation
 * unless keep_rates), with one LRU list per timeout class (TCP, UDP,
 * other, closed).
 * A flow moves to its list's tail at most once per packet-time second, so
 * a busy flow costs no list work, and expiry, once per second, walks each
 * list from the head until the first flow that has not timed out.
 *
 * The private fields of a flow are struct flow_priv (engine.h); its
 * tcp_state is the Zeek endpoint state: originator low nibble, responder
 * high.
 *
 * Hosts: when rates are kept (a sink shows them: the TUI) each packet is
 * counted against its two hosts and their per-second rates.  Otherwise
 * (export) a flow's counts go to its hosts once, when a flow record is
 * final (the flow ends, or an active-timeout partial record), into a
 * credited base; a host's visible totals are set by engine_sync() (base
 * plus the flows still in the table) and engine_flush() (base).  Packet-by-packet host updates would touch
 * two more cache lines per packet, the largest cost of accounting.
 *
 * Rules worth knowing:
 * - The originator sends the first packet, except that a TCP flow whose
 *   first packet is a SYN-ACK is flipped (history '^'): its receiver is
 *   the originator.
 * - ICMP and ICMPv6 are keyed as Zeek keys them: type and counterpart
 *   type (echo 8 / reply 0; one-way messages: type and code) in the port
 *   slots, so a request and its reply are one flow.
 * - Later IP fragments carry no ports: they count to the flow of their
 *   first fragment, found by exact match among the first fragments seen
 *   lately (engine-frag.c).  A later fragment whose first was not seen
 *   (lost, or arriving after it) counts to the flow with ports 0/0.
 * - TCP payload counts new bytes only: a segment whose data lies entirely
 *   below the highest sequence already seen in its direction is a
 *   retransmission ('T'), counted in retrans but not in bytes.
 * - Inactive timeouts compare the flow's newest packet with the clock;
 *   a packet arriving after its flow timed out starts a new flow even if
 *   expiry has not run yet.  The active timeout is checked when a packet
 *   arrives: the record so far goes out as FLOW_END_ACTIVE, its counters
 *   restart (first_ns = that packet) and state, originator and uid go on.
 * - A SYN (not a retransmission of the original SYN) on a closed flow
 *   ends it (FLOW_END_REUSED) and starts a new flow.
 * - uid: a fixed-key hash of (key, first packet time, creation number),
 *   so the same input gives the same uids on every run.
 */
#include "config.h"
#include "engine.h"

#include <stddef.h>
#include <stdlib.h>
#include <endian.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

#define FL_LIVE		0x0001
#define FL_CLASS_SHIFT	1	/* three bits */
#define FL_SEQ0		0x0010	/* << direction */
#define FL_SEEN0	0x0040	/* << direction */
#define FL_SYN		0x0100
#define FL_SYNACK	0x0200
#define FL_RTT		0x0400	/* RTT measured, or no longer measurable:
				   priv.syn_us is free (closed flows) */
#define FL_ISN		0x0800
#define FL_ATX		0x2000	/* a packet sent by key.a counts as tx */
#define FL_BTX		0x4000	/* a packet sent by key.b counts as tx */
#define FL_TUN0		0x8000	/* the originator sent a tunnel */
#define FL_IVLAN_SHIFT	16	/* 12 bits: the first packet's inner VLAN */
#define FL_TUN_SHIFT	28	/* 3 bits: enum pkt_tunnel carried */
#define FL_TUN1		0x80000000u	/* the responder sent a tunnel */

/* Zeek TCP endpoint states. */
enum {
	TCPS_INACTIVE = 0,
	TCPS_SYN_SENT,
	TCPS_SYN_ACK_SENT,
	TCPS_PARTIAL,
	TCPS_ESTABLISHED,
	TCPS_CLOSED,
	TCPS_RESET,
};

/* History letters; the responder's are in lower case. */
enum {
	H_S, H_H, H_A, H_D, H_F, H_R, H_T, H_W, H_I, H_Q,
};
static const char flow_hist_chars[] = "SHADFRTWIQ";

struct flow_rates {
	struct rate dir[2];
};

#define IS_ICMP(p)	((p) == 1 || (p) == 58)

#if defined(__GNUC__)
#define PREFETCH(p)	__builtin_prefetch(p)
#else
#define PREFETCH(p)	((void)(p))
#endif

static inline struct flow *
flow_at(const struct engine *e, uint32_t i)
{
	return (struct flow *)(void *)e->ft.tab.v + i;
}

static inline unsigned
flow_class(const struct flow *f)
{
	return (f->priv.flags >> FL_CLASS_SHIFT) & 7;
}

/* Keys are compared word by word and built without a memset. */
_Static_assert(sizeof(struct flow_key) == 16 + 16 + 2 + 2 + 2 + 1 + 1,
    "struct flow_key must have no padding");
_Static_assert(sizeof(struct flow_key) == 40, "a flow key is five words");
/* A flow is 200 bytes: 1M concurrent flows must fit in 256 MB. */
_Static_assert(sizeof(struct flow) == 200, "struct flow must not grow");

/*
 * Keyed hash of a flow key.  The last 8 bytes (ports, VLAN, version,
 * protocol) are put together from the fields instead of being loaded as
 * one word: a key has just been written field by field when a packet is
 * hashed, and a wide load over narrow stores stalls on store forwarding
 * (measured: about a tenth of the accounting time).
 */
static inline uint64_t
flow_key_hash(const struct engine *e, const struct flow_key *k)
{
	uint64_t w[5];

	w[4] = (uint64_t)k->ap | (uint64_t)k->bp << 16 |
	    (uint64_t)k->vlan << 32 | (uint64_t)k->ip_ver << 48 |
	    (uint64_t)k->proto << 56;
	if (k->ip_ver == 4) {
		uint32_t a, b;

		/* the other 12 bytes of an IPv4 address are zero (the
		 * decoder clears the record): two words say it all */
		memcpy(&a, k->a, 4);
		memcpy(&b, k->b, 4);
		return engine_hash_2w(e->hkey, (uint64_t)a | (uint64_t)b << 32,
		    w[4]);
	}
	memcpy(w, k->a, 16);
	memcpy(w + 2, k->b, 16);
	return engine_hash(e->hkey, w, sizeof w);
}

/* Whether two flow keys are equal, five word compares (no call). */
static inline int
flow_key_eq(const struct flow_key *x, const struct flow_key *y)
{
	uint64_t a[5], b[5];

	memcpy(a, x, sizeof a);
	memcpy(b, y, sizeof b);
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
	    (a[3] ^ b[3]) | (a[4] ^ b[4])) == 0;
}

/* Order two 16-byte addresses as memcmp() does: <0, 0 or >0. */
static inline int
flow_addr_cmp(const uint8_t *x, const uint8_t *y)
{
	uint64_t x0, x1, y0, y1;

	memcpy(&x0, x, 8);
	memcpy(&y0, y, 8);
	if (x0 != y0) {
		x0 = be64toh(x0);
		y0 = be64toh(y0);
		return x0 < y0 ? -1 : 1;
	}
	memcpy(&x1, x + 8, 8);
	memcpy(&y1, y + 8, 8);
	if (x1 == y1)
		return 0;
	x1 = be64toh(x1);
	y1 = be64toh(y1);
	return x1 < y1 ? -1 : 1;
}

static uint64_t
flow_entry_hash(const void *entry, const void *arg)
{
	const struct flow *f = entry;

	return flow_key_hash(arg, &f->key);
}

static void
flow_set_class(struct engine *e, uint32_t i, unsigned cls)
{
	struct flow *f = flow_at(e, i);
	unsigned old = flow_class(f);

	if (old == cls)
		return;
	engine_table_move(&e->ft.tab, i, old, cls);
	f->priv.flags = (f->priv.flags &
	    ~(7u << FL_CLASS_SHIFT)) | cls << FL_CLASS_SHIFT;
}

/* Zeek's tcp_attempt_delay: a SYN nobody answers is an attempt that
 * ends this long after it, and a later SYN starts another record. */
#define FLOW_ATTEMPT_NS	(5 * NS_PER_SEC)

/*
 * priv.syn_us by class.  TCP before its close: the originator's SYN, us
 * after first_ns (the handshake RTT, the attempt timer).  CLOSED: how
 * long before last_ns the close was complete (at most close_timeout).
 * DNS: how long after last_ns the next session check is due (under
 * twice dns_timeout).  Kept relative to last_ns, the last two stay small
 * however old the flow, and an active-timeout restart leaves them be.
 */
static inline uint64_t
flow_close_ns(const struct flow *f)
{
	return (f->last_ns / 1000 - f->priv.syn_us) * 1000;
}

static inline uint64_t
flow_dns_tick(const struct flow *f)
{
	return (f->last_ns / 1000 + f->priv.syn_us) * 1000;
}

/* Set priv.syn_us to us, clamped. */
static inline void
flow_set_us(struct flow *f, int64_t us)
{
	f->priv.syn_us = us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)us;
}

/* Move last_ns to ts, keeping a close or a check where it is. */
static inline void
flow_move_last(struct flow *f, uint64_t ts, unsigned cls)
{
	int64_t d = (int64_t)(ts / 1000) - (int64_t)(f->last_ns / 1000);

	if (cls == FLOW_CLASS_CLOSED)
		flow_set_us(f, (int64_t)f->priv.syn_us + d);
	else if (cls == FLOW_CLASS_DNS)
		flow_set_us(f, (int64_t)f->priv.syn_us - d);
	f->last_ns = ts;
}

/* When flow f of class cls ends if no packet comes (packet time); for
 * DNS sessions, the earliest it can end (see flow_dns_expired()). */
static inline uint64_t
flow_deadline(const struct engine *e, const struct flow *f, unsigned cls)
{
	uint64_t to = e->timeout_ns[cls];

	switch (cls) {
	case FLOW_CLASS_CLOSED:
		/* Zeek's tcp_close_delay runs from the packet that
		 * completed the close. */
		return flow_close_ns(f) + to;
	case FLOW_CLASS_DNS:
		return f->last_ns + to - NS_PER_SEC;
	case FLOW_CLASS_TCP:
		/* Only a SYN (or SYN-ACK) from the originator, nothing
		 * back: Zeek's attempt timer, from that SYN. */
		if ((f->tcp_state >> 4) == TCPS_INACTIVE &&
		    ((f->tcp_state & 0xf) == TCPS_SYN_SENT ||
		    (f->tcp_state & 0xf) == TCPS_SYN_ACK_SENT)) {
			if (!(f->priv.flags & FL_SYN))
				return f->first_ns + FLOW_ATTEMPT_NS;
			if (f->priv.syn_us != UINT32_MAX)
				return f->first_ns + (uint64_t)f->priv.syn_us *
				    1000 + FLOW_ATTEMPT_NS;
		}
		return f->last_ns + to;
	default:
		return f->last_ns + to;
	}
}

/*
 * Has a DNS session ended by time t?  Zeek's DNS analyzer checks every
 * dns_session_timeout, starting that long after the first packet and
 * rescheduled from the time a check ran; a check ends the session if
 * its last packet is at least the timeout less one second old.
 */
static int
flow_dns_expired(const struct engine *e, struct flow *f, uint64_t t)
{
	uint64_t to = e->timeout_ns[FLOW_CLASS_DNS];

	if (t < flow_dns_tick(f))
		return 0;
	if (t >= f->last_ns + to - NS_PER_SEC)
		return 1;
	flow_set_us(f, (int64_t)((t + to) / 1000) -
	    (int64_t)(f->last_ns / 1000));
	return 0;
}

/* Move the start of a flow's record to ts (an active-timeout restart,
 * or an older packet merged in). */
static void
flow_rebase(struct flow *f, uint64_t ts)
{
	f->first_ns = ts;
}

/* Set up the flow table. */
void
engine_flows_init(struct engine *e)
{
	engine_table_init(&e->ft.tab, sizeof(struct flow),
	    offsetof(struct flow, priv.link), e->cfg.max_flows, 1024, 1024,
	    flow_entry_hash, e);
	e->ft.dns_due = UINT64_MAX;
}

/* Free the flow table. */
void
engine_flows_done(struct engine *e)
{
	struct flow_table *t = &e->ft;
	uint32_t i;

	if (t->rates != NULL) {
		for (i = 1; i <= t->tab.used; i++)
			free(t->rates[i]);
	}
	free(t->rates);
	for (i = 1; i < t->tun_cap; i++)
		free(t->tun[i]);
	free(t->tun);
	engine_table_done(&t->tab);
	engine_frags_done(e);
}

/* ---- records -------------------------------------------------------- */

/* Credit a flow record's counts to its hosts (rates not kept; with
 * rates, hosts are counted packet by packet). */
static void
flow_credit(struct engine *e, const struct flow *f, int final)
{
	int ad = f->orig_is_a ? 0 : 1;	/* direction in which a sends */
	const struct flow_tunnel *tu;
	uint64_t p[2], w[2];
	int d;

	if (ENGINE_HOSTS_LIVE(e))
		return;
	/* Frames carried on into a tunnel count at their inner layer. */
	tu = engine_flow_tunnel(e, f);
	for (d = 0; d < 2; d++) {
		p[d] = f->dir[d].pkts - (tu != NULL ? tu->inner_pkts[d] : 0);
		w[d] = f->dir[d].wire_bytes -
		    (tu != NULL ? tu->inner_wire[d] : 0);
	}
	engine_host_credit(e, f->priv.host_a, f->priv.host_b,
	    p[ad], w[ad], p[!ad], w[!ad], f->last_ns, final);
}

/* Bring hosts up to date with the flows still in the table. */
void
engine_flows_sync(struct engine *e)
{
	struct flow_table *t = &e->ft;
	const struct flow *f;
	uint32_t i;

	if (ENGINE_HOSTS_LIVE(e))
		return;
	engine_hosts_rebase(e);
	for (i = 1; i <= t->tab.used; i++) {
		f = flow_at(e, i);
		if (f->priv.flags & FL_LIVE)
			flow_credit(e, f, 0);
	}
}

/* Give the flow to the sink and remove it from the table. */
static void
flow_end(struct engine *e, uint32_t i, enum flow_end_reason why)
{
	struct flow_table *t = &e->ft;
	struct flow *f = flow_at(e, i);

	engine_publish_flow(e, f, why);
	/* While flushing, the bucket array holds the flush order instead
	 * and the chains are not walked: no hash needed. */
	engine_table_remove(&t->tab, i, t->tab.draining ? 0 :
	    flow_key_hash(e, &f->key), flow_class(f));
	flow_credit(e, f, 1);
	engine_host_flow_end(e, f->priv.host_a, f->priv.host_b);
	engine_source_get(e, f->source)->flows_active--;
	if (t->rates != NULL) {
		free(t->rates[i]);
		t->rates[i] = NULL;
	}
	if (i < t->tun_cap && t->tun[i] != NULL) {
		free(t->tun[i]);
		t->tun[i] = NULL;
	}
	f->priv.flags = 0;
	e->totals.flows_ended++;
	if (why == FLOW_END_EVICTED)
		e->totals.flows_evicted++;
}

/* Emit the record so far and restart the counters (active timeout). */
static void
flow_partial(struct engine *e, struct flow *f, uint64_t ts)
{
	uint32_t i = (uint32_t)(f - flow_at(e, 0));

	engine_publish_flow(e, f, FLOW_END_ACTIVE);
	flow_credit(e, f, 1);
	memset(f->dir, 0, sizeof f->dir);
	if (i < e->ft.tun_cap && e->ft.tun[i] != NULL) {
		memset(e->ft.tun[i]->inner_pkts, 0,
		    sizeof e->ft.tun[i]->inner_pkts);
		memset(e->ft.tun[i]->inner_wire, 0,
		    sizeof e->ft.tun[i]->inner_wire);
	}
	f->retrans = 0;
	/* last_ns stays: accounting the packet moves it (and the flow to
	 * its list's tail). */
	flow_rebase(f, ts);
}

/* Evict the least recently active flow (oldest head of the lists). */
static void
flow_evict(struct engine *e)
{
	uint32_t best = 0;
	unsigned c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		uint32_t h = e->ft.tab.lru[c].head;

		if (h != 0 && (best == 0 ||
		    flow_at(e, h)->last_ns < flow_at(e, best)->last_ns))
			best = h;
	}
	if (best != 0)
		flow_end(e, best, FLOW_END_EVICTED);
}

/* End the flows whose inactive timeout has passed. */
void
engine_flows_expire(struct engine *e)
{
	unsigned c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		uint32_t i;

		/* Lists are in the order flows were last touched, which is
		 * nearly deadline order: a flow behind one that has not
		 * timed out waits for a later round (its record is the
		 * same: a packet checks the deadline itself). */
		if (c == FLOW_CLASS_DNS) {
			engine_flows_dns_due(e);
			continue;
		}
		while ((i = e->ft.tab.lru[c].head) != 0) {
			if (flow_deadline(e, flow_at(e, i), c) > e->now_ns)
				break;
			flow_end(e, i, c == FLOW_CLASS_CLOSED ?
			    FLOW_END_CLOSED : FLOW_END_IDLE);
		}
	}
}

/*
 * Run the DNS session checks due by now.  The DNS list is in check
 * order: a session joins it at its first check (first packet + timeout)
 * and a check that keeps it moves it to the tail with the next one
 * (now + timeout), so the due checks are at the head.
 */
void
engine_flows_dns_due(struct engine *e)
{
	struct engine_list *l = &e->ft.tab.lru[FLOW_CLASS_DNS];
	struct flow *f;
	uint32_t i;
	uint64_t tick;

	while ((i = l->head) != 0) {
		f = flow_at(e, i);
		tick = flow_dns_tick(f);
		if (tick > e->now_ns) {
			e->ft.dns_due = tick;
			return;
		}
		/* Kept: its next check is a timeout later, at the tail (the
		 * check after a clamp would not be later: end it). */
		if (flow_dns_expired(e, f, e->now_ns) ||
		    flow_dns_tick(f) <= e->now_ns)
			flow_end(e, i, FLOW_END_IDLE);
		else
			engine_table_relink(&e->ft.tab, i, FLOW_CLASS_DNS);
	}
	e->ft.dns_due = UINT64_MAX;
}

static int
flow_flush_cmp(const struct engine *e, uint32_t ia, uint32_t ib)
{
	const struct flow *a = flow_at(e, ia), *b = flow_at(e, ib);
	int c;

	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	if ((c = memcmp(&a->key, &b->key, sizeof a->key)) != 0)
		return c;
	if (a->priv.uid_seed != b->priv.uid_seed)
		return a->priv.uid_seed < b->priv.uid_seed ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* Merge sort of v[0..n) using tmp (n / 2 + 1 entries), for runs of
 * flows with the same first_ns; runs already in order cost one
 * comparison each. */
static void
flow_sort_run(const struct engine *e, uint32_t *v, uint32_t *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j, k = 0;

	if (n < 2)
		return;
	flow_sort_run(e, v, tmp, mid);
	flow_sort_run(e, v + mid, tmp, n - mid);
	if (flow_flush_cmp(e, v[mid - 1], v[mid]) <= 0)
		return;
	memcpy(tmp, v, mid * sizeof *v);
	j = mid;
	while (i < mid && j < n) {
		if (flow_flush_cmp(e, tmp[i], v[j]) <= 0)
			v[k++] = tmp[i++];
		else
			v[k++] = v[j++];
	}
	while (i < mid)
		v[k++] = tmp[i++];
}

#define FLOW_RADIX_BITS	11
#define FLOW_RADIX	(1u << FLOW_RADIX_BITS)

/*
 * Sort v[0..n) (flow indices) into flush order using tmp[n]: an LSD radix
 * sort on first_ns - its minimum, 11 bits a pass and only as many passes
 * as the span of times needs (a digit that is the same for every flow
 * costs no scatter), then the comparison on runs of equal times.  Input
 * already in order (flows are mostly allocated in arrival order) is
 * found in one pass and left alone.
 */
static void
flow_sort(const struct engine *e, uint32_t *v, uint32_t *tmp, size_t n)
{
	uint32_t cnt[FLOW_RADIX];
	uint64_t lo = UINT64_MAX, hi = 0, t;
	uint32_t *src = v, *dst = tmp, *sw;
	unsigned shift, bits = 0;
	size_t i, j, sorted = 1, sum;

	if (n < 2)
		return;
	for (i = 0; i < n; i++) {
		t = flow_at(e, v[i])->first_ns;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
		if (i > 0 && sorted && flow_flush_cmp(e, v[i - 1], v[i]) > 0)
			sorted = 0;
	}
	if (sorted)
		return;
	for (t = hi - lo; t != 0; t >>= 1)
		bits++;
	for (shift = 0; shift < bits; shift += FLOW_RADIX_BITS) {
		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++)
			cnt[((flow_at(e, src[i])->first_ns - lo) >> shift) &
			    (FLOW_RADIX - 1)]++;
		for (i = 0; i < FLOW_RADIX && cnt[i] != n; i++)
			;
		if (i < FLOW_RADIX)
			continue;	/* one digit for all: nothing moves */
		for (i = 0, sum = 0; i < FLOW_RADIX; i++) {
			size_t c = cnt[i];

			cnt[i] = (uint32_t)sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[((flow_at(e, src[i])->first_ns - lo) >> shift) &
			    (FLOW_RADIX - 1)]++] = src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	/* Equal times: key, then uid seed. */
	for (i = 0; i < n; i = j) {
		t = flow_at(e, v[i])->first_ns;
		for (j = i + 1; j < n && flow_at(e, v[j])->first_ns == t; j++)
			;
		if (j - i > 1)
			flow_sort_run(e, v + i, tmp, j - i);
	}
}

#define FLOW_FLUSH_AHEAD	16	/* flows ahead prefetched at flush */

/* Prefetch what ending flow i touches: stage 1 the flow, stage 2 its
 * hosts (their indices are in the flow fetched at stage 1). */
static void
flow_flush_prefetch(const struct engine *e, uint32_t i, int stage)
{
	const struct flow *f = flow_at(e, i);

	if (stage == 1) {
		PREFETCH(f);
		PREFETCH((const char *)f + 64);
		PREFETCH((const char *)f + 128);
		PREFETCH((const char *)f + sizeof *f - 1);
		return;
	}
	if (f->priv.host_a != 0) {
		PREFETCH(engine_host_at(e, f->priv.host_a));
		PREFETCH((const char *)engine_host_at(e,
		    f->priv.host_a) + sizeof(struct host) - 1);
	}
	if (f->priv.host_b != 0) {
		PREFETCH(engine_host_at(e, f->priv.host_b));
		PREFETCH((const char *)engine_host_at(e,
		    f->priv.host_b) + sizeof(struct host) - 1);
	}
}

/* End every flow: ordered by first packet time, key, uid when a sink
 * needs the order, else in table order. */
void
engine_flows_flush(struct engine *e)
{
	struct flow_table *t = &e->ft;
	uint32_t *idx, *tmp, i, n = 0;

	if (t->tab.count == 0)
		return;
	/* Every flow goes: the hash chains are not needed any more, and
	 * their bucket array (nbuckets >= count) holds the order, which
	 * saves 4 bytes a flow at the moment memory use peaks. */
	idx = engine_table_borrow_buckets(&t->tab);
	for (i = 1; i <= t->tab.used && n < t->tab.count; i++) {
		if (flow_at(e, i)->priv.flags & FL_LIVE)
			idx[n++] = i;
	}
	/* No sink needs the order: table order, which depends on the input
	 * only, is as deterministic and costs no sort. */
	if (e->flush_ordered) {
		tmp = xcalloc(n, sizeof *tmp);
		flow_sort(e, idx, tmp, n);
		free(tmp);
	}
	for (i = 0; i < n; i++) {
		if (i + FLOW_FLUSH_AHEAD < n)
			flow_flush_prefetch(e, idx[i + FLOW_FLUSH_AHEAD], 1);
		if (i + FLOW_FLUSH_AHEAD / 2 < n)
			flow_flush_prefetch(e, idx[i + FLOW_FLUSH_AHEAD / 2], 2);
		flow_end(e, idx[i], FLOW_END_FLUSH);
	}
	engine_table_return_buckets(&t->tab);
	if (!ENGINE_HOSTS_LIVE(e))
		engine_hosts_rebase(e);	/* every count is final now */
}

/* ---- TCP ------------------------------------------------------------ */

#define ONES8	0x0101010101010101ull
#define HAS_ZERO8(v)	(((v) - ONES8) & ~(v) & (ONES8 << 7))

/* Record a history letter once per direction (upper case: originator).
 * Word-wise, without strlen: it is on every packet.  Bytes after the
 * letters are all NUL, and c is never NUL. */
static void
flow_hist(struct flow *f, int d, unsigned letter)
{
	char c = flow_hist_chars[letter];
	uint64_t w0, w1, z0, z1, pat;
	size_t n;

	if (d)
		c = (char)(c - 'A' + 'a');
	pat = ONES8 * (uint8_t)c;
	memcpy(&w0, f->history, 8);
	memcpy(&w1, f->history + 8, 8);
	if ((HAS_ZERO8(w0 ^ pat) | HAS_ZERO8(w1 ^ pat)) != 0)
		return;		/* already there */
	/* The lowest flagged byte of HAS_ZERO8 is the first NUL. */
	if ((z0 = HAS_ZERO8(w0)) != 0)
		n = (size_t)__builtin_ctzll(z0) / 8;
	else if ((z1 = HAS_ZERO8(w1)) != 0)
		n = 8 + (size_t)__builtin_ctzll(z1) / 8;
	else
		n = sizeof f->history;
	if (n + 1 < sizeof f->history) {
		f->history[n] = c;
		f->history[n + 1] = '\0';
	}
}

static unsigned
tcp_get(const struct flow *f, int d)
{
	return d ? f->tcp_state >> 4 : f->tcp_state & 0xf;
}

static void
tcp_set(struct flow *f, int d, unsigned s)
{
	if (d)
		f->tcp_state = (uint8_t)((f->tcp_state & 0x0f) | s << 4);
	else
		f->tcp_state = (uint8_t)((f->tcp_state & 0xf0) | s);
}

/* Is the close complete, as Zeek's ConnectionClosed() says: a RST, FIN
 * both ways, or a FIN while the peer has sent nothing? */
static int
tcp_closed(const struct flow *f)
{
	unsigned o = tcp_get(f, 0), r = tcp_get(f, 1);

	return o == TCPS_RESET || r == TCPS_RESET ||
	    (o == TCPS_CLOSED && (r == TCPS_CLOSED || r == TCPS_INACTIVE)) ||
	    (r == TCPS_CLOSED && o == TCPS_INACTIVE);
}

/* Run one segment through the flow's TCP state; returns the new payload
 * bytes it carries. */
static uint32_t
flow_tcp(struct flow *f, const struct pkt_meta *m, int d)
{
	uint8_t fl = m->tcp_flags;
	uint32_t len = m->l4_len, payload = len;
	uint32_t *flags = &f->priv.flags;
	int bits = !!(fl & PKT_TCP_SYN) + !!(fl & PKT_TCP_FIN) +
	    !!(fl & PKT_TCP_RST);
	unsigned es = tcp_get(f, d), ps = tcp_get(f, !d);

	/* The originator's first sequence number (Zeek's StartSeq), which
	 * tells a new connection's SYN from a retransmitted one. */
	if (d == 0 && !(*flags & FL_ISN)) {
		f->priv.isn = m->tcp_seq;
		*flags |= FL_ISN;
	}
	/* History, as Zeek's update_history(). */
	if (bits > 1)
		flow_hist(f, d, (fl & PKT_TCP_FIN) && (fl & PKT_TCP_RST) ?
		    H_I : H_Q);
	else if (fl & PKT_TCP_SYN)
		flow_hist(f, d, (fl & PKT_TCP_ACK) ? H_H : H_S);
	else if (fl & PKT_TCP_FIN)
		flow_hist(f, d, H_F);
	else if (fl & PKT_TCP_RST)
		flow_hist(f, d, H_R);
	else if (len > 0)
		flow_hist(f, d, H_D);
	else if (fl & PKT_TCP_ACK)
		flow_hist(f, d, H_A);

	/* Sequence space: retransmissions and new payload. */
	if (!(fl & PKT_TCP_RST)) {
		uint32_t syn = (fl & PKT_TCP_SYN) ? 1 : 0;
		uint32_t dstart = m->tcp_seq + syn, dend = dstart + len;
		uint32_t end = dend + ((fl & PKT_TCP_FIN) ? 1 : 0);
		uint32_t *mx = &f->priv.seq_max[d];

		if (!(*flags & (FL_SEQ0 << d))) {
			*mx = end;
			*flags |= FL_SEQ0 << d;
		} else {
			if (len > 0) {
				if ((int32_t)(dend - *mx) <= 0) {
					payload = 0;
					f->retrans++;
					flow_hist(f, d, H_T);
				} else if ((int32_t)(dstart - *mx) < 0)
					payload = dend - *mx;
			}
			if ((int32_t)(end - *mx) > 0)
				*mx = end;
		}
	}

	if (m->tcp_win == 0 && !(fl & (PKT_TCP_RST | PKT_TCP_SYN)))
		flow_hist(f, d, H_W);

	/* Handshake RTT: originator's SYN -> responder's SYN-ACK -> ACK. */
	if ((fl & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST)) == PKT_TCP_SYN &&
	    d == 0 && !(*flags & FL_SYN)) {
		uint64_t off = m->ts_ns >= f->first_ns ?
		    (m->ts_ns - f->first_ns) / 1000 : 0;

		*flags |= FL_SYN;
		/* Kept as an offset: 4 bytes, not 8, in every flow. */
		f->priv.syn_us = off > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)off;
	} else if ((fl & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST)) ==
	    (PKT_TCP_SYN | PKT_TCP_ACK) && d == 1 && (*flags & FL_SYN))
		*flags |= FL_SYNACK;
	else if ((fl & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST)) ==
	    PKT_TCP_ACK && d == 0 && (*flags & FL_SYNACK) &&
	    !(*flags & FL_RTT) && m->ts_ns >= f->first_ns +
	    (uint64_t)f->priv.syn_us * 1000) {
		uint64_t us = (m->ts_ns - f->first_ns) / 1000 -
		    f->priv.syn_us;

		f->rtt_us = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
		if (f->rtt_us == 0)
			f->rtt_us = 1;	/* 0 means "none" */
		*flags |= FL_RTT;
	}

	/* Endpoint states, as Zeek's TCPSessionAdapter::UpdateStateMachine
	 * moves them (without its sequence checks). */
	switch (es) {
	case TCPS_INACTIVE:
		if (fl & PKT_TCP_SYN) {
			if (d == 0)
				es = (fl & PKT_TCP_ACK) ? TCPS_SYN_ACK_SENT :
				    TCPS_SYN_SENT;
			else {
				/* The responder answers: both established. */
				if (ps == TCPS_SYN_SENT)
					ps = TCPS_ESTABLISHED;
				es = TCPS_ESTABLISHED;
			}
		}
		if (fl & PKT_TCP_FIN)
			es = TCPS_CLOSED;
		if (fl & PKT_TCP_RST)
			es = TCPS_RESET;
		/* No flags: stay inactive on a bare ACK of the SYN sent
		 * before the SYN-ACK; establish if only the originator's
		 * SYN was missed; else a partial (mid-stream) endpoint. */
		if (es == TCPS_INACTIVE) {
			if (d == 1 && len == 0 && ps == TCPS_SYN_SENT)
				;
			else if ((fl & PKT_TCP_ACK) &&
			    ps == TCPS_ESTABLISHED)
				es = TCPS_ESTABLISHED;
			else
				es = TCPS_PARTIAL;
		}
		break;
	case TCPS_SYN_SENT:
	case TCPS_SYN_ACK_SENT:
		if (fl & PKT_TCP_FIN)
			es = TCPS_CLOSED;
		if (fl & PKT_TCP_RST)
			es = TCPS_RESET;
		break;
	case TCPS_ESTABLISHED:
	case TCPS_PARTIAL:
		if ((fl & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN &&
		    es == TCPS_PARTIAL && ps == TCPS_INACTIVE)
			es = TCPS_SYN_SENT;
		if ((fl & (PKT_TCP_FIN | PKT_TCP_RST)) == PKT_TCP_FIN)
			es = TCPS_CLOSED;
		if (fl & PKT_TCP_RST)
			es = TCPS_RESET;
		break;
	case TCPS_CLOSED:
		if ((fl & PKT_TCP_RST) && ps != TCPS_CLOSED)
			es = TCPS_RESET;
		break;
	default:
		break;
	}
	tcp_set(f, d, es);
	tcp_set(f, !d, ps);
	return payload;
}

/* ---- packets -------------------------------------------------------- */

/* Fixed hash key of uids: the same input gives the same uids. */
static const uint64_t flow_uid_key[4] = {
	0x243f6a8885a308d3ull, 0x13198a2e03707344ull,
	0xa4093822299f31d0ull, 0x082efa98ec4e6c89ull,
};

/* A flow's uid seed: its first packet time (ns) and creation number,
 * mixed (splitmix64's finaliser; one multiply-xor round per creation,
 * which is on the packet path). */
static inline uint64_t
flow_uid_seed(uint64_t ts_ns, uint64_t seq)
{
	uint64_t x = ts_ns ^ (seq * 0x9e3779b97f4a7c15ull) ^ flow_uid_key[0];

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The hash a flow's uid is made from: its key and its uid seed (first
 * packet time and creation number), under a fixed key, so the same input
 * gives the same uids and another capture or run other ones. */
uint64_t
engine_flow_uid_hash(const struct flow *f)
{
	uint64_t w[6];

	memcpy(w, &f->key, sizeof f->key);
	w[5] = f->priv.uid_seed;
	return engine_hash(flow_uid_key, w, sizeof w);
}

/* Whether a packet sent by a or by b counts as tx (sent) or rx on the
 * source: an own address of the source sends tx and receives rx; between
 * two other addresses, a sender in the local networks sends tx. */
static uint32_t
flow_tx_bits(const struct engine *e, const struct flow_key *k,
    unsigned source, uint32_t ha, uint32_t hb)
{
	int a_own = 0, b_own = 0, a_loc, b_loc;
	uint32_t bits = 0;

	if (source < e->n_sources && e->own[source].n > 0) {
		a_own = engine_is_own(e, source, k->ip_ver, k->a);
		b_own = engine_is_own(e, source, k->ip_ver, k->b);
	}
	a_loc = ha != 0 ? engine_host_at(e, ha)->local :
	    engine_is_local(e, k->ip_ver, k->a);
	b_loc = hb != 0 ? engine_host_at(e, hb)->local :
	    engine_is_local(e, k->ip_ver, k->b);
	if (a_own || (!b_own && a_loc))
		bits |= FL_ATX;
	if (b_own || (!a_own && b_loc))
		bits |= FL_BTX;
	return bits;
}

/*
 * Zeek's likely_server_ports as its default scripts make it: the server
 * ports every protocol and packet analyzer registers (scripts/base,
 * Analyzer::register_for_ports and PacketAnalyzer::register_for_ports;
 * DHCP's client port 68 and QUIC's ports are not server ports there).
 * Sorted: a binary search runs at flow creation only.
 */
static const uint16_t flow_lsp_tcp[] = {
	21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143, 389, 443, 445, 465,
	502, 514, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995,
	1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269,
	5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};
static const uint16_t flow_lsp_udp[] = {
	53, 67, 88, 123, 137, 161, 162, 389, 443, 514, 1812, 2123, 2152,
	3389, 3544, 4011, 4754, 4789, 5060, 5072, 5353, 5355, 6081, 20000,
};

static int
flow_lsp_find(const uint16_t *v, size_t n, uint16_t port)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] == port)
			return 1;
		if (v[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Is port a likely server port of protocol proto (6 or 17)? */
static int
flow_likely_server(uint8_t proto, uint16_t port)
{
	if (proto == 6)
		return flow_lsp_find(flow_lsp_tcp, sizeof flow_lsp_tcp /
		    sizeof flow_lsp_tcp[0], port);
	return flow_lsp_find(flow_lsp_udp, sizeof flow_lsp_udp /
	    sizeof flow_lsp_udp[0], port);
}

/* UDP ports Zeek's DNS analyzer takes: their sessions end after
 * dns_session_timeout. */
static inline int
flow_dns_port(uint16_t port)
{
	return port == 53 || port == 137 || port == 5353 || port == 5355;
}

/* Zeek's ICMP4_counterpart / ICMP6_counterpart: the type that answers
 * type, or code for messages without an answer. */
static inline uint16_t
flow_icmp_counterpart(uint8_t proto, uint16_t type, uint16_t code)
{
	static const uint8_t v4[19] = {
		[0] = 8 + 1, [8] = 0 + 1, [13] = 14 + 1, [14] = 13 + 1,
		[15] = 16 + 1, [16] = 15 + 1, [9] = 10 + 1, [10] = 9 + 1,
		[17] = 18 + 1, [18] = 17 + 1,
	};

	if (proto == 1)
		return type < sizeof v4 && v4[type] != 0 ?
		    (uint16_t)(v4[type] - 1) : code;
	switch (type) {
	case 128: return 129;	/* echo */
	case 129: return 128;
	case 133: return 134;	/* router solicitation / advertisement */
	case 134: return 133;
	case 135: return 136;	/* neighbour solicitation / advertisement */
	case 136: return 135;
	case 130: return 131;	/* MLD query / report */
	case 131: return 130;
	case 139: return 140;	/* node information */
	case 140: return 139;
	case 144: return 145;	/* home agent address discovery */
	case 145: return 144;
	default: return code;
	}
}

/* Zeek's IPAddr::IsBroadcast(): 255.255.255.255 only. */
static int
flow_broadcast(const struct pkt_meta *m)
{
	static const uint8_t all[4] = { 0xff, 0xff, 0xff, 0xff };

	return m->ip_ver == 4 && memcmp(m->dst, all, 4) == 0;
}

/*
 * Does a new flow's first packet come from its responder?  As Zeek
 * decides (UDP.cc, TCP.cc WantConnection; IPBasedAnalyzer::NewConn):
 * UDP when the source port is a likely server port and the destination
 * port is not; TCP the same for a first packet without a SYN or with a
 * SYN-ACK, and when both ports are likely server ports, only a packet
 * without SYN from the lower port; never towards 255.255.255.255.
 */
static int
flow_flip_first(const struct pkt_meta *m)
{
	uint8_t fl = m->tcp_flags;
	int flip;

	if (!(m->flags & PKT_F_L4) || (m->proto != 6 && m->proto != 17))
		return 0;
	if (!flow_likely_server(m->proto, m->sport))
		return 0;
	if (m->proto == 17)
		flip = !flow_likely_server(17, m->dport);
	else if ((fl & PKT_TCP_SYN) && !(fl & PKT_TCP_ACK))
		flip = 0;
	else if (flow_likely_server(6, m->dport))
		flip = !(fl & PKT_TCP_SYN) && m->sport < m->dport;
	else
		flip = 1;
	return flip && !flow_broadcast(m);
}

/* Create a flow for key k (the table has room or makes it). */
static uint32_t
flow_new(struct engine *e, const struct flow_key *k, uint64_t hash,
    const struct pkt_meta *m, int sender_is_a)
{
	struct flow_table *t = &e->ft;
	struct flow *f;
	uint32_t i, b, ha, hb;
	int flip;

	while (t->tab.count >= t->tab.max)
		flow_evict(e);
	i = engine_table_new(&t->tab);
	if (e->cfg.keep_rates && t->tab.cap > t->rates_cap) {
		t->rates = xreallocarray(t->rates, t->tab.cap,
		    sizeof *t->rates);
		memset(&t->rates[t->rates_cap], 0, (t->tab.cap -
		    t->rates_cap) * sizeof *t->rates);
		t->rates_cap = t->tab.cap;
	}
	/* Hosts first: they never move the flow array. */
	ha = engine_host_get(e, k->ip_ver, k->a, m->source, m->ts_ns);
	hb = engine_host_get(e, k->ip_ver, k->b, m->source, m->ts_ns);

	f = flow_at(e, i);
	memset(f, 0, sizeof *f);
	f->key = *k;
	f->first_ns = f->last_ns = m->ts_ns;
	f->source = m->source;
	f->orig_is_a = (uint8_t)sender_is_a;
	f->priv.host_a = ha;
	f->priv.host_b = hb;
	f->priv.uid_seed = flow_uid_seed(m->ts_ns, ++t->seq);
	flip = flow_flip_first(m);
	if (k->proto == 6)
		b = FLOW_CLASS_TCP;
	else if (k->proto == 17)
		/* Zeek's DNS analyzer goes by the responder's port. */
		b = (m->flags & PKT_F_L4) && flow_dns_port(flip ? m->sport :
		    m->dport) ? FLOW_CLASS_DNS : FLOW_CLASS_UDP;
	else
		b = FLOW_CLASS_OTHER;
	if (b == FLOW_CLASS_DNS) {
		f->priv.syn_us = (uint32_t)(e->timeout_ns[b] / 1000);	/* after
							   last_ns = first_ns */
		if (m->ts_ns + e->timeout_ns[b] < t->dns_due)
			t->dns_due = m->ts_ns + e->timeout_ns[b];
	}
	f->priv.flags = FL_LIVE | b << FL_CLASS_SHIFT |
	    (uint32_t)(m->inner_vlan & 0xfff) << FL_IVLAN_SHIFT;
	f->priv.flags |= flow_tx_bits(e, k, m->source, ha, hb);
	if (flip) {
		/* Zeek's guess: the first packet came from the server. */
		f->orig_is_a = (uint8_t)!sender_is_a;
		f->history[0] = '^';
	}

	engine_table_insert(&t->tab, i, hash, b);
	e->totals.flows_created++;
	engine_source_get(e, m->source)->flows_active++;
	engine_host_flow_new(e, ha, hb);
	return i;
}

static void
flow_prep_key(struct engine *e, const struct pkt_meta *m,
    struct flow_prep *p)
{
	struct flow_key *k = &p->k;
	uint16_t sp = 0, dp = 0;
	int cmp;

	if (m->flags & PKT_F_L4) {
		sp = m->sport;
		dp = m->dport;
	} else if (m->flags & PKT_F_FRAG_LATER)
		engine_frag_ports(e, m, &sp, &dp);
	/* ICMP as Zeek keys it: type, and the counterpart type (a request
	 * and its reply are one flow) or, for a one-way message, code. */
	if (IS_ICMP(m->proto))
		dp = flow_icmp_counterpart(m->proto, sp, dp);

	/* Every byte is set below (the key has no padding): no memset,
	 * which would only add overlapping stores before the hash. */
	cmp = flow_addr_cmp(m->src, m->dst);
	p->sender_is_a = cmp < 0 || (cmp == 0 && sp <= dp);
	if (p->sender_is_a) {
		memcpy(k->a, m->src, 16);
		memcpy(k->b, m->dst, 16);
		k->ap = sp;
		k->bp = dp;
	} else {
		memcpy(k->a, m->dst, 16);
		memcpy(k->b, m->src, 16);
		k->ap = dp;
		k->bp = sp;
	}
	k->vlan = m->vlan & e->vlan_mask;
	k->ip_ver = m->ip_ver;
	k->proto = m->proto;
	p->hash = flow_key_hash(e, k);
	p->ready = 1;
}

/* Work out a packet's flow key and hash ahead of accounting. */
void
engine_flow_prep(struct engine *e, const struct pkt_meta *m,
    struct flow_prep *p)
{
	p->ready = 0;
	if ((m->ip_ver == 4 || m->ip_ver == 6) &&
	    !(m->flags & PKT_F_FRAG_LATER))
		flow_prep_key(e, m, p);
}

/* Prefetch what accounting the packet will touch: stage 1 its hash
 * bucket, stage 2 the flow. */
void
engine_flow_prefetch(const struct engine *e, const struct flow_prep *p,
    const struct pkt_meta *m, int stage)
{
	const struct flow *f;
	uint32_t i;

	(void)m;
	if (!p->ready || stage > 2)
		return;
	if (stage == 1) {
		PREFETCH(&e->ft.tab.buckets[p->hash &
		    (e->ft.tab.nbuckets - 1)]);
		return;
	}
	if ((i = engine_table_chain(&e->ft.tab, p->hash)) == 0 ||
	    i > e->ft.tab.used)
		return;
	f = flow_at(e, i);
	if (stage == 2) {
		const char *c = (const char *)f;

		PREFETCH(c);
		PREFETCH(c + 64);
		PREFETCH(c + 128);
		PREFETCH(c + sizeof *f - 1);
	}
}

/* The close is complete (Zeek's TCPSessionAdapter::ConnectionClosed):
 * the flow ends close_timeout after this packet. */
static void
flow_closing(struct engine *e, uint32_t i, uint64_t ts)
{
	struct flow *f = flow_at(e, i);

	f->priv.flags |= FL_RTT;	/* syn_us is the close time now */
	flow_set_us(f, (int64_t)(f->last_ns / 1000) - (int64_t)(ts / 1000));
	if (flow_class(f) == FLOW_CLASS_CLOSED)
		engine_table_relink(&e->ft.tab, i, FLOW_CLASS_CLOSED);
	else
		flow_set_class(e, i, FLOW_CLASS_CLOSED);
}

/* Has a TCP endpoint sent its FIN or RST (Zeek's did_close)? */
static inline int
tcp_did_close(unsigned s)
{
	return s == TCPS_CLOSED || s == TCPS_RESET;
}

/* Swap originator and responder (Zeek's Connection::FlipRoles). */
static void
flow_flip(struct flow *f)
{
	struct flow_dir dd = f->dir[0];
	uint32_t fl = f->priv.flags, sw, m;
	uint16_t v = f->vlan[0];

	f->dir[0] = f->dir[1];
	f->dir[1] = dd;
	f->vlan[0] = f->vlan[1];
	f->vlan[1] = v;
	f->orig_is_a = (uint8_t)!f->orig_is_a;
	f->tcp_state = (uint8_t)(f->tcp_state >> 4 | f->tcp_state << 4);
	sw = f->priv.seq_max[0];
	f->priv.seq_max[0] = f->priv.seq_max[1];
	f->priv.seq_max[1] = sw;
	m = FL_SEQ0 | FL_SEEN0;
	sw = (fl & m) << 1 | (fl & (m << 1)) >> 1;
	fl = (fl & ~(m | m << 1)) | sw;
	sw = (fl & FL_TUN0 ? FL_TUN1 : 0) | (fl & FL_TUN1 ? FL_TUN0 : 0);
	f->priv.flags = (fl & ~(FL_TUN0 | FL_TUN1)) | sw;
	/* The handshake is not the originator's: no RTT from it. */
	f->priv.flags &= ~(uint32_t)(FL_SYN | FL_SYNACK | FL_ISN);
}

/* Note that a flow carried a tunnel (the record has PKT_F_TUNNEL). */
static void
flow_carries(struct flow *f, const struct pkt_meta *m, int d)
{
	f->priv.flags = (f->priv.flags & ~(7u << FL_TUN_SHIFT)) |
	    (uint32_t)(m->tunnel & 7) << FL_TUN_SHIFT |
	    (d ? FL_TUN1 : FL_TUN0);
}

/* The tunnel facts of flow i, made on first use. */
static struct flow_tunnel *
flow_tun_get(struct engine *e, uint32_t i)
{
	struct flow_table *t = &e->ft;

	if (t->tab.cap > t->tun_cap) {
		t->tun = xreallocarray(t->tun, t->tab.cap, sizeof *t->tun);
		memset(&t->tun[t->tun_cap], 0, (t->tab.cap - t->tun_cap) *
		    sizeof *t->tun);
		t->tun_cap = t->tab.cap;
	}
	if (t->tun[i] == NULL)
		t->tun[i] = xcalloc(1, sizeof *t->tun[i]);
	return t->tun[i];
}

/*
 * A record of a tunnelled frame: an inner flow (layer > 0) lists the
 * flow of the layer around it among its parents; a flow whose record has
 * a layer inside (PKT_F_MORE) is remembered as the next layer's parent.
 */
static void
flow_layer(struct engine *e, uint32_t i, const struct pkt_meta *m)
{
	unsigned l = m->layer;
	struct flow_tunnel *tu;
	uint64_t up;
	unsigned k;

	if (l > PKT_MAX_TUNNELS)
		return;
	if (l > 0 && (e->layer_valid & (1u << (l - 1)))) {
		tu = flow_tun_get(e, i);
		tu->kind = e->layer_kind[l - 1];
		up = e->layer_uid[l - 1];
		for (k = 0; k < tu->nparents && tu->parent[k] != up; k++)
			;
		if (k == tu->nparents) {
			if (k < FLOW_MAX_PARENTS)
				tu->parent[tu->nparents++] = up;
			else
				e->totals.tunnel_parents_dropped++;
		}
	}
	if (m->flags & PKT_F_MORE) {
		e->layer_uid[l] = engine_flow_uid_hash(flow_at(e, i));
		e->layer_kind[l] = m->tunnel;
		e->layer_valid |= 1u << l;
	}
}

/*
 * Does a SYN start a new connection on these endpoints?  Zeek's
 * TCPSessionAdapter::IsReuse(): once either side has sent FIN or RST,
 * any SYN; before, a SYN whose sequence number is not the originator's
 * first; a SYN-ACK only where the originator has sent nothing (and then
 * only after a close: the responder's first number is not kept).
 */
static int
flow_reused(const struct flow *f, const struct pkt_meta *m)
{
	unsigned o, r;
	int closed;

	if (!(m->tcp_flags & PKT_TCP_SYN))
		return 0;
	o = tcp_get(f, 0);
	r = tcp_get(f, 1);
	closed = tcp_did_close(o) || tcp_did_close(r);
	if (m->tcp_flags & PKT_TCP_ACK)
		return o == TCPS_INACTIVE && closed;
	if (closed)
		return 1;
	return (f->priv.flags & FL_ISN) && m->tcp_seq != f->priv.isn;
}

void
engine_flow_local(const struct engine *e, const struct flow *f, int out[2])
{
	uint32_t h[2] = { f->priv.host_a, f->priv.host_b };
	const uint8_t *addr[2] = { f->key.a, f->key.b };
	int i, side;

	for (i = 0; i < 2; i++) {
		/* out[0] is the originator: key.a when orig_is_a */
		side = f->orig_is_a ? i : !i;
		out[i] = h[side] != 0 ? engine_host_at(e, h[side])->local :
		    engine_is_local(e, f->key.ip_ver, addr[side]);
	}
}

/* Account an IP packet to its flow and its hosts. */
int
engine_flow_packet(struct engine *e, const struct pkt_meta *m,
    struct flow_prep *p)
{
	const struct flow_key *kp;
	struct flow *f = NULL;
	uint32_t i, payload;
	uint64_t ts = m->ts_ns;
	int sender_is_a, d, is_tcp, frozen = 0, closing = 0;

	is_tcp = m->proto == 6 && (m->flags & PKT_F_L4);
	if ((m->flags & (PKT_F_L4 | PKT_F_FRAG | PKT_F_FRAG_LATER)) ==
	    (PKT_F_L4 | PKT_F_FRAG))
		engine_frag_remember(e, m);
	if (!p->ready)
		flow_prep_key(e, m, p);
	kp = &p->k;
	sender_is_a = p->sender_is_a;

	for (i = engine_table_chain(&e->ft.tab, p->hash); i != 0;
	    i = flow_at(e, i)->priv.link.hnext) {
		if (flow_key_eq(&flow_at(e, i)->key, kp))
			break;
	}
	if (i != 0) {
		unsigned cls;

		f = flow_at(e, i);
		cls = flow_class(f);
		if (cls == FLOW_CLASS_DNS ? flow_dns_expired(e, f, ts) :
		    ts >= flow_deadline(e, f, cls)) {
			flow_end(e, i, cls == FLOW_CLASS_CLOSED ?
			    FLOW_END_CLOSED : FLOW_END_IDLE);
			i = 0;
		} else if (is_tcp && flow_reused(f, m)) {
			flow_end(e, i, FLOW_END_REUSED);
			i = 0;
		} else if (ts >= f->first_ns + e->active_ns)
			flow_partial(e, f, ts);
	}
	if (i == 0)
		i = flow_new(e, kp, p->hash, m, sender_is_a);
	f = flow_at(e, i);
	/* A flow that began with a SYN-ACK (history "H") is flipped once
	 * an ACK or data follows, as Zeek's TCP_Endpoint::CheckHistory. */
	if (is_tcp && f->history[0] == 'H' && f->history[1] == '\0' &&
	    !(m->tcp_flags & (PKT_TCP_SYN | PKT_TCP_FIN | PKT_TCP_RST)) &&
	    (m->l4_len > 0 || (m->tcp_flags & PKT_TCP_ACK))) {
		flow_flip(f);
		memcpy(f->history, "^h", 3);
	}
	d = sender_is_a == f->orig_is_a ? 0 : 1;

	if (!(f->priv.flags & (FL_SEEN0 << d)))
		f->vlan[d] = m->vlan;
	f->dir[d].pkts++;
	f->dir[d].ip_bytes += m->ip_len;
	f->dir[d].wire_bytes += m->wire_len;
	f->priv.flags |= FL_SEEN0 << d;
	if (m->flags & PKT_F_TUNNEL)
		flow_carries(f, m, d);
	if (is_tcp) {
		/* Once both sides have closed, Zeek stops the clock: a last
		 * ACK is counted but does not lengthen the connection. */
		unsigned was = tcp_get(f, d);

		/* (both closed: the close is complete, the flow CLOSED) */
		frozen = flow_class(f) == FLOW_CLASS_CLOSED &&
		    tcp_did_close(tcp_get(f, 0)) &&
		    tcp_did_close(tcp_get(f, 1));
		payload = flow_tcp(f, m, d);
		/* Zeek looks at the close when a side first closes: complete
		 * now, the flow ends close_timeout after this packet (again,
		 * if the other side had completed it before). */
		closing = (m->tcp_flags & (PKT_TCP_FIN | PKT_TCP_RST)) &&
		    !tcp_did_close(was) && tcp_did_close(tcp_get(f, d)) &&
		    tcp_closed(f);
	} else {
		payload = m->l4_len;
		/* Zeek's UDP analyzer marks every datagram: D / d. */
		if (m->proto == 17)
			flow_hist(f, d, H_D);
	}
	f->dir[d].bytes += payload;

	if (frozen)
		;
	else if (ts > f->last_ns) {
		/* Lists in last-activity order; closed flows are in close
		 * order, DNS sessions in check order. */
		unsigned cls = flow_class(f);

		if (cls < FLOW_CLASS_CLOSED) {
			if (ts / NS_PER_SEC != f->last_ns / NS_PER_SEC)
				engine_table_touch(&e->ft.tab, i, cls);
			f->last_ns = ts;
		} else
			flow_move_last(f, ts, cls);
	} else if (ts < f->first_ns)
		flow_rebase(f, ts);
	if (closing)
		flow_closing(e, i, ts);

	if (m->layer > 0 || (m->flags & PKT_F_MORE))
		flow_layer(e, i, m);

	if (e->cfg.keep_rates) {
		struct flow_rates **r = &e->ft.rates[i];

		if (*r == NULL)
			*r = xcalloc(1, sizeof **r);
		rate_add(&(*r)->dir[d], ts / NS_PER_SEC, m->wire_len);
	}

	e->pkt_flow = f;
	e->pkt_dir = d;
	/* Hosts count a frame once, at its innermost layer. */
	if (m->flags & PKT_F_MORE) {
		struct flow_tunnel *tu = flow_tun_get(e, i);

		f = flow_at(e, i);
		tu->inner_pkts[d]++;
		tu->inner_wire[d] += m->wire_len;
		e->pkt_flow = f;
	} else if (ENGINE_HOSTS_LIVE(e))
		engine_host_count_pkt(e,
		    sender_is_a ? f->priv.host_a : f->priv.host_b,
		    sender_is_a ? f->priv.host_b : f->priv.host_a,
		    m->wire_len, ts);
	return (f->priv.flags & (sender_is_a ? FL_ATX : FL_BTX)) != 0;
}

/* ---- public --------------------------------------------------------- */

/* VLANs of a flow, as engine.h says. */
void
flow_vlans(const struct flow *f, uint16_t *vlan, uint16_t *inner,
    uint16_t *other)
{
	uint32_t fl = f->priv.flags;
	/* The first packet came from the responder if the flow was turned
	 * round ('^'): Zeek's vlan and inner_vlan are that packet's. */
	int first = f->history[0] == '^' && (fl & (FL_SEEN0 << 1)) ? 1 : 0;

	*vlan = f->vlan[first];
	*inner = (uint16_t)((fl >> FL_IVLAN_SHIFT) & 0xfff);
	*other = (fl & (FL_SEEN0 << !first)) &&
	    f->vlan[!first] != f->vlan[first] ? f->vlan[!first] : 0;
}

/* Return the tunnel facts of a flow, or NULL. */
const struct flow_tunnel *
engine_flow_tunnel(const struct engine *e, const struct flow *f)
{
	const struct flow_table *t;
	const struct flow *v;
	size_t i;

	if (e == NULL)
		return NULL;
	t = &e->ft;
	v = flow_at(e, 0);
	if (t->tun == NULL || f < v + 1 || f > v + t->tab.used)
		return NULL;
	i = (size_t)(f - v);
	return i < t->tun_cap ? t->tun[i] : NULL;
}

/* The tunnel a flow carried (enum pkt_tunnel), and in which directions:
 * bit 0 the originator, bit 1 the responder. */
unsigned
engine_flow_carried(const struct flow *f, unsigned *dirs)
{
	uint32_t fl = f->priv.flags;

	*dirs = ((fl & FL_TUN0) ? 1u : 0) | ((fl & FL_TUN1) ? 2u : 0);
	return (fl >> FL_TUN_SHIFT) & 7;
}

/* Fill in the originator and responder of a flow. */
void
flow_endpoints(const struct flow *f, struct flow_ep *orig,
    struct flow_ep *resp)
{
	const uint8_t *oa = f->orig_is_a ? f->key.a : f->key.b;
	const uint8_t *ra = f->orig_is_a ? f->key.b : f->key.a;

	memcpy(orig->addr, oa, 16);
	memcpy(resp->addr, ra, 16);
	orig->port = f->orig_is_a ? f->key.ap : f->key.bp;
	resp->port = f->orig_is_a ? f->key.bp : f->key.ap;
}

/* Zeek's RSTOS0 history pattern, ^?S[^HAFGIQ]*R: a SYN, then a RST
 * before any sign of an answer or a close. */
static int
flow_hist_s0r(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return 0;
	for (; *h != '\0'; h++) {
		if (*h == 'R')
			return 1;
		if (strchr("HAFGIQ", *h) != NULL)
			return 0;
	}
	return 0;
}

/* Return the Zeek conn_state code of a flow. */
const char *
flow_conn_state(const struct flow *f)
{
	unsigned os = tcp_get(f, 0), rs = tcp_get(f, 1);
	int o_inactive = os == TCPS_INACTIVE || os == TCPS_PARTIAL;
	int r_inactive = rs == TCPS_INACTIVE || rs == TCPS_PARTIAL;
	uint32_t fl = f->priv.flags;

	if (f->key.proto == 17) {
		if (fl & FL_SEEN0)
			return (fl & (FL_SEEN0 << 1)) ? "SF" : "S0";
		return (fl & (FL_SEEN0 << 1)) ? "SHR" : "OTH";
	}
	if (f->key.proto != 6)
		return "OTH";
	if (rs == TCPS_RESET) {
		if (os == TCPS_SYN_SENT || os == TCPS_SYN_ACK_SENT ||
		    (os == TCPS_RESET && f->dir[0].bytes == 0 &&
		    f->dir[1].bytes == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == TCPS_RESET) {
		if (!r_inactive)
			return "RSTO";
		return flow_hist_s0r(f->history) ? "RSTOS0" : "OTH";
	}
	if (os == TCPS_CLOSED && rs == TCPS_CLOSED)
		return "SF";
	if (os == TCPS_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == TCPS_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == TCPS_SYN_SENT && rs == TCPS_INACTIVE)
		return "S0";
	if (os == TCPS_ESTABLISHED && rs == TCPS_ESTABLISHED)
		return "S1";
	return "OTH";
}

/* Return a flow's rate in one direction, or NULL. */
const struct rate *
flow_rate(const struct engine *e, const struct flow *f, int dir)
{
	const struct flow_table *t = &e->ft;
	const struct flow *v = flow_at(e, 0);
	size_t i;

	if (t->rates == NULL || f < v + 1 || f > v + t->tab.used ||
	    dir < 0 || dir > 1)
		return NULL;
	i = (size_t)(f - v);
	return t->rates[i] != NULL ? &t->rates[i]->dir[dir] : NULL;
}

/* Return the number of flows in the table. */
size_t
engine_flow_count(const struct engine *e)
{
	return e->ft.tab.count;
}

static const struct flow *
flow_scan(const struct engine *e, uint32_t i)
{
	for (; i <= e->ft.tab.used; i++) {
		if (flow_at(e, i)->priv.flags & FL_LIVE)
			return flow_at(e, i);
	}
	return NULL;
}

/* Return the first live flow, or NULL. */
const struct flow *
engine_flow_first(const struct engine *e)
{
	return flow_scan(e, 1);
}

/* Return the live flow after f, or NULL. */
const struct flow *
engine_flow_next(const struct engine *e, const struct flow *f)
{
	if (f == NULL)
		return NULL;
	return flow_scan(e, (uint32_t)(f - flow_at(e, 0)) + 1);
}
