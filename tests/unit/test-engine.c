/*
 * test-engine.c: unit tests of the engine (flows, TCP state, timeouts,
 * hosts, rates, names, services, Community ID, uids, totals).
 *
 * Packets are built by hand as struct pkt_meta records; every expected
 * value is computed from the packets written here (in the comments next
 * to them) or, for Community IDs, taken from the spec's published
 * baseline (corelight/community-id-spec, baseline/ JSON files).
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "geoip.h"
#include "pkt.h"
#include "wt-check.h"

#define SEC	1000000000ull
#define MS	1000000ull
#define T0	(1000 * SEC)	/* packet times start here */

/* ---- helpers -------------------------------------------------------- */

static void
addr(const char *s, uint8_t out[16], uint8_t *ver)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		*ver = 4;
	else if (inet_pton(AF_INET6, s, out) == 1)
		*ver = 6;
	else
		ck_abort_msg("bad address %s", s);
}

/* An IP packet: IPv4 header 20 bytes (IPv6: 40), transport header hl,
 * payload len; on the wire 14 bytes of Ethernet more. */
static struct pkt_meta
ip_pkt(uint64_t ts, const char *src, uint16_t sp, const char *dst,
    uint16_t dp, uint8_t proto, uint32_t hl, uint32_t len)
{
	struct pkt_meta m;

	memset(&m, 0, sizeof m);
	m.ts_ns = ts;
	addr(src, m.src, &m.ip_ver);
	addr(dst, m.dst, &m.ip_ver);
	m.proto = proto;
	m.sport = sp;
	m.dport = dp;
	m.flags = PKT_F_L4;
	m.l4_len = len;
	m.ip_len = (m.ip_ver == 4 ? 20 : 40) + hl + len;
	m.wire_len = m.ip_len + 14;
	m.cap_len = m.wire_len;
	m.status = PKT_DECODED;
	return m;
}

static struct pkt_meta
tcp(uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
    uint8_t flags, uint32_t seq, uint32_t len)
{
	struct pkt_meta m = ip_pkt(ts, src, sp, dst, dp, 6, 20, len);

	m.tcp_flags = flags;
	m.tcp_seq = seq;
	m.tcp_win = 65535;
	return m;
}

static struct pkt_meta
udp(uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
    uint32_t len)
{
	return ip_pkt(ts, src, sp, dst, dp, 17, 8, len);
}

static struct pkt_meta
icmp(uint64_t ts, const char *src, const char *dst, uint8_t proto,
    uint8_t type, uint8_t code, uint32_t len)
{
	struct pkt_meta m = ip_pkt(ts, src, type, dst, code, proto, 4, len);

	m.icmp_type = type;
	m.icmp_code = code;
	return m;
}

/* Flow records as the sink saw them. */
struct rec {
	struct flow f;
	enum flow_end_reason why;
	char uid[20];
	char cid[64];
	char cid1[64];
	char state[8];
	const char *service;
	struct flow_ep o, r;
	uint16_t vlan, inner_vlan, return_vlan;	/* flow_vlans() */
	unsigned tun_kind;		/* engine_flow_tunnel(), 0: none */
	int nparents;
	char parents[FLOW_MAX_PARENTS][20];	/* flow_uid_of() */
};

struct recs {
	struct rec r[64];
	int n;
	const struct engine *e;	/* borrowed: for engine_flow_tunnel() */
};

static void
sink(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct recs *rs = arg;
	const struct flow_tunnel *tu;
	struct rec *r;
	int k;

	ck_assert_int_lt(rs->n, 64);
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof *r);
	r->f = *f;
	r->why = why;
	flow_uid(f, r->uid);
	flow_community_id(f, 0, r->cid);
	flow_community_id(f, 1, r->cid1);
	snprintf(r->state, sizeof r->state, "%s", flow_conn_state(f));
	r->service = flow_service(f);
	flow_endpoints(f, &r->o, &r->r);
	flow_vlans(f, &r->vlan, &r->inner_vlan, &r->return_vlan);
	if ((tu = engine_flow_tunnel(rs->e, f)) != NULL) {
		r->tun_kind = tu->kind;
		r->nparents = tu->nparents;
		for (k = 0; k < tu->nparents; k++)
			flow_uid_of(tu->parent[k], r->parents[k]);
	}
}

static struct engine *
mk_engine(const struct engine_cfg *cfg, struct recs *rs)
{
	struct engine_cfg c;
	struct engine *e;

	if (cfg == NULL) {
		memset(&c, 0, sizeof c);
		cfg = &c;
	}
	e = engine_create(cfg);
	memset(rs, 0, sizeof *rs);
	rs->e = e;
	ck_assert_int_eq(engine_sink_add(e, &(struct engine_sink){
	    .name = "test", .arg = rs, .flow = sink }), 0);
	return e;
}

static void
feed(struct engine *e, struct pkt_meta m)
{
	engine_packet(e, &m);
}

static int
ep_is(const struct flow_ep *ep, const char *a, uint16_t port)
{
	uint8_t b[16], v;

	addr(a, b, &v);
	return memcmp(ep->addr, b, 16) == 0 && ep->port == port;
}

/* ---- TCP ------------------------------------------------------------ */

#define CA "10.0.0.1"
#define SA "93.184.216.34"

/*
 * Handshake, data both ways, FIN both ways (all segments 20+20 bytes of
 * headers + payload; wire +14):
 *   orig: SYN, ACK, D(100), ACK, FIN, ACK  = 6 pkts, 100 bytes, ip 340
 *   resp: SYN-ACK, a, d(300), FIN          = 4 pkts, 300 bytes, ip 460
 * RTT: SYN at +0, completing ACK at +20 ms = 20000 us.
 */
static void
feed_sf(struct engine *e)
{
	feed(e, tcp(T0, CA, 40000, SA, 80, PKT_TCP_SYN, 1000, 0));
	feed(e, tcp(T0 + 10 * MS, SA, 80, CA, 40000,
	    PKT_TCP_SYN | PKT_TCP_ACK, 5000, 0));
	feed(e, tcp(T0 + 20 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1001, 0));
	feed(e, tcp(T0 + 30 * MS, CA, 40000, SA, 80,
	    PKT_TCP_PSH | PKT_TCP_ACK, 1001, 100));
	feed(e, tcp(T0 + 40 * MS, SA, 80, CA, 40000, PKT_TCP_ACK, 5001, 0));
	feed(e, tcp(T0 + 50 * MS, SA, 80, CA, 40000,
	    PKT_TCP_PSH | PKT_TCP_ACK, 5001, 300));
	feed(e, tcp(T0 + 60 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1101, 0));
	feed(e, tcp(T0 + 70 * MS, CA, 40000, SA, 80,
	    PKT_TCP_FIN | PKT_TCP_ACK, 1101, 0));
	feed(e, tcp(T0 + 80 * MS, SA, 80, CA, 40000,
	    PKT_TCP_FIN | PKT_TCP_ACK, 5301, 0));
	feed(e, tcp(T0 + 90 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1102, 0));
}

START_TEST(test_tcp_sf)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	struct rec *r;

	feed_sf(e);
	ck_assert_uint_eq(engine_flow_count(e), 1);
	/* Closed: the responder's FIN at +80 ms completed the close (FIN
	 * both ways), so the flow is gone 5 s after it (+5.08 s), not
	 * before. */
	engine_tick(e, T0 + 90 * MS + 4900 * MS);
	ck_assert_int_eq(rs.n, 0);
	engine_tick(e, T0 + 90 * MS + 5 * SEC);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_uint_eq(engine_flow_count(e), 0);
	r = &rs.r[0];
	ck_assert_int_eq(r->why, FLOW_END_CLOSED);
	ck_assert_str_eq(r->state, "SF");
	ck_assert_str_eq(r->f.history, "ShADadFf");
	ck_assert_uint_eq(r->f.dir[0].pkts, 6);
	ck_assert_uint_eq(r->f.dir[1].pkts, 4);
	ck_assert_uint_eq(r->f.dir[0].bytes, 100);
	ck_assert_uint_eq(r->f.dir[1].bytes, 300);
	ck_assert_uint_eq(r->f.dir[0].ip_bytes, 340);
	ck_assert_uint_eq(r->f.dir[1].ip_bytes, 460);
	ck_assert_uint_eq(r->f.dir[0].wire_bytes, 340 + 6 * 14);
	ck_assert_uint_eq(r->f.dir[1].wire_bytes, 460 + 4 * 14);
	ck_assert_uint_eq(r->f.rtt_us, 20000);
	ck_assert_uint_eq(r->f.retrans, 0);
	ck_assert_uint_eq(r->f.first_ns, T0);
	/* Issue 7: was T0 + 90 ms.  The final ACK at +90 ms comes after
	 * both sides closed (FIN at +70 and +80 ms): it is counted above (6
	 * originator packets) but, as in Zeek, does not move last-seen. */
	ck_assert_uint_eq(r->f.last_ns, T0 + 80 * MS);
	ck_assert(ep_is(&r->o, CA, 40000));
	ck_assert(ep_is(&r->r, SA, 80));
	ck_assert_ptr_nonnull(r->service);
	ck_assert_str_eq(r->service, "http");
	engine_free(e);
}
END_TEST

START_TEST(test_tcp_s0_rej)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);

	/* SYN only. */
	feed(e, tcp(T0, CA, 40001, SA, 443, PKT_TCP_SYN, 1, 0));
	/* SYN answered by RST-ACK. */
	feed(e, tcp(T0 + MS, CA, 40002, SA, 443, PKT_TCP_SYN, 1, 0));
	feed(e, tcp(T0 + 2 * MS, SA, 443, CA, 40002,
	    PKT_TCP_RST | PKT_TCP_ACK, 0, 0));
	/* Originator SYN then its own RST, no answer. */
	feed(e, tcp(T0 + 3 * MS, CA, 40003, SA, 443, PKT_TCP_SYN, 7, 0));
	feed(e, tcp(T0 + 4 * MS, CA, 40003, SA, 443, PKT_TCP_RST, 8, 0));
	/* Mid-stream: data both ways, no handshake seen. */
	feed(e, tcp(T0 + 5 * MS, CA, 40004, SA, 443, PKT_TCP_ACK, 9, 10));
	feed(e, tcp(T0 + 6 * MS, SA, 443, CA, 40004, PKT_TCP_ACK, 99, 20));
	/* First packet seen is the SYN-ACK: flipped, its receiver opened. */
	feed(e, tcp(T0 + 7 * MS, SA, 443, CA, 40005,
	    PKT_TCP_SYN | PKT_TCP_ACK, 50, 0));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 5);
	/* Flush order: by first packet time. */
	ck_assert_str_eq(rs.r[0].state, "S0");
	ck_assert_str_eq(rs.r[0].f.history, "S");
	ck_assert_int_eq(rs.r[0].why, FLOW_END_FLUSH);
	ck_assert_str_eq(rs.r[1].state, "REJ");
	ck_assert_str_eq(rs.r[1].f.history, "Sr");
	ck_assert_uint_eq(rs.r[1].f.rtt_us, 0);
	ck_assert_str_eq(rs.r[2].state, "RSTOS0");
	ck_assert_str_eq(rs.r[2].f.history, "SR");
	ck_assert_str_eq(rs.r[3].state, "OTH");
	ck_assert_str_eq(rs.r[3].f.history, "Dd");
	ck_assert_uint_eq(rs.r[3].f.dir[0].bytes, 10);
	ck_assert_uint_eq(rs.r[3].f.dir[1].bytes, 20);
	ck_assert_str_eq(rs.r[4].f.history, "^h");
	ck_assert_str_eq(rs.r[4].state, "OTH");
	ck_assert(ep_is(&rs.r[4].o, CA, 40005));
	ck_assert(ep_is(&rs.r[4].r, SA, 443));
	ck_assert_uint_eq(rs.r[4].f.dir[0].pkts, 0);
	ck_assert_uint_eq(rs.r[4].f.dir[1].pkts, 1);
	engine_free(e);
}
END_TEST

START_TEST(test_tcp_retrans)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	struct rec *r;

	feed(e, tcp(T0, CA, 40000, SA, 80, PKT_TCP_SYN, 1000, 0));
	feed(e, tcp(T0 + MS, SA, 80, CA, 40000,
	    PKT_TCP_SYN | PKT_TCP_ACK, 5000, 0));
	feed(e, tcp(T0 + 2 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1001, 0));
	/* 1001..1100 new, then the same again (retransmission), then
	 * 1051..1150 of which 1101..1150 (50 bytes) is new. */
	feed(e, tcp(T0 + 3 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1001, 100));
	feed(e, tcp(T0 + 4 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1001, 100));
	feed(e, tcp(T0 + 5 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1051, 100));
	/* A zero-window advertisement from the responder. */
	{
		struct pkt_meta m = tcp(T0 + 6 * MS, SA, 80, CA, 40000,
		    PKT_TCP_ACK, 5001, 0);

		m.tcp_win = 0;
		feed(e, m);
	}
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	r = &rs.r[0];
	ck_assert_uint_eq(r->f.retrans, 1);
	ck_assert_uint_eq(r->f.dir[0].bytes, 150);
	ck_assert_uint_eq(r->f.dir[0].pkts, 5);
	ck_assert_uint_eq(r->f.dir[0].ip_bytes, 5 * 40 + 300);
	ck_assert_str_eq(r->f.history, "ShADTaw");
	ck_assert_str_eq(r->state, "S1");
	ck_assert_uint_eq(r->f.rtt_us, 2000);
	engine_free(e);
}
END_TEST

START_TEST(test_tcp_reuse)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);

	/* Zeek's TCPSessionAdapter::IsReuse(): once a side has closed, any
	 * SYN is a new connection, even the original one again; before, a
	 * SYN whose number is not the originator's first one. */
	feed_sf(e);
	feed(e, tcp(T0 + 100 * MS, CA, 40000, SA, 80, PKT_TCP_SYN, 1000, 0));
	ck_assert_int_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].why, FLOW_END_REUSED);
	ck_assert_str_eq(rs.r[0].state, "SF");
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 6);	/* feed_sf's */
	/* Its retransmission (same number) belongs to the new one. */
	feed(e, tcp(T0 + 150 * MS, CA, 40000, SA, 80, PKT_TCP_SYN, 1000, 0));
	ck_assert_int_eq(rs.n, 1);
	/* Another number while the new one is open: another connection
	 * (Zeek's SYN_seq_jump). */
	feed(e, tcp(T0 + 200 * MS, CA, 40000, SA, 80, PKT_TCP_SYN, 77777, 0));
	ck_assert_int_eq(rs.n, 2);
	ck_assert_int_eq(rs.r[1].why, FLOW_END_REUSED);
	ck_assert_str_eq(rs.r[1].state, "S0");
	ck_assert_uint_eq(rs.r[1].f.first_ns, T0 + 100 * MS);
	ck_assert_uint_eq(rs.r[1].f.dir[0].pkts, 2);
	ck_assert_uint_eq(engine_flow_count(e), 1);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 3);
	ck_assert_str_eq(rs.r[2].state, "S0");
	ck_assert_uint_eq(rs.r[2].f.first_ns, T0 + 200 * MS);
	ck_assert_uint_eq(rs.r[2].f.dir[0].pkts, 1);
	ck_assert_str_ne(rs.r[0].uid, rs.r[1].uid);
	ck_assert_str_ne(rs.r[1].uid, rs.r[2].uid);
	ck_assert_uint_eq(engine_totals(e)->flows_created, 3);
	ck_assert_uint_eq(engine_totals(e)->flows_ended, 3);
	engine_free(e);
}
END_TEST

/* ---- UDP, ICMP, IPv6, VLAN, fragments -------------------------------- */

START_TEST(test_udp)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	struct rec *r;

	feed(e, udp(T0, "192.168.1.52", 54585, "8.8.8.8", 53, 30));
	feed(e, udp(T0 + 5 * MS, "8.8.8.8", 53, "192.168.1.52", 54585, 60));
	/* A one-way flow. */
	feed(e, udp(T0 + 6 * MS, "192.168.1.52", 5000, "8.8.4.4", 5001, 10));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 2);
	r = &rs.r[0];
	ck_assert_uint_eq(r->f.dir[0].pkts, 1);
	ck_assert_uint_eq(r->f.dir[1].pkts, 1);
	ck_assert_uint_eq(r->f.dir[0].bytes, 30);
	ck_assert_uint_eq(r->f.dir[1].bytes, 60);
	ck_assert_uint_eq(r->f.dir[0].ip_bytes, 58);
	ck_assert_uint_eq(r->f.dir[1].ip_bytes, 88);
	ck_assert_uint_eq(r->f.dir[1].wire_bytes, 102);
	ck_assert_str_eq(r->state, "SF");
	ck_assert_str_eq(r->service, "dns");
	ck_assert_str_eq(r->f.history, "Dd");	/* Zeek: every datagram */
	ck_assert(ep_is(&r->o, "192.168.1.52", 54585));
	ck_assert(ep_is(&r->r, "8.8.8.8", 53));
	ck_assert_str_eq(rs.r[1].state, "S0");
	ck_assert_ptr_null(rs.r[1].service);
	engine_free(e);
}
END_TEST

START_TEST(test_icmp)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	struct rec *r;

	feed(e, icmp(T0, "192.168.0.89", "192.168.0.1", 1, 8, 0, 60));
	feed(e, icmp(T0 + MS, "192.168.0.1", "192.168.0.89", 1, 0, 0, 60));
	feed(e, icmp(T0 + SEC, "192.168.0.89", "192.168.0.1", 1, 8, 0, 60));
	ck_assert_uint_eq(engine_flow_count(e), 1);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	r = &rs.r[0];
	ck_assert_uint_eq(r->f.dir[0].pkts, 2);
	ck_assert_uint_eq(r->f.dir[1].pkts, 1);
	ck_assert_uint_eq(r->f.dir[0].bytes, 120);
	ck_assert(ep_is(&r->o, "192.168.0.89", 8));
	ck_assert(ep_is(&r->r, "192.168.0.1", 0));
	/* Issue 7: was 0 / 0.  ICMP is keyed by type and counterpart type:
	 * a = 192.168.0.1 (the lower address) holds the reply type 0, b =
	 * 192.168.0.89 the request type 8. */
	ck_assert_uint_eq(r->f.key.ap, 0);
	ck_assert_uint_eq(r->f.key.bp, 8);
	ck_assert_str_eq(r->state, "OTH");
	ck_assert_ptr_null(r->service);
	ck_assert_str_eq(r->cid, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
	engine_free(e);
}
END_TEST

START_TEST(test_ipv6_vlan)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	struct pkt_meta m;
	const char *c6 = "2001:470:e5bf:dead:4957:2174:e82c:4887";
	const char *s6 = "2607:f8b0:400c:c03::1a";
	int key;

	/* Issue 7: VLAN is not in the flow key unless vlan_key is set.  The
	 * same UDP 5-tuple on VLAN 10, 20, 10 was three flows and is now one
	 * of 3 packets (its vlan the first packet's, 10); with vlan_key it
	 * is the old two flows, 10 (2 packets) and 20 (1). */
	for (key = 0; key < 2; key++) {
		memset(&c, 0, sizeof c);
		c.vlan_key = key;
		e = mk_engine(&c, &rs);
		feed(e, tcp(T0, c6, 63943, s6, 25, PKT_TCP_SYN, 1, 0));
		feed(e, tcp(T0 + MS, s6, 25, c6, 63943,
		    PKT_TCP_SYN | PKT_TCP_ACK, 9, 0));
		m = udp(T0 + 2 * MS, CA, 1000, SA, 2000, 1);
		m.vlan = 10;
		feed(e, m);
		m.vlan = 20;
		m.ts_ns += MS;
		feed(e, m);
		m.vlan = 10;
		m.ts_ns += MS;
		feed(e, m);
		ck_assert_uint_eq(engine_flow_count(e), key ? 3 : 2);
		engine_flush(e);
		ck_assert_int_eq(rs.n, key ? 3 : 2);
		ck_assert_uint_eq(rs.r[0].f.key.ip_ver, 6);
		ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 1);
		ck_assert_uint_eq(rs.r[0].f.dir[1].pkts, 1);
		ck_assert_uint_eq(rs.r[0].f.dir[0].ip_bytes, 60);
		/* SYN, SYN-ACK, no ACK: Zeek establishes both ends on the
		 * SYN-ACK. */
		ck_assert_str_eq(rs.r[0].state, "S1");
		/* Issue 7: was "smtp".  No payload either way: no service
		 * (Zeek logs "-"). */
		ck_assert_ptr_null(rs.r[0].service);
		ck_assert(ep_is(&rs.r[0].o, c6, 63943));
		ck_assert_str_eq(rs.r[0].cid,
		    "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=");
		if (key) {
			ck_assert_uint_eq(rs.r[1].f.key.vlan, 10);
			ck_assert_uint_eq(rs.r[1].f.dir[0].pkts, 2);
			ck_assert_uint_eq(rs.r[2].f.key.vlan, 20);
			ck_assert_uint_eq(rs.r[2].f.dir[0].pkts, 1);
		} else {
			ck_assert_uint_eq(rs.r[1].f.key.vlan, 0);
			ck_assert_uint_eq(rs.r[1].f.dir[0].pkts, 3);
			ck_assert_uint_eq(rs.r[1].f.vlan[0], 10);
		}
		engine_free(e);
	}
}
END_TEST

START_TEST(test_fragments)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	struct pkt_meta m;

	/* First fragment: UDP header + 1472 bytes; id 77. */
	m = udp(T0, CA, 5000, SA, 6000, 1472);
	m.flags |= PKT_F_FRAG;
	m.frag_id = 77;
	feed(e, m);
	/* Later fragment: 1000 bytes of IP payload, no ports. */
	m = udp(T0 + MS, CA, 0, SA, 0, 1000);
	m.flags = PKT_F_FRAG | PKT_F_FRAG_LATER;
	m.frag_id = 77;
	m.ip_len = 1020;
	m.wire_len = 1034;
	feed(e, m);
	/* A later fragment whose first was never seen: ports 0/0. */
	m.frag_id = 78;
	m.ts_ns += MS;
	feed(e, m);
	ck_assert_uint_eq(engine_flow_count(e), 2);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 2);
	ck_assert(ep_is(&rs.r[0].o, CA, 5000));
	ck_assert(ep_is(&rs.r[0].r, SA, 6000));
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 2);
	ck_assert_uint_eq(rs.r[0].f.dir[0].bytes, 2472);
	ck_assert_uint_eq(rs.r[0].f.dir[0].ip_bytes, 1500 + 1020);
	ck_assert(ep_is(&rs.r[1].o, CA, 0));
	ck_assert(ep_is(&rs.r[1].r, SA, 0));
	engine_free(e);
}
END_TEST

/* Many fragmented datagrams in flight at once, for frag_check(). */
#define FRAG_N	5000

struct frag_seen {
	int n;
	int bad;		/* records with ports 0 or not 2 packets */
	uint64_t sum;		/* order-sensitive digest of the records */
};

static void
frag_sink(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct frag_seen *fs = arg;
	struct flow_ep o, r;

	(void)why;
	flow_endpoints(f, &o, &r);
	fs->n++;
	if (o.port == 0 || r.port != 6000 || f->dir[0].pkts != 2 ||
	    f->dir[0].ip_bytes != 1500 + 1020)
		fs->bad++;
	fs->sum = fs->sum * 1000003 + o.port * 31 + o.addr[14];
}

/* First fragments of FRAG_N datagrams from 4 senders (IP ids repeat
 * across senders), then every later fragment in the reverse order.
 * Issue 7: source ports were 1000 + i, and the 12 of them in Zeek's
 * likely server ports (1812, 2123, 2152, 3389, 3544, 4011, 4754, 4789,
 * 5060, 5072, 5353, 5355) sending to 6000 (not one) rightly flip their
 * flow (responder port then != 6000: frag_sink's 12 "bad").  Ports
 * 10000 + i hold none of them, and no DNS port. */
static void
frag_feed(struct engine *e)
{
	struct pkt_meta m;
	char src[32];
	int i, j;

	for (j = 0; j < 2 * FRAG_N; j++) {
		i = j < FRAG_N ? j : 2 * FRAG_N - 1 - j;
		snprintf(src, sizeof src, "10.0.%d.1", i % 4);
		if (j < FRAG_N) {
			m = udp(T0 + (uint64_t)j * 1000, src,
			    (uint16_t)(10000 + i), SA, 6000, 1472);
			m.flags |= PKT_F_FRAG;
		} else {
			m = udp(T0 + (uint64_t)j * 1000, src, 0, SA, 0, 1000);
			m.flags = PKT_F_FRAG | PKT_F_FRAG_LATER;
			m.ip_len = 1020;
			m.wire_len = 1034;
		}
		m.frag_id = (uint16_t)(i / 4);
		feed(e, m);
	}
}

/* Later fragments find their first fragment however many datagrams are
 * in flight, and the result does not depend on the per-run hash key
 * (every engine draws its own). */
START_TEST(test_fragments_many)
{
	struct frag_seen fs[2];
	struct engine *e;
	int k;

	memset(fs, 0, sizeof fs);
	for (k = 0; k < 2; k++) {
		e = engine_create(NULL);
		ck_assert_int_eq(engine_sink_add(e, &(struct engine_sink){
		    .arg = &fs[k], .flow = frag_sink }), 0);
		frag_feed(e);
		ck_assert_uint_eq(engine_flow_count(e), FRAG_N);
		engine_flush(e);
		engine_free(e);
	}
	ck_assert_int_eq(fs[0].n, FRAG_N);
	ck_assert_int_eq(fs[0].bad, 0);
	ck_assert_int_eq(fs[1].n, FRAG_N);
	ck_assert_int_eq(fs[1].bad, 0);
	ck_assert(fs[0].sum == fs[1].sum);
}
END_TEST

/* ---- timeouts and eviction ------------------------------------------- */

START_TEST(test_idle_timeout)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);

	feed(e, udp(T0, CA, 1, SA, 2, 10));
	/* Unrelated traffic: 59.999 s later the flow is still there. */
	feed(e, udp(T0 + 59999 * MS, CA, 3, SA, 4, 10));
	ck_assert_int_eq(rs.n, 0);
	ck_assert_uint_eq(engine_flow_count(e), 2);
	/* At exactly 60 s (the UDP default) it expires. */
	feed(e, udp(T0 + 60 * SEC, CA, 5, SA, 6, 10));
	ck_assert_int_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].why, FLOW_END_IDLE);
	ck_assert_uint_eq(rs.r[0].f.key.ap, 1);
	ck_assert_uint_eq(engine_flow_count(e), 2);
	feed(e, udp(T0 + 60 * SEC + 500 * MS, CA, 7, SA, 8, 10));
	ck_assert_uint_eq(engine_flow_count(e), 3);
	/* The first packet of second 120 runs expiry: 3/4 (last 59.999)
	 * and 5/6 (last 60.0) go; 7/8 (last 60.5) stays; 5/6 starts anew. */
	feed(e, udp(T0 + 120 * SEC + 200 * MS, CA, 5, SA, 6, 10));
	ck_assert_int_eq(rs.n, 3);
	ck_assert_uint_eq(rs.r[1].f.key.ap, 3);
	ck_assert_uint_eq(rs.r[2].f.key.ap, 5);
	ck_assert_int_eq(rs.r[2].why, FLOW_END_IDLE);
	ck_assert_uint_eq(engine_flow_count(e), 2);
	/* Same second, so no expiry run: the packet itself finds 7/8 timed
	 * out (120.7 >= 60.5 + 60), ends it and starts a new flow. */
	feed(e, udp(T0 + 120 * SEC + 700 * MS, CA, 7, SA, 8, 10));
	ck_assert_int_eq(rs.n, 4);
	ck_assert_uint_eq(rs.r[3].f.key.ap, 7);
	ck_assert_int_eq(rs.r[3].why, FLOW_END_IDLE);
	ck_assert_uint_eq(rs.r[3].f.dir[0].pkts, 1);
	ck_assert_uint_eq(engine_flow_count(e), 2);
	ck_assert_uint_eq(engine_totals(e)->flows_created, 6);
	/* TCP waits 300 s. */
	feed(e, tcp(T0 + 200 * SEC, CA, 7, SA, 8, PKT_TCP_ACK, 1, 0));
	engine_tick(e, T0 + 499 * SEC);
	ck_assert_uint_eq(engine_flow_count(e), 1);
	engine_tick(e, T0 + 500 * SEC);
	ck_assert_uint_eq(engine_flow_count(e), 0);
	ck_assert_int_eq(rs.r[rs.n - 1].why, FLOW_END_IDLE);
	ck_assert_uint_eq(rs.r[rs.n - 1].f.key.proto, 6);
	ck_assert_uint_eq(engine_now(e), T0 + 500 * SEC);
	engine_free(e);
}
END_TEST

START_TEST(test_active_timeout)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	uint64_t pkts = 0, bytes = 0;
	int i;

	memset(&c, 0, sizeof c);
	c.active_timeout_s = 10;
	e = mk_engine(&c, &rs);
	/* 26 packets, one a second, t = 0..25, alternating direction. */
	for (i = 0; i <= 25; i++) {
		if (i % 2 == 0)
			feed(e, udp(T0 + (uint64_t)i * SEC, CA, 1, SA, 2, 100));
		else
			feed(e, udp(T0 + (uint64_t)i * SEC, SA, 2, CA, 1, 50));
	}
	engine_flush(e);
	/* Partials at t=10 (covering 0..9) and t=20 (10..19), then 20..25. */
	ck_assert_int_eq(rs.n, 3);
	ck_assert_int_eq(rs.r[0].why, FLOW_END_ACTIVE);
	ck_assert_int_eq(rs.r[1].why, FLOW_END_ACTIVE);
	ck_assert_int_eq(rs.r[2].why, FLOW_END_FLUSH);
	ck_assert_uint_eq(rs.r[0].f.first_ns, T0);
	ck_assert_uint_eq(rs.r[0].f.last_ns, T0 + 9 * SEC);
	ck_assert_uint_eq(rs.r[1].f.first_ns, T0 + 10 * SEC);
	ck_assert_uint_eq(rs.r[2].f.first_ns, T0 + 20 * SEC);
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts + rs.r[0].f.dir[1].pkts, 10);
	ck_assert_uint_eq(rs.r[2].f.dir[0].pkts, 3);	/* 20, 22, 24 */
	ck_assert_uint_eq(rs.r[2].f.dir[1].pkts, 3);	/* 21, 23, 25 */
	for (i = 0; i < 3; i++) {
		pkts += rs.r[i].f.dir[0].pkts + rs.r[i].f.dir[1].pkts;
		bytes += rs.r[i].f.dir[0].bytes + rs.r[i].f.dir[1].bytes;
		ck_assert_str_eq(rs.r[i].uid, rs.r[0].uid);
		ck_assert(ep_is(&rs.r[i].o, CA, 1));
	}
	ck_assert_uint_eq(pkts, 26);
	ck_assert_uint_eq(bytes, 13 * 100 + 13 * 50);
	ck_assert_uint_eq(engine_totals(e)->flows_created, 1);
	engine_free(e);
}
END_TEST

START_TEST(test_eviction)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;

	memset(&c, 0, sizeof c);
	c.max_flows = 2;
	e = mk_engine(&c, &rs);
	feed(e, udp(T0, CA, 1, SA, 2, 10));
	feed(e, udp(T0 + SEC, CA, 3, SA, 4, 10));
	feed(e, udp(T0 + 2 * SEC, CA, 1, SA, 2, 10));	/* 1/2 active again */
	feed(e, udp(T0 + 3 * SEC, CA, 5, SA, 6, 10));	/* evicts 3/4 */
	ck_assert_int_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].why, FLOW_END_EVICTED);
	ck_assert_uint_eq(rs.r[0].f.key.ap, 3);
	feed(e, udp(T0 + 4 * SEC, CA, 7, SA, 8, 10));	/* evicts 1/2 */
	ck_assert_int_eq(rs.n, 2);
	ck_assert_uint_eq(rs.r[1].f.key.ap, 1);
	ck_assert_uint_eq(rs.r[1].f.dir[0].pkts, 2);
	ck_assert_uint_eq(engine_flow_count(e), 2);
	ck_assert_uint_eq(engine_totals(e)->flows_evicted, 2);
	ck_assert_uint_eq(engine_totals(e)->flows_created, 4);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 4);
	ck_assert_uint_eq(engine_totals(e)->flows_ended, 4);
	engine_free(e);
}
END_TEST

/* ---- hosts, local networks, sources ---------------------------------- */

START_TEST(test_hosts)
{
	struct engine_cfg c;
	struct engine_net nets[1];
	const char *names[] = { "eth0" };
	struct recs rs;
	struct engine *e;
	const struct host *h;
	const struct engine_source *s;
	uint8_t a[16], v;
	size_t n = 0;

	memset(&c, 0, sizeof c);
	ck_assert_int_eq(engine_net_parse("203.0.113.0/24", &nets[0]), 0);
	c.local_nets = nets;
	c.n_local_nets = 1;
	c.n_sources = 1;
	c.source_names = names;
	c.keep_rates = 1;
	e = mk_engine(&c, &rs);
	/* L = 203.0.113.5 (local) -> R1 = 198.51.100.1: 3 x wire 100. */
	feed(e, udp(T0, "203.0.113.5", 1000, "198.51.100.1", 53, 58));
	feed(e, udp(T0 + SEC, "203.0.113.5", 1000, "198.51.100.1", 53, 58));
	feed(e, udp(T0 + 2 * SEC, "203.0.113.5", 1001, "198.51.100.1", 53,
	    58));
	/* R1 -> L: 1 x wire 60 (UDP payload 18). */
	feed(e, udp(T0 + 3 * SEC, "198.51.100.1", 53, "203.0.113.5", 1000,
	    18));
	/* L -> R2 = 198.51.100.2: 1 x wire 100. */
	feed(e, udp(T0 + 4 * SEC, "203.0.113.5", 1000, "198.51.100.2", 53,
	    58));
	/* R1 -> R2 (neither local): wire 50. */
	feed(e, udp(T0 + 5 * SEC, "198.51.100.1", 9, "198.51.100.2", 9, 8));
	/* Hosts are credited once a second; bring them up to date. */
	engine_sync(e);

	addr("203.0.113.5", a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->local, 1);
	ck_assert_uint_eq(h->bytes_out, 400);
	ck_assert_uint_eq(h->pkts_out, 4);
	ck_assert_uint_eq(h->bytes_in, 60);
	ck_assert_uint_eq(h->pkts_in, 1);
	ck_assert_uint_eq(h->peers, 2);
	ck_assert_uint_eq(h->flows_active, 3);
	ck_assert_uint_eq(h->first_ns, T0);
	ck_assert_uint_eq(h->last_ns, T0 + 4 * SEC);
	/* Rate: second 1000 had 100 out; second 1004 is still filling. */
	ck_assert(rate_avg(host_rate_out(h), 1004, 4) == 300.0 / 4);
	addr("198.51.100.1", a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->local, 0);
	ck_assert_uint_eq(h->peers, 2);
	ck_assert_uint_eq(h->bytes_in, 300);
	ck_assert_uint_eq(h->bytes_out, 60 + 50);
	ck_assert(engine_is_local(e, 4, a) == 0);
	addr("203.0.113.200", a, &v);
	ck_assert(engine_is_local(e, 4, a) == 1);
	ck_assert_ptr_null(engine_host_lookup(e, 4, a));
	addr("10.0.0.1", a, &v);	/* not local with nets configured */
	ck_assert(engine_is_local(e, 4, a) == 0);
	ck_assert_uint_eq(engine_host_count(e), 3);
	for (h = engine_host_first(e); h != NULL; h = engine_host_next(e, h))
		n++;
	ck_assert_uint_eq(n, 3);

	/* Source: tx = sent by a local address. */
	ck_assert_uint_eq(engine_source_count(e), 1);
	s = engine_source(e, 0);
	ck_assert_str_eq(s->name, "eth0");
	ck_assert_uint_eq(s->packets, 6);
	ck_assert_uint_eq(s->tx_bytes, 400);
	ck_assert_uint_eq(s->rx_bytes, 110);
	ck_assert_uint_eq(s->bytes, 510);
	ck_assert_uint_eq(s->flows_active, 4);
	ck_assert_uint_eq(s->hosts_active, 3);
	ck_assert(rate_hist_avg(&s->tx, 1005, 5) == 400.0 / 5);
	ck_assert(rate_hist_pps(&s->tx, 1005, 5) == 4.0 / 5);

	engine_flush(e);
	addr("203.0.113.5", a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_uint_eq(h->flows_active, 0);
	ck_assert_uint_eq(engine_source(e, 0)->flows_active, 0);
	engine_free(e);
}
END_TEST

/* Direction: the capture host's own addresses on a source decide rx/tx
 * first; a download from a host on the same /24 (both ends in the local
 * networks) is rx.  Without own addresses (source 1) the local networks
 * decide: a local sender is tx. */
START_TEST(test_direction_own)
{
	const char *names[] = { "eth0", "eth1" };
	struct engine_cfg c;
	struct engine_net own[2];
	struct recs rs;
	struct engine *e;
	const struct engine_source *s0, *s1;
	const struct host *h;
	struct pkt_meta m;
	uint8_t a[16], v;

	memset(&c, 0, sizeof c);
	c.n_sources = 2;
	c.source_names = names;
	e = mk_engine(&c, &rs);
	ck_assert_int_eq(engine_net_parse("192.168.1.10/32", &own[0]), 0);
	ck_assert_int_eq(engine_net_parse("203.0.113.9", &own[1]), 0);
	engine_source_addrs(e, 0, own, 2);
	/* Peer 192.168.1.20 -> own 192.168.1.10: 2 x wire 1000 (UDP
	 * payload 1000 - 14 - 20 - 8 = 958). */
	feed(e, udp(T0, "192.168.1.20", 80, "192.168.1.10", 5000, 958));
	feed(e, udp(T0 + MS, "192.168.1.20", 80, "192.168.1.10", 5000, 958));
	/* own -> peer: wire 100. */
	feed(e, udp(T0 + 2 * MS, "192.168.1.10", 5000, "192.168.1.20", 80,
	    58));
	/* 8.8.8.8 -> own 203.0.113.9 (not a local network): wire 60. */
	feed(e, udp(T0 + 3 * MS, "8.8.8.8", 53, "203.0.113.9", 999, 18));
	/* Neither end own: 192.168.1.20 (local) -> 8.8.8.8: tx, wire 70. */
	feed(e, udp(T0 + 4 * MS, "192.168.1.20", 7, "8.8.8.8", 53, 28));
	/* Source 1 has no own addresses: the same download counts as tx
	 * (the sender is local), wire 1000. */
	m = udp(T0 + 5 * MS, "192.168.1.20", 81, "192.168.1.10", 5001, 958);
	m.source = 1;
	feed(e, m);
	s0 = engine_source(e, 0);
	ck_assert_uint_eq(s0->rx_bytes, 2000 + 60);
	ck_assert_uint_eq(s0->tx_bytes, 100 + 70);
	s1 = engine_source(e, 1);
	ck_assert_uint_eq(s1->rx_bytes, 0);
	ck_assert_uint_eq(s1->tx_bytes, 1000);
	/* Hosts count in/out by sender and receiver; an own address is a
	 * local host even outside the local networks. */
	engine_sync(e);
	addr("192.168.1.10", a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->bytes_in, 3000);
	ck_assert_uint_eq(h->bytes_out, 100);
	addr("203.0.113.9", a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->local, 1);
	ck_assert_uint_eq(h->bytes_in, 60);
	addr("8.8.8.8", a, &v);
	ck_assert_uint_eq(engine_host_lookup(e, 4, a)->local, 0);
	engine_free(e);
}
END_TEST

/* A host table full of hosts with flows cannot evict: new addresses
 * are not tracked, and that is counted. */
START_TEST(test_hosts_untracked)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	const struct engine_totals *t;

	memset(&c, 0, sizeof c);
	c.max_hosts = 2;
	e = mk_engine(&c, &rs);
	feed(e, udp(T0, CA, 1, SA, 2, 10));		/* 2 hosts, busy */
	feed(e, udp(T0 + MS, CA, 3, "192.0.2.9", 4, 10));	/* 1 refused */
	feed(e, udp(T0 + 2 * MS, "192.0.2.8", 5, "192.0.2.9", 6, 10));
	t = engine_totals(e);
	ck_assert_uint_eq(t->hosts_created, 2);
	ck_assert_uint_eq(t->hosts_untracked, 3);
	ck_assert_uint_eq(t->hosts_evicted, 0);
	ck_assert_uint_eq(engine_host_count(e), 2);
	ck_assert_uint_eq(engine_flow_count(e), 3);
	/* When the flows are gone their hosts can be evicted. */
	engine_flush(e);
	feed(e, udp(T0 + 3 * MS, "192.0.2.8", 5, "192.0.2.9", 6, 10));
	ck_assert_uint_eq(t->hosts_evicted, 2);
	ck_assert_uint_eq(t->hosts_created, 4);
	ck_assert_uint_eq(t->hosts_untracked, 3);
	engine_free(e);
}
END_TEST

/* GeoIP through the engine, on MaxMind's test databases (their source
 * JSON: 81.2.69.142 is GB, London in GeoIP2-City-Test; 1.128.0.1 is
 * AS1221 "Telstra Pty Ltd" in GeoLite2-ASN-Test): a host is looked up
 * when it is made, a local one never; a flow endpoint the full host
 * table does not hold is looked up for its record; reopening without
 * databases and refreshing clears every host. */
START_TEST(test_geo)
{
	const char *corpus = getenv("WT_CORPUS");
	char city[512], asn[512];
	struct geoip_info o, r;
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	struct geoip *g;
	const struct host *h;
	const struct flow *f;
	uint8_t a[16], v;
	int seen = 0;

	if (corpus == NULL)
		WT_MISSING("WT_CORPUS not set (the MaxMind test databases)");
	snprintf(city, sizeof city, "%s/mmdb/GeoIP2-City-Test.mmdb", corpus);
	snprintf(asn, sizeof asn, "%s/mmdb/GeoLite2-ASN-Test.mmdb", corpus);
	if (access(city, R_OK) != 0 || access(asn, R_OK) != 0)
		WT_MISSING("no MaxMind test databases in $WT_CORPUS/mmdb");
	g = geoip_create(city, asn);
	ck_assert_int_eq(geoip_open(g), 2);
	ck_assert_ptr_null(geoip_notice(g));
	memset(&c, 0, sizeof c);
	c.max_hosts = 2;
	c.geoip = g;
	e = mk_engine(&c, &rs);
	feed(e, udp(T0, CA, 1, "81.2.69.142", 2, 10));
	feed(e, udp(T0 + MS, CA, 3, "1.128.0.1", 4, 10));	/* untracked */

	addr("81.2.69.142", a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h->geo.state, GEOIP_LOOKED);
	ck_assert_mem_eq(h->geo.cc, "GB", 2);
	ck_assert_str_eq(geoip_str(g, h->geo.city), "London");
	ck_assert_uint_eq(h->geo.asn, 0);
	addr(CA, a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h->geo.state, GEOIP_PRIVATE);
	ck_assert_int_eq(h->geo.cc[0], '\0');
	addr("1.128.0.1", a, &v);
	ck_assert_ptr_null(engine_host_lookup(e, 4, a));

	for (f = engine_flow_first(e); f != NULL; f = engine_flow_next(e, f)) {
		engine_flow_geo(e, f, &o, &r);
		ck_assert_int_eq(o.state, GEOIP_PRIVATE);
		if (f->key.b[0] == 1 || f->key.a[0] == 1) {
			ck_assert_uint_eq(r.asn, 1221);
			ck_assert_str_eq(geoip_str(g, r.org),
			    "Telstra Pty Ltd");
			seen++;
		} else
			ck_assert_mem_eq(r.cc, "GB", 2);
	}
	ck_assert_int_eq(seen, 1);

	geoip_set_paths(g, "", "");
	ck_assert_int_eq(geoip_open(g), 0);
	engine_geo_refresh(e);
	addr("81.2.69.142", a, &v);
	h = engine_host_lookup(e, 4, a);
	ck_assert_int_eq(h->geo.state, GEOIP_NONE);
	ck_assert_int_eq(h->geo.cc[0], '\0');
	engine_free(e);
	geoip_free(g);
}
END_TEST

START_TEST(test_default_local)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	static const struct {
		const char *a;
		int local;
	} t[] = {
		{ "10.1.2.3", 1 }, { "172.16.0.1", 1 }, { "172.31.255.255", 1 },
		{ "172.32.0.1", 0 }, { "192.168.9.9", 1 }, { "100.64.0.1", 1 },
		{ "100.128.0.1", 0 }, { "169.254.1.1", 1 }, { "127.0.0.1", 1 },
		{ "8.8.8.8", 0 }, { "fd00::1", 1 }, { "fe80::1", 1 },
		{ "::1", 1 }, { "2001:db8::1", 0 },
	};
	uint8_t a[16], v;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		addr(t[i].a, a, &v);
		ck_assert_msg(engine_is_local(e, v, a) == t[i].local, "%s",
		    t[i].a);
	}
	engine_free(e);
}
END_TEST

START_TEST(test_net_parse)
{
	struct engine_net n;

	ck_assert_int_eq(engine_net_parse("10.0.0.0/8", &n), 0);
	ck_assert_uint_eq(n.ip_ver, 4);
	ck_assert_uint_eq(n.plen, 8);
	ck_assert_uint_eq(n.addr[0], 10);
	ck_assert_int_eq(engine_net_parse("2001:db8::/32", &n), 0);
	ck_assert_uint_eq(n.ip_ver, 6);
	ck_assert_uint_eq(n.plen, 32);
	ck_assert_uint_eq(n.addr[1], 0x01);
	ck_assert_uint_eq(n.addr[2], 0x0d);
	ck_assert_int_eq(engine_net_parse("192.0.2.1", &n), 0);
	ck_assert_uint_eq(n.plen, 32);
	ck_assert_int_eq(engine_net_parse("::1", &n), 0);
	ck_assert_uint_eq(n.plen, 128);
	ck_assert_int_eq(engine_net_parse("10.0.0.0/33", &n), -1);
	ck_assert_int_eq(engine_net_parse("10.0.0.0/", &n), -1);
	ck_assert_int_eq(engine_net_parse("10.0.0.0/-1", &n), -1);
	ck_assert_int_eq(engine_net_parse("10.0.0.0/8x", &n), -1);
	ck_assert_int_eq(engine_net_parse("::/129", &n), -1);
	ck_assert_int_eq(engine_net_parse("example.com", &n), -1);
	ck_assert_int_eq(engine_net_parse("", &n), -1);
}
END_TEST

/* ---- rates ---------------------------------------------------------- */

START_TEST(test_rates)
{
	struct rate r;
	struct rate_hist rh;
	uint32_t out[5];
	uint64_t out64[3];

	memset(&r, 0, sizeof r);
	rate_add(&r, 100, 1000);
	rate_add(&r, 101, 2000);
	rate_add(&r, 102, 3000);
	rate_add(&r, 102, 1000);	/* second 102: 4000 */
	rate_add(&r, 103, 500);		/* still filling at now = 103 */
	ck_assert(rate_avg(&r, 103, 2) == (2000 + 4000) / 2.0);
	ck_assert(rate_avg(&r, 103, 10) == 7000 / 10.0);
	ck_assert(rate_avg(&r, 104, 1) == 500.0);
	ck_assert(rate_avg(&r, 103, 0) == 0.0);
	rate_series(&r, 103, out, 5);
	ck_assert_uint_eq(out[0], 0);	/* second 98 */
	ck_assert_uint_eq(out[1], 0);
	ck_assert_uint_eq(out[2], 1000);
	ck_assert_uint_eq(out[3], 2000);
	ck_assert_uint_eq(out[4], 4000);
	/* Older than the window (103 - 64 = 39): ignored. */
	rate_add(&r, 39, 99999);
	ck_assert(rate_avg(&r, 103, 64) == 7000 / 64.0);
	/* Advance by 5: 104..108 zeroed, the rest kept. */
	rate_add(&r, 108, 10);
	rate_series(&r, 109, out, 5);	/* seconds 104..108 */
	ck_assert_uint_eq(out[0], 0);
	ck_assert_uint_eq(out[4], 10);
	ck_assert(rate_avg(&r, 109, 9) ==
	    (1000 + 2000 + 4000 + 500 + 10) / 9.0);
	/* 100 is now 8 s back; at now = 165 it has fallen out (window
	 * 102..165 once the head moves there). */
	rate_add(&r, 165, 1);
	ck_assert(rate_avg(&r, 165, 64) == (4000 + 500 + 10) / 64.0);
	/* Advancing by the window or more clears everything. */
	rate_add(&r, 165 + 64, 7);
	ck_assert(rate_avg(&r, 165 + 64, 64) == 0.0);
	ck_assert(rate_avg(&r, 165 + 65, 1) == 7.0);

	memset(&rh, 0, sizeof rh);
	rate_hist_add(&rh, 5000, 1500, 1);
	rate_hist_add(&rh, 5000, 500, 1);
	rate_hist_add(&rh, 5002, 100, 2);
	ck_assert(rate_hist_avg(&rh, 5003, 3) == 2100 / 3.0);
	ck_assert(rate_hist_pps(&rh, 5003, 3) == 4 / 3.0);
	rate_hist_series(&rh, 5003, out64, 3);
	ck_assert_uint_eq(out64[0], 2000);
	ck_assert_uint_eq(out64[1], 0);
	ck_assert_uint_eq(out64[2], 100);
	rate_hist_add(&rh, 5000 + RATE_HIST_SLOTS + 2, 1, 1);
	ck_assert(rate_hist_avg(&rh, 5000 + RATE_HIST_SLOTS + 2,
	    RATE_HIST_SLOTS) == 0.0);
}
END_TEST

START_TEST(test_flow_rates)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	const struct flow *f;

	e = mk_engine(NULL, &rs);
	feed(e, udp(T0, CA, 1, SA, 2, 10));
	ck_assert_ptr_null(flow_rate(e, engine_flow_first(e), 0));
	engine_free(e);

	memset(&c, 0, sizeof c);
	c.keep_rates = 1;
	e = mk_engine(&c, &rs);
	feed(e, udp(T0, CA, 1, SA, 2, 10));		/* wire 52 */
	feed(e, udp(T0 + SEC, SA, 2, CA, 1, 100));	/* wire 142 */
	feed(e, udp(T0 + SEC + 1, SA, 2, CA, 1, 100));
	f = engine_flow_first(e);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(engine_flow_next(e, f));
	ck_assert_ptr_nonnull(flow_rate(e, f, 0));
	ck_assert(rate_avg(flow_rate(e, f, 0), 1002, 2) == 52 / 2.0);
	ck_assert(rate_avg(flow_rate(e, f, 1), 1002, 1) == 284.0);
	engine_free(e);
}
END_TEST

/* ---- names and services --------------------------------------------- */

static struct pkt_name
mk_name(const char *a, const char *name, uint8_t kind)
{
	struct pkt_name n;

	memset(&n, 0, sizeof n);
	n.kind = kind;
	if (a != NULL)
		addr(a, n.addr, &n.ip_ver);
	snprintf(n.name, sizeof n.name, "%s", name);
	return n;
}

START_TEST(test_names)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	struct pkt_name n;
	uint8_t a[16], v;

	memset(&c, 0, sizeof c);
	c.max_names = 2;
	e = mk_engine(&c, &rs);
	n = mk_name(SA, "example.com", PKT_NAME_DNS);
	engine_name(e, &n);
	addr(SA, a, &v);
	ck_assert_str_eq(engine_name_lookup(e, 4, a), "example.com");
	n = mk_name(SA, "www.example.com", PKT_NAME_SNI);
	engine_name(e, &n);
	ck_assert_str_eq(engine_name_lookup(e, 4, a), "www.example.com");
	n = mk_name("2001:db8::5", "v6.example", PKT_NAME_DNS);
	engine_name(e, &n);
	addr("2001:db8::5", a, &v);
	ck_assert_str_eq(engine_name_lookup(e, 6, a), "v6.example");
	/* Same bytes, other version: not the same address. */
	ck_assert_ptr_null(engine_name_lookup(e, 4, a));
	/* A MAC-only DHCP record has no address: ignored. */
	n = mk_name(NULL, "laptop", PKT_NAME_DHCP);
	engine_name(e, &n);
	ck_assert_uint_eq(engine_totals(e)->names_learned, 3);
	/* Table of 2: a third address drops the oldest learned (SA). */
	n = mk_name("192.0.2.7", "printer", PKT_NAME_DHCP);
	engine_name(e, &n);
	ck_assert_str_eq(engine_name_lookup(e, 4, n.addr), "printer");
	addr(SA, a, &v);
	ck_assert_ptr_null(engine_name_lookup(e, 4, a));
	addr("2001:db8::5", a, &v);
	ck_assert_str_eq(engine_name_lookup(e, 6, a), "v6.example");
	ck_assert_uint_eq(engine_totals(e)->names_learned, 4);
	engine_free(e);
}
END_TEST

START_TEST(test_services)
{
	ck_assert_str_eq(service_name(6, 443), "https");
	ck_assert_str_eq(service_name(17, 443), "quic");
	ck_assert_str_eq(service_name(17, 53), "dns");
	ck_assert_str_eq(service_name(6, 53), "dns");
	ck_assert_str_eq(service_name(6, 22), "ssh");
	ck_assert_str_eq(service_name(17, 123), "ntp");
	/* Issue 7: was "mdns".  mDNS, LLMNR and NetBIOS-NS are DNS messages
	 * and Zeek's DNS analyzer names them "dns"; TCP 514 is "syslog" in
	 * Zeek (not "shell"). */
	ck_assert_str_eq(service_name(17, 5353), "dns");
	ck_assert_str_eq(service_name(17, 5355), "dns");
	ck_assert_str_eq(service_name(17, 137), "dns");
	ck_assert_str_eq(service_name(6, 514), "syslog");
	ck_assert_str_eq(service_name(6, 3306), "mysql");
	ck_assert_str_eq(service_name(6, 27017), "mongodb");
	ck_assert_str_eq(service_name(6, 20), "ftp-data");
	ck_assert_ptr_null(service_name(6, 0));
	ck_assert_ptr_null(service_name(1, 8));
	/* Fallback to /etc/services (Debian netbase lists gopher 70/tcp). */
	if (access("/etc/services", R_OK) == 0) {
		FILE *f = fopen("/etc/services", "r");
		char line[256];
		int has = 0;

		while (f != NULL && fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "gopher\t", 7) == 0 &&
			    strstr(line, "70/tcp") != NULL)
				has = 1;
		if (f != NULL)
			fclose(f);
		if (has)
			ck_assert_str_eq(service_name(6, 70), "gopher");
	}
	ck_assert_str_eq(proto_name(6), "tcp");
	ck_assert_str_eq(proto_name(17), "udp");
	ck_assert_str_eq(proto_name(1), "icmp");
	ck_assert_str_eq(proto_name(58), "icmp6");
	ck_assert_str_eq(proto_name(47), "gre");
	ck_assert_str_eq(proto_name(132), "sctp");
	ck_assert_ptr_null(proto_name(253));
}
END_TEST

/* ---- Community ID ---------------------------------------------------- */

/* corelight/community-id-spec baseline/baseline_deflt.json and
 * baseline_seed1.json; ICMP rows give type and code as the ports. */
static const struct cid_vec {
	uint8_t proto;
	const char *s, *d;
	int sp, dp;
	const char *seed0, *seed1;
} cid_vecs[] = {
	{ 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
	  "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	  "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
	{ 58, "3ffe:501:410:0:2c0:dfff:fe47:33e",
	  "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	  "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
	{ 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128,
	  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134,
	  "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133,
	  "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
	{ 1, "192.168.0.1", "192.168.0.89", 0, 8,
	  "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, "10.0.0.1", "10.0.0.2", 11, 0,
	  "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887",
	  25, 63943,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 132, "192.168.170.8", "192.168.170.56", 7, 7,
	  "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 132, "192.168.170.56", "192.168.170.8", 7, 7,
	  "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80,
	  "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 6, "66.35.250.204", "128.232.110.120", 80, 34855,
	  "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 17, "192.168.1.52", "8.8.8.8", 54585, 53,
	  "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585,
	  "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 46, "10.1.12.1", "10.1.12.2", -1, -1,
	  "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 46, "10.1.12.2", "10.1.12.1", -1, -1,
	  "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

START_TEST(test_community_id)
{
	const struct cid_vec *cv = &cid_vecs[_i];
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	struct pkt_meta m;

	if (cv->proto == 1 || cv->proto == 58)
		m = icmp(T0, cv->s, cv->d, cv->proto, (uint8_t)cv->sp,
		    (uint8_t)cv->dp, 8);
	else if (cv->sp >= 0)
		m = ip_pkt(T0, cv->s, (uint16_t)cv->sp, cv->d,
		    (uint16_t)cv->dp, cv->proto, 8, 8);
	else {
		m = ip_pkt(T0, cv->s, 0, cv->d, 0, cv->proto, 0, 8);
		m.flags = 0;
	}
	feed(e, m);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_str_eq(rs.r[0].cid, cv->seed0);
	ck_assert_str_eq(rs.r[0].cid1, cv->seed1);
	engine_free(e);
}
END_TEST

/*
 * Hosts are counted packet by packet when rates are kept, and per flow
 * record (plus the live flows, at engine_sync()) when they are not: the
 * two must agree on every host, with flows ended by FIN, by the idle
 * timeout, split by the active timeout, and still live.
 */
static void
feed_hostmix(struct engine *e)
{
	int i;

	feed_sf(e);					/* ends with FIN */
	for (i = 0; i < 5; i++) {			/* live UDP, both ways */
		feed(e, udp(T0 + (uint64_t)i * SEC, "10.0.0.1", 5000,
		    "10.0.0.2", 53, 40 + i));
		feed(e, udp(T0 + (uint64_t)i * SEC + 1000, "10.0.0.2", 53,
		    "10.0.0.1", 5000, 100));
	}
	/* Idle for longer than the UDP timeout: the next packet ends it. */
	feed(e, udp(T0 + 200 * SEC, "10.0.0.1", 5000, "10.0.0.2", 53, 7));
	/* Self-talk: both sides are the same host. */
	feed(e, udp(T0 + 201 * SEC, "127.0.0.1", 9, "127.0.0.1", 9, 3));
	/* A long flow: 1 packet a second for 50 s with a 20 s active timeout
	 * gives partial records. */
	for (i = 0; i < 50; i++)
		feed(e, udp(T0 + (uint64_t)(210 + i) * SEC, "10.0.0.3", 7000,
		    "10.0.0.4", 7001, 10));
}

START_TEST(test_hosts_sync)
{
	struct engine_cfg c;
	struct recs r1, r2;
	struct engine *per_pkt, *per_rec;
	const struct host *h, *g;
	uint8_t sa[16], v;
	size_t n = 0;

	memset(&c, 0, sizeof c);
	c.active_timeout_s = 20;
	c.keep_rates = 1;
	per_pkt = mk_engine(&c, &r1);
	c.keep_rates = 0;
	per_rec = mk_engine(&c, &r2);
	feed_hostmix(per_pkt);
	feed_hostmix(per_rec);
	engine_sync(per_pkt);
	engine_sync(per_rec);
	ck_assert_uint_eq(engine_host_count(per_pkt),
	    engine_host_count(per_rec));
	for (h = engine_host_first(per_pkt); h != NULL;
	    h = engine_host_next(per_pkt, h)) {
		g = engine_host_lookup(per_rec, h->ip_ver, h->addr);
		ck_assert_ptr_nonnull(g);
		ck_assert_uint_eq(g->bytes_in, h->bytes_in);
		ck_assert_uint_eq(g->bytes_out, h->bytes_out);
		ck_assert_uint_eq(g->pkts_in, h->pkts_in);
		ck_assert_uint_eq(g->pkts_out, h->pkts_out);
		/*
		 * Issue 7, KNOWN DIFFERENCE (reported, engine not changed
		 * here): SA's only traffic is feed_sf, whose final ACK
		 * (+90 ms) comes after FIN/FIN and no longer moves the
		 * flow's last_ns (+80 ms).  Counted per packet, SA was last
		 * seen at +90 ms; credited per record, at the flow's
		 * +80 ms.  Per packet is pinned; per record may lag.
		 */
		addr(SA, sa, &v);
		if (h->ip_ver == 4 && memcmp(h->addr, sa, 16) == 0) {
			ck_assert_uint_eq(h->last_ns, T0 + 90 * MS);
			ck_assert_uint_le(g->last_ns, h->last_ns);
		} else
			ck_assert_uint_eq(g->last_ns, h->last_ns);
		ck_assert_ptr_null(g->rates);
		ck_assert_ptr_nonnull(h->rates);
		n++;
	}
	/* CA (10.0.0.1), SA, 10.0.0.2, 127.0.0.1, 10.0.0.3, 10.0.0.4 */
	ck_assert_uint_eq(n, 6);
	/* A second sync must not count the live flows twice. */
	engine_sync(per_rec);
	for (h = engine_host_first(per_pkt); h != NULL;
	    h = engine_host_next(per_pkt, h)) {
		g = engine_host_lookup(per_rec, h->ip_ver, h->addr);
		ck_assert_uint_eq(g->bytes_in, h->bytes_in);
		ck_assert_uint_eq(g->pkts_out, h->pkts_out);
	}
	/* And after the flush both agree with no sync at all. */
	engine_flush(per_pkt);
	engine_flush(per_rec);
	for (h = engine_host_first(per_pkt); h != NULL;
	    h = engine_host_next(per_pkt, h)) {
		g = engine_host_lookup(per_rec, h->ip_ver, h->addr);
		ck_assert_uint_eq(g->bytes_out, h->bytes_out);
		ck_assert_uint_eq(g->pkts_in, h->pkts_in);
	}
	engine_free(per_pkt);
	engine_free(per_rec);
}
END_TEST

/* ---- uids and totals ------------------------------------------------- */

static void
feed_mix(struct engine *e)
{
	feed_sf(e);
	feed(e, udp(T0 + SEC, "192.168.1.52", 54585, "8.8.8.8", 53, 30));
	feed(e, udp(T0 + 2 * SEC, "192.168.1.52", 54586, "8.8.8.8", 53, 30));
	feed(e, icmp(T0 + 3 * SEC, "192.168.0.89", "192.168.0.1", 1, 8, 0, 8));
	feed(e, tcp(T0 + 4 * SEC, CA, 40001, SA, 443, PKT_TCP_SYN, 1, 0));
}

START_TEST(test_uid)
{
	struct recs r1, r2;
	struct engine *e1 = mk_engine(NULL, &r1);
	struct engine *e2 = mk_engine(NULL, &r2);
	int i, j;

	feed_mix(e1);
	engine_flush(e1);
	feed_mix(e2);
	engine_flush(e2);
	ck_assert_int_eq(r1.n, 5);
	ck_assert_int_eq(r2.n, 5);
	for (i = 0; i < r1.n; i++) {
		ck_assert_str_eq(r1.r[i].uid, r2.r[i].uid);
		ck_assert_int_eq(memcmp(&r1.r[i].f.key, &r2.r[i].f.key,
		    sizeof r1.r[i].f.key), 0);
		ck_assert_uint_eq(strlen(r1.r[i].uid), 18);
		ck_assert_int_eq(r1.r[i].uid[0], 'C');
		ck_assert_uint_eq(strspn(r1.r[i].uid + 1,
		    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz"), 17);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(r1.r[i].uid, r1.r[j].uid);
	}
	engine_free(e1);
	engine_free(e2);
}
END_TEST

/* ---- sinks ---------------------------------------------------------- */

/* What a test sink saw: flows by uid in arrival order, ticks, names,
 * source events. */
struct seen {
	char uids[64][20];
	enum flow_end_reason why[64];
	int nflows;
	uint64_t ticks[64];
	size_t tick_flows[64];	/* engine_flow_count() at each tick */
	int nticks;
	char names[8][256];
	int nnames;
	struct engine_source_event ev[8];
	char detail[8][96];
	int nev;
};

static void
seen_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->nflows, 64);
	flow_uid(f, s->uids[s->nflows]);
	s->why[s->nflows++] = why;
}

static void
seen_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->nticks, 64);
	ck_assert_uint_eq(engine_now(e), now_ns);
	s->tick_flows[s->nticks] = engine_flow_count(e);
	s->ticks[s->nticks++] = now_ns;
}

static void
seen_name(void *arg, const struct pkt_name *pn)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->nnames, 8);
	snprintf(s->names[s->nnames++], sizeof s->names[0], "%s", pn->name);
}

static void
seen_source(void *arg, const struct engine_source_event *ev)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->nev, 8);
	s->ev[s->nev] = *ev;
	snprintf(s->detail[s->nev], sizeof s->detail[0], "%s",
	    ev->detail != NULL ? ev->detail : "");
	s->ev[s->nev++].detail = NULL;
}

/* Two runs of the same traffic 3.7 s apart (live runs restart the
 * creation numbers) give different uids to every flow, also to flows on
 * the same 5-tuple; the same 5-tuple again in one run gets a new uid. */
START_TEST(test_uid_runs)
{
	struct seen *s[2];
	struct engine *e;
	struct engine_sink sk;
	int k, i, j;

	for (k = 0; k < 2; k++) {
		uint64_t t = T0 + (uint64_t)k * 3700 * MS;

		s[k] = calloc(1, sizeof *s[k]);
		e = engine_create(NULL);
		memset(&sk, 0, sizeof sk);
		sk.arg = s[k];
		sk.flow = seen_flow;
		ck_assert_int_eq(engine_sink_add(e, &sk), 0);
		feed(e, udp(t, CA, 5353, SA, 53, 10));
		feed(e, icmp(t + MS, CA, SA, 1, 8, 0, 8));
		/* The same DNS 5-tuple after its idle timeout: a new flow. */
		feed(e, udp(t + 61 * SEC, CA, 5353, SA, 53, 10));
		engine_flush(e);
		engine_free(e);
		ck_assert_int_eq(s[k]->nflows, 3);
	}
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++)
			ck_assert_str_ne(s[0]->uids[i], s[1]->uids[j]);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(s[0]->uids[i], s[0]->uids[j]);
	}
	free(s[0]);
	free(s[1]);
}
END_TEST

/* Flush order: flows whose first packets arrive out of order, with ties
 * in time, come out by first packet time, then key; without a sink that
 * needs the order they all still come out, the same way every run. */
#define ORDER_N	6000

struct order_seen {
	uint64_t first[ORDER_N];
	struct flow_key key[ORDER_N];
	int n;
};

static void
order_sink(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct order_seen *os = arg;

	ck_assert_int_eq(why, FLOW_END_FLUSH);
	ck_assert_int_lt(os->n, ORDER_N);
	os->first[os->n] = f->first_ns;
	os->key[os->n++] = f->key;
}

static void
order_feed(struct engine *e)
{
	char dst[32];
	int i;

	/* Times T0 + (i * 7919 mod 3000) * 10 ms: a permutation of 3000
	 * slots over 30 s, each used by two flows (i and i + 3000).
	 * Issue 7: they went to port 53 from ports 1000 + i, and DNS
	 * sessions end after 10 s, so expiry ended most of them before the
	 * flush.  Plain UDP (ports 10000 + i to 6000, no DNS or likely
	 * server port) lives 60 s: all 6000 reach the flush. */
	for (i = 0; i < ORDER_N; i++) {
		snprintf(dst, sizeof dst, "198.51.100.%d", i % 250);
		feed(e, udp(T0 + (uint64_t)((i % 3000) * 7919 % 3000) * 10 * MS,
		    CA, (uint16_t)(10000 + i), dst, 6000, 10));
	}
}

START_TEST(test_flush_order)
{
	struct order_seen *os[3];
	struct engine *e;
	int k, i, c;

	for (k = 0; k < 3; k++) {
		os[k] = calloc(1, sizeof *os[k]);
		e = engine_create(NULL);
		ck_assert_int_eq(engine_sink_add(e, &(struct engine_sink){
		    .arg = os[k], .flow = order_sink,
		    .flags = k == 0 ? 0 : ENGINE_SINK_UNORDERED }), 0);
		order_feed(e);
		engine_flush(e);
		engine_free(e);
		ck_assert_int_eq(os[k]->n, ORDER_N);
	}
	for (i = 1; i < ORDER_N; i++) {
		ck_assert_uint_le(os[0]->first[i - 1], os[0]->first[i]);
		if (os[0]->first[i - 1] == os[0]->first[i]) {
			c = memcmp(&os[0]->key[i - 1], &os[0]->key[i],
			    sizeof os[0]->key[i]);
			ck_assert_int_lt(c, 0);
		}
	}
	/* Unordered: the same records, the same order in two runs. */
	ck_assert_int_eq(memcmp(os[1]->first, os[2]->first,
	    sizeof os[1]->first), 0);
	ck_assert_int_eq(memcmp(os[1]->key, os[2]->key, sizeof os[1]->key), 0);
	for (k = 0; k < 3; k++)
		free(os[k]);
}
END_TEST

/* Two flow sinks see every record, in the same order; a sink without a
 * flow callback changes nothing. */
START_TEST(test_sinks_flows)
{
	struct engine *e = engine_create(NULL);
	struct seen *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct seen *c = calloc(1, sizeof *c);
	struct engine_sink sk;
	int i;

	memset(&sk, 0, sizeof sk);
	sk.name = "a";
	sk.arg = a;
	sk.flow = seen_flow;
	ck_assert_int_eq(engine_sink_add(e, &sk), 0);
	sk.name = "ticks only";
	sk.arg = c;
	sk.flow = NULL;
	sk.tick = seen_tick;
	ck_assert_int_eq(engine_sink_add(e, &sk), 0);
	sk.name = "b";
	sk.arg = b;
	sk.flow = seen_flow;
	sk.tick = NULL;
	ck_assert_int_eq(engine_sink_add(e, &sk), 0);
	/*
	 * feed_mix gives 5 flows; the packet at T0+70 s first runs the DNS
	 * session checks due (Zeek runs its timers before a packet), then
	 * expiry list by list in class order (TCP, UDP, other, closed):
	 *   [0], [1] the two DNS sessions (+1 s, +2 s; checks due at +11 s
	 *       and +12 s find them idle): IDLE;
	 *   [2] the SYN at +4 s: unanswered, it ended at +9 s (Zeek's
	 *       tcp_attempt_delay, 5 s): IDLE;
	 *   [3] ICMP, last +3 s, 60 s idle: IDLE;
	 *   [4] the SF flow, closed at +80 ms, + 5 s: CLOSED;
	 * and the flush ends the new flow: [5] FLUSH.
	 */
	feed_mix(e);
	feed(e, udp(T0 + 70 * SEC, "192.0.2.1", 1, "192.0.2.2", 2, 1));
	engine_flush(e);
	ck_assert_int_eq(a->nflows, 6);
	ck_assert_int_eq(b->nflows, a->nflows);
	ck_assert_int_eq(c->nflows, 0);
	for (i = 0; i < a->nflows; i++) {
		ck_assert_str_eq(a->uids[i], b->uids[i]);
		ck_assert_int_eq(a->why[i], b->why[i]);
	}
	ck_assert_int_eq(a->why[0], FLOW_END_IDLE);
	ck_assert_int_eq(a->why[1], FLOW_END_IDLE);
	ck_assert_int_eq(a->why[2], FLOW_END_IDLE);
	ck_assert_int_eq(a->why[3], FLOW_END_IDLE);
	ck_assert_int_eq(a->why[4], FLOW_END_CLOSED);
	ck_assert_int_eq(a->why[5], FLOW_END_FLUSH);
	ck_assert_uint_eq(engine_totals(e)->flows_ended, 6);
	engine_free(e);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* The tick comes once per packet-time second the clock enters, after
 * that second's expiry; not within a second, not for old packets. */
START_TEST(test_sinks_tick)
{
	struct engine *e = engine_create(NULL);
	struct seen *s = calloc(1, sizeof *s);
	struct engine_sink sk;

	memset(&sk, 0, sizeof sk);
	sk.arg = s;
	sk.tick = seen_tick;
	ck_assert_int_eq(engine_sink_add(e, &sk), 0);
	feed(e, udp(T0 + 100 * MS, CA, 1, SA, 2, 1));		/* tick 1 */
	feed(e, udp(T0 + 900 * MS, CA, 1, SA, 2, 1));
	feed(e, udp(T0 + SEC + 1, CA, 1, SA, 2, 1));		/* tick 2 */
	feed(e, udp(T0 + SEC + 500 * MS, CA, 1, SA, 2, 1));
	feed(e, udp(T0 + 500 * MS, CA, 1, SA, 2, 1));	/* older: none */
	feed(e, udp(T0 + 2 * SEC, CA, 1, SA, 2, 1));		/* tick 3 */
	engine_tick(e, T0 + 2 * SEC + 10);			/* same second */
	engine_tick(e, T0 + 3 * SEC);				/* tick 4 */
	/* A gap: one tick, after expiry (the flow idled out at +62 s). */
	engine_tick(e, T0 + 200 * SEC);				/* tick 5 */
	ck_assert_int_eq(s->nticks, 5);
	ck_assert_uint_eq(s->ticks[0], T0 + 100 * MS);
	ck_assert_uint_eq(s->ticks[1], T0 + SEC + 1);
	ck_assert_uint_eq(s->ticks[2], T0 + 2 * SEC);
	ck_assert_uint_eq(s->ticks[3], T0 + 3 * SEC);
	ck_assert_uint_eq(s->ticks[4], T0 + 200 * SEC);
	ck_assert_uint_eq(s->tick_flows[3], 1);
	ck_assert_uint_eq(s->tick_flows[4], 0);
	engine_free(e);
	free(s);
}
END_TEST

/* Names learned and source events reach every sink that wants them. */
START_TEST(test_sinks_names_sources)
{
	const char *names[] = { "eth0", "eth1" };
	struct engine_cfg c;
	struct engine *e;
	struct seen *s = calloc(1, sizeof *s), *t = calloc(1, sizeof *t);
	struct engine_sink sk;
	struct engine_source_event ev;
	struct pkt_name n;

	memset(&c, 0, sizeof c);
	c.n_sources = 2;
	c.source_names = names;
	e = engine_create(&c);
	memset(&sk, 0, sizeof sk);
	sk.arg = s;
	sk.name_learned = seen_name;
	sk.source = seen_source;
	ck_assert_int_eq(engine_sink_add(e, &sk), 0);
	sk.arg = t;
	ck_assert_int_eq(engine_sink_add(e, &sk), 0);

	n = mk_name(SA, "example.com", PKT_NAME_DNS);
	engine_name(e, &n);
	n = mk_name(NULL, "laptop", PKT_NAME_DHCP);	/* no address: not
							   learned */
	engine_name(e, &n);
	n = mk_name(SA, "www.example.com", PKT_NAME_SNI);
	engine_name(e, &n);
	ck_assert_int_eq(s->nnames, 2);
	ck_assert_str_eq(s->names[0], "example.com");
	ck_assert_str_eq(s->names[1], "www.example.com");
	ck_assert_int_eq(t->nnames, 2);

	memset(&ev, 0, sizeof ev);
	ev.source = 1;
	ev.kind = ENGINE_SRC_DROPS;
	ev.drops_kernel = 7;
	engine_source_event(e, &ev);
	ck_assert_int_eq(engine_source(e, 1)->gone, 0);
	ev.kind = ENGINE_SRC_GONE;
	ev.ts_ns = T0;
	ev.detail = "eth1: interface went down";
	engine_source_event(e, &ev);
	ck_assert_int_eq(s->nev, 2);
	ck_assert_int_eq(t->nev, 2);
	ck_assert_int_eq(s->ev[0].kind, ENGINE_SRC_DROPS);
	ck_assert_uint_eq(s->ev[0].drops_kernel, 7);
	ck_assert_int_eq(s->ev[1].kind, ENGINE_SRC_GONE);
	ck_assert_uint_eq(s->ev[1].source, 1);
	ck_assert_uint_eq(s->ev[1].ts_ns, T0);
	ck_assert_str_eq(s->detail[1], "eth1: interface went down");
	ck_assert_int_eq(engine_source(e, 1)->gone, 1);
	ck_assert_str_eq(engine_source(e, 1)->state_detail,
	    "eth1: interface went down");
	ck_assert_int_eq(engine_source(e, 0)->gone, 0);
	ck_assert_str_eq(engine_source(e, 0)->state_detail, "");
	engine_free(e);
	free(s);
	free(t);
}
END_TEST

/* At most ENGINE_MAX_SINKS; rates cannot be asked for after packets. */
START_TEST(test_sinks_limits)
{
	struct engine *e = engine_create(NULL);
	struct engine_sink sk;
	int i;

	memset(&sk, 0, sizeof sk);
	feed(e, udp(T0, CA, 1, SA, 2, 1));
	sk.flags = ENGINE_SINK_RATES;
	ck_assert_int_eq(engine_sink_add(e, &sk), -1);
	sk.flags = 0;
	for (i = 0; i < ENGINE_MAX_SINKS; i++)
		ck_assert_int_eq(engine_sink_add(e, &sk), 0);
	ck_assert_int_eq(engine_sink_add(e, &sk), -1);
	engine_free(e);
}
END_TEST

START_TEST(test_totals)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct engine_totals *t;
	struct pkt_meta m;

	feed_mix(e);	/* 10 TCP (wire 84*6+... see below), 2 UDP, 1 ICMP,
			 * 1 TCP */
	/* ARP: no IP. */
	memset(&m, 0, sizeof m);
	m.ts_ns = T0 + 5 * SEC;
	m.wire_len = 60;
	m.flags = PKT_F_ARP;
	m.status = PKT_DECODED;
	feed(e, m);
	/* Truncated IPv4 TCP (no L4 header), invalid and unsupported
	 * frames without IP. */
	m = tcp(T0 + 6 * SEC, CA, 0, SA, 0, 0, 0, 0);
	m.flags = 0;
	m.status = PKT_TRUNCATED;
	m.wire_len = 1514;
	feed(e, m);
	memset(&m, 0, sizeof m);
	m.ts_ns = T0 + 7 * SEC;
	m.wire_len = 70;
	m.status = PKT_INVALID;
	feed(e, m);
	m.status = PKT_UNSUPPORTED;
	m.ts_ns = T0 + 8 * SEC;
	m.wire_len = 80;
	feed(e, m);

	t = engine_totals(e);
	ck_assert_uint_eq(t->packets, 18);
	ck_assert_uint_eq(t->ip_packets, 15);
	ck_assert_uint_eq(t->non_ip_pkts, 3);
	ck_assert_uint_eq(t->non_ip_bytes, 60 + 70 + 80);
	ck_assert_uint_eq(t->status[PKT_DECODED], 15);
	ck_assert_uint_eq(t->status[PKT_TRUNCATED], 1);
	ck_assert_uint_eq(t->status[PKT_INVALID], 1);
	ck_assert_uint_eq(t->status[PKT_UNSUPPORTED], 1);
	/* TCP: feed_sf (10 segments, ip 340 + 460, wire +140), the SYN
	 * (wire 54) and the truncated one (1514). */
	ck_assert_uint_eq(t->by_proto_pkts[6], 12);
	ck_assert_uint_eq(t->by_proto_bytes[6], 800 + 140 + 54 + 1514);
	/* UDP: 2 x (20 + 8 + 30 + 14). */
	ck_assert_uint_eq(t->by_proto_pkts[17], 2);
	ck_assert_uint_eq(t->by_proto_bytes[17], 144);
	ck_assert_uint_eq(t->by_proto_pkts[1], 1);
	ck_assert_uint_eq(t->by_proto_bytes[1], 20 + 4 + 8 + 14);
	ck_assert_uint_eq(t->bytes, 800 + 140 + 54 + 1514 + 144 + 46 + 210);
	ck_assert_uint_eq(t->first_ns, T0);
	ck_assert_uint_eq(t->last_ns, T0 + 8 * SEC);
	/* Flows: SF, 2 DNS, ICMP, SYN, truncated TCP (ports 0); the SF
	 * flow closed 5 s after its last packet. */
	ck_assert_uint_eq(t->flows_created, 6);
	ck_assert_uint_eq(t->flows_ended, 1);
	ck_assert_uint_eq(engine_flow_count(e), 5);
	ck_assert_uint_eq(t->hosts_created, 6);
	engine_flush(e);
	ck_assert_uint_eq(t->flows_ended, 6);
	ck_assert_uint_eq(engine_source(e, 0)->packets, 18);
	ck_assert_uint_eq(engine_source(e, 0)->status[PKT_INVALID], 1);
	engine_free(e);
}
END_TEST

/* engine_packets() must account exactly as engine_packet() does, also
 * for later fragments (their ports depend on earlier packets in the same
 * batch) and for flows created and ended inside a batch. */
START_TEST(test_batch)
{
	struct pkt_meta m[64];
	struct recs r1, r2;
	struct engine_cfg c;
	struct engine *e1, *e2;
	size_t n = 0, i;
	int j;

	memset(&c, 0, sizeof c);
	c.max_flows = 6;	/* evictions inside the batch */
	for (i = 0; i < 20; i++) {
		char a[32];

		snprintf(a, sizeof a, "10.0.%zu.%zu", i % 3, i % 7);
		m[n++] = udp(T0 + i * MS, a, (uint16_t)(1000 + i % 4), SA, 53,
		    (uint32_t)i);
		m[n] = udp(T0 + i * MS + 1, a, 0, SA, 0, 100);
		m[n].flags = PKT_F_FRAG | PKT_F_FRAG_LATER;
		m[n++].frag_id = (uint32_t)i;
		if (i % 2 == 0) {
			/* ...whose first fragment is the packet before. */
			m[n - 2].flags |= PKT_F_FRAG;
			m[n - 2].frag_id = (uint32_t)i;
		}
	}
	m[n++] = tcp(T0 + 30 * MS, CA, 1, SA, 2, PKT_TCP_SYN, 5, 0);
	m[n++] = tcp(T0 + 31 * MS, SA, 2, CA, 1,
	    PKT_TCP_SYN | PKT_TCP_ACK, 9, 0);
	m[n++] = tcp(T0 + 32 * MS, CA, 1, SA, 2, PKT_TCP_RST, 6, 0);
	m[n++] = tcp(T0 + 33 * MS, CA, 1, SA, 2, PKT_TCP_SYN, 500, 0);
	m[n++] = udp(T0 + 100 * SEC, CA, 1, SA, 2, 1);	/* expiry */
	ck_assert_uint_le(n, 64);

	e1 = mk_engine(&c, &r1);
	e2 = mk_engine(&c, &r2);
	for (i = 0; i < n; i++)
		engine_packet(e1, &m[i]);
	engine_packets(e2, m, 7);	/* batches of odd sizes */
	engine_packets(e2, m + 7, 1);
	engine_packets(e2, m + 8, 0);
	engine_packets(e2, m + 8, n - 8);
	engine_flush(e1);
	engine_flush(e2);
	ck_assert_int_gt(r1.n, 10);
	ck_assert_int_eq(r1.n, r2.n);
	for (j = 0; j < r1.n; j++) {
		ck_assert_int_eq(r1.r[j].why, r2.r[j].why);
		ck_assert_str_eq(r1.r[j].uid, r2.r[j].uid);
		ck_assert_str_eq(r1.r[j].state, r2.r[j].state);
		ck_assert_int_eq(memcmp(r1.r[j].f.dir, r2.r[j].f.dir,
		    sizeof r1.r[j].f.dir), 0);
	}
	ck_assert_int_eq(memcmp(engine_totals(e1), engine_totals(e2),
	    sizeof *engine_totals(e1)), 0);
	ck_assert_uint_gt(engine_totals(e2)->flows_evicted, 0);
	engine_free(e1);
	engine_free(e2);
}
END_TEST

/* Many flows: the tables grow and rehash, lookups stay right, and host
 * eviction keeps hosts with live flows. */
START_TEST(test_scale)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	char a[32];
	uint32_t i;
	const struct flow *f;
	size_t n = 0;

	memset(&c, 0, sizeof c);
	c.max_hosts = 1000;
	e = engine_create(&c);
	memset(&rs, 0, sizeof rs);
	/*
	 * Issue 7: the server port was 53.  Flows with port 53 are DNS
	 * sessions now, which end 10 s after their last packet, so each
	 * reply 50 s later found its flow gone and started another one
	 * (18999 left at the end, not 50000).  Port 9000 (neither DNS nor a
	 * likely server port) is plain UDP, 60 s idle: flow i's reply at
	 * 50 s + i ms comes 50 s after its request, within the timeout.
	 */
	for (i = 0; i < 50000; i++) {
		snprintf(a, sizeof a, "10.%u.%u.%u", i >> 16 & 255,
		    i >> 8 & 255, i & 255);
		feed(e, udp(T0 + i * MS, a, (uint16_t)(i % 7 + 1), SA, 9000,
		    1));
	}
	/* Again: every packet finds its flow. */
	for (i = 0; i < 50000; i++) {
		snprintf(a, sizeof a, "10.%u.%u.%u", i >> 16 & 255,
		    i >> 8 & 255, i & 255);
		feed(e, udp(T0 + 50 * SEC + i * MS, SA, 9000, a,
		    (uint16_t)(i % 7 + 1), 1));
	}
	ck_assert_uint_eq(engine_flow_count(e), 50000);
	for (f = engine_flow_first(e); f != NULL; f = engine_flow_next(e, f)) {
		ck_assert_uint_eq(f->dir[0].pkts, 1);
		ck_assert_uint_eq(f->dir[1].pkts, 1);
		n++;
	}
	ck_assert_uint_eq(n, 50000);
	/* Hosts with live flows are never evicted: the table holds SA and
	 * the first 999 clients. */
	ck_assert_uint_eq(engine_host_count(e), 1000);
	ck_assert_uint_eq(engine_totals(e)->hosts_evicted, 0);
	engine_free(e);
}
END_TEST

/* ---- issue 7: orientation ------------------------------------------- */

/* The record of the flow whose originator port is op (the n-th such
 * record, in sink order), or fail. */
static const struct rec *
rec_by_oport(const struct recs *rs, uint16_t op, int n)
{
	int i;

	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].o.port == op && n-- == 0)
			return &rs->r[i];
	}
	ck_abort_msg("no record %d with originator port %u", n, op);
	return NULL;
}

/*
 * UDP: a first datagram from a likely server port to a port that is not
 * one is the server's (Zeek's UDPAnalyzer::WantConnection): flipped,
 * history '^' and the responder's 'd', state SHR (only the responder
 * spoke) - unless it goes to 255.255.255.255.
 */
START_TEST(test_orient_udp)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *r;

	/* A DNS reply seen first: 8.8.8.8:53 -> 54585, 60 bytes. */
	feed(e, udp(T0, "8.8.8.8", 53, "192.168.1.52", 54585, 60));
	/* A unicast DHCP reply 67 -> 68 (68 is not a server port). */
	feed(e, udp(T0 + MS, "192.168.1.1", 67, "192.168.1.50", 68, 300));
	/* The same reply broadcast: never flipped towards broadcast. */
	feed(e, udp(T0 + 2 * MS, "192.168.1.1", 67, "255.255.255.255", 68,
	    300));
	/* Both ports likely (NTP 123 both ways): not flipped. */
	feed(e, udp(T0 + 3 * MS, "192.168.1.52", 123, "192.168.1.60", 123,
	    48));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 4);

	r = &rs.r[0];
	ck_assert(ep_is(&r->o, "192.168.1.52", 54585));
	ck_assert(ep_is(&r->r, "8.8.8.8", 53));
	ck_assert_str_eq(r->f.history, "^d");
	ck_assert_str_eq(r->state, "SHR");
	ck_assert_uint_eq(r->f.dir[0].pkts, 0);
	ck_assert_uint_eq(r->f.dir[1].pkts, 1);
	ck_assert_uint_eq(r->f.dir[1].bytes, 60);
	ck_assert_str_eq(r->service, "dns");

	r = &rs.r[1];
	ck_assert(ep_is(&r->o, "192.168.1.50", 68));
	ck_assert(ep_is(&r->r, "192.168.1.1", 67));
	ck_assert_str_eq(r->f.history, "^d");
	ck_assert_str_eq(r->state, "SHR");
	ck_assert_str_eq(r->service, "dhcp");

	r = &rs.r[2];
	ck_assert(ep_is(&r->o, "192.168.1.1", 67));
	ck_assert(ep_is(&r->r, "255.255.255.255", 68));
	ck_assert_str_eq(r->f.history, "D");
	ck_assert_str_eq(r->state, "S0");
	ck_assert_uint_eq(r->f.dir[0].pkts, 1);

	r = &rs.r[3];
	ck_assert(ep_is(&r->o, "192.168.1.52", 123));
	ck_assert_str_eq(r->f.history, "D");
	engine_free(e);
}
END_TEST

/*
 * TCP first packets (Zeek's TCPAnalyzer::WantConnection): without a SYN
 * or with a SYN-ACK, from a likely server port to one that is not:
 * flipped; both ports likely: flipped only for a non-SYN from the lower
 * port.
 */
START_TEST(test_orient_tcp)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *r;

	/* A FIN-ACK from 80 seen mid-stream. */
	feed(e, tcp(T0, SA, 80, CA, 40000, PKT_TCP_FIN | PKT_TCP_ACK, 5000,
	    0));
	/* A SYN-ACK from 80, then the client's ACK. */
	feed(e, tcp(T0 + MS, SA, 80, CA, 40001, PKT_TCP_SYN | PKT_TCP_ACK,
	    7000, 0));
	feed(e, tcp(T0 + 2 * MS, CA, 40001, SA, 80, PKT_TCP_ACK, 301, 0));
	/* Both likely: an ACK from the lower port 80 to 443: flipped. */
	feed(e, tcp(T0 + 3 * MS, "10.0.0.1", 80, "10.0.0.2", 443,
	    PKT_TCP_ACK, 1, 0));
	/* Both likely, from the higher port 443 to 80: not flipped. */
	feed(e, tcp(T0 + 4 * MS, "10.0.0.3", 443, "10.0.0.4", 80,
	    PKT_TCP_ACK, 1, 0));
	/* Both likely, a SYN-ACK from the lower port: not flipped (Zeek
	 * spares SYN-ACKs, which stealth scans send). */
	feed(e, tcp(T0 + 5 * MS, "10.0.0.5", 80, "10.0.0.6", 443,
	    PKT_TCP_SYN | PKT_TCP_ACK, 1, 0));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 5);

	/* FIN from the responder, the originator silent: "^f", SHR. */
	r = &rs.r[0];
	ck_assert(ep_is(&r->o, CA, 40000));
	ck_assert(ep_is(&r->r, SA, 80));
	ck_assert_str_eq(r->f.history, "^f");
	ck_assert_str_eq(r->state, "SHR");
	ck_assert_ptr_null(r->service);	/* no payload */

	/* SYN-ACK flipped at once: "^h", then the originator's 'A'; both
	 * ends established (SYN-ACK, then an ACK with the responder
	 * established): S1. */
	r = &rs.r[1];
	ck_assert(ep_is(&r->o, CA, 40001));
	ck_assert(ep_is(&r->r, SA, 80));
	ck_assert_str_eq(r->f.history, "^hA");
	ck_assert_str_eq(r->state, "S1");
	ck_assert_uint_eq(r->f.dir[0].pkts, 1);
	ck_assert_uint_eq(r->f.dir[1].pkts, 1);

	r = &rs.r[2];
	ck_assert(ep_is(&r->o, "10.0.0.2", 443));
	ck_assert(ep_is(&r->r, "10.0.0.1", 80));
	ck_assert_str_eq(r->f.history, "^a");

	r = &rs.r[3];
	ck_assert(ep_is(&r->o, "10.0.0.3", 443));
	ck_assert_str_eq(r->f.history, "A");

	r = &rs.r[4];
	ck_assert(ep_is(&r->o, "10.0.0.5", 80));
	ck_assert_str_eq(r->f.history, "H");
	engine_free(e);
}
END_TEST

/*
 * A SYN-ACK between two ports that are not likely server ports is not
 * flipped (history "H": a stealth scan's SYN-ACK sender is the
 * originator); once an ACK or data follows, Zeek (TCP_Endpoint::
 * CheckHistory) flips it and rewrites the history to "^h", and every
 * counter so far changes sides.
 *   A = 10.0.0.1:40000, B = 10.0.0.2:50000; 20 + 20 bytes of headers:
 *   A -> B SYN-ACK        ip 40
 *   B -> A ACK            ip 40   (flip: B is the originator, 'A')
 *   A -> B ACK + 50 data  ip 90   (the responder's 'd')
 * B: 1 packet, ip 40; A: 2 packets, ip 130, 50 bytes, wire 158.
 */
START_TEST(test_orient_late_flip)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct flow *f;
	const struct rec *r;

	feed(e, tcp(T0, "10.0.0.1", 40000, "10.0.0.2", 50000,
	    PKT_TCP_SYN | PKT_TCP_ACK, 100, 0));
	f = engine_flow_first(e);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->history, "H");
	ck_assert_uint_eq(f->orig_is_a, 1);	/* 10.0.0.1 sent it */
	ck_assert_uint_eq(f->dir[0].pkts, 1);
	feed(e, tcp(T0 + MS, "10.0.0.2", 50000, "10.0.0.1", 40000,
	    PKT_TCP_ACK, 7, 0));
	f = engine_flow_first(e);
	ck_assert_str_eq(f->history, "^hA");
	ck_assert_uint_eq(f->orig_is_a, 0);
	feed(e, tcp(T0 + 2 * MS, "10.0.0.1", 40000, "10.0.0.2", 50000,
	    PKT_TCP_ACK, 101, 50));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	r = &rs.r[0];
	ck_assert(ep_is(&r->o, "10.0.0.2", 50000));
	ck_assert(ep_is(&r->r, "10.0.0.1", 40000));
	ck_assert_str_eq(r->f.history, "^hAd");
	ck_assert_uint_eq(r->f.dir[0].pkts, 1);
	ck_assert_uint_eq(r->f.dir[0].ip_bytes, 40);
	ck_assert_uint_eq(r->f.dir[0].bytes, 0);
	ck_assert_uint_eq(r->f.dir[1].pkts, 2);
	ck_assert_uint_eq(r->f.dir[1].ip_bytes, 130);
	ck_assert_uint_eq(r->f.dir[1].wire_bytes, 158);
	ck_assert_uint_eq(r->f.dir[1].bytes, 50);
	ck_assert_uint_eq(r->f.rtt_us, 0);
	engine_free(e);
}
END_TEST

/* ---- issue 7: lifetimes ---------------------------------------------- */

/*
 * A FIN while the peer has sent nothing completes the close (Zeek's
 * ConnectionClosed: peer INACTIVE): SH, and the flow ends 5 s after
 * that FIN.  A packet 4 s later is the same record (and, the peer not
 * having closed, moves last-seen); one 6 s later starts a new record.
 */
START_TEST(test_tcp_close_silent_peer)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *r;

	feed(e, tcp(T0, CA, 40001, SA, 80, PKT_TCP_FIN | PKT_TCP_ACK, 100,
	    0));
	feed(e, tcp(T0, CA, 40002, SA, 80, PKT_TCP_FIN | PKT_TCP_ACK, 100,
	    0));
	feed(e, tcp(T0 + 4 * SEC, CA, 40001, SA, 80, PKT_TCP_ACK, 101, 0));
	ck_assert_int_eq(rs.n, 0);
	/* +6 s: the clock's new second ends both (deadline +5 s) before
	 * the packet, which starts a new 40002 flow. */
	feed(e, tcp(T0 + 6 * SEC, CA, 40002, SA, 80, PKT_TCP_ACK, 101, 0));
	ck_assert_int_eq(rs.n, 2);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 3);

	r = rec_by_oport(&rs, 40001, 0);
	ck_assert_int_eq(r->why, FLOW_END_CLOSED);
	ck_assert_str_eq(r->state, "SH");
	ck_assert_str_eq(r->f.history, "FA");
	ck_assert_uint_eq(r->f.dir[0].pkts, 2);
	ck_assert_uint_eq(r->f.first_ns, T0);
	ck_assert_uint_eq(r->f.last_ns, T0 + 4 * SEC);

	r = rec_by_oport(&rs, 40002, 0);
	ck_assert_int_eq(r->why, FLOW_END_CLOSED);
	ck_assert_str_eq(r->state, "SH");
	ck_assert_str_eq(r->f.history, "F");
	ck_assert_uint_eq(r->f.dir[0].pkts, 1);
	r = rec_by_oport(&rs, 40002, 1);
	ck_assert_int_eq(r->why, FLOW_END_FLUSH);
	ck_assert_uint_eq(r->f.first_ns, T0 + 6 * SEC);
	ck_assert_str_eq(r->f.history, "A");
	ck_assert_str_eq(r->state, "OTH");
	ck_assert_str_ne(r->uid, rec_by_oport(&rs, 40002, 0)->uid);
	engine_free(e);
}
END_TEST

/*
 * A RST completes the close: handshake (+0, +10, +20 ms), the
 * originator's RST at +30 ms: RSTO, ends at +5.03 s.  An ACK 4 s after
 * the RST is the same record; one 6 s after it is a new record.
 */
static void
feed_rst(struct engine *e, uint16_t port)
{
	feed(e, tcp(T0, CA, port, SA, 80, PKT_TCP_SYN, 1000, 0));
	feed(e, tcp(T0 + 10 * MS, SA, 80, CA, port,
	    PKT_TCP_SYN | PKT_TCP_ACK, 5000, 0));
	feed(e, tcp(T0 + 20 * MS, CA, port, SA, 80, PKT_TCP_ACK, 1001, 0));
	feed(e, tcp(T0 + 30 * MS, CA, port, SA, 80, PKT_TCP_RST, 1001, 0));
}

START_TEST(test_tcp_rst_close)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *r;

	feed_rst(e, 40010);
	feed_rst(e, 40011);
	feed(e, tcp(T0 + 4030 * MS, CA, 40010, SA, 80, PKT_TCP_ACK, 1001, 0));
	ck_assert_int_eq(rs.n, 0);
	feed(e, tcp(T0 + 6030 * MS, CA, 40011, SA, 80, PKT_TCP_ACK, 1001, 0));
	ck_assert_int_eq(rs.n, 2);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 3);

	r = rec_by_oport(&rs, 40010, 0);
	ck_assert_int_eq(r->why, FLOW_END_CLOSED);
	ck_assert_str_eq(r->state, "RSTO");
	ck_assert_str_eq(r->f.history, "ShAR");
	ck_assert_uint_eq(r->f.dir[0].pkts, 4);
	/* Only the originator closed: the ACK still moves last-seen. */
	ck_assert_uint_eq(r->f.last_ns, T0 + 4030 * MS);

	r = rec_by_oport(&rs, 40011, 0);
	ck_assert_int_eq(r->why, FLOW_END_CLOSED);
	ck_assert_str_eq(r->state, "RSTO");
	ck_assert_uint_eq(r->f.dir[0].pkts, 3);
	ck_assert_uint_eq(r->f.last_ns, T0 + 30 * MS);
	r = rec_by_oport(&rs, 40011, 1);
	ck_assert_int_eq(r->why, FLOW_END_FLUSH);
	ck_assert_uint_eq(r->f.first_ns, T0 + 6030 * MS);
	ck_assert_str_eq(r->f.history, "A");
	ck_assert_uint_eq(engine_totals(e)->flows_created, 3);
	engine_free(e);
}
END_TEST

/*
 * Once both sides have closed, later packets are counted but do not
 * move last-seen (Zeek's TCPSessionAdapter: SetLastTime only while one
 * side is open): SYN +0, SYN-ACK +10, ACK +20, FIN +30, FIN-ACK +40 (the
 * close is complete), ACK +50 ms and another ACK at +3 s.
 */
START_TEST(test_tcp_final_ack)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *r;

	feed(e, tcp(T0, CA, 40030, SA, 80, PKT_TCP_SYN, 1000, 0));
	feed(e, tcp(T0 + 10 * MS, SA, 80, CA, 40030,
	    PKT_TCP_SYN | PKT_TCP_ACK, 5000, 0));
	feed(e, tcp(T0 + 20 * MS, CA, 40030, SA, 80, PKT_TCP_ACK, 1001, 0));
	feed(e, tcp(T0 + 30 * MS, CA, 40030, SA, 80,
	    PKT_TCP_FIN | PKT_TCP_ACK, 1001, 0));
	feed(e, tcp(T0 + 40 * MS, SA, 80, CA, 40030,
	    PKT_TCP_FIN | PKT_TCP_ACK, 5001, 0));
	feed(e, tcp(T0 + 50 * MS, CA, 40030, SA, 80, PKT_TCP_ACK, 1002, 0));
	feed(e, tcp(T0 + 3 * SEC, CA, 40030, SA, 80, PKT_TCP_ACK, 1002, 0));
	/* Ends at +5.04 s: still there when second 1005 begins. */
	engine_tick(e, T0 + 5 * SEC);
	ck_assert_int_eq(rs.n, 0);
	engine_tick(e, T0 + 6 * SEC);
	ck_assert_int_eq(rs.n, 1);
	r = &rs.r[0];
	ck_assert_int_eq(r->why, FLOW_END_CLOSED);
	ck_assert_str_eq(r->state, "SF");
	ck_assert_str_eq(r->f.history, "ShAFf");
	ck_assert_uint_eq(r->f.dir[0].pkts, 5);
	ck_assert_uint_eq(r->f.dir[1].pkts, 2);
	ck_assert_uint_eq(r->f.first_ns, T0);
	ck_assert_uint_eq(r->f.last_ns, T0 + 40 * MS);
	engine_free(e);
}
END_TEST

/*
 * An unanswered SYN is an attempt that ends 5 s after that SYN (Zeek's
 * tcp_attempt_delay, armed by the first SYN): SYN +0, the same SYN again
 * at +3 s (same record), and at +6 s: a new record, although only 3 s
 * after the last packet.
 */
START_TEST(test_tcp_attempt)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);

	feed(e, tcp(T0, CA, 40020, SA, 80, PKT_TCP_SYN, 1, 0));
	feed(e, tcp(T0 + 3 * SEC, CA, 40020, SA, 80, PKT_TCP_SYN, 1, 0));
	ck_assert_int_eq(rs.n, 0);
	feed(e, tcp(T0 + 6 * SEC, CA, 40020, SA, 80, PKT_TCP_SYN, 1, 0));
	ck_assert_int_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].why, FLOW_END_IDLE);
	ck_assert_str_eq(rs.r[0].state, "S0");
	ck_assert_str_eq(rs.r[0].f.history, "S");
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 2);
	ck_assert_uint_eq(rs.r[0].f.last_ns, T0 + 3 * SEC);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 2);
	ck_assert_uint_eq(rs.r[1].f.first_ns, T0 + 6 * SEC);
	ck_assert_uint_eq(rs.r[1].f.dir[0].pkts, 1);
	ck_assert_str_ne(rs.r[0].uid, rs.r[1].uid);
	engine_free(e);
}
END_TEST

/*
 * DNS sessions (Zeek's DNS_Analyzer::ExpireTimer): a check 10 s after
 * the first packet, then 10 s after each check that keeps it; a check
 * ends the session when its last packet is at least 9 s old.  Zeek runs
 * a due check at the next packet; here every packet is the session's
 * own (no other traffic), so the checks run at those packets.  Returns
 * the records and their packet counts.
 */
static int
dns_run(const uint64_t *ms, int n, uint64_t pkts[8])
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	int i, nr;

	for (i = 0; i < n; i++)
		feed(e, udp(T0 + ms[i] * MS, CA, 40000, "8.8.8.8", 53, 30));
	engine_flush(e);
	nr = rs.n;
	for (i = 0; i < nr && i < 8; i++)
		pkts[i] = rs.r[i].f.dir[0].pkts;
	engine_free(e);
	return nr;
}

START_TEST(test_dns_session)
{
	static const uint64_t a[] = { 0, 5000, 20000 };
	static const uint64_t b[] = { 0, 500, 10000 };
	static const uint64_t c[] = { 0, 1500, 10000, 19900 };
	static const uint64_t d[] = { 0, 5000, 12000, 21200 };
	uint64_t p[8];

	/* 0, 5: one session; the check at 20 finds 15 s of silence: 20
	 * starts another. */
	ck_assert_int_eq(dns_run(a, 3, p), 2);
	ck_assert_uint_eq(p[0], 2);
	ck_assert_uint_eq(p[1], 1);
	/* 0, 0.5: the check at 10 finds 9.5 s (>= 9): ended, 10 is new. */
	ck_assert_int_eq(dns_run(b, 3, p), 2);
	ck_assert_uint_eq(p[0], 2);
	/* 0, 1.5: the check at 10 finds 8.5 s: kept, next check at 20; so
	 * 19.9 is the same session too. */
	ck_assert_int_eq(dns_run(c, 4, p), 1);
	ck_assert_uint_eq(p[0], 4);
	/* 0, 5: the check at 12 finds 7 s: kept, and the next check is
	 * 10 s after that check (22), not after the first one (20, which
	 * at 21.2 would find 9.2 s): 21.2 is the same session. */
	ck_assert_int_eq(dns_run(d, 4, p), 1);
	ck_assert_uint_eq(p[0], 4);
}
END_TEST

/*
 * A due DNS check runs at the next packet of any flow, as Zeek's timers:
 * DNS at 0 and 1.5 s, an unrelated packet at 10.2 s runs the check due
 * at 10 s (8.7 s idle: kept, next check 20.2 s), so DNS at 10.6 s is the
 * same session (checked at its own packet instead, 9.1 s idle would have
 * ended it).
 */
START_TEST(test_dns_check_other_packet)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	int i, dns = 0;

	feed(e, udp(T0, CA, 40000, "8.8.8.8", 53, 30));
	feed(e, udp(T0 + 1500 * MS, CA, 40000, "8.8.8.8", 53, 30));
	feed(e, udp(T0 + 10200 * MS, "192.0.2.1", 1, "192.0.2.2", 2, 1));
	feed(e, udp(T0 + 10600 * MS, CA, 40000, "8.8.8.8", 53, 30));
	engine_flush(e);
	for (i = 0; i < rs.n; i++) {
		if (rs.r[i].f.key.bp == 53 || rs.r[i].f.key.ap == 53) {
			dns++;
			ck_assert_uint_eq(rs.r[i].f.dir[0].pkts, 3);
		}
	}
	ck_assert_int_eq(dns, 1);
	engine_free(e);
}
END_TEST

/* Zeek's DNS analyzer goes by the responder's port: UDP 53 -> 123 (both
 * likely server ports: not turned round, responder port 123) is no DNS
 * session, so 15 s of silence does not end it (UDP: 60 s). */
START_TEST(test_dns_responder_port)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);

	feed(e, udp(T0, CA, 53, SA, 123, 30));
	feed(e, udp(T0 + 15 * SEC, CA, 53, SA, 123, 30));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 2);
	engine_free(e);
}
END_TEST

/* A second side closing restarts the close delay (Zeek cancels its
 * timers and arms tcp_close_delay again): client FIN at 0 with a silent
 * server (complete: ends at 5 s), server FIN at 2 s (complete again:
 * ends at 7 s), client ACK at 6 s: the same record, SF. */
START_TEST(test_tcp_close_rearm)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);

	feed(e, tcp(T0, CA, 40030, SA, 8000 + 1, PKT_TCP_FIN | PKT_TCP_ACK,
	    100, 0));
	feed(e, tcp(T0 + 2 * SEC, SA, 8001, CA, 40030,
	    PKT_TCP_FIN | PKT_TCP_ACK, 900, 0));
	feed(e, tcp(T0 + 6 * SEC, CA, 40030, SA, 8001, PKT_TCP_ACK, 101, 0));
	ck_assert_int_eq(rs.n, 0);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_str_eq(rs.r[0].state, "SF");
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 2);
	/* Both closed at 2 s: the ACK does not lengthen it. */
	ck_assert_uint_eq(rs.r[0].f.last_ns, T0 + 2 * SEC);
	engine_free(e);
}
END_TEST

/* Zeek arms its attempt timer for a first SYN-ACK too: SYN-ACK between
 * two ordinary ports (not turned round: "H"), the same again 6 s later:
 * two records. */
START_TEST(test_tcp_attempt_synack)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);

	feed(e, tcp(T0, CA, 40000, SA, 50000, PKT_TCP_SYN | PKT_TCP_ACK,
	    1, 0));
	feed(e, tcp(T0 + 6 * SEC, CA, 40000, SA, 50000,
	    PKT_TCP_SYN | PKT_TCP_ACK, 1, 0));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 2);
	ck_assert_str_eq(rs.r[0].f.history, "H");
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 1);
	ck_assert_uint_eq(rs.r[1].f.first_ns, T0 + 6 * SEC);
	engine_free(e);
}
END_TEST

/* Zeek's IsReuse() after a RST or a FIN from one side: the original SYN
 * again starts a new connection. */
START_TEST(test_tcp_reuse_after_half_close)
{
	static const uint8_t closing[2] = { PKT_TCP_RST, PKT_TCP_FIN };
	struct recs rs;
	struct engine *e;
	int k;

	for (k = 0; k < 2; k++) {
		e = mk_engine(NULL, &rs);
		feed(e, tcp(T0, CA, 40040, SA, 80, PKT_TCP_SYN, 1000, 0));
		feed(e, tcp(T0 + 10 * MS, SA, 80, CA, 40040,
		    PKT_TCP_SYN | PKT_TCP_ACK, 5000, 0));
		feed(e, tcp(T0 + 20 * MS, CA, 40040, SA, 80, PKT_TCP_ACK,
		    1001, 0));
		feed(e, tcp(T0 + 30 * MS, CA, 40040, SA, 80,
		    closing[k] | PKT_TCP_ACK, 1001, 0));
		feed(e, tcp(T0 + SEC, CA, 40040, SA, 80, PKT_TCP_SYN, 1000, 0));
		ck_assert_int_eq(rs.n, 1);
		ck_assert_int_eq(rs.r[0].why, FLOW_END_REUSED);
		ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 3);
		engine_flush(e);
		ck_assert_int_eq(rs.n, 2);
		ck_assert_str_eq(rs.r[1].state, "S0");
		engine_free(e);
	}
}
END_TEST

/*
 * Close and check times stay right on flows older than 2^32 us (71.6
 * min), and across an active-timeout restart: a DNS session with a
 * packet every 5 s for 4395 s (active_timeout 7200) is one session and
 * ends; with the default 1800 s, the restart at 1800 s keeps the
 * session's checks, so packets 55 s and 40 s apart after it are new
 * sessions; a TCP connection closing at 4400 s keeps its final ACKs.
 */
START_TEST(test_long_flows)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	int i;

	memset(&c, 0, sizeof c);
	c.active_timeout_s = 7200;
	e = mk_engine(&c, &rs);
	for (i = 0; i < 880; i++)
		feed(e, udp(T0 + (uint64_t)i * 5 * SEC, CA, 40000, SA, 53, 30));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 880);
	engine_free(e);

	e = mk_engine(NULL, &rs);
	for (i = 0; i < 380; i++)
		feed(e, udp(T0 + (uint64_t)i * 5 * SEC, CA, 40000, SA, 53, 30));
	feed(e, udp(T0 + 1950 * SEC, CA, 40000, SA, 53, 30));
	feed(e, udp(T0 + 1990 * SEC, CA, 40000, SA, 53, 30));
	engine_flush(e);
	/* 0..1795 s (360, the partial at 1800 s), 1800..1895 s (20), then
	 * 1950 and 1990 alone (each after more than 9 s). */
	ck_assert_int_eq(rs.n, 4);
	ck_assert_int_eq(rs.r[0].why, FLOW_END_ACTIVE);
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 360);
	ck_assert_uint_eq(rs.r[1].f.dir[0].pkts, 20);
	ck_assert_uint_eq(rs.r[2].f.first_ns, T0 + 1950 * SEC);
	ck_assert_uint_eq(rs.r[3].f.first_ns, T0 + 1990 * SEC);
	engine_free(e);

	e = mk_engine(&c, &rs);
	feed(e, tcp(T0, CA, 40000, SA, 80, PKT_TCP_SYN, 1000, 0));
	feed(e, tcp(T0 + MS, SA, 80, CA, 40000, PKT_TCP_SYN | PKT_TCP_ACK,
	    5000, 0));
	feed(e, tcp(T0 + 2 * MS, CA, 40000, SA, 80, PKT_TCP_ACK, 1001, 0));
	/* a keep-alive a minute, under the 300 s inactivity timeout */
	for (i = 1; i <= 73; i++)
		feed(e, tcp(T0 + (uint64_t)i * 60 * SEC, CA, 40000, SA, 80,
		    PKT_TCP_ACK, 1000, 0));
	feed(e, tcp(T0 + 4400 * SEC, CA, 40000, SA, 80,
	    PKT_TCP_FIN | PKT_TCP_ACK, 1001, 0));
	feed(e, tcp(T0 + 4400 * SEC + MS, SA, 80, CA, 40000,
	    PKT_TCP_FIN | PKT_TCP_ACK, 5001, 0));
	feed(e, tcp(T0 + 4400 * SEC + 2 * MS, CA, 40000, SA, 80, PKT_TCP_ACK,
	    1002, 0));
	feed(e, tcp(T0 + 4402 * SEC, SA, 80, CA, 40000, PKT_TCP_ACK, 5002,
	    0));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_str_eq(rs.r[0].state, "SF");
	ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 4 + 73);
	ck_assert_uint_eq(rs.r[0].f.dir[1].pkts, 3);
	ck_assert_uint_eq(rs.r[0].f.last_ns, T0 + 4400 * SEC + MS);
	engine_free(e);
}
END_TEST

/* ---- issue 7: VLANs, ICMP --------------------------------------------- */

/*
 * One connection whose directions travel on different VLANs (client on
 * 81 with inner tag 7, server on 80), as the ldap capture: one flow by
 * default, VLAN 81 (the originator's), inner 7, return_vlan 80; with
 * vlan_key two one-sided flows, the server's flipped ("^h").
 */
START_TEST(test_vlan_split)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	struct pkt_meta m;
	int key;

	for (key = 0; key < 2; key++) {
		memset(&c, 0, sizeof c);
		c.vlan_key = key;
		e = mk_engine(&c, &rs);
		m = tcp(T0, CA, 40000, SA, 389, PKT_TCP_SYN, 1000, 0);
		m.vlan = 81;
		m.inner_vlan = 7;
		feed(e, m);
		m = tcp(T0 + 10 * MS, SA, 389, CA, 40000,
		    PKT_TCP_SYN | PKT_TCP_ACK, 5000, 0);
		m.vlan = 80;
		feed(e, m);
		m = tcp(T0 + 20 * MS, CA, 40000, SA, 389, PKT_TCP_ACK, 1001, 0);
		m.vlan = 81;
		m.inner_vlan = 7;
		feed(e, m);
		engine_flush(e);
		if (!key) {
			ck_assert_int_eq(rs.n, 1);
			ck_assert_uint_eq(rs.r[0].f.key.vlan, 0);
			ck_assert_str_eq(rs.r[0].state, "S1");
			ck_assert_str_eq(rs.r[0].f.history, "ShA");
			ck_assert_uint_eq(rs.r[0].vlan, 81);
			ck_assert_uint_eq(rs.r[0].inner_vlan, 7);
			ck_assert_uint_eq(rs.r[0].return_vlan, 80);
			ck_assert_uint_eq(rs.r[0].f.dir[0].pkts, 2);
			ck_assert_uint_eq(rs.r[0].f.dir[1].pkts, 1);
		} else {
			ck_assert_int_eq(rs.n, 2);
			ck_assert_uint_eq(rs.r[0].f.key.vlan, 81);
			ck_assert_str_eq(rs.r[0].state, "S0");
			ck_assert_str_eq(rs.r[0].f.history, "SA");
			ck_assert_uint_eq(rs.r[0].vlan, 81);
			ck_assert_uint_eq(rs.r[0].inner_vlan, 7);
			ck_assert_uint_eq(rs.r[0].return_vlan, 0);
			ck_assert_uint_eq(rs.r[1].f.key.vlan, 80);
			ck_assert_str_eq(rs.r[1].f.history, "^h");
			ck_assert(ep_is(&rs.r[1].o, CA, 40000));
			/* The originator sent nothing: the first packet's. */
			ck_assert_uint_eq(rs.r[1].vlan, 80);
			ck_assert_uint_eq(rs.r[1].inner_vlan, 0);
			ck_assert_uint_eq(rs.r[1].return_vlan, 0);
		}
		engine_free(e);
	}
}
END_TEST

/*
 * ICMP as Zeek keys it: an echo request (8) and its reply (0) are one
 * flow with "ports" 8 / 0; an unreachable (3, code 1) between the same
 * hosts is another, keyed by type and code; ICMPv6 echo 128/129 and
 * neighbour solicitation / advertisement 135/136 pair the same way.
 */
START_TEST(test_icmp_keys)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *r;

	feed(e, icmp(T0, "192.168.0.89", "192.168.0.1", 1, 8, 0, 56));
	feed(e, icmp(T0 + MS, "192.168.0.1", "192.168.0.89", 1, 0, 0, 56));
	feed(e, icmp(T0 + 2 * MS, "192.168.0.1", "192.168.0.89", 1, 3, 1,
	    36));
	feed(e, icmp(T0 + 3 * MS, "fe80::1", "fe80::2", 58, 128, 0, 56));
	feed(e, icmp(T0 + 4 * MS, "fe80::2", "fe80::1", 58, 129, 0, 56));
	feed(e, icmp(T0 + 5 * MS, "fe80::2", "fe80::1", 58, 135, 0, 28));
	feed(e, icmp(T0 + 6 * MS, "fe80::1", "fe80::2", 58, 136, 0, 28));
	ck_assert_uint_eq(engine_flow_count(e), 4);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 4);

	r = &rs.r[0];
	ck_assert(ep_is(&r->o, "192.168.0.89", 8));
	ck_assert(ep_is(&r->r, "192.168.0.1", 0));
	ck_assert_uint_eq(r->f.dir[0].pkts, 1);
	ck_assert_uint_eq(r->f.dir[1].pkts, 1);

	r = &rs.r[1];
	ck_assert(ep_is(&r->o, "192.168.0.1", 3));
	ck_assert(ep_is(&r->r, "192.168.0.89", 1));
	ck_assert_uint_eq(r->f.key.ap, 3);	/* a = 192.168.0.1 */
	ck_assert_uint_eq(r->f.key.bp, 1);
	ck_assert_uint_eq(r->f.dir[0].pkts, 1);
	ck_assert_uint_eq(r->f.dir[1].pkts, 0);

	r = &rs.r[2];
	ck_assert_uint_eq(r->f.key.proto, 58);
	ck_assert(ep_is(&r->o, "fe80::1", 128));
	ck_assert(ep_is(&r->r, "fe80::2", 129));
	ck_assert_uint_eq(r->f.dir[1].pkts, 1);

	r = &rs.r[3];
	ck_assert(ep_is(&r->o, "fe80::2", 135));
	ck_assert(ep_is(&r->r, "fe80::1", 136));
	ck_assert_uint_eq(r->f.dir[1].pkts, 1);
	engine_free(e);
}
END_TEST

/* ---- issue 7: tunnels ------------------------------------------------- */

#define O1 "192.0.2.1"
#define O2 "192.0.2.2"
#define I1 "10.1.0.1"
#define I2 "10.1.0.2"

/*
 * A VXLAN frame as the decoder hands it over: layer 0, UDP (20 + 8)
 * carrying VXLAN (8) and the inner Ethernet header (14) around the inner
 * IP packet in, flagged PKT_F_TUNNEL | PKT_F_MORE; then layer 1, the
 * inner packet, with the frame's wire length.  Inner ip_len 40 gives an
 * outer ip_len of 90 and a wire length of 104.
 */
static void
feed_vxlan(struct engine *e, const char *os, uint16_t osp, const char *od,
    uint16_t odp, struct pkt_meta in)
{
	struct pkt_meta out = udp(in.ts_ns, os, osp, od, odp,
	    8 + 14 + in.ip_len);

	out.flags |= PKT_F_TUNNEL | PKT_F_MORE;
	out.tunnel = PKT_TUN_VXLAN;
	in.layer = 1;
	in.tunnel = PKT_TUN_VXLAN;
	in.wire_len = out.wire_len;
	in.cap_len = out.cap_len;
	feed(e, out);
	feed(e, in);
}

/*
 * Three frames, the inner TCP handshake's SYN (inner ip 40), SYN-ACK
 * (40) and an ACK with 100 bytes (140); outer ip 90, 90, 190, wire 104,
 * 104, 204 (412 in all).  The first and third go O1:50000 -> O2:4789,
 * the second back.
 */
static void
feed_tunnel3(struct engine *e)
{
	feed_vxlan(e, O1, 50000, O2, 4789,
	    tcp(T0, I1, 40000, I2, 80, PKT_TCP_SYN, 1, 0));
	feed_vxlan(e, O2, 4789, O1, 50000,
	    tcp(T0 + MS, I2, 80, I1, 40000, PKT_TCP_SYN | PKT_TCP_ACK, 9, 0));
	feed_vxlan(e, O1, 50000, O2, 4789,
	    tcp(T0 + 2 * MS, I1, 40000, I2, 80, PKT_TCP_ACK, 2, 100));
}

static const struct host *
host_of(const struct engine *e, const char *a)
{
	uint8_t b[16], v;

	addr(a, b, &v);
	return engine_host_lookup(e, v, b);
}

START_TEST(test_tunnel_vxlan)
{
	struct engine_cfg c;
	struct recs rs;
	struct engine *e;
	const struct engine_totals *t;
	const struct rec *in, *out;
	const struct host *h;
	int rates;

	for (rates = 0; rates < 2; rates++) {
		memset(&c, 0, sizeof c);
		c.keep_rates = rates;
		e = mk_engine(&c, &rs);
		feed_tunnel3(e);
		ck_assert_uint_eq(engine_flow_count(e), 2);

		/* Totals: each frame once, at its innermost layer (TCP). */
		t = engine_totals(e);
		ck_assert_uint_eq(t->packets, 3);
		ck_assert_uint_eq(t->bytes, 412);
		ck_assert_uint_eq(t->ip_packets, 3);
		ck_assert_uint_eq(t->tunnel_frames, 3);
		ck_assert_uint_eq(t->tunnels_skipped, 0);
		ck_assert_uint_eq(t->by_proto_pkts[6], 3);
		ck_assert_uint_eq(t->by_proto_bytes[6], 412);
		ck_assert_uint_eq(t->by_proto_pkts[17], 0);
		ck_assert_uint_eq(engine_source(e, 0)->packets, 3);
		ck_assert_uint_eq(engine_source(e, 0)->bytes, 412);

		/* Hosts: the inner ones carry the frames' wire bytes; the
		 * tunnel endpoints exist (they have a flow) but count
		 * nothing. */
		engine_sync(e);
		h = host_of(e, I1);
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(h->pkts_out, 2);
		ck_assert_uint_eq(h->bytes_out, 308);
		ck_assert_uint_eq(h->pkts_in, 1);
		ck_assert_uint_eq(h->bytes_in, 104);
		h = host_of(e, I2);
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(h->bytes_out, 104);
		ck_assert_uint_eq(h->bytes_in, 308);
		h = host_of(e, O1);
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(h->pkts_out + h->pkts_in, 0);
		ck_assert_uint_eq(h->bytes_out + h->bytes_in, 0);
		h = host_of(e, O2);
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(h->bytes_out + h->bytes_in, 0);

		engine_flush(e);
		ck_assert_int_eq(rs.n, 2);
		out = rs.r[0].f.key.proto == 17 ? &rs.r[0] : &rs.r[1];
		in = rs.r[0].f.key.proto == 17 ? &rs.r[1] : &rs.r[0];
		ck_assert_uint_eq(in->f.key.proto, 6);

		/* The outer flow keeps the whole frames. */
		ck_assert(ep_is(&out->o, O1, 50000));
		ck_assert(ep_is(&out->r, O2, 4789));
		ck_assert_str_eq(out->service, "vxlan");
		ck_assert_str_eq(out->state, "SF");
		ck_assert_uint_eq(out->f.dir[0].pkts, 2);
		ck_assert_uint_eq(out->f.dir[1].pkts, 1);
		ck_assert_uint_eq(out->f.dir[0].ip_bytes, 90 + 190);
		ck_assert_uint_eq(out->f.dir[1].ip_bytes, 90);
		ck_assert_uint_eq(out->f.dir[0].bytes, 62 + 162);
		ck_assert_uint_eq(out->f.dir[1].bytes, 62);
		ck_assert_uint_eq(out->f.dir[0].wire_bytes, 308);
		ck_assert_uint_eq(out->f.dir[1].wire_bytes, 104);
		ck_assert_int_eq(out->nparents, 0);

		/* The inner flow: its own IP bytes, the frames' wire bytes,
		 * and the outer flow as its parent. */
		ck_assert(ep_is(&in->o, I1, 40000));
		ck_assert(ep_is(&in->r, I2, 80));
		ck_assert_str_eq(in->f.history, "ShD");
		ck_assert_str_eq(in->state, "S1");
		ck_assert_str_eq(in->service, "http");
		ck_assert_uint_eq(in->f.dir[0].pkts, 2);
		ck_assert_uint_eq(in->f.dir[1].pkts, 1);
		ck_assert_uint_eq(in->f.dir[0].ip_bytes, 180);
		ck_assert_uint_eq(in->f.dir[1].ip_bytes, 40);
		ck_assert_uint_eq(in->f.dir[0].bytes, 100);
		ck_assert_uint_eq(in->f.dir[0].wire_bytes, 308);
		ck_assert_uint_eq(in->f.dir[1].wire_bytes, 104);
		ck_assert_uint_eq(in->tun_kind, PKT_TUN_VXLAN);
		ck_assert_int_eq(in->nparents, 1);
		ck_assert_str_eq(in->parents[0], out->uid);

		/* After the flush hosts hold what the records credited. */
		h = host_of(e, I1);
		ck_assert_uint_eq(h->bytes_out, 308);
		ck_assert_uint_eq(h->bytes_in, 104);
		h = host_of(e, O1);
		ck_assert_uint_eq(h->bytes_out + h->bytes_in, 0);
		engine_free(e);
	}
}
END_TEST

/*
 * A tunnel recognised but not opened (PKT_F_TUNNEL | PKT_F_TUN_SKIP, no
 * inner record): counted in tunnels_skipped, and the frame counts at
 * that layer - totals, UDP, and the tunnel endpoints' hosts.
 */
START_TEST(test_tunnel_skipped)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct engine_totals *t;
	struct pkt_meta m;
	const struct host *h;

	m = udp(T0, O1, 50002, O2, 6081, 8 + 40);	/* ip 76, wire 90 */
	m.flags |= PKT_F_TUNNEL | PKT_F_TUN_SKIP;
	m.tunnel = PKT_TUN_GENEVE;
	feed(e, m);
	t = engine_totals(e);
	ck_assert_uint_eq(t->tunnels_skipped, 1);
	ck_assert_uint_eq(t->tunnel_frames, 0);
	ck_assert_uint_eq(t->packets, 1);
	ck_assert_uint_eq(t->by_proto_pkts[17], 1);
	ck_assert_uint_eq(t->by_proto_bytes[17], 90);
	ck_assert_uint_eq(engine_flow_count(e), 1);
	engine_sync(e);
	h = host_of(e, O1);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->bytes_out, 90);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_str_eq(rs.r[0].service, "geneve");
	ck_assert_int_eq(rs.r[0].nparents, 0);
	engine_free(e);
}
END_TEST

/*
 * One inner flow carried by several outer flows (outer source ports
 * 50000 + k, one frame each): each is a parent, in the order they
 * carried it, at most FLOW_MAX_PARENTS (4); the others are counted in
 * tunnel_parents_dropped (6 carriers: 2 dropped).
 */
START_TEST(test_tunnel_parents)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *in = NULL;
	const char *puid[6];
	int k, j, i;

	for (k = 0; k < 6; k++)
		feed_vxlan(e, O1, (uint16_t)(50000 + k), O2, 4789,
		    tcp(T0 + (uint64_t)k * MS, I1, 40000, I2, 80,
		    PKT_TCP_ACK, 1, 0));
	ck_assert_uint_eq(engine_flow_count(e), 7);
	ck_assert_uint_eq(engine_totals(e)->tunnel_parents_dropped, 2);
	ck_assert_uint_eq(engine_totals(e)->packets, 6);
	engine_flush(e);
	ck_assert_int_eq(rs.n, 7);
	for (i = 0; i < rs.n; i++) {
		if (rs.r[i].f.key.proto == 6)
			in = &rs.r[i];
		else {
			ck_assert_uint_ge(rs.r[i].o.port, 50000);
			ck_assert_uint_le(rs.r[i].o.port, 50005);
			puid[rs.r[i].o.port - 50000] = rs.r[i].uid;
		}
	}
	ck_assert_ptr_nonnull(in);
	ck_assert_uint_eq(in->f.dir[0].pkts, 6);
	ck_assert_int_eq(in->nparents, FLOW_MAX_PARENTS);
	for (j = 0; j < FLOW_MAX_PARENTS; j++)
		ck_assert_str_eq(in->parents[j], puid[j]);
	engine_free(e);
}
END_TEST

/* Two carriers: two parents, nothing dropped. */
START_TEST(test_tunnel_two_parents)
{
	struct recs rs;
	struct engine *e = mk_engine(NULL, &rs);
	const struct rec *in = NULL, *p0 = NULL, *p1 = NULL;
	int i;

	feed_vxlan(e, O1, 50000, O2, 4789,
	    tcp(T0, I1, 40000, I2, 80, PKT_TCP_SYN, 1, 0));
	feed_vxlan(e, O1, 50001, O2, 4789,
	    tcp(T0 + MS, I1, 40000, I2, 80, PKT_TCP_SYN, 1, 0));
	/* The first carrier again: no duplicate parent. */
	feed_vxlan(e, O1, 50000, O2, 4789,
	    tcp(T0 + 2 * MS, I1, 40000, I2, 80, PKT_TCP_SYN, 1, 0));
	engine_flush(e);
	ck_assert_int_eq(rs.n, 3);
	for (i = 0; i < rs.n; i++) {
		if (rs.r[i].f.key.proto == 6)
			in = &rs.r[i];
		else if (rs.r[i].o.port == 50000)
			p0 = &rs.r[i];
		else
			p1 = &rs.r[i];
	}
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(p0);
	ck_assert_ptr_nonnull(p1);
	ck_assert_int_eq(in->nparents, 2);
	ck_assert_str_eq(in->parents[0], p0->uid);
	ck_assert_str_eq(in->parents[1], p1->uid);
	ck_assert_uint_eq(engine_totals(e)->tunnel_parents_dropped, 0);
	engine_free(e);
}
END_TEST

static Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tcp_sf);
	tcase_add_test(tc, test_tcp_s0_rej);
	tcase_add_test(tc, test_tcp_retrans);
	tcase_add_test(tc, test_tcp_reuse);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_icmp);
	tcase_add_test(tc, test_ipv6_vlan);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_fragments_many);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_active_timeout);
	tcase_add_test(tc, test_eviction);
	tcase_add_test(tc, test_hosts);
	tcase_add_test(tc, test_hosts_sync);
	tcase_add_test(tc, test_default_local);
	tcase_add_test(tc, test_direction_own);
	tcase_add_test(tc, test_hosts_untracked);
	tcase_add_test(tc, test_geo);
	tcase_add_test(tc, test_net_parse);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_flow_rates);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_services);
	tcase_add_loop_test(tc, test_community_id, 0,
	    sizeof cid_vecs / sizeof cid_vecs[0]);
	tcase_add_test(tc, test_uid);
	tcase_add_test(tc, test_totals);
	tcase_add_test(tc, test_sinks_flows);
	tcase_add_test(tc, test_sinks_tick);
	tcase_add_test(tc, test_sinks_names_sources);
	tcase_add_test(tc, test_sinks_limits);
	tcase_add_test(tc, test_uid_runs);
	tcase_add_test(tc, test_flush_order);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_orient_udp);
	tcase_add_test(tc, test_orient_tcp);
	tcase_add_test(tc, test_orient_late_flip);
	tcase_add_test(tc, test_tcp_close_silent_peer);
	tcase_add_test(tc, test_tcp_rst_close);
	tcase_add_test(tc, test_tcp_final_ack);
	tcase_add_test(tc, test_tcp_attempt);
	tcase_add_test(tc, test_dns_session);
	tcase_add_test(tc, test_dns_check_other_packet);
	tcase_add_test(tc, test_dns_responder_port);
	tcase_add_test(tc, test_tcp_close_rearm);
	tcase_add_test(tc, test_tcp_attempt_synack);
	tcase_add_test(tc, test_tcp_reuse_after_half_close);
	tcase_add_test(tc, test_long_flows);
	tcase_add_test(tc, test_vlan_split);
	tcase_add_test(tc, test_icmp_keys);
	tcase_add_test(tc, test_tunnel_vxlan);
	tcase_add_test(tc, test_tunnel_skipped);
	tcase_add_test(tc, test_tunnel_parents);
	tcase_add_test(tc, test_tunnel_two_parents);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
