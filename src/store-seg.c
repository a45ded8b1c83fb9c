/*
 * store-seg.c: flow records and host totals packed into segments, and the
 * virtual tables that give them back as rows.
 *
 * A row per flow record cost the store thread about 20 000 instructions
 * (the B-tree insert of 27 columns and of the time index), a row per host
 * per hour about 10 000: an import of 200 000 flows spent more time in
 * SQLite than in reading and decoding the capture.  So the records of one
 * batch are one row of flow_seg, and the host totals of one batch for one
 * hour (or day) one row of host_seg, each packed as below: the store
 * thread writes one row where it wrote thousands.
 *
 * Readers do not see the packing: flows, host_hour and host_day are
 * eponymous virtual tables (store_seg_register(), on every connection
 * wiretop opens) with the columns the tables of schema 1 had, so every
 * query reads as before.  A constraint on their time column (ts_us, ts)
 * narrows the segments read; SQLite checks the rest.
 *
 * Packing (little-endian base-128 varints, "u"; zigzag for signed, "z";
 * a string is its length as u, then its bytes; "h": 8 bytes, little
 * endian):
 *   flow segment of records (format 1: flow logs, and records rewritten
 *     by retention): the byte 1, then per record: z ts_us - t_min,
 *     z duration_us, the strings uid orig_h resp_h proto service
 *     conn_state history tunnel_parents tunnel community_id, then u
 *     orig_p resp_p vlan inner_vlan return_vlan proto_num orig_pkts
 *     resp_pkts orig_bytes resp_bytes orig_ip_bytes resp_ip_bytes
 *     orig_wire_bytes resp_wire_bytes rtt_us retrans, the strings orig_cc
 *     resp_cc, u orig_asn resp_asn.
 *   flow segment of engine flows (format 2: what the capture made): the
 *     byte 2, then per flow: z ts_us - t_min, z duration_us, the IP
 *     version (one byte, 4 or 6), the originator's and responder's
 *     address (4 or 16 bytes each), u orig_p resp_p proto_num, h the
 *     uid's hash, the strings service conn_state history, u vlan
 *     inner_vlan return_vlan, the 8 counters as in format 1, u rtt_us
 *     retrans, u tunnel (0 none, else the tunnel kind + 1), and with a
 *     tunnel u parents and h each parent's uid hash; then for the
 *     originator and the responder their country (2 bytes, 0 0: not
 *     known) and u AS number (0: not known), as GeoIP said when the flow
 *     was stored.  The readers make
 *     the text: addresses, uid, protocol name, tunnel name and community
 *     id, as the exporters do (engine-cid.c); the store thread only
 *     copies, which is most of why an import keeps up with the capture.
 *   host segment: the byte 1, then per host: the string addr, u bytes_in
 *     bytes_out pkts_in pkts_out flows.
 * An hour's (or day's) host totals may be in several segments, one per
 * batch that added to it; readers add them up per address.  Segments of
 * one hour are merged in levels (SEG_FANOUT of one level into one of the
 * next), so an hour a daemon writes every second is at most a few dozen
 * segments and each total is rewritten only a few times.
 *
 * Retention and purge delete whole segments, and rewrite a flow segment
 * that holds records on both sides of the limit: exactly the records older
 * than the limit go.
 *
 * Threads: the writer functions run on whichever thread owns the write
 * connection (the store thread; the main thread in `wiretop db` and a
 * migration); a virtual table runs on the thread of its connection.
 */
#include "config.h"
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "out.h"
#include "xmalloc.h"

#define SEG_FORMAT	1	/* records as text (struct store_flow) */
#define SEG_FORMAT_RAW	2	/* engine flows (struct store_raw) */
#define SEG_FANOUT	4	/* host segments of a level merged at once */

/* ---- packing --------------------------------------------------------- */

static void
seg_room(struct seg_buf *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	b->cap = (b->n + more) * 2;
	if (b->cap < 4096)
		b->cap = 4096;
	b->p = xreallocarray(b->p, b->cap, 1);
}

/* A varint (7 bits a byte, low first), a zigzag varint and a string of
 * at most max - 1 bytes (its length, then its bytes), at p; each returns
 * the byte after it.  The seg_ forms below pack into a buffer (room
 * made). */
static inline uint8_t *
seg_at_u(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint8_t *
seg_at_z(uint8_t *p, int64_t v)
{
	return seg_at_u(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline uint8_t *
seg_at_s(uint8_t *p, const char *s, size_t max)
{
	size_t len = strnlen(s, max - 1);

	p = seg_at_u(p, len);
	memcpy(p, s, len);
	return p + len;
}

static inline void
seg_u(struct seg_buf *b, uint64_t v)
{
	b->n = (size_t)(seg_at_u(b->p + b->n, v) - b->p);
}

static inline void
seg_z(struct seg_buf *b, int64_t v)
{
	b->n = (size_t)(seg_at_z(b->p + b->n, v) - b->p);
}

static inline void
seg_s(struct seg_buf *b, const char *s, size_t max)
{
	b->n = (size_t)(seg_at_s(b->p + b->n, s, max) - b->p);
}

/* The most a record can take: its strings and 20 varints of 10 bytes. */
#define SEG_FLOW_MAX	(sizeof(struct store_flow) + 40 * 10)
#define SEG_HOST_MAX	(OUT_ADDR_MAX + 6 * 10)

void
store_seg_put_flow(struct seg_buf *b, const struct store_flow *f,
    int64_t base)
{
	int k;

	seg_room(b, SEG_FLOW_MAX);
	/* (unsigned: a record of a damaged v1 file cannot overflow here; it
	 * reads back as damaged) */
	seg_z(b, (int64_t)((uint64_t)f->ts_us - (uint64_t)base));
	seg_z(b, f->duration_us);
	seg_s(b, f->uid, sizeof f->uid);
	seg_s(b, f->orig_h, sizeof f->orig_h);
	seg_s(b, f->resp_h, sizeof f->resp_h);
	seg_s(b, f->proto, sizeof f->proto);
	seg_s(b, f->service, sizeof f->service);
	seg_s(b, f->conn_state, sizeof f->conn_state);
	seg_s(b, f->history, sizeof f->history);
	seg_s(b, f->parents, sizeof f->parents);
	seg_s(b, f->tunnel, sizeof f->tunnel);
	seg_s(b, f->cid, sizeof f->cid);
	seg_u(b, f->orig_p);
	seg_u(b, f->resp_p);
	seg_u(b, f->vlan);
	seg_u(b, f->inner_vlan);
	seg_u(b, f->return_vlan);
	seg_u(b, f->proto_num);
	for (k = 0; k < 2; k++)
		seg_u(b, f->pkts[k]);
	for (k = 0; k < 2; k++)
		seg_u(b, f->bytes[k]);
	for (k = 0; k < 2; k++)
		seg_u(b, f->ip_bytes[k]);
	for (k = 0; k < 2; k++)
		seg_u(b, f->wire_bytes[k]);
	seg_u(b, f->rtt_us);
	seg_u(b, f->retrans);
	seg_s(b, f->orig_cc, sizeof f->orig_cc);
	seg_s(b, f->resp_cc, sizeof f->resp_cc);
	seg_u(b, f->orig_asn);
	seg_u(b, f->resp_asn);
}

/* The most an engine flow can take: 2 addresses, 5 hashes, 3 strings, 2
 * countries and 27 varints. */
#define SEG_RAW_MAX	(32 + 5 * 8 + 3 * 32 + 4 + 27 * 10)

/* seg_put_raw packs at a cursor (the seg_at_ functions above, and an
 * 8-byte hash, low byte first): an import packs every engine flow, and
 * its place stays in a register, where a byte stored through b->p could
 * be b->n and makes the compiler load and store both at each. */

static inline uint8_t *
seg_at_h(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static void
seg_put_raw(struct seg_buf *b, const struct store_raw *x, int64_t base)
{
	const struct flow *f = &x->f;
	uint16_t vlan, inner, other;
	struct flow_ep o, r;
	const char *svc;
	size_t alen = f->key.ip_ver == 6 ? 16 : 4;
	unsigned k;
	uint8_t *p;

	seg_room(b, SEG_RAW_MAX);
	p = b->p + b->n;
	flow_endpoints(f, &o, &r);
	p = seg_at_z(p, (int64_t)(f->first_ns / 1000) - base);
	p = seg_at_z(p, (int64_t)(f->last_ns / 1000) -
	    (int64_t)(f->first_ns / 1000));
	*p++ = f->key.ip_ver == 6 ? 6 : 4;
	memcpy(p, o.addr, alen);
	memcpy(p + alen, r.addr, alen);
	p += 2 * alen;
	p = seg_at_u(p, o.port);
	p = seg_at_u(p, r.port);
	p = seg_at_u(p, f->key.proto);
	p = seg_at_h(p, flow_uid_hash(f));
	svc = flow_service(f);
	p = seg_at_s(p, svc != NULL ? svc : "", 24);
	p = seg_at_s(p, flow_conn_state(f), 8);
	p = seg_at_s(p, f->history, sizeof f->history);
	flow_vlans(f, &vlan, &inner, &other);
	p = seg_at_u(p, vlan);
	p = seg_at_u(p, inner);
	p = seg_at_u(p, other);
	for (k = 0; k < 2; k++)
		p = seg_at_u(p, f->dir[k].pkts);
	for (k = 0; k < 2; k++)
		p = seg_at_u(p, f->dir[k].bytes);
	for (k = 0; k < 2; k++)
		p = seg_at_u(p, f->dir[k].ip_bytes);
	for (k = 0; k < 2; k++)
		p = seg_at_u(p, f->dir[k].wire_bytes);
	p = seg_at_u(p, f->rtt_us);
	p = seg_at_u(p, f->retrans);
	if (!x->has_tu)
		p = seg_at_u(p, 0);
	else {
		p = seg_at_u(p, (uint64_t)x->tu.kind + 1);
		p = seg_at_u(p, x->tu.nparents);
		for (k = 0; k < x->tu.nparents && k < FLOW_MAX_PARENTS; k++)
			p = seg_at_h(p, x->tu.parent[k]);
	}
	for (k = 0; k < 2; k++) {
		*p++ = (uint8_t)x->geo[k].cc[0];
		*p++ = (uint8_t)x->geo[k].cc[1];
		p = seg_at_u(p, x->geo[k].asn);
	}
	b->n = (size_t)(p - b->p);
}

void
store_seg_put_host(struct seg_buf *b, const struct store_seg_host *h)
{
	int k;

	seg_room(b, SEG_HOST_MAX);
	seg_s(b, h->addr, sizeof h->addr);
	for (k = 0; k < 4; k++)
		seg_u(b, h->v[k]);
	seg_u(b, h->flows);
}

void
store_seg_put_host_key(struct seg_buf *b, int ip_ver, const uint8_t *key,
    size_t len, const uint64_t v[4], uint64_t flows)
{
	uint8_t addr[16];
	int k;

	seg_room(b, SEG_HOST_MAX);
	/* as store_seg_put_host() packs the text (shorter than 128 bytes:
	 * its length is one byte) */
	if (ip_ver == 4 || ip_ver == 6) {
		memset(addr, 0, sizeof addr);
		memcpy(addr, key, len > 16 ? 16 : len);
		len = out_fmt_addr((uint8_t)ip_ver, addr,
		    (char *)b->p + b->n + 1);
	} else {
		len = strnlen((const char *)key, len < OUT_ADDR_MAX - 1 ?
		    len : OUT_ADDR_MAX - 1);
		memcpy(b->p + b->n + 1, key, len);
	}
	b->p[b->n] = (uint8_t)len;
	b->n += 1 + len;
	for (k = 0; k < 4; k++)
		seg_u(b, v[k]);
	seg_u(b, flows);
}

/* Start a segment in b (emptied). */
void
store_seg_begin(struct seg_buf *b)
{
	b->n = 0;
	seg_room(b, 1);
	b->p[b->n++] = SEG_FORMAT;
}

struct seg_rd {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t
rd_u(struct seg_rd *r)
{
	uint64_t v = 0;
	unsigned sh = 0;
	uint8_t c;

	while (r->p < r->end) {
		c = *r->p++;
		if (sh == 63 && (c & 0x7e) != 0)
			break;
		v |= (uint64_t)(c & 0x7f) << sh;
		if ((c & 0x80) == 0)
			return v;
		if ((sh += 7) > 63)
			break;
	}
	r->bad = 1;
	return 0;
}

static int64_t
rd_z(struct seg_rd *r)
{
	uint64_t u = rd_u(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Times in microseconds: a record's start (base + a delta) and its
 * duration, within STORE_US_MAX of 0, which every writer keeps (a later
 * record is not stored); anything else is damage. */
#define SEG_US_MAX	STORE_US_MAX

static int64_t
rd_ts(struct seg_rd *r, int64_t base)
{
	int64_t d = rd_z(r), t;

	if (__builtin_add_overflow(base, d, &t) || t < 0 || t > SEG_US_MAX) {
		r->bad = 1;
		return 0;
	}
	return t;
}

static int64_t
rd_dur(struct seg_rd *r)
{
	int64_t d = rd_z(r);

	if (d < -SEG_US_MAX || d > SEG_US_MAX) {
		r->bad = 1;
		return 0;
	}
	return d;
}

static uint16_t
rd_u16(struct seg_rd *r)
{
	uint64_t v = rd_u(r);

	if (v > 0xffff)
		r->bad = 1;
	return (uint16_t)v;
}

static uint32_t
rd_u32(struct seg_rd *r)
{
	uint64_t v = rd_u(r);

	if (v > 0xffffffffu)
		r->bad = 1;
	return (uint32_t)v;
}

static uint64_t
rd_h(struct seg_rd *r)
{
	uint64_t v = 0;
	int i;

	if (r->end - r->p < 8) {
		r->bad = 1;
		return 0;
	}
	for (i = 0; i < 8; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	return v;
}

static void
rd_s(struct seg_rd *r, char *dst, size_t size)
{
	uint64_t len = rd_u(r);

	if (r->bad || len >= size || len > (uint64_t)(r->end - r->p) ||
	    memchr(r->p, '\0', (size_t)len) != NULL) {
		r->bad = 1;
		dst[0] = '\0';
		return;
	}
	memcpy(dst, r->p, (size_t)len);
	dst[len] = '\0';
	r->p += len;
}

/* A token (out.h OUT_TOKEN: written as is by the exports), or with list
 * a list of them joined by ','; anything else is damage (a database
 * another program wrote must not put a control byte on a terminal). */
static void
rd_tok(struct seg_rd *r, char *dst, size_t size, int list)
{
	const unsigned char *c;

	rd_s(r, dst, size);
	for (c = (const unsigned char *)dst; *c != '\0' && !r->bad; c++)
		if (!out_tokchar(*c) && !(list && *c == ','))
			r->bad = 1;
	if (r->bad)
		dst[0] = '\0';
}

/* A country: two letters A-Z, or two zero bytes for none. */
static void
seg_get_cc(struct seg_rd *r, char cc[3])
{
	cc[0] = '\0';
	if (r->end - r->p < 2) {
		r->bad = 1;
		return;
	}
	if (r->p[0] != 0 || r->p[1] != 0) {
		if (r->p[0] < 'A' || r->p[0] > 'Z' || r->p[1] < 'A' ||
		    r->p[1] > 'Z')
			r->bad = 1;
		else {
			cc[0] = (char)r->p[0];
			cc[1] = (char)r->p[1];
			cc[2] = '\0';
		}
	}
	r->p += 2;
}

/* An engine flow's record (format 2) into x: the text as the exporters
 * make it (store.c made it so before schema 2). */
static void
seg_get_raw(struct seg_rd *r, int64_t base, struct store_flow *x)
{
	uint8_t ver, oa[16], ra[16];
	uint64_t tun, np, i;
	const char *p;
	size_t alen, n;
	int k;

	x->ts_us = rd_ts(r, base);
	x->duration_us = rd_dur(r);
	if (r->p >= r->end || (*r->p != 4 && *r->p != 6)) {
		r->bad = 1;
		return;
	}
	ver = *r->p++;
	alen = ver == 6 ? 16 : 4;
	if ((size_t)(r->end - r->p) < 2 * alen) {
		r->bad = 1;
		return;
	}
	memset(oa, 0, sizeof oa);
	memset(ra, 0, sizeof ra);
	memcpy(oa, r->p, alen);
	memcpy(ra, r->p + alen, alen);
	r->p += 2 * alen;
	out_fmt_addr(ver, oa, x->orig_h);
	out_fmt_addr(ver, ra, x->resp_h);
	x->orig_p = rd_u16(r);
	x->resp_p = rd_u16(r);
	x->proto_num = (uint8_t)rd_u16(r);
	flow_uid_of(rd_h(r), x->uid);
	rd_s(r, x->service, sizeof x->service);
	rd_tok(r, x->conn_state, sizeof x->conn_state, 0);
	rd_tok(r, x->history, sizeof x->history, 0);
	x->vlan = rd_u16(r);
	x->inner_vlan = rd_u16(r);
	x->return_vlan = rd_u16(r);
	for (k = 0; k < 2; k++)
		x->pkts[k] = rd_u(r);
	for (k = 0; k < 2; k++)
		x->bytes[k] = rd_u(r);
	for (k = 0; k < 2; k++)
		x->ip_bytes[k] = rd_u(r);
	for (k = 0; k < 2; k++)
		x->wire_bytes[k] = rd_u(r);
	x->rtt_us = rd_u32(r);
	x->retrans = rd_u32(r);
	/* as the exporters: ICMPv6 is "icmp" (Zeek's transport_proto) */
	p = x->proto_num == 58 ? "icmp" : proto_name(x->proto_num);
	if (p != NULL)
		snprintf(x->proto, sizeof x->proto, "%s", p);
	else
		snprintf(x->proto, sizeof x->proto, "%u", x->proto_num);
	if ((tun = rd_u(r)) != 0) {
		np = rd_u(r);
		if (np > FLOW_MAX_PARENTS || tun > 256) {
			r->bad = 1;
			return;
		}
		for (i = 0, n = 0; i < np; i++) {
			if (i > 0)
				x->parents[n++] = ',';
			flow_uid_of(rd_h(r), x->parents + n);
			n += strlen(x->parents + n);
		}
		p = flow_tunnel_name((unsigned)(tun - 1));
		snprintf(x->tunnel, sizeof x->tunnel, "%s", p != NULL ? p : "");
	}
	seg_get_cc(r, x->orig_cc);
	x->orig_asn = rd_u32(r);
	seg_get_cc(r, x->resp_cc);
	x->resp_asn = rd_u32(r);
	if (!r->bad)
		flow_community_id_of(ver, x->proto_num, oa, ra, x->orig_p,
		    x->resp_p, 0, x->cid);
}

/* Unpack a flow segment's records into *f (grown as needed): their count,
 * or -1 if the data is damaged. */
static long
seg_get_flows(const void *data, size_t len, int64_t base,
    struct store_flow **f, size_t *cap)
{
	struct seg_rd r = { data, (const uint8_t *)data + len, 0 };
	struct store_flow *x;
	size_t n = 0;
	int k, fmt;

	if (len < 1 || ((fmt = *r.p++) != SEG_FORMAT && fmt != SEG_FORMAT_RAW))
		return -1;
	while (r.p < r.end && !r.bad) {
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			*f = xreallocarray(*f, *cap, sizeof **f);
		}
		x = &(*f)[n++];
		memset(x, 0, sizeof *x);
		if (fmt == SEG_FORMAT_RAW) {
			seg_get_raw(&r, base, x);
			continue;
		}
		x->ts_us = rd_ts(&r, base);
		x->duration_us = rd_dur(&r);
		rd_tok(&r, x->uid, sizeof x->uid, 0);
		rd_tok(&r, x->orig_h, sizeof x->orig_h, 0);
		rd_tok(&r, x->resp_h, sizeof x->resp_h, 0);
		rd_tok(&r, x->proto, sizeof x->proto, 0);
		/* (text: the exports escape it) */
		rd_s(&r, x->service, sizeof x->service);
		rd_tok(&r, x->conn_state, sizeof x->conn_state, 0);
		rd_tok(&r, x->history, sizeof x->history, 0);
		rd_tok(&r, x->parents, sizeof x->parents, 1);
		rd_tok(&r, x->tunnel, sizeof x->tunnel, 0);
		rd_tok(&r, x->cid, sizeof x->cid, 0);
		x->orig_p = rd_u16(&r);
		x->resp_p = rd_u16(&r);
		x->vlan = rd_u16(&r);
		x->inner_vlan = rd_u16(&r);
		x->return_vlan = rd_u16(&r);
		x->proto_num = (uint8_t)rd_u16(&r);
		for (k = 0; k < 2; k++)
			x->pkts[k] = rd_u(&r);
		for (k = 0; k < 2; k++)
			x->bytes[k] = rd_u(&r);
		for (k = 0; k < 2; k++)
			x->ip_bytes[k] = rd_u(&r);
		for (k = 0; k < 2; k++)
			x->wire_bytes[k] = rd_u(&r);
		x->rtt_us = rd_u32(&r);
		x->retrans = rd_u32(&r);
		rd_tok(&r, x->orig_cc, sizeof x->orig_cc, 0);
		rd_tok(&r, x->resp_cc, sizeof x->resp_cc, 0);
		x->orig_asn = rd_u32(&r);
		x->resp_asn = rd_u32(&r);
	}
	return r.bad ? -1 : (long)n;
}

long
store_seg_decode_flows(const void *data, size_t len, int64_t base,
    struct store_flow **f, size_t *cap)
{
	return seg_get_flows(data, len, base, f, cap);
}

/* ---- host totals: adding segments up per address --------------------- */

/* An open-addressing table of host totals, at most half full. */
struct seg_hmap {
	struct store_seg_host *t;
	size_t cap, n;
};

static uint64_t
seg_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h ^ (h >> 29);
}

static struct store_seg_host *
seg_hmap_slot(struct store_seg_host *t, size_t cap, const char *addr)
{
	size_t i;

	for (i = (size_t)seg_hash(addr) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (t[i].addr[0] == '\0' || strcmp(t[i].addr, addr) == 0)
			return &t[i];
}

static void
seg_hmap_add(struct seg_hmap *m, const struct store_seg_host *h)
{
	struct store_seg_host *old = m->t, *a;
	size_t i, oldcap = m->cap;
	int k;

	if (2 * (m->n + 1) > m->cap) {
		m->cap = oldcap ? oldcap * 2 : 1024;
		m->t = xcalloc(m->cap, sizeof *m->t);
		for (i = 0; i < oldcap; i++)
			if (old[i].addr[0] != '\0')
				*seg_hmap_slot(m->t, m->cap, old[i].addr) =
				    old[i];
		free(old);
	}
	a = seg_hmap_slot(m->t, m->cap, h->addr);
	if (a->addr[0] == '\0') {
		memcpy(a->addr, h->addr, sizeof a->addr);
		m->n++;
	}
	for (k = 0; k < 4; k++)
		a->v[k] += h->v[k];
	a->flows += h->flows;
}

/* Add a host segment's totals into m; -1 if it is damaged. */
static int
seg_hmap_load(struct seg_hmap *m, const void *data, size_t len)
{
	struct seg_rd r = { data, (const uint8_t *)data + len, 0 };
	struct store_seg_host h;
	int k;

	if (len < 1 || *r.p++ != SEG_FORMAT)
		return -1;
	while (r.p < r.end && !r.bad) {
		rd_s(&r, h.addr, sizeof h.addr);
		for (k = 0; k < 4; k++)
			h.v[k] = rd_u(&r);
		h.flows = rd_u(&r);
		if (h.addr[0] == '\0')
			r.bad = 1;
		if (!r.bad)
			seg_hmap_add(m, &h);
	}
	return r.bad ? -1 : 0;
}

static int
seg_host_cmp(const void *a, const void *b)
{
	return strcmp(((const struct store_seg_host *)a)->addr,
	    ((const struct store_seg_host *)b)->addr);
}

/* The entries of m packed to its front, in address order; their count. */
static size_t
seg_hmap_sorted(struct seg_hmap *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->cap; i++)
		if (m->t[i].addr[0] != '\0')
			m->t[n++] = m->t[i];
	if (n > 1)
		qsort(m->t, n, sizeof *m->t, seg_host_cmp);
	return n;
}

static void
seg_hmap_free(struct seg_hmap *m)
{
	free(m->t);
	memset(m, 0, sizeof *m);
}

long
store_seg_decode_hosts(const void *data, size_t len)
{
	struct seg_hmap m = { NULL, 0, 0 };
	long n;

	n = seg_hmap_load(&m, data, len) == 0 ? (long)m.n : -1;
	seg_hmap_free(&m);
	return n;
}

/* The totals of (tier, ts), all its segments (of level lvl, or of every
 * level if lvl < 0) added up, into m (empty); SQLITE_CORRUPT if a segment
 * is damaged. */
static int
seg_host_read(sqlite3 *db, int tier, int64_t ts, int lvl, struct seg_hmap *m,
    int64_t **ids, size_t *nids)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, lvl < 0 ? "SELECT id, data FROM host_seg "
	    "WHERE tier = ?1 AND ts = ?2 ORDER BY id" : "SELECT id, data FROM "
	    "host_seg WHERE tier = ?1 AND ts = ?2 AND lvl = ?3 ORDER BY id",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int(st, 1, tier);
	sqlite3_bind_int64(st, 2, ts);
	if (lvl >= 0)
		sqlite3_bind_int(st, 3, lvl);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (seg_hmap_load(m, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1)) != 0) {
			rc = SQLITE_CORRUPT;
			break;
		}
		if (ids != NULL) {
			*ids = xreallocarray(*ids, *nids + 1, sizeof **ids);
			(*ids)[(*nids)++] = sqlite3_column_int64(st, 0);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- writing ----------------------------------------------------------- */

enum {
	SW_FLOW, SW_HOST, SW_LEVELS, SW_N
};

static const char *const seg_sql[SW_N] = {
	[SW_FLOW] = "INSERT INTO flow_seg (t_min, t_max, n, data) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[SW_HOST] = "INSERT INTO host_seg (tier, ts, lvl, n, data) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[SW_LEVELS] = "SELECT lvl FROM host_seg WHERE tier = ?1 AND ts = ?2 "
	    "GROUP BY lvl HAVING count(*) >= ?3 ORDER BY lvl LIMIT 1",
};

struct store_seg {
	sqlite3 *db;
	sqlite3_stmt *st[SW_N];
	struct seg_buf buf;
};

struct store_seg *
store_seg_open(sqlite3 *db)
{
	struct store_seg *w = xcalloc(1, sizeof *w);
	int i;

	w->db = db;
	for (i = 0; i < SW_N; i++) {
		if (sqlite3_prepare_v3(db, seg_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &w->st[i], NULL) != SQLITE_OK) {
			store_seg_close(w);
			return NULL;
		}
	}
	return w;
}

void
store_seg_close(struct store_seg *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < SW_N; i++)
		sqlite3_finalize(w->st[i]);
	free(w->buf.p);
	free(w);
}

static int
seg_run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Pack the k records f (format 1) or engine flows x (format 2), one of
 * them NULL, as one segment into b; their first and last start into *lo,
 * *hi.  Touches b alone: any thread may pack. */
static void
seg_pack(struct seg_buf *b, const struct store_flow *f,
    const struct store_raw *x, size_t k, int64_t *lo, int64_t *hi)
{
	int64_t t;
	size_t j;

	*lo = INT64_MAX;
	*hi = INT64_MIN;
	for (j = 0; j < k; j++) {
		t = f != NULL ? f[j].ts_us : (int64_t)(x[j].f.first_ns / 1000);
		*lo = t < *lo ? t : *lo;
		*hi = t > *hi ? t : *hi;
	}
	store_seg_begin(b);
	if (x != NULL)
		b->p[0] = SEG_FORMAT_RAW;
	for (j = 0; j < k; j++) {
		if (f != NULL)
			store_seg_put_flow(b, &f[j], *lo);
		else
			seg_put_raw(b, &x[j], *lo);
	}
}

/* Insert the flow segment packed in b (k records). */
static int
seg_insert(struct store_seg *w, const struct seg_buf *b, int64_t lo,
    int64_t hi, size_t k)
{
	sqlite3_stmt *st = w->st[SW_FLOW];
	int rc;

	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int64(st, 3, (int64_t)k);
	sqlite3_bind_blob(st, 4, b->p, (int)b->n, SQLITE_STATIC);
	rc = seg_run(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Flow segments of n records, STORE_SEG_FLOWS at most each: text records
 * f (format 1) or engine flows x (format 2), one of them NULL. */
static int
seg_add(struct store_seg *w, const struct store_flow *f,
    const struct store_raw *x, size_t n)
{
	int64_t lo, hi;
	size_t i, k;
	int rc = SQLITE_OK;

	for (i = 0; i < n && rc == SQLITE_OK; i += k) {
		k = n - i < STORE_SEG_FLOWS ? n - i : STORE_SEG_FLOWS;
		seg_pack(&w->buf, f != NULL ? f + i : NULL, x != NULL ? x + i :
		    NULL, k, &lo, &hi);
		rc = seg_insert(w, &w->buf, lo, hi, k);
	}
	return rc;
}

void
store_seg_pack_raw(struct seg_buf *b, const struct store_raw *x, size_t n,
    int64_t *lo, int64_t *hi)
{
	seg_pack(b, NULL, x, n, lo, hi);
}

int
store_seg_add_packed_flows(struct store_seg *w, const struct seg_buf *b,
    int64_t lo, int64_t hi, size_t n)
{
	return n > 0 ? seg_insert(w, b, lo, hi, n) : SQLITE_OK;
}

int
store_seg_add_raw(struct store_seg *w, const struct store_raw *x, size_t n)
{
	return seg_add(w, NULL, x, n);
}

int
store_seg_add_flows(struct store_seg *w, const struct store_flow *f,
    size_t n)
{
	return seg_add(w, f, NULL, n);
}

/* Write the packed host segment in b (n hosts) for (tier, ts) at level
 * lvl. */
static int
seg_put_hosts_from(struct store_seg *w, int tier, int64_t ts, int lvl,
    size_t n, const struct seg_buf *b)
{
	sqlite3_stmt *st = w->st[SW_HOST];
	int rc;

	sqlite3_bind_int(st, 1, tier);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_int(st, 3, lvl);
	sqlite3_bind_int64(st, 4, (int64_t)n);
	sqlite3_bind_blob(st, 5, b->p, (int)b->n, SQLITE_STATIC);
	rc = seg_run(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The same, of w->buf. */
static int
seg_put_hosts(struct store_seg *w, int tier, int64_t ts, int lvl, size_t n)
{
	return seg_put_hosts_from(w, tier, ts, lvl, n, &w->buf);
}

/* Merge the segments of (tier, ts) while a level has SEG_FANOUT of them:
 * they become one of the next level. */
static int
seg_compact(struct store_seg *w, int tier, int64_t ts)
{
	sqlite3_stmt *st = w->st[SW_LEVELS];
	struct seg_hmap m = { NULL, 0, 0 };
	int64_t *ids = NULL;
	size_t nids, i, n;
	int rc, lvl;
	char *sql;

	for (;;) {
		sqlite3_bind_int(st, 1, tier);
		sqlite3_bind_int64(st, 2, ts);
		sqlite3_bind_int(st, 3, SEG_FANOUT);
		rc = sqlite3_step(st);
		lvl = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW) {
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
			break;
		}
		nids = 0;
		if ((rc = seg_host_read(w->db, tier, ts, lvl, &m, &ids,
		    &nids)) != SQLITE_OK)
			break;
		n = 0;
		store_seg_begin(&w->buf);
		for (i = 0; i < m.cap; i++) {
			if (m.t[i].addr[0] == '\0')
				continue;
			store_seg_put_host(&w->buf, &m.t[i]);
			n++;
		}
		for (i = 0; i < nids && rc == SQLITE_OK; i++) {
			sql = sqlite3_mprintf("DELETE FROM host_seg WHERE id = "
			    "%lld", (long long)ids[i]);
			rc = sqlite3_exec(w->db, sql, NULL, NULL, NULL);
			sqlite3_free(sql);
		}
		if (rc == SQLITE_OK)
			rc = seg_put_hosts(w, tier, ts, lvl + 1, n);
		seg_hmap_free(&m);
		if (rc != SQLITE_OK)
			break;
	}
	seg_hmap_free(&m);
	free(ids);
	return rc;
}

int
store_seg_add_hosts(struct store_seg *w, int tier, int64_t ts,
    const struct store_seg_host *const *h, size_t n)
{
	size_t i;
	int rc;

	if (n == 0)
		return SQLITE_OK;
	store_seg_begin(&w->buf);
	for (i = 0; i < n; i++)
		store_seg_put_host(&w->buf, h[i]);
	if ((rc = seg_put_hosts(w, tier, ts, 0, n)) != SQLITE_OK)
		return rc;
	return seg_compact(w, tier, ts);
}

int
store_seg_add_packed(struct store_seg *w, int tier, int64_t ts, int day,
    const struct seg_buf *b, size_t n)
{
	int64_t d = ts - ts % 86400;
	int rc;

	if (n == 0)
		return SQLITE_OK;
	if ((rc = seg_put_hosts_from(w, tier, ts, 0, n, b)) != SQLITE_OK ||
	    (day && (rc = seg_put_hosts_from(w, 1, d, 0, n, b)) != SQLITE_OK) ||
	    (rc = seg_compact(w, tier, ts)) != SQLITE_OK)
		return rc;
	return day ? seg_compact(w, 1, d) : SQLITE_OK;
}

int
store_seg_roll_days(struct store_seg *w, int64_t from, int64_t to)
{
	sqlite3_stmt *st;
	int64_t *days = NULL;
	size_t nd = 0, i;
	int rc;

	/* the hours' segments, as they are, become the days' */
	rc = sqlite3_prepare_v2(w->db, "INSERT INTO host_seg (tier, ts, lvl, "
	    "n, data) SELECT 1, ts - ts % 86400, 0, n, data FROM host_seg "
	    "WHERE tier = 0 AND ts >= ?1 AND ts < ?2 ORDER BY id "
	    "RETURNING ts", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t d = sqlite3_column_int64(st, 0);

		if (nd == 0 || days[nd - 1] != d) {
			days = xreallocarray(days, nd + 1, sizeof *days);
			days[nd++] = d;
		}
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	for (i = 0; i < nd && rc == SQLITE_OK; i++)
		if (i == 0 || days[i] != days[i - 1])
			rc = seg_compact(w, 1, days[i]);
	free(days);
	return rc;
}

int
store_seg_prune_hosts(sqlite3 *db, int tier, int64_t before, int64_t *rows)
{
	sqlite3_stmt *st;
	int rc;

	if (rows != NULL) {
		/* the rows the table showed: added up per address */
		*rows = 0;
		rc = sqlite3_prepare_v2(db, tier == 0 ? "SELECT count(*) FROM "
		    "host_hour WHERE ts < ?1" : "SELECT count(*) FROM host_day "
		    "WHERE ts < ?1", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_int64(st, 1, before);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			*rows = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return rc;
	}
	if ((rc = sqlite3_prepare_v2(db, "DELETE FROM host_seg WHERE "
	    "tier = ?1 AND ts < ?2", -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int(st, 1, tier);
	sqlite3_bind_int64(st, 2, before);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
store_seg_prune_flows(struct store_seg *w, int64_t before_us, int64_t *rows)
{
	struct store_flow *f = NULL;
	sqlite3_stmt *st;
	int64_t *ids = NULL, gone = 0;
	size_t nids = 0, cap = 0, i, j, keep;
	long n;
	int rc;

	/* segments wholly older */
	if ((rc = sqlite3_prepare_v2(w->db, "DELETE FROM flow_seg WHERE "
	    "t_max < ?1 RETURNING n", -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, before_us);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		gone += sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;

	/* segments across the limit (the only ones left that start before
	 * it: index flow_seg_t0), rewritten with their newer records */
	if ((rc = sqlite3_prepare_v2(w->db, "SELECT id FROM flow_seg "
	    "INDEXED BY flow_seg_t0 WHERE t_min < ?1 AND t_max >= ?1", -1, &st,
	    NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, before_us);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xreallocarray(ids, nids + 1, sizeof *ids);
		ids[nids++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	for (i = 0; i < nids && rc == SQLITE_OK; i++) {
		if ((rc = sqlite3_prepare_v2(w->db, "DELETE FROM flow_seg "
		    "WHERE id = ?1 RETURNING t_min, data", -1, &st, NULL)) !=
		    SQLITE_OK)
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		n = -1;
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			n = seg_get_flows(sqlite3_column_blob(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1),
			    sqlite3_column_int64(st, 0), &f, &cap);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
			continue;
		}
		if (n < 0) {
			rc = SQLITE_CORRUPT;
			break;
		}
		for (j = 0, keep = 0; j < (size_t)n; j++)
			if (f[j].ts_us >= before_us)
				f[keep++] = f[j];
		gone += n - (long)keep;
		rc = store_seg_add_flows(w, f, keep);
	}
	free(ids);
	free(f);
	if (rows != NULL)
		*rows = gone;
	return rc;
}

/* ---- the virtual tables -------------------------------------------- */

enum {
	SV_FLOWS, SV_HOST_HOUR, SV_HOST_DAY
};

static const char *const seg_vt_schema[] = {
	[SV_FLOWS] = "CREATE TABLE x (ts_us INTEGER, uid TEXT, orig_h TEXT, "
	    "orig_p INTEGER, resp_h TEXT, resp_p INTEGER, proto TEXT, "
	    "service TEXT, duration_us INTEGER, orig_bytes INTEGER, "
	    "resp_bytes INTEGER, conn_state TEXT, history TEXT, "
	    "orig_pkts INTEGER, orig_ip_bytes INTEGER, resp_pkts INTEGER, "
	    "resp_ip_bytes INTEGER, orig_wire_bytes INTEGER, "
	    "resp_wire_bytes INTEGER, vlan INTEGER, inner_vlan INTEGER, "
	    "return_vlan INTEGER, tunnel_parents TEXT, tunnel TEXT, "
	    "community_id TEXT, rtt_us INTEGER, retrans INTEGER, "
	    "orig_cc TEXT, resp_cc TEXT, orig_asn INTEGER, resp_asn INTEGER)",
	[SV_HOST_HOUR] = "CREATE TABLE x (ts INTEGER, addr TEXT, "
	    "bytes_in INTEGER, bytes_out INTEGER, pkts_in INTEGER, "
	    "pkts_out INTEGER, flows INTEGER)",
	[SV_HOST_DAY] = "CREATE TABLE x (ts INTEGER, addr TEXT, "
	    "bytes_in INTEGER, bytes_out INTEGER, pkts_in INTEGER, "
	    "pkts_out INTEGER, flows INTEGER)",
};

struct seg_vtab {
	sqlite3_vtab base;
	sqlite3 *db;
	int kind;			/* SV_* */
};

struct seg_cur {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *st;		/* segments (flows), hours (hosts) */
	int64_t lo, hi;			/* the time column's bounds, inclusive */
	int eof;
	sqlite3_int64 rowid;
	/* flows */
	struct store_flow *f;
	size_t nf, capf, i;
	int64_t seg;
	/* hosts */
	struct seg_hmap m;
	size_t nh;
	int64_t ts;
};

static int
seg_vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **out, char **err)
{
	struct seg_vtab *v;
	int kind = (int)(intptr_t)aux, rc;

	(void)argc;
	(void)argv;
	if ((rc = sqlite3_declare_vtab(db, seg_vt_schema[kind])) !=
	    SQLITE_OK) {
		*err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
		return rc;
	}
	v = sqlite3_malloc(sizeof *v);
	if (v == NULL)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof *v);
	v->db = db;
	v->kind = kind;
	*out = &v->base;
	return SQLITE_OK;
}

static int
seg_vt_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* idxNum: which bounds on the time column (column 0) are passed, in this
 * order: SEG_LO (>=, > or =) then SEG_HI (<=, < or =).  SQLite checks
 * every constraint again (omit is 0): a bound only narrows what is read,
 * so it may be loose. */
#define SEG_LO	1
#define SEG_HI	2

static int
seg_vt_best(sqlite3_vtab *vt, sqlite3_index_info *ix)
{
	struct seg_vtab *v = (struct seg_vtab *)vt;
	int i, lo = -1, hi = -1, n = 0;
	unsigned char op;

	for (i = 0; i < ix->nConstraint; i++) {
		if (!ix->aConstraint[i].usable ||
		    ix->aConstraint[i].iColumn != 0)
			continue;
		op = ix->aConstraint[i].op;
		if (lo < 0 && (op == SQLITE_INDEX_CONSTRAINT_GE ||
		    op == SQLITE_INDEX_CONSTRAINT_GT ||
		    op == SQLITE_INDEX_CONSTRAINT_EQ))
			lo = i;
		else if (hi < 0 && (op == SQLITE_INDEX_CONSTRAINT_LE ||
		    op == SQLITE_INDEX_CONSTRAINT_LT ||
		    op == SQLITE_INDEX_CONSTRAINT_EQ))
			hi = i;
	}
	ix->idxNum = 0;
	if (lo >= 0) {
		ix->aConstraintUsage[lo].argvIndex = ++n;
		ix->idxNum |= SEG_LO;
	}
	if (hi >= 0) {
		ix->aConstraintUsage[hi].argvIndex = ++n;
		ix->idxNum |= SEG_HI;
	}
	ix->estimatedCost = n == 2 ? 1000 : n == 1 ? 100000 : 10000000;
	ix->estimatedRows = n == 2 ? 1000 : n == 1 ? 100000 : 10000000;
	/* hosts come out by ts, then address */
	if (v->kind != SV_FLOWS && ix->nOrderBy >= 1 && ix->nOrderBy <= 2 &&
	    ix->aOrderBy[0].iColumn == 0 && !ix->aOrderBy[0].desc &&
	    (ix->nOrderBy == 1 || (ix->aOrderBy[1].iColumn == 1 &&
	    !ix->aOrderBy[1].desc)))
		ix->orderByConsumed = 1;
	return SQLITE_OK;
}

static int
seg_vt_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct seg_cur *c;

	(void)vt;
	if ((c = sqlite3_malloc(sizeof *c)) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int
seg_vt_close(sqlite3_vtab_cursor *cur)
{
	struct seg_cur *c = (struct seg_cur *)cur;

	sqlite3_finalize(c->st);
	free(c->f);
	seg_hmap_free(&c->m);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int
seg_vt_fail(struct seg_cur *c, int rc)
{
	struct seg_vtab *v = (struct seg_vtab *)c->base.pVtab;

	sqlite3_free(v->base.zErrMsg);
	if (rc == SQLITE_CORRUPT)
		v->base.zErrMsg = sqlite3_mprintf("%s: a damaged segment "
		    "(%s %lld)", v->kind == SV_FLOWS ? "flows" : v->kind ==
		    SV_HOST_HOUR ? "host_hour" : "host_day", v->kind ==
		    SV_FLOWS ? "flow_seg id" : "host_seg ts", (long long)
		    (v->kind == SV_FLOWS ? c->seg : c->ts));
	else
		v->base.zErrMsg = sqlite3_mprintf("%s",
		    sqlite3_errmsg(v->db));
	c->eof = 1;
	return rc;
}

/* Flows: the next segment with records in [lo, hi]. */
static int
seg_vt_next_seg(struct seg_cur *c)
{
	long n;
	int rc;

	for (;;) {
		if ((rc = sqlite3_step(c->st)) != SQLITE_ROW) {
			c->eof = 1;
			return rc == SQLITE_DONE ? SQLITE_OK :
			    seg_vt_fail(c, rc);
		}
		c->seg = sqlite3_column_int64(c->st, 0);
		n = seg_get_flows(sqlite3_column_blob(c->st, 2),
		    (size_t)sqlite3_column_bytes(c->st, 2),
		    sqlite3_column_int64(c->st, 1), &c->f, &c->capf);
		if (n < 0)
			return seg_vt_fail(c, SQLITE_CORRUPT);
		c->nf = (size_t)n;
		for (c->i = 0; c->i < c->nf; c->i++)
			if (c->f[c->i].ts_us >= c->lo &&
			    c->f[c->i].ts_us <= c->hi)
				return SQLITE_OK;
	}
}

/* Hosts: the next hour (or day) with totals. */
static int
seg_vt_next_ts(struct seg_cur *c)
{
	struct seg_vtab *v = (struct seg_vtab *)c->base.pVtab;
	int rc;

	for (;;) {
		if ((rc = sqlite3_step(c->st)) != SQLITE_ROW) {
			c->eof = 1;
			return rc == SQLITE_DONE ? SQLITE_OK :
			    seg_vt_fail(c, rc);
		}
		c->ts = sqlite3_column_int64(c->st, 0);
		seg_hmap_free(&c->m);
		if ((rc = seg_host_read(v->db, v->kind == SV_HOST_DAY, c->ts,
		    -1, &c->m, NULL, NULL)) != SQLITE_OK)
			return seg_vt_fail(c, rc);
		c->nh = c->m.cap ? seg_hmap_sorted(&c->m) : 0;
		c->i = 0;
		if (c->nh > 0)
			return SQLITE_OK;
	}
}

/* A bound from a constraint's value: whole numbers only (a real is
 * rounded outwards; anything else leaves the side unbounded). */
static int64_t
seg_bound(sqlite3_value *x, int upper, int64_t dflt)
{
	double d;

	switch (sqlite3_value_numeric_type(x)) {
	case SQLITE_INTEGER:
		return sqlite3_value_int64(x);
	case SQLITE_FLOAT:
		d = sqlite3_value_double(x);
		if (d != d || d >= 9.2e18 || d <= -9.2e18)
			return dflt;
		return upper ? (int64_t)d + 1 : (int64_t)d - 1;
	}
	return dflt;
}

static int
seg_vt_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc,
    sqlite3_value **argv)
{
	struct seg_cur *c = (struct seg_cur *)cur;
	struct seg_vtab *v = (struct seg_vtab *)cur->pVtab;
	int a = 0, rc;

	(void)idxs;
	c->lo = INT64_MIN;
	c->hi = INT64_MAX;
	if ((idx & SEG_LO) && a < argc)
		c->lo = seg_bound(argv[a++], 0, INT64_MIN);
	if ((idx & SEG_HI) && a < argc)
		c->hi = seg_bound(argv[a++], 1, INT64_MAX);
	sqlite3_finalize(c->st);
	c->st = NULL;
	c->eof = 0;
	c->nf = c->nh = c->i = 0;
	c->rowid = 0;
	rc = sqlite3_prepare_v2(v->db, v->kind == SV_FLOWS ?
	    "SELECT id, t_min, data FROM flow_seg WHERE t_max >= ?1 AND "
	    "t_min <= ?2 ORDER BY id" : "SELECT DISTINCT ts FROM host_seg "
	    "WHERE tier = ?3 AND ts >= ?1 AND ts <= ?2 ORDER BY ts", -1,
	    &c->st, NULL);
	if (rc != SQLITE_OK)
		return seg_vt_fail(c, rc);
	sqlite3_bind_int64(c->st, 1, c->lo);
	sqlite3_bind_int64(c->st, 2, c->hi);
	if (v->kind != SV_FLOWS)
		sqlite3_bind_int(c->st, 3, v->kind == SV_HOST_DAY);
	return v->kind == SV_FLOWS ? seg_vt_next_seg(c) : seg_vt_next_ts(c);
}

static int
seg_vt_next(sqlite3_vtab_cursor *cur)
{
	struct seg_cur *c = (struct seg_cur *)cur;
	struct seg_vtab *v = (struct seg_vtab *)cur->pVtab;

	c->rowid++;
	if (v->kind != SV_FLOWS)
		return ++c->i < c->nh ? SQLITE_OK : seg_vt_next_ts(c);
	while (++c->i < c->nf)
		if (c->f[c->i].ts_us >= c->lo && c->f[c->i].ts_us <= c->hi)
			return SQLITE_OK;
	return seg_vt_next_seg(c);
}

static int
seg_vt_eof(sqlite3_vtab_cursor *cur)
{
	return ((struct seg_cur *)cur)->eof;
}

static void
seg_text(sqlite3_context *cx, const char *s, int null_if_empty)
{
	if (null_if_empty && *s == '\0')
		sqlite3_result_null(cx);
	else
		sqlite3_result_text(cx, s, -1, SQLITE_TRANSIENT);
}

static void
seg_uint(sqlite3_context *cx, uint64_t v, int null_if_zero)
{
	if (null_if_zero && v == 0)
		sqlite3_result_null(cx);
	else
		sqlite3_result_int64(cx, (sqlite3_int64)v);
}

static int
seg_vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *cx, int col)
{
	struct seg_cur *c = (struct seg_cur *)cur;
	struct seg_vtab *v = (struct seg_vtab *)cur->pVtab;
	const struct store_seg_host *h;
	const struct store_flow *f;

	if (v->kind != SV_FLOWS) {
		h = &c->m.t[c->i];
		if (col == 0)
			sqlite3_result_int64(cx, c->ts);
		else if (col == 1)
			seg_text(cx, h->addr, 0);
		else if (col <= 5)
			seg_uint(cx, h->v[col - 2], 0);
		else
			seg_uint(cx, h->flows, 0);
		return SQLITE_OK;
	}
	f = &c->f[c->i];
	switch (col) {
	case 0: sqlite3_result_int64(cx, f->ts_us); break;
	case 1: seg_text(cx, f->uid, 0); break;
	case 2: seg_text(cx, f->orig_h, 0); break;
	case 3: seg_uint(cx, f->orig_p, 0); break;
	case 4: seg_text(cx, f->resp_h, 0); break;
	case 5: seg_uint(cx, f->resp_p, 0); break;
	case 6: seg_text(cx, f->proto, 0); break;
	case 7: seg_text(cx, f->service, 1); break;
	case 8: sqlite3_result_int64(cx, f->duration_us); break;
	case 9: seg_uint(cx, f->bytes[0], 0); break;
	case 10: seg_uint(cx, f->bytes[1], 0); break;
	case 11: seg_text(cx, f->conn_state, 0); break;
	case 12: seg_text(cx, f->history, 1); break;
	case 13: seg_uint(cx, f->pkts[0], 0); break;
	case 14: seg_uint(cx, f->ip_bytes[0], 0); break;
	case 15: seg_uint(cx, f->pkts[1], 0); break;
	case 16: seg_uint(cx, f->ip_bytes[1], 0); break;
	case 17: seg_uint(cx, f->wire_bytes[0], 0); break;
	case 18: seg_uint(cx, f->wire_bytes[1], 0); break;
	case 19: seg_uint(cx, f->vlan, 1); break;
	case 20: seg_uint(cx, f->inner_vlan, 1); break;
	case 21: seg_uint(cx, f->return_vlan, 1); break;
	case 22: seg_text(cx, f->parents, 1); break;
	case 23: seg_text(cx, f->tunnel, 1); break;
	case 24: seg_text(cx, f->cid, 1); break;
	case 25: seg_uint(cx, f->rtt_us, 1); break;
	case 26: seg_uint(cx, f->retrans, 0); break;
	case 27: seg_text(cx, f->orig_cc, 1); break;
	case 28: seg_text(cx, f->resp_cc, 1); break;
	case 29: seg_uint(cx, f->orig_asn, 1); break;
	default: seg_uint(cx, f->resp_asn, 1); break;
	}
	return SQLITE_OK;
}

/* A flow's rowid: its segment and place in it (flow_seg ids, in the order
 * they were written); a host row's: its place in the scan. */
static int
seg_vt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *id)
{
	struct seg_cur *c = (struct seg_cur *)cur;
	struct seg_vtab *v = (struct seg_vtab *)cur->pVtab;

	*id = v->kind == SV_FLOWS ? c->seg * 65536 + (sqlite3_int64)c->i :
	    c->rowid;
	return SQLITE_OK;
}

static const sqlite3_module seg_module = {
	.iVersion = 0,
	.xCreate = NULL,		/* eponymous only */
	.xConnect = seg_vt_connect,
	.xBestIndex = seg_vt_best,
	.xDisconnect = seg_vt_disconnect,
	.xDestroy = seg_vt_disconnect,
	.xOpen = seg_vt_open,
	.xClose = seg_vt_close,
	.xFilter = seg_vt_filter,
	.xNext = seg_vt_next,
	.xEof = seg_vt_eof,
	.xColumn = seg_vt_column,
	.xRowid = seg_vt_rowid,
};

int
store_seg_register(sqlite3 *db)
{
	int rc;

	if ((rc = sqlite3_create_module(db, "flows", &seg_module,
	    (void *)(intptr_t)SV_FLOWS)) != SQLITE_OK ||
	    (rc = sqlite3_create_module(db, "host_hour", &seg_module,
	    (void *)(intptr_t)SV_HOST_HOUR)) != SQLITE_OK)
		return rc;
	return sqlite3_create_module(db, "host_day", &seg_module,
	    (void *)(intptr_t)SV_HOST_DAY);
}

/* ---- schema 1 to 2 --------------------------------------------------- */

int
store_seg_migrate_v1(sqlite3 *db)
{
	static const char *const hosts[2] = {
		"SELECT ts, addr, bytes_in, bytes_out, pkts_in, pkts_out, "
		"flows FROM main.host_hour ORDER BY ts",
		"SELECT ts, addr, bytes_in, bytes_out, pkts_in, pkts_out, "
		"flows FROM main.host_day ORDER BY ts",
	};
	struct store_seg *w;
	struct store_flow *f = NULL;
	struct store_seg_host *h = NULL;
	const struct store_seg_host **hp = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0, i;
	int64_t ts = 0;
	const char *s;
	int rc, tier, k;

	if ((rc = sqlite3_exec(db, STORE_SEG_SCHEMA, NULL, NULL, NULL)) !=
	    SQLITE_OK || (w = store_seg_open(db)) == NULL)
		return rc != SQLITE_OK ? rc : SQLITE_ERROR;
	rc = sqlite3_prepare_v2(db, "SELECT * FROM main.flows ORDER BY ts_us, "
	    "rowid", -1, &st, NULL);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		struct store_flow *x;

		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;

		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			f = xreallocarray(f, cap, sizeof *f);
		}
		x = &f[n++];
		memset(x, 0, sizeof *x);
#define SEG_COPY(col, dst) do {						\
	s = (const char *)sqlite3_column_text(st, col);			\
	snprintf(dst, sizeof dst, "%s", s != NULL ? s : "");		\
} while (0)
		x->ts_us = sqlite3_column_int64(st, 0);
		SEG_COPY(1, x->uid);
		SEG_COPY(2, x->orig_h);
		x->orig_p = (uint16_t)sqlite3_column_int(st, 3);
		SEG_COPY(4, x->resp_h);
		x->resp_p = (uint16_t)sqlite3_column_int(st, 5);
		SEG_COPY(6, x->proto);
		SEG_COPY(7, x->service);
		x->duration_us = sqlite3_column_int64(st, 8);
		x->bytes[0] = (uint64_t)sqlite3_column_int64(st, 9);
		x->bytes[1] = (uint64_t)sqlite3_column_int64(st, 10);
		SEG_COPY(11, x->conn_state);
		SEG_COPY(12, x->history);
		x->pkts[0] = (uint64_t)sqlite3_column_int64(st, 13);
		x->ip_bytes[0] = (uint64_t)sqlite3_column_int64(st, 14);
		x->pkts[1] = (uint64_t)sqlite3_column_int64(st, 15);
		x->ip_bytes[1] = (uint64_t)sqlite3_column_int64(st, 16);
		x->wire_bytes[0] = (uint64_t)sqlite3_column_int64(st, 17);
		x->wire_bytes[1] = (uint64_t)sqlite3_column_int64(st, 18);
		x->vlan = (uint16_t)sqlite3_column_int(st, 19);
		x->inner_vlan = (uint16_t)sqlite3_column_int(st, 20);
		x->return_vlan = (uint16_t)sqlite3_column_int(st, 21);
		SEG_COPY(22, x->parents);
		SEG_COPY(23, x->tunnel);
		SEG_COPY(24, x->cid);
		x->rtt_us = (uint32_t)sqlite3_column_int64(st, 25);
		x->retrans = (uint32_t)sqlite3_column_int64(st, 26);
#undef SEG_COPY
		if (n == STORE_SEG_FLOWS &&
		    (rc = store_seg_add_flows(w, f, n)) == SQLITE_OK)
			n = 0;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = rc == SQLITE_DONE ? store_seg_add_flows(w, f, n) : rc;
	for (tier = 0; tier < 2 && rc == SQLITE_OK; tier++) {
		n = 0;
		if ((rc = sqlite3_prepare_v2(db, hosts[tier], -1, &st, NULL)) !=
		    SQLITE_OK)
			break;
		for (;;) {
			rc = sqlite3_step(st);
			if (n > 0 && (rc != SQLITE_ROW ||
			    sqlite3_column_int64(st, 0) != ts)) {
				/* an hour (day) is done */
				hp = xreallocarray(hp, n, sizeof *hp);
				for (i = 0; i < n; i++)
					hp[i] = &h[i];
				if ((k = store_seg_add_hosts(w, tier, ts, hp,
				    n)) != SQLITE_OK) {
					rc = k;
					break;
				}
				n = 0;
			}
			if (rc != SQLITE_ROW)
				break;
			s = (const char *)sqlite3_column_text(st, 1);
			if (s == NULL || *s == '\0')
				continue;	/* no address: nothing to key */
			ts = sqlite3_column_int64(st, 0);
			h = xreallocarray(h, n + 1, sizeof *h);
			memset(&h[n], 0, sizeof h[n]);
			snprintf(h[n].addr, sizeof h[n].addr, "%s", s);
			for (k = 0; k < 4; k++)
				h[n].v[k] = (uint64_t)sqlite3_column_int64(st,
				    2 + k);
			h[n].flows = (uint64_t)sqlite3_column_int64(st, 6);
			n++;
		}
		sqlite3_finalize(st);
		st = NULL;
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "DROP TABLE main.flows; "
		    "DROP TABLE main.host_hour; DROP TABLE main.host_day",
		    NULL, NULL, NULL);
	store_seg_close(w);
	free(f);
	free(h);
	free(hp);
	return rc;
}
