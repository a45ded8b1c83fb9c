/*
 * decode.c: packet decoder entry point and the link layers.
 *
 * Runs in a capture thread's pcap callback (or the file reader's loop),
 * once per packet, at up to millions of packets a second: it never
 * allocates, never locks and never blocks, and every read of packet data
 * goes through the bounds-checked reader in pktbuf.h.  decode_packet()
 * overwrites the whole struct pkt_meta and ends it in exactly one status:
 *
 *   DECODED      every header we understand was read whole (payload past
 *                the headers may have been cut by the snap length);
 *   TRUNCATED    the capture ended inside a header we needed; fields read
 *                so far stay set (IP addresses as soon as the fixed IP
 *                header was read, so the packet still counts to its flow);
 *   INVALID      a header is malformed (bad version, length field);
 *   UNSUPPORTED  an unknown link type, or a network protocol other than
 *                IPv4, IPv6 and ARP/RARP (LLDP, STP, EAPOL, IPX, PPP
 *                control protocols, encrypted 802.11 data, ...): ethertype
 *                is set when one was read, ip_ver is 0.
 *
 * Frames that are whole and valid but by their nature carry no network
 * layer (802.11 management, control and null-data frames, NFLOG records
 * without a payload attribute) are DECODED with ip_ver 0.
 *
 * This file handles Ethernet (802.1Q/802.1ad tags, 802.3 LLC/SNAP, MPLS
 * label stacks, PPPoE sessions), Linux cooked captures v1 and v2, BSD
 * null/loop, raw IP, PPP, NFLOG and 802.11 with or without radiotap; the
 * network layer is in decode-ip.c, tunnels in decode-tun.c.
 *
 * decode_frame() decodes a frame into one record per layer: layer 0 is
 * the wire; a layer that carries a tunnel it could open (IP-in-IP, GRE,
 * Teredo, VXLAN, GENEVE, GTP-U) leaves the inner packet's bytes in the
 * context, and the loop here decodes them into the next record, up to the
 * depth asked for (no recursion, so the stack stays flat).  Inner records
 * share the frame's ts_ns, wire_len, cap_len and linktype; their status,
 * lengths and flags are their own layer's.  decode_packet() is
 * decode_frame() at depth 0: tunnels recognised, none opened.
 */
#include "config.h"

#include "decode.h"

#include <string.h>

#include "decode-int.h"

/* Encapsulations (VLAN tags, LLC/SNAP, MPLS, PPPoE) walked per frame
 * before giving up with UNSUPPORTED. */
#define DECODE_MAX_ENCAP	16
/* MPLS labels in one stack before giving up with UNSUPPORTED. */
#define DECODE_MAX_LABELS	16

/* LINKTYPE_* numbers not in decode.h that old files use for raw IP. */
#define DECODE_LT_RAW_OLD12	12
#define DECODE_LT_RAW_OLD14	14

/* ARPHRD_NETLINK: SLL "protocol" is then a netlink family. */
#define DECODE_ARPHRD_NETLINK	824

/* Return a zeroed name record of the given kind, or NULL. */
struct pkt_name *
decode_name_add(struct decode_ctx *ctx, enum pkt_name_kind kind)
{
	struct decode_names *dn = ctx->names;
	struct pkt_name *n;

	if (dn == NULL || dn->v == NULL || dn->n >= dn->max)
		return NULL;
	n = &dn->v[dn->n++];
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->ts_ns = ctx->m->ts_ns;
	return n;
}

/*
 * ARP (RFC 826); RARP (RFC 903) has the same layout.  We only check the
 * message is whole: an ARP packet gives no IP flow.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Hardware type         |         Protocol type         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   HW len      |  Proto len    |           Operation           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  sender HW addr, sender proto addr, target HW, target proto   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static enum pkt_status
decode_arp(struct pktbuf *b)
{
	unsigned hln, pln;

	pktbuf_skip(b, 4);
	hln = pktbuf_u8(b);
	pln = pktbuf_u8(b);
	pktbuf_skip(b, 2);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (!pktbuf_skip(b, 2 * (hln + pln)))
		return PKT_TRUNCATED;
	return PKT_DECODED;
}

/*
 * IEEE 802.2 LLC with a SNAP header (RFC 1042): the one LLC encoding
 * that carries an ethertype.  Anything else (STP, NetBIOS, IPX over
 * 802.2) is UNSUPPORTED.
 *
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * | DSAP AA| SSAP AA| ctrl 03|       OUI (3 bytes)      |  ethertype (2)  |
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 */
static enum pkt_status
decode_llc_snap(struct pktbuf *b, uint16_t *type)
{
	uint8_t dsap, ssap, ctrl;

	dsap = pktbuf_u8(b);
	ssap = pktbuf_u8(b);
	ctrl = pktbuf_u8(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
		return PKT_UNSUPPORTED;
	pktbuf_skip(b, 3);
	*type = pktbuf_be16(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	return PKT_DECODED;
}

/* Map a PPP protocol number (RFC 1661, IANA PPP DLL numbers) to the
 * ethertype of the same network protocol, 0 if we do not decode it. */
static uint16_t
decode_ppp_ethertype(uint16_t proto)
{
	switch (proto) {
	case 0x0021:
		return DECODE_ET_IPV4;
	case 0x0057:
		return DECODE_ET_IPV6;
	case 0x0281:
		return DECODE_ET_MPLS;
	case 0x0283:
		return DECODE_ET_MPLS_MC;
	default:
		return 0;
	}
}

/*
 * MPLS label stack (RFC 3032): 4-byte entries up to the one with the
 * bottom-of-stack bit S.  What follows has no type field; IPv4 and IPv6
 * are recognised by their version nibble (RFC 4385 pseudowires start
 * with a 0 nibble and are UNSUPPORTED).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Label                  | TC  |S|      TTL      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static enum pkt_status
decode_mpls(struct pktbuf *b, uint16_t *type)
{
	struct pktbuf peek;
	uint32_t entry;
	unsigned i;

	for (i = 0; i < DECODE_MAX_LABELS; i++) {
		entry = pktbuf_be32(b);
		if (b->flags & PKTBUF_TRUNCATED)
			return PKT_TRUNCATED;
		if (entry & 0x100)
			break;
	}
	if (i == DECODE_MAX_LABELS)
		return PKT_UNSUPPORTED;
	peek = *b;
	switch (pktbuf_u8(&peek) >> 4) {
	case 4:
		*type = DECODE_ET_IPV4;
		break;
	case 6:
		*type = DECODE_ET_IPV6;
		break;
	default:
		if (peek.flags & PKTBUF_TRUNCATED)
			return PKT_TRUNCATED;
		return PKT_UNSUPPORTED;
	}
	return PKT_DECODED;
}

/*
 * Decode the network layer named by an ethertype, first walking any
 * encapsulation in a loop (no recursion):
 *
 * 802.1Q / 802.1ad tag (IEEE 802.1Q-2018 9.6), repeated for QinQ; the
 * outermost tag's VLAN id goes to vlan, the second one to inner_vlan:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | PCP |D|      VLAN id          |       inner ethertype         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * PPPoE session stage (RFC 2516 section 4), then a 2-byte PPP protocol:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  VER  | TYPE  |     CODE      |          SESSION_ID           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            LENGTH             |         PPP protocol          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A type field of 1500 or less is an 802.3 length, followed by LLC.
 */
static enum pkt_status
decode_ethertype(struct decode_ctx *ctx, struct pktbuf *b, uint16_t type)
{
	struct pkt_meta *m = ctx->m;
	enum pkt_status st;
	uint16_t tci, len;
	uint8_t vt, code;
	unsigned depth, tagged = 0;

	for (depth = 0; depth < DECODE_MAX_ENCAP; depth++) {
		switch (type) {
		case DECODE_ET_IPV4:
			return decode_ipv4(ctx, b);
		case DECODE_ET_IPV6:
			return decode_ipv6(ctx, b);
		case DECODE_ET_ARP:
		case DECODE_ET_RARP:
			m->ethertype = type;
			m->flags |= PKT_F_ARP;
			return decode_arp(b);
		case DECODE_ET_VLAN:
		case DECODE_ET_QINQ:
		case DECODE_ET_QINQ_OLD1:
		case DECODE_ET_QINQ_OLD2:
			tci = pktbuf_be16(b);
			type = pktbuf_be16(b);
			if (b->flags & PKTBUF_TRUNCATED)
				return PKT_TRUNCATED;
			if (tagged == 0)
				m->vlan = tci & 0x0fff;
			else if (tagged == 1)
				m->inner_vlan = tci & 0x0fff;
			tagged++;
			break;
		case DECODE_ET_MPLS:
		case DECODE_ET_MPLS_MC:
			if ((st = decode_mpls(b, &type)) != PKT_DECODED)
				return st;
			break;
		case DECODE_ET_PPPOE_SESS:
			vt = pktbuf_u8(b);
			code = pktbuf_u8(b);
			pktbuf_skip(b, 2);
			len = pktbuf_be16(b);
			if (b->flags & PKTBUF_TRUNCATED)
				return PKT_TRUNCATED;
			if (vt != 0x11 || code != 0 || len < 2)
				return PKT_INVALID;
			pktbuf_limit(b, len);
			len = pktbuf_be16(b);
			if (b->flags & PKTBUF_TRUNCATED)
				return PKT_TRUNCATED;
			if ((type = decode_ppp_ethertype(len)) == 0)
				return PKT_UNSUPPORTED;
			break;
		default:
			if (type > 1500) {
				m->ethertype = type;
				return PKT_UNSUPPORTED;
			}
			if (type < 3)
				return PKT_INVALID;
			pktbuf_limit(b, type);
			if ((st = decode_llc_snap(b, &type)) != PKT_DECODED)
				return st;
			break;
		}
	}
	return PKT_UNSUPPORTED;
}

/*
 * Ethernet II (IEEE 802.3 clause 3.2.6):
 * +-----------------+-----------------+-------------+---------------
 * | destination (6) |   source (6)    | type/len (2)| payload ...
 * +-----------------+-----------------+-------------+---------------
 * No frame check sequence in captures from libpcap.
 */
static enum pkt_status
decode_ether(struct decode_ctx *ctx, struct pktbuf *b)
{
	uint16_t type;

	pktbuf_skip(b, 12);
	type = pktbuf_be16(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	return decode_ethertype(ctx, b, type);
}

/* The SLL protocol field: an ethertype, 4 for an 802.2 LLC frame, or
 * other small Linux ETH_P_* values we do not decode. */
static enum pkt_status
decode_sll_proto(struct decode_ctx *ctx, struct pktbuf *b, uint16_t hatype,
    uint16_t proto)
{
	enum pkt_status st;

	if (hatype == DECODE_ARPHRD_NETLINK)
		return PKT_UNSUPPORTED;
	if (proto == 0x0004) {
		if ((st = decode_llc_snap(b, &proto)) != PKT_DECODED)
			return st;
	} else if (proto < 0x0600)
		return PKT_UNSUPPORTED;
	return decode_ethertype(ctx, b, proto);
}

/*
 * Linux cooked capture v1 (LINKTYPE_LINUX_SLL, tcpdump.org sll.html):
 * +---------------------------+---------------------------+
 * |     packet type (2)       |   ARPHRD_ type (2)        |
 * +---------------------------+---------------------------+
 * |  link-layer addr len (2)  |   link-layer addr (8)...  |
 * +---------------------------+---------------------------+
 * |  ...                      |   protocol type (2)       |
 * +---------------------------+---------------------------+
 */
static enum pkt_status
decode_sll(struct decode_ctx *ctx, struct pktbuf *b)
{
	uint16_t hatype, proto;

	pktbuf_skip(b, 2);
	hatype = pktbuf_be16(b);
	pktbuf_skip(b, 10);
	proto = pktbuf_be16(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	return decode_sll_proto(ctx, b, hatype, proto);
}

/*
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, tcpdump.org sll2.html):
 * +---------------------------+---------------------------+
 * |     protocol type (2)     |      reserved (2)         |
 * +---------------------------+---------------------------+
 * |                 interface index (4)                   |
 * +---------------------------+-------------+-------------+
 * |   ARPHRD_ type (2)        | pkt type (1)| addr len (1)|
 * +---------------------------+-------------+-------------+
 * |                link-layer address (8)                 |
 * +-------------------------------------------------------+
 */
static enum pkt_status
decode_sll2(struct decode_ctx *ctx, struct pktbuf *b)
{
	uint16_t hatype, proto;

	proto = pktbuf_be16(b);
	pktbuf_skip(b, 6);
	hatype = pktbuf_be16(b);
	pktbuf_skip(b, 10);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	return decode_sll_proto(ctx, b, hatype, proto);
}

/*
 * BSD loopback encapsulation (LINKTYPE_NULL, host byte order of the
 * writer; LINKTYPE_LOOP, network byte order): a 4-byte address family.
 * AF_INET is 2 everywhere, AF_INET6 is 10 (Linux), 24 (NetBSD, OpenBSD),
 * 28 (FreeBSD) or 30 (macOS).  For NULL both byte orders are accepted:
 * families are small, so a value with its high half set is byte-swapped.
 * +---------------------------------------------------------------+
 * |                    address family (4)                         |
 * +---------------------------------------------------------------+
 */
static enum pkt_status
decode_null(struct decode_ctx *ctx, struct pktbuf *b, int loop)
{
	uint32_t fam;

	fam = loop ? pktbuf_be32(b) : pktbuf_le32(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (!loop && (fam & 0xffff0000) != 0)
		fam = ((fam & 0xff) << 24) | ((fam & 0xff00) << 8) |
		    ((fam >> 8) & 0xff00) | (fam >> 24);
	switch (fam) {
	case 2:
		return decode_ipv4(ctx, b);
	case 10:
	case 24:
	case 28:
	case 30:
		return decode_ipv6(ctx, b);
	default:
		return PKT_UNSUPPORTED;
	}
}

/*
 * PPP (LINKTYPE_PPP): RFC 1661 frames, optionally with the RFC 1662
 * HDLC-like address/control bytes FF 03 in front.  The protocol field
 * is one byte when its first byte is odd (protocol field compression,
 * RFC 1661 section 6.5), else two.
 * +----------+----------+----------------------+------------
 * | addr FF  | ctrl 03  |   protocol (1 or 2)  |  information
 * +----------+----------+----------------------+------------
 */
static enum pkt_status
decode_ppp(struct decode_ctx *ctx, struct pktbuf *b)
{
	struct pktbuf peek = *b;
	uint16_t proto, type;

	if (pktbuf_u8(&peek) == 0xff) {
		/* 0xff is no protocol byte: it must be HDLC framing. */
		if (pktbuf_u8(&peek) != 0x03) {
			if (peek.flags & PKTBUF_TRUNCATED)
				return PKT_TRUNCATED;
			return PKT_INVALID;
		}
		*b = peek;
	}
	proto = pktbuf_u8(b);
	if (!(proto & 1))
		proto = (uint16_t)(proto << 8 | pktbuf_u8(b));
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if ((type = decode_ppp_ethertype(proto)) == 0)
		return PKT_UNSUPPORTED;
	return decode_ethertype(ctx, b, type);
}

/*
 * Linux netfilter log (LINKTYPE_NFLOG, tcpdump.org LINKTYPE_NFLOG.html):
 * a 4-byte header, then netlink-style TLVs padded to 4 bytes; the one of
 * type NFULA_PAYLOAD (9) holds the packet, from its IP header on.
 * +-------------+-------------+---------------------------+
 * | family (1)  | version (1) |     resource id (BE 2)    |
 * +-------------+-------------+---------------------------+
 * |      TLV length (2)       |        TLV type (2)       |  ...
 * +---------------------------+---------------------------+
 * TLV length (which counts the 4-byte TLV header) and type are in the
 * writer's host byte order (libpcap swaps them when reading a file from
 * a host of the other order; our reader may not), so the order is
 * guessed from the first TLV: types are small numbers, so the byte that
 * is zero in its type field is the high one.
 */
static enum pkt_status
decode_nflog(struct decode_ctx *ctx, struct pktbuf *b)
{
	struct pktbuf peek;
	uint16_t len, type;
	uint8_t fam, ver, t0, t1;
	int be = 0;

	fam = pktbuf_u8(b);
	ver = pktbuf_u8(b);
	pktbuf_skip(b, 2);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (ver != 0)
		return PKT_INVALID;
	peek = *b;
	pktbuf_skip(&peek, 2);
	t0 = pktbuf_u8(&peek);
	t1 = pktbuf_u8(&peek);
	if (t0 == 0 && t1 != 0)
		be = 1;
	while (pktbuf_left(b) > 0) {
		len = be ? pktbuf_be16(b) : pktbuf_le16(b);
		type = be ? pktbuf_be16(b) : pktbuf_le16(b);
		if (b->flags & PKTBUF_TRUNCATED)
			return PKT_TRUNCATED;
		if (len < 4)
			return PKT_INVALID;
		len -= 4;
		if ((type & 0x3fff) == 9) {
			pktbuf_limit(b, len);
			switch (fam) {
			case 2:
				return decode_ipv4(ctx, b);
			case 10:
				return decode_ipv6(ctx, b);
			default:
				return PKT_UNSUPPORTED;
			}
		}
		/* Padding after the last TLV may be missing: not a cut. */
		if (!pktbuf_skip(b, len))
			return PKT_TRUNCATED;
		pktbuf_skip(b, (4 - (len & 3)) & 3);
		b->flags &= ~(unsigned)PKTBUF_TRUNCATED;
	}
	/* No payload TLV: a whole log record without a packet, unless the
	 * capture was cut before the wire's end. */
	if ((size_t)(b->p - ctx->frame) < ctx->wire_len)
		return PKT_TRUNCATED;
	return PKT_DECODED;
}

/*
 * IEEE 802.11 MAC header (IEEE 802.11-2020 9.2.3); fields are little
 * endian.  Only data frames carry a network layer, as LLC/SNAP.
 * +------+------+------+------+------+------+------+------+------+------
 * |frame ctl (2)|duration(2) | addr1 (6) | addr2 (6) | addr3 (6) |
 * +------+------+------+------+------+------+------+------+------+------
 * | seq ctl (2) | [addr4 (6), if ToDS and FromDS] | [QoS ctl (2)] |
 * +------+------+------+------+------+------+------+------+------+------
 * | [HT ctl (4), if QoS and Order] | [pad to 4, radiotap DATAPAD] | LLC
 * Frame control: byte 0 = subtype(4) type(2) version(2), byte 1 = flags
 * (0x01 ToDS, 0x02 FromDS, 0x40 Protected, 0x80 +HTC/Order).
 *
 * Management, control and extension frames and data subtypes without a
 * body (null, CF-Ack, ...) are DECODED with no network layer once their
 * first two bytes are read; protected (encrypted) data is UNSUPPORTED.
 */
static enum pkt_status
decode_80211(struct decode_ctx *ctx, struct pktbuf *b, int datapad)
{
	enum pkt_status st;
	uint16_t qos = 0, type;
	uint8_t fc0, fc1;
	size_t hlen = 24;

	fc0 = pktbuf_u8(b);
	fc1 = pktbuf_u8(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if ((fc0 & 0x03) != 0)
		return PKT_INVALID;
	if (((fc0 >> 2) & 0x03) != 2)
		return PKT_DECODED;
	pktbuf_skip(b, 22);
	if ((fc1 & 0x03) == 0x03) {
		pktbuf_skip(b, 6);
		hlen += 6;
	}
	if (fc0 & 0x80) {
		qos = pktbuf_le16(b);
		hlen += 2;
		if (fc1 & 0x80) {
			pktbuf_skip(b, 4);
			hlen += 4;
		}
	}
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (fc0 & 0x40)
		return PKT_DECODED;
	if (fc1 & 0x40)
		return PKT_UNSUPPORTED;
	if (datapad && !pktbuf_skip(b, (4 - (hlen & 3)) & 3))
		return PKT_TRUNCATED;
	if (qos & 0x80)		/* A-MSDU aggregate */
		return PKT_UNSUPPORTED;
	if ((st = decode_llc_snap(b, &type)) != PKT_DECODED)
		return st;
	return decode_ethertype(ctx, b, type);
}

/*
 * Radiotap header (radiotap.org), little endian, in front of an 802.11
 * frame.  We skip it by its length, reading only the Flags field for
 * DATAPAD (0x20: padding between the 802.11 header and the payload).
 * +-------------+-------------+---------------------------+
 * | version (1) |   pad (1)   |      length (LE 2)        |
 * +-------------+-------------+---------------------------+
 * |  present bitmap (LE 4), more while bit 31 is set      |
 * +-------------------------------------------------------+
 * | fields in bit order, each aligned to its size:        |
 * | bit 0 TSFT (8, align 8), bit 1 Flags (1), ...         |
 * +-------------------------------------------------------+
 */
static enum pkt_status
decode_radiotap(struct decode_ctx *ctx, struct pktbuf *b)
{
	struct pktbuf h;
	uint32_t present, word;
	uint16_t len;
	uint8_t ver, flags = 0;
	size_t off = 8;

	ver = pktbuf_u8(b);
	pktbuf_skip(b, 1);
	len = pktbuf_le16(b);
	if (b->flags & PKTBUF_TRUNCATED)
		return PKT_TRUNCATED;
	if (ver != 0 || len < 8)
		return PKT_INVALID;
	h = *b;
	if (!pktbuf_skip(b, (size_t)len - 4))
		return PKT_TRUNCATED;
	pktbuf_limit(&h, (size_t)len - 4);
	present = word = pktbuf_le32(&h);
	while ((word & 0x80000000u) && !(h.flags & PKTBUF_TRUNCATED)) {
		word = pktbuf_le32(&h);
		off += 4;
	}
	if (present & 0x01) {
		pktbuf_skip(&h, ((8 - (off & 7)) & 7) + 8);
		off += ((8 - (off & 7)) & 7) + 8;
	}
	if (present & 0x02)
		flags = pktbuf_u8(&h);
	if (h.flags & PKTBUF_TRUNCATED)
		return PKT_INVALID;
	return decode_80211(ctx, b, (flags & 0x20) != 0);
}

/* Every link type decode_packet() dispatches on, ascending.  Keep it in
 * step with decode_packet's switch (test-decode checks that the two
 * agree); the order is the fuzz seeds' first byte, so append only. */
const struct decode_linktype decode_linktypes[] = {
	{ DECODE_LT_NULL, "NULL" },
	{ DECODE_LT_ETHERNET, "EN10MB" },
	{ DECODE_LT_PPP, "PPP" },
	{ DECODE_LT_RAW_OLD12, "RAW" },
	{ DECODE_LT_RAW_OLD14, "RAW" },
	{ DECODE_LT_RAW, "RAW" },
	{ DECODE_LT_IEEE802_11, "IEEE802_11" },
	{ DECODE_LT_LOOP, "LOOP" },
	{ DECODE_LT_LINUX_SLL, "LINUX_SLL" },
	{ DECODE_LT_IEEE802_11_RADIOTAP, "IEEE802_11_RADIO" },
	{ DECODE_LT_IPV4, "IPV4" },
	{ DECODE_LT_IPV6, "IPV6" },
	{ DECODE_LT_NFLOG, "NFLOG" },
	{ DECODE_LT_LINUX_SLL2, "LINUX_SLL2" },
};
const unsigned decode_nlinktypes =
    sizeof decode_linktypes / sizeof decode_linktypes[0];

/* Return 1 if packets of this link type can be decoded. */
int
decode_linktype_supported(uint32_t linktype)
{
	return decode_linktype_name(linktype) != NULL;
}

/* Name of a link type ("EN10MB", "LINUX_SLL2", ...) or NULL. */
const char *
decode_linktype_name(uint32_t linktype)
{
	unsigned i;

	for (i = 0; i < decode_nlinktypes; i++)
		if (decode_linktypes[i].linktype == linktype)
			return decode_linktypes[i].name;
	return NULL;
}

/* Decode the inner packet of the tunnel a layer found. */
static enum pkt_status
decode_inner(struct decode_ctx *ctx, struct pktbuf *b, enum decode_inner in)
{
	switch (in) {
	case DECODE_INNER_IPV4:
		return decode_ipv4(ctx, b);
	case DECODE_INNER_IPV6:
		return decode_ipv6(ctx, b);
	case DECODE_INNER_IP:
		return decode_ip(ctx, b);
	case DECODE_INNER_ETHER:
		return decode_ether(ctx, b);
	default:
		return PKT_UNSUPPORTED;
	}
}

/* Decode the link layer and what follows into ctx->m. */
static enum pkt_status
decode_link(struct decode_ctx *ctx, struct pktbuf *b, uint32_t linktype)
{
	switch (linktype) {
	case DECODE_LT_ETHERNET:
		return decode_ether(ctx, b);
	case DECODE_LT_LINUX_SLL:
		return decode_sll(ctx, b);
	case DECODE_LT_LINUX_SLL2:
		return decode_sll2(ctx, b);
	case DECODE_LT_RAW:
	case DECODE_LT_RAW_OLD12:
	case DECODE_LT_RAW_OLD14:
		return decode_ip(ctx, b);
	case DECODE_LT_IPV4:
		return decode_ipv4(ctx, b);
	case DECODE_LT_IPV6:
		return decode_ipv6(ctx, b);
	case DECODE_LT_NULL:
		return decode_null(ctx, b, 0);
	case DECODE_LT_LOOP:
		return decode_null(ctx, b, 1);
	case DECODE_LT_PPP:
		return decode_ppp(ctx, b);
	case DECODE_LT_NFLOG:
		return decode_nflog(ctx, b);
	case DECODE_LT_IEEE802_11:
		return decode_80211(ctx, b, 0);
	case DECODE_LT_IEEE802_11_RADIOTAP:
		return decode_radiotap(ctx, b);
	default:
		return PKT_UNSUPPORTED;
	}
}

/*
 * Decode one frame: layer 0 into m, each tunnel opened into the next
 * inner record.  A tunnel is opened only from a layer that decoded whole,
 * while fewer than depth are open, and only if its inner packet yields an
 * IP header (DECODED, or TRUNCATED after the addresses); otherwise its
 * carrier gets PKT_F_TUN_SKIP and is the last record, and names the
 * failed inner layer may have added are taken back.
 */
unsigned
decode_frame(struct pkt_meta *m, struct pkt_meta *inner, unsigned depth,
    struct decode_names *names, uint32_t linktype, const uint8_t *data,
    uint32_t caplen, uint32_t wirelen, uint64_t ts_ns)
{
	static const uint8_t empty[1];
	struct decode_ctx ctx;
	struct pkt_meta *cur, *nx;
	struct pktbuf b;
	enum pkt_status st;
	enum decode_inner in;
	unsigned n = 0, nnames;

	memset(m, 0, sizeof *m);
	m->ts_ns = ts_ns;
	m->wire_len = wirelen;
	m->cap_len = caplen;
	m->linktype = (uint16_t)linktype;
	if (data == NULL) {
		data = empty;
		caplen = 0;
	}
	/* An original length below the captured one, or beyond any real
	 * frame (0xffffffff would count 4 GiB), is a corrupt record: it is
	 * invalid, and only its captured bytes count. */
	if (wirelen < caplen || wirelen > DECODE_MAX_WIRELEN) {
		m->wire_len = caplen;
		m->status = PKT_INVALID;
		return 0;
	}
	ctx.m = m;
	ctx.names = names;
	ctx.frame = data;
	ctx.wire_len = wirelen;
	ctx.tun_inner = DECODE_INNER_NONE;
	pktbuf_init(&b, data, caplen);
	m->status = (uint8_t)decode_link(&ctx, &b, linktype);

	if (depth > PKT_MAX_TUNNELS)
		depth = PKT_MAX_TUNNELS;
	for (cur = m; ctx.tun_inner != DECODE_INNER_NONE; cur = nx) {
		if (cur->status != PKT_DECODED || n >= depth || inner == NULL) {
			cur->flags |= PKT_F_TUN_SKIP;
			break;
		}
		nx = &inner[n];
		memset(nx, 0, sizeof *nx);
		nx->ts_ns = m->ts_ns;
		nx->wire_len = m->wire_len;
		nx->cap_len = m->cap_len;
		nx->linktype = m->linktype;
		nx->layer = (uint8_t)(n + 1);
		nx->tunnel = cur->tunnel;
		b = ctx.tun_b;
		in = (enum decode_inner)ctx.tun_inner;
		ctx.m = nx;
		ctx.frame = b.p;
		ctx.wire_len = ctx.tun_len;
		ctx.tun_inner = DECODE_INNER_NONE;
		nnames = names != NULL ? names->n : 0;
		st = decode_inner(&ctx, &b, in);
		if (st == PKT_INVALID || st == PKT_UNSUPPORTED ||
		    nx->ip_ver == 0) {
			cur->flags |= PKT_F_TUN_SKIP;
			if (names != NULL)
				names->n = nnames;
			break;
		}
		nx->status = (uint8_t)st;
		cur->flags |= PKT_F_MORE;
		n++;
	}
	return n;
}

/* Decode one packet's outer layer into m and append learned names. */
enum pkt_status
decode_packet(struct pkt_meta *m, struct decode_names *names,
    uint32_t linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
    uint64_t ts_ns)
{
	decode_frame(m, NULL, 0, names, linktype, data, caplen, wirelen,
	    ts_ns);
	return (enum pkt_status)m->status;
}
