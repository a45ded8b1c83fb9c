/*
 * decode-tun.c: tunnels: IP-in-IP and 6in4 (RFC 2003, RFC 4213), GRE
 * (RFC 2784, RFC 2890), Teredo (RFC 4380), VXLAN (RFC 7348), GENEVE
 * (RFC 8926) and GTP-U (3GPP TS 29.281).
 *
 * Part of the decoder: runs in a capture thread, never allocates and
 * never recurses.  These functions recognise a tunnel in the payload of
 * the layer being decoded, mark that layer (PKT_F_TUNNEL, pkt_meta.tunnel)
 * and leave the inner packet's bytes in the context; decode_frame() opens
 * it as the next layer when the depth allows.  A tunnel recognised but
 * not openable here (a GRE version or payload type we do not open, a
 * tunnel header cut by the capture or longer than its datagram, a
 * tunnel carried by a fragment, a GTP-U message that is no G-PDU) gets
 * PKT_F_TUN_SKIP at once.  The carrier layer's own status never depends
 * on the tunnel header: to the carrier it is payload.
 */
#include "config.h"

#include "decode-int.h"

/* UDP ports that name a tunnel (IANA). */
#define DECODE_PORT_GTPU	2152
#define DECODE_PORT_VXLAN	4789
#define DECODE_PORT_GENEVE	6081

/* Ethertype of transparent Ethernet bridging (GRE, GENEVE). */
#define DECODE_ET_TEB		0x6558
/* GRE protocol types of ERSPAN: types I and II, type III. */
#define DECODE_ET_ERSPAN	0x88be
#define DECODE_ET_ERSPAN3	0x22eb

/* GTP-U G-PDU: the message that carries a user packet. */
#define DECODE_GTP_GPDU		255
/* GTP-U extension headers walked before giving up. */
#define DECODE_GTP_MAX_EXT	8

/* The IPv6 header Teredo carries, and its origin indication. */
#define DECODE_TEREDO_MIN	40
#define DECODE_TEREDO_ORIGIN	8
/* Teredo addresses: 2001:0000::/32 (RFC 4380 section 2.6). */
#define DECODE_TEREDO_PREFIX	0x20010000u

static void
decode_tun_mark(struct decode_ctx *ctx, enum pkt_tunnel kind)
{
	ctx->m->flags |= PKT_F_TUNNEL;
	ctx->m->tunnel = (uint8_t)kind;
	ctx->tun_inner = DECODE_INNER_NONE;
}

/* A tunnel recognised that will not be opened. */
static void
decode_tun_skip(struct decode_ctx *ctx, enum pkt_tunnel kind)
{
	decode_tun_mark(ctx, kind);
	ctx->m->flags |= PKT_F_TUN_SKIP;
}

/* A tunnel to open: its inner packet starts at b and has len bytes per
 * the headers around it (b may hold fewer: the capture was cut). */
static void
decode_tun_open(struct decode_ctx *ctx, enum pkt_tunnel kind,
    enum decode_inner inner, const struct pktbuf *b, uint32_t len)
{
	decode_tun_mark(ctx, kind);
	ctx->tun_inner = (uint8_t)inner;
	ctx->tun_b = *b;
	ctx->tun_b.flags = 0;
	pktbuf_limit(&ctx->tun_b, len);
	ctx->tun_len = len;
}

/* The inner packet kind an ethertype names, NONE if we do not open it. */
static enum decode_inner
decode_tun_ethertype(uint16_t type)
{
	switch (type) {
	case DECODE_ET_IPV4:
		return DECODE_INNER_IPV4;
	case DECODE_ET_IPV6:
		return DECODE_INNER_IPV6;
	case DECODE_ET_TEB:
		return DECODE_INNER_ETHER;
	default:
		return DECODE_INNER_NONE;
	}
}

/* Mark a tunnel carried by an IP fragment. */
void
decode_tun_frag(struct decode_ctx *ctx, uint8_t proto)
{
	decode_tun_skip(ctx, proto == DECODE_IPPROTO_GRE ? PKT_TUN_GRE :
	    PKT_TUN_IP);
}

/*
 * GRE (RFC 2784 section 2, with the key and sequence number of RFC 2890):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |C|R|K|S| Reserved0       | Ver |         Protocol Type         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Checksum (optional, C)   |       Reserved1 (optional)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Key (optional, K)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Sequence Number (optional, S)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Version 1 is PPTP's enhanced GRE (RFC 2637) and the R bit RFC 1701's
 * source routing: both are recognised as GRE but not opened, as is any
 * protocol type other than IPv4, IPv6, transparent Ethernet and ERSPAN.
 * ERSPAN mirrors Ethernet frames (as Zeek's GRE analyzer opens them):
 * type I (0x88be, no sequence number) right after GRE, type II (0x88be
 * with S) after an 8-byte header, type III (0x22eb) after a 12-byte
 * header and, when its last bit says so, an 8-byte platform subheader.
 */
static void
decode_gre(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pktbuf g = *b;
	enum decode_inner inner;
	uint16_t fl, type;
	uint32_t hl = 4;

	fl = pktbuf_be16(&g);
	type = pktbuf_be16(&g);
	if ((g.flags & PKTBUF_TRUNCATED) || len < 4 || (fl & 0x0007) != 0 ||
	    (fl & 0x4000) != 0) {
		decode_tun_skip(ctx, PKT_TUN_GRE);
		return;
	}
	if (fl & 0x8000)
		hl += 4;
	if (fl & 0x2000)
		hl += 4;
	if (fl & 0x1000)
		hl += 4;
	inner = decode_tun_ethertype(type);
	if (hl > len || !pktbuf_skip(&g, hl - 4)) {
		decode_tun_skip(ctx, PKT_TUN_GRE);
		return;
	}
	if (type == DECODE_ET_ERSPAN || type == DECODE_ET_ERSPAN3) {
		uint32_t el = type == DECODE_ET_ERSPAN3 ? 12 :
		    (fl & 0x1000) ? 8 : 0;
		struct pktbuf e = g;

		if (el == 12) {
			/* the O bit: the last bit of the 12 bytes */
			if (!pktbuf_skip(&e, 11)) {
				decode_tun_skip(ctx, PKT_TUN_GRE);
				return;
			}
			if (pktbuf_u8(&e) & 0x01)
				el += 8;
		}
		inner = DECODE_INNER_ETHER;
		if (el > len - hl || !pktbuf_skip(&g, el)) {
			decode_tun_skip(ctx, PKT_TUN_GRE);
			return;
		}
		hl += el;
	}
	if (inner == DECODE_INNER_NONE) {
		decode_tun_skip(ctx, PKT_TUN_GRE);
		return;
	}
	decode_tun_open(ctx, PKT_TUN_GRE, inner, &g, len - hl);
}

/* Decode the payload of IP protocol 4, 41 or 47. */
void
decode_tun_ip(struct decode_ctx *ctx, struct pktbuf *b, uint8_t proto,
    uint32_t len)
{
	switch (proto) {
	case DECODE_IPPROTO_IPIP:
		decode_tun_open(ctx, PKT_TUN_IP, DECODE_INNER_IPV4, b, len);
		break;
	case DECODE_IPPROTO_IPV6:
		decode_tun_open(ctx, PKT_TUN_IP, DECODE_INNER_IPV6, b, len);
		break;
	case DECODE_IPPROTO_GRE:
		decode_gre(ctx, b, len);
		break;
	}
}

/*
 * VXLAN (RFC 7348 section 5), UDP destination port 4789:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|R|R|I|R|R|R|            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * then an Ethernet frame.  Without the I flag (a valid VNI) it is not
 * VXLAN.
 */
static int
decode_vxlan(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pktbuf v = *b;
	uint8_t fl;

	if (len < 8)
		return 0;
	fl = pktbuf_u8(&v);
	if (v.flags & PKTBUF_TRUNCATED) {
		decode_tun_skip(ctx, PKT_TUN_VXLAN);
		return 1;
	}
	if (!(fl & 0x08))
		return 0;
	if (!pktbuf_skip(&v, 7)) {
		decode_tun_skip(ctx, PKT_TUN_VXLAN);
		return 1;
	}
	decode_tun_open(ctx, PKT_TUN_VXLAN, DECODE_INNER_ETHER, &v, len - 8);
	return 1;
}

/*
 * GENEVE (RFC 8926 section 3.4), UDP destination port 6081:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Virtual Network Identifier (VNI)       |    Reserved   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Variable-Length Options (Opt Len * 4)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A version other than 0 is not GENEVE.  Protocol type 0x6558 carries
 * Ethernet, 0x0800 and 0x86dd IP; others are not opened.
 */
static int
decode_geneve(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pktbuf v = *b;
	enum decode_inner inner;
	uint32_t hl;
	uint16_t type;
	uint8_t b0;

	if (len < 8)
		return 0;
	b0 = pktbuf_u8(&v);
	if (!(v.flags & PKTBUF_TRUNCATED) && (b0 >> 6) != 0)
		return 0;
	pktbuf_skip(&v, 1);
	type = pktbuf_be16(&v);
	pktbuf_skip(&v, 4);
	hl = 8 + (uint32_t)(b0 & 0x3f) * 4;
	inner = decode_tun_ethertype(type);
	if ((v.flags & PKTBUF_TRUNCATED) || hl > len ||
	    !pktbuf_skip(&v, hl - 8) || inner == DECODE_INNER_NONE) {
		decode_tun_skip(ctx, PKT_TUN_GENEVE);
		return 1;
	}
	decode_tun_open(ctx, PKT_TUN_GENEVE, inner, &v, len - hl);
	return 1;
}

/*
 * GTP-U version 1 (3GPP TS 29.281 section 5), UDP port 2152:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Ver |P|R|E|S|N| Message Type  |     Length (after byte 8)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Tunnel Endpoint Identifier                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Sequence Number (if E|S|N)    | N-PDU Number  | Next Ext Type |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Extension header, while Next Ext Type is not 0:
 * +---------------+-------------------------------+---------------+
 * | Length (x 4)  |   Contents ...                | Next Ext Type |
 * +---------------+-------------------------------+---------------+
 *
 * Ver must be 1 and P (protocol type GTP, not GTP') set, else it is not
 * GTP-U.  Only a G-PDU (type 255) carries a user packet (IPv4 or IPv6);
 * other messages (echo, error indication, end marker) are not opened.
 */
static int
decode_gtpu(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pktbuf v = *b;
	uint32_t glen, hl = 0, elen;
	uint8_t fl, type, next;
	unsigned i;

	if (len < 8)
		return 0;
	fl = pktbuf_u8(&v);
	if (!(v.flags & PKTBUF_TRUNCATED) && ((fl >> 5) != 1 || !(fl & 0x10)))
		return 0;
	type = pktbuf_u8(&v);
	glen = pktbuf_be16(&v);
	pktbuf_skip(&v, 4);
	if ((v.flags & PKTBUF_TRUNCATED) || glen > len - 8 ||
	    type != DECODE_GTP_GPDU)
		goto skip;
	if (fl & 0x07) {
		pktbuf_skip(&v, 3);
		next = pktbuf_u8(&v);
		hl = 4;
		if (hl > glen)
			goto skip;
		for (i = 0; next != 0 && !(v.flags & PKTBUF_TRUNCATED); i++) {
			if (i == DECODE_GTP_MAX_EXT)
				goto skip;
			elen = (uint32_t)pktbuf_u8(&v) * 4;
			if (elen == 0 || elen > glen - hl)
				goto skip;
			pktbuf_skip(&v, elen - 2);
			next = pktbuf_u8(&v);
			hl += elen;
		}
		if ((v.flags & PKTBUF_TRUNCATED) || hl > glen)
			goto skip;
	}
	decode_tun_open(ctx, PKT_TUN_GTPU, DECODE_INNER_IP, &v, glen - hl);
	return 1;
skip:
	decode_tun_skip(ctx, PKT_TUN_GTPU);
	return 1;
}

/*
 * Teredo (RFC 4380 section 5.1.1), recognised by content on any UDP port
 * as Zeek's TeredoAnalyzer does: an IPv6 header whose payload length
 * accounts for exactly the rest of the datagram, optionally after an
 * authentication header and then an origin indication.  Without either
 * header, the source or destination must be a Teredo address
 * (2001:0::/32, as Zeek's pattern asks): a bare version nibble and a
 * length that fits are too common in other UDP (a QUIC short header
 * starts with 0x4-0x7), and a false tunnel would invent flows.
 *
 * +--------+--------+--------+--------+
 * |  0x00  |  0x01  | ID-len | AU-len |   authentication
 * +--------+--------+--------+--------+
 * |  client identifier (ID-len bytes) |
 * |  authentication value (AU-len)    |
 * |  nonce (8)        | confirmation  |
 * +--------+--------+--------+--------+
 * |  0x00  |  0x00  | origin port     |   origin indication
 * +--------+--------+--------+--------+
 * |  origin IPv4 address (obfuscated) |
 * +--------+--------+--------+--------+
 *
 * Every byte this looks at (the headers, the IPv6 header up to the first
 * word of the destination) must be captured; a datagram cut before is
 * not called Teredo.
 */
static int
decode_teredo(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pktbuf v = *b, p;
	uint32_t left = len, hl, a, b2;
	uint16_t w, plen;
	uint8_t idl, aul;
	int headers = 0;

	/* Most UDP fails here: neither an IPv6 version nibble nor the
	 * 0x00 that starts a Teredo header (Zeek's fast check). */
	if (len < DECODE_TEREDO_MIN || pktbuf_left(&v) < 2 ||
	    ((v.p[0] >> 4) != 6 && v.p[0] != 0))
		return 0;
	p = v;
	w = pktbuf_be16(&p);
	if (w == 0x0001) {
		idl = pktbuf_u8(&p);
		aul = pktbuf_u8(&p);
		hl = 4 + (uint32_t)idl + aul + 9;
		if ((p.flags & PKTBUF_TRUNCATED) || hl > left ||
		    !pktbuf_skip(&v, hl))
			return 0;
		left -= hl;
		p = v;
		w = pktbuf_be16(&p);
		headers = 1;
	}
	if (w == 0x0000 && !(p.flags & PKTBUF_TRUNCATED)) {
		if (DECODE_TEREDO_ORIGIN > left ||
		    !pktbuf_skip(&v, DECODE_TEREDO_ORIGIN))
			return 0;
		left -= DECODE_TEREDO_ORIGIN;
		p = v;
		w = pktbuf_be16(&p);
		headers = 1;
	}
	pktbuf_skip(&p, 2);
	plen = pktbuf_be16(&p);
	pktbuf_skip(&p, 2);
	a = pktbuf_be32(&p);		/* first 4 bytes of the source */
	pktbuf_skip(&p, 12);
	b2 = pktbuf_be32(&p);		/* and of the destination */
	if ((p.flags & PKTBUF_TRUNCATED) || (w >> 12) != 6 ||
	    left < DECODE_TEREDO_MIN || (uint32_t)plen + 40 != left)
		return 0;
	if (!headers && a != DECODE_TEREDO_PREFIX &&
	    b2 != DECODE_TEREDO_PREFIX)
		return 0;
	decode_tun_open(ctx, PKT_TUN_TEREDO, DECODE_INNER_IPV6, &v, left);
	return 1;
}

/* Look for a tunnel in a whole UDP payload. */
int
decode_tun_udp(struct decode_ctx *ctx, struct pktbuf *b, uint16_t sport,
    uint16_t dport, uint32_t len)
{
	if (dport == DECODE_PORT_VXLAN && decode_vxlan(ctx, b, len))
		return 1;
	if (dport == DECODE_PORT_GENEVE && decode_geneve(ctx, b, len))
		return 1;
	if ((sport == DECODE_PORT_GTPU || dport == DECODE_PORT_GTPU) &&
	    decode_gtpu(ctx, b, len))
		return 1;
	return decode_teredo(ctx, b, len);
}
