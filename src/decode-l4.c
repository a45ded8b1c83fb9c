/*
 * decode-l4.c: the transport layer: TCP, UDP, ICMP, ICMPv6 and SCTP
 * headers; every other protocol counts by its IP protocol number.
 *
 * Part of the decoder: runs in a capture thread, never allocates.
 * Invariants: the buffer we get is already limited to the IP payload, and
 * len is that payload's length per the IP header (not per the capture),
 * so l4_len is computed from header lengths only: a snap length that cuts
 * the payload leaves the packet DECODED.  A transport header longer than
 * the IP payload is INVALID; one cut by the capture is TRUNCATED, with
 * the ports kept (PKT_F_L4) if they were read.  For ICMP and ICMPv6,
 * sport and dport carry type and code so that flows of different
 * message kinds stay apart.  Payload name extraction (DNS, DHCP, TLS SNI)
 * runs only when the caller asked for names.  A whole UDP datagram is
 * first checked for a tunnel (decode-tun.c); a tunnel's payload yields
 * no names at this layer (its inner layer does, when opened).
 */
#include "config.h"

#include "decode-int.h"

/* Well-known ports whose payload we extract names from. */
#define DECODE_PORT_DNS		53
#define DECODE_PORT_BOOTPS	67
#define DECODE_PORT_BOOTPC	68
#define DECODE_PORT_MDNS	5353
#define DECODE_PORT_LLMNR	5355

/* TLS record type of a handshake (RFC 8446 section 5.1). */
#define DECODE_TLS_HANDSHAKE	22

static int
decode_dns_port(uint16_t port)
{
	return port == DECODE_PORT_DNS || port == DECODE_PORT_MDNS ||
	    port == DECODE_PORT_LLMNR;
}

/*
 * TCP header (RFC 9293 section 3.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static enum pkt_status
decode_tcp(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pkt_meta *m = ctx->m;
	uint32_t hl;
	uint16_t sport, dport, offfl;

	if (len < 20)
		return PKT_INVALID;
	sport = pktbuf_be16(b);
	dport = pktbuf_be16(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	m->sport = sport;
	m->dport = dport;
	m->flags |= PKT_F_L4;
	m->tcp_seq = pktbuf_be32(b);
	m->tcp_ack = pktbuf_be32(b);
	offfl = pktbuf_be16(b);
	m->tcp_win = pktbuf_be16(b);
	pktbuf_skip(b, 4);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	hl = (uint32_t)(offfl >> 12) * 4;
	if (hl < 20 || hl > len) {
		m->flags &= (uint8_t)~PKT_F_L4;
		return PKT_INVALID;
	}
	m->tcp_flags = (uint8_t)(offfl & 0xff);
	m->l4_len = len - hl;
	if (hl > 20) {
		m->flags |= PKT_F_TCP_OPTS;
		if (!pktbuf_skip(b, hl - 20))
			return PKT_TRUNCATED;
	}
	if (ctx->names != NULL && m->l4_len > 0 && pktbuf_left(b) > 0) {
		struct pktbuf peek = *b;

		if (decode_dns_port(sport) || decode_dns_port(dport))
			decode_dns(ctx, b, 1);
		else if (pktbuf_u8(&peek) == DECODE_TLS_HANDSHAKE)
			decode_tls(ctx, b);
	}
	return PKT_DECODED;
}

/*
 * UDP header (RFC 768):
 *
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 *
 * Length counts the header.  In a first fragment it describes the whole
 * datagram, so it is only checked against the IP length when unfragmented,
 * and l4_len is then this fragment's share.
 */
static enum pkt_status
decode_udp(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len, int frag)
{
	struct pkt_meta *m = ctx->m;
	uint16_t sport, dport, ulen;

	if (len < 8)
		return PKT_INVALID;
	sport = pktbuf_be16(b);
	dport = pktbuf_be16(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	m->sport = sport;
	m->dport = dport;
	m->flags |= PKT_F_L4;
	ulen = pktbuf_be16(b);
	pktbuf_skip(b, 2);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (ulen < 8 || (!frag && ulen > len)) {
		m->flags &= (uint8_t)~PKT_F_L4;
		return PKT_INVALID;
	}
	if (frag)
		m->l4_len = len - 8;
	else {
		m->l4_len = (uint32_t)ulen - 8;
		pktbuf_limit(b, m->l4_len);
		/* A tunnel's names come from its inner layer. */
		if (decode_tun_udp(ctx, b, sport, dport, m->l4_len))
			return PKT_DECODED;
	}
	if (ctx->names != NULL && pktbuf_left(b) > 0) {
		if (decode_dns_port(sport) || decode_dns_port(dport))
			decode_dns(ctx, b, 0);
		else if ((sport == DECODE_PORT_BOOTPS ||
		    sport == DECODE_PORT_BOOTPC) &&
		    (dport == DECODE_PORT_BOOTPS ||
		    dport == DECODE_PORT_BOOTPC))
			decode_dhcp(ctx, b);
	}
	return PKT_DECODED;
}

/*
 * ICMP (RFC 792) and ICMPv6 (RFC 4443 section 2.1) share the first four
 * bytes; the rest of the header depends on the type.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Message Body                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The inner headers of error messages are not decoded (they do not
 * count to any flow).
 */
static enum pkt_status
decode_icmp(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pkt_meta *m = ctx->m;
	uint8_t type, code;

	if (len < 4)
		return PKT_INVALID;
	type = pktbuf_u8(b);
	code = pktbuf_u8(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	m->icmp_type = type;
	m->icmp_code = code;
	m->sport = type;
	m->dport = code;
	m->flags |= PKT_F_L4;
	if (!pktbuf_skip(b, 2))
		return PKT_TRUNCATED;
	/* Payload after the 8-byte ICMP header (type, code, checksum and
	 * the 4-byte rest of header), as Zeek counts orig_bytes. */
	m->l4_len = len >= 8 ? len - 8 : 0;
	return PKT_DECODED;
}

/*
 * SCTP common header (RFC 9260 section 3.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Source Port Number        |     Destination Port Number   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Verification Tag                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Checksum                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static enum pkt_status
decode_sctp(struct decode_ctx *ctx, struct pktbuf *b, uint32_t len)
{
	struct pkt_meta *m = ctx->m;
	uint16_t sport, dport;

	if (len < 12)
		return PKT_INVALID;
	sport = pktbuf_be16(b);
	dport = pktbuf_be16(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	m->sport = sport;
	m->dport = dport;
	m->flags |= PKT_F_L4;
	if (!pktbuf_skip(b, 8))
		return PKT_TRUNCATED;
	m->l4_len = len - 12;
	return PKT_DECODED;
}

/* Decode the transport header of protocol proto. */
enum pkt_status
decode_l4(struct decode_ctx *ctx, struct pktbuf *b, uint8_t proto,
    uint32_t len, int frag)
{
	switch (proto) {
	case DECODE_IPPROTO_TCP:
		return decode_tcp(ctx, b, len);
	case DECODE_IPPROTO_UDP:
		return decode_udp(ctx, b, len, frag);
	case DECODE_IPPROTO_ICMP:
	case DECODE_IPPROTO_ICMPV6:
		return decode_icmp(ctx, b, len);
	case DECODE_IPPROTO_SCTP:
		return decode_sctp(ctx, b, len);
	default:
		if (decode_tunnel_proto(proto)) {
			if (frag)
				decode_tun_frag(ctx, proto);
			else
				decode_tun_ip(ctx, b, proto, len);
		}
		ctx->m->l4_len = len;
		return PKT_DECODED;
	}
}
