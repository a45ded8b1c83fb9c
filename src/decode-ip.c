/*
 * decode-ip.c: the network layer, IPv4 (RFC 791) and IPv6 (RFC 8200).
 *
 * Part of the decoder: runs in a capture thread, never allocates.  This
 * layer's record keeps its own addresses; a tunnel in its payload (IP-in-
 * IP, 6in4, GRE: decode-tun.c) is marked PKT_F_TUNNEL and opened, if at
 * all, as the next layer's record by decode_frame().  A fragment's tunnel
 * is never opened.
 * Invariants: ip_ver, src and dst are set as soon as the fixed IP header
 * was read, even if a later header is cut; the buffer handed to the
 * transport layer is limited to the payload length the IP header gives,
 * so Ethernet padding is never read as payload.  Only a first fragment
 * (offset 0) carries the transport header; later ones set
 * PKT_F_FRAG_LATER and count to their flow by frag_id.
 *
 * A total length of 0 (IPv4) or payload length of 0 with a next header
 * other than "none" (IPv6) is what a capture on a host with TCP
 * segmentation offload sees for its own large segments (and IPv6
 * jumbograms look the same): the length is then taken from the wire.
 */
#include "config.h"

#include "decode-int.h"

/* Bytes the frame has on the wire from the current position on. */
static uint32_t
decode_wire_left(const struct decode_ctx *ctx, const struct pktbuf *b)
{
	size_t off = (size_t)(b->p - ctx->frame);

	if (off >= ctx->wire_len)
		return 0;
	return ctx->wire_len - (uint32_t)off;
}

/* Decode IPv4 or IPv6 by the version nibble (raw IP link types). */
enum pkt_status
decode_ip(struct decode_ctx *ctx, struct pktbuf *b)
{
	struct pktbuf peek = *b;
	uint8_t v;

	v = pktbuf_u8(&peek);
	if (peek.flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	switch (v >> 4) {
	case 4:
		return decode_ipv4(ctx, b);
	case 6:
		return decode_ipv6(ctx, b);
	default:
		return PKT_INVALID;
	}
}

/*
 * IPv4 header (RFC 791 section 3.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Flags: 0x4000 DF, 0x2000 MF; offset in 8-byte units (low 13 bits).
 */
enum pkt_status
decode_ipv4(struct decode_ctx *ctx, struct pktbuf *b)
{
	struct pkt_meta *m = ctx->m;
	uint32_t tot, hl;
	uint16_t id, frag;
	uint8_t vhl, ttl, proto;

	m->ethertype = DECODE_ET_IPV4;
	vhl = pktbuf_u8(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	hl = (uint32_t)(vhl & 0x0f) * 4;
	if ((vhl >> 4) != 4 || hl < 20)
		return PKT_INVALID;
	pktbuf_skip(b, 1);
	tot = pktbuf_be16(b);
	if (tot == 0) {
		tot = decode_wire_left(ctx, b);
		tot = tot < UINT32_MAX - 4 ? tot + 4 : UINT32_MAX;
	}
	id = pktbuf_be16(b);
	frag = pktbuf_be16(b);
	ttl = pktbuf_u8(b);
	proto = pktbuf_u8(b);
	pktbuf_skip(b, 2);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (tot < hl)
		return PKT_INVALID;
	pktbuf_bytes(b, m->src, 4);
	pktbuf_bytes(b, m->dst, 4);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;

	m->ip_ver = 4;
	m->ip_len = tot;
	m->ttl = ttl;
	m->proto = proto;
	if (frag & 0x3fff) {
		m->flags |= PKT_F_FRAG;
		m->frag_id = id;
	}
	if (!pktbuf_skip(b, hl - 20))
		return PKT_TRUNCATED;
	pktbuf_limit(b, tot - hl);
	if (frag & 0x1fff) {
		m->flags |= PKT_F_FRAG_LATER;
		m->l4_len = tot - hl;
		if (decode_tunnel_proto(proto))
			decode_tun_frag(ctx, proto);
		return PKT_DECODED;
	}
	return decode_l4(ctx, b, proto, tot - hl, (frag & 0x2000) != 0);
}

/*
 * IPv6 header (RFC 8200 section 3):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Source Address (16)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Destination Address (16)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Extension headers walked (at most DECODE_IPV6_MAX_EXT):
 * Hop-by-Hop (0), Routing (43), Destination Options (60):
 * +---------------+---------------+-------------------------------+
 * |  Next Header  |  Hdr Ext Len  |  ... ((len + 1) * 8 bytes)    |
 * +---------------+---------------+-------------------------------+
 * Authentication Header (51, RFC 4302): the same, (len + 2) * 4 bytes.
 * Fragment (44, RFC 8200 section 4.5), 8 bytes:
 * +---------------+---------------+-------------------------+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +---------------+---------------+-------------------------+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
enum pkt_status
decode_ipv6(struct decode_ctx *ctx, struct pktbuf *b)
{
	struct pkt_meta *m = ctx->m;
	uint32_t left, hl, wire;
	uint16_t offm;
	uint8_t v, nxt, elen;
	unsigned next = 0;
	int frag = 0;

	m->ethertype = DECODE_ET_IPV6;
	v = pktbuf_u8(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if ((v >> 4) != 6)
		return PKT_INVALID;
	pktbuf_skip(b, 3);
	left = pktbuf_be16(b);
	nxt = pktbuf_u8(b);
	m->ttl = pktbuf_u8(b);
	pktbuf_bytes(b, m->src, 16);
	pktbuf_bytes(b, m->dst, 16);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (left == 0 && nxt != DECODE_IPPROTO_NONE) {
		wire = decode_wire_left(ctx, b);
		left = wire < UINT32_MAX - 40 ? wire : UINT32_MAX - 40;
	}
	m->ip_ver = 6;
	m->ip_len = 40 + left;
	pktbuf_limit(b, left);

	for (;;) {
		m->proto = nxt;
		switch (nxt) {
		case DECODE_IPPROTO_HOPOPTS:
		case DECODE_IPPROTO_ROUTING:
		case DECODE_IPPROTO_DSTOPTS:
		case DECODE_IPPROTO_AH:
			if (next++ == DECODE_IPV6_MAX_EXT)
				return PKT_INVALID;
			if (left < 8)
				return PKT_INVALID;
			v = pktbuf_u8(b);
			elen = pktbuf_u8(b);
			if (b->flags & PKTBUF_TRUNCATED)
				return PKT_TRUNCATED;
			if (nxt == DECODE_IPPROTO_AH)
				hl = ((uint32_t)elen + 2) * 4;
			else
				hl = ((uint32_t)elen + 1) * 8;
			if (hl > left)
				return PKT_INVALID;
			if (!pktbuf_skip(b, hl - 2))
				return PKT_TRUNCATED;
			left -= hl;
			nxt = v;
			break;
		case DECODE_IPPROTO_FRAGMENT:
			if (next++ == DECODE_IPV6_MAX_EXT)
				return PKT_INVALID;
			if (left < 8)
				return PKT_INVALID;
			v = pktbuf_u8(b);
			pktbuf_skip(b, 1);
			offm = pktbuf_be16(b);
			m->frag_id = pktbuf_be32(b);
			if (b->flags & PKTBUF_TRUNCATED) {
				m->frag_id = 0;
				return PKT_TRUNCATED;
			}
			left -= 8;
			nxt = v;
			if ((offm & 0xfff9) == 0) {
				/* An atomic fragment (RFC 6946): whole. */
				m->frag_id = 0;
				break;
			}
			m->flags |= PKT_F_FRAG;
			frag = 1;
			if (offm & 0xfff8) {
				m->flags |= PKT_F_FRAG_LATER;
				m->proto = nxt;
				m->l4_len = left;
				if (decode_tunnel_proto(nxt))
					decode_tun_frag(ctx, nxt);
				return PKT_DECODED;
			}
			break;
		default:
			return decode_l4(ctx, b, nxt, left, frag);
		}
	}
}
