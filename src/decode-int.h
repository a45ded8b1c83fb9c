/*
 * decode-int.h: private interface between the decoder's files.
 *
 * decode.c parses the link layer and dispatches on the ethertype,
 * decode-ip.c the network layer, decode-l4.c the transport layer, and
 * decode-dns.c, decode-dhcp.c and decode-tls.c extract names from
 * payload.  Everything runs in a capture thread; nothing here allocates.
 */
#ifndef WIRETOP_DECODE_INT_H
#define WIRETOP_DECODE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "pktbuf.h"

/* Ethertypes (IEEE 802 numbers) the decoder dispatches on. */
#define DECODE_ET_IPV4		0x0800
#define DECODE_ET_ARP		0x0806
#define DECODE_ET_RARP		0x8035
#define DECODE_ET_VLAN		0x8100	/* 802.1Q C-tag */
#define DECODE_ET_IPV6		0x86dd
#define DECODE_ET_MPLS		0x8847
#define DECODE_ET_MPLS_MC	0x8848
#define DECODE_ET_PPPOE_SESS	0x8864
#define DECODE_ET_QINQ		0x88a8	/* 802.1ad S-tag */
#define DECODE_ET_QINQ_OLD1	0x9100	/* pre-standard QinQ tags */
#define DECODE_ET_QINQ_OLD2	0x9200

/* IP protocol numbers (IANA). */
#define DECODE_IPPROTO_HOPOPTS	0
#define DECODE_IPPROTO_ICMP	1
#define DECODE_IPPROTO_IPIP	4
#define DECODE_IPPROTO_TCP	6
#define DECODE_IPPROTO_UDP	17
#define DECODE_IPPROTO_IPV6	41
#define DECODE_IPPROTO_ROUTING	43
#define DECODE_IPPROTO_FRAGMENT	44
#define DECODE_IPPROTO_GRE	47
#define DECODE_IPPROTO_AH	51
#define DECODE_IPPROTO_ICMPV6	58
#define DECODE_IPPROTO_NONE	59
#define DECODE_IPPROTO_DSTOPTS	60
#define DECODE_IPPROTO_SCTP	132

/* Most IPv6 extension headers one packet may carry before it is called
 * invalid; real traffic rarely has more than two or three. */
#define DECODE_IPV6_MAX_EXT	8

/* What a tunnel carries, so that decode_frame() knows how to open it. */
enum decode_inner {
	DECODE_INNER_NONE = 0,
	DECODE_INNER_IPV4,	/* an IPv4 header must follow */
	DECODE_INNER_IPV6,	/* an IPv6 header must follow */
	DECODE_INNER_IP,	/* IPv4 or IPv6, by the version nibble */
	DECODE_INNER_ETHER,	/* an Ethernet frame (no FCS) */
};

/*
 * State of decoding one layer of a frame, shared by the layers.  A layer
 * that finds a tunnel it can open leaves the inner packet in tun_*; the
 * layers never recurse into it, decode_frame() opens it afterwards.
 */
struct decode_ctx {
	struct pkt_meta *m;		/* being filled (borrowed) */
	struct decode_names *names;	/* NULL: no name extraction */
	const uint8_t *frame;		/* first byte of this layer: the frame,
					   or the tunnel payload (borrowed) */
	uint32_t wire_len;		/* on-wire length from frame on */
	uint8_t tun_inner;		/* enum decode_inner; NONE: nothing to
					   open */
	struct pktbuf tun_b;		/* the inner packet's captured bytes */
	uint32_t tun_len;		/* its length per the outer headers */
};

/* Decode an IPv4 or IPv6 packet, picking the version from its first
 * nibble; a nibble that is neither is INVALID. */
enum pkt_status	decode_ip(struct decode_ctx *, struct pktbuf *);
/* Decode an IPv4 header and what follows (RFC 791). */
enum pkt_status	decode_ipv4(struct decode_ctx *, struct pktbuf *);
/* Decode an IPv6 header, its extension headers and what follows
 * (RFC 8200). */
enum pkt_status	decode_ipv6(struct decode_ctx *, struct pktbuf *);

/*
 * Decode the transport header of protocol proto; b holds the IP payload
 * (already limited to the length the IP header gives), len is that
 * length per the IP header, frag is set for a first fragment (the
 * transport length fields then describe more than this packet).
 */
enum pkt_status	decode_l4(struct decode_ctx *, struct pktbuf *, uint8_t proto,
		    uint32_t len, int frag);

/* Extract A/AAAA answers from a DNS response (RFC 1035); tcp says the
 * message has the 2-byte length prefix of DNS over TCP. */
void		decode_dns(struct decode_ctx *, struct pktbuf *, int tcp);
/* Extract the client host name from a DHCP message (RFC 2131, 2132). */
void		decode_dhcp(struct decode_ctx *, struct pktbuf *);
/* Extract the SNI host name from a TLS ClientHello (RFC 8446, 6066). */
void		decode_tls(struct decode_ctx *, struct pktbuf *);

/* Return 1 if an IP protocol number is a tunnel (IP-in-IP, 6in4, GRE). */
static inline int
decode_tunnel_proto(uint8_t proto)
{
	return proto == DECODE_IPPROTO_IPIP || proto == DECODE_IPPROTO_IPV6 ||
	    proto == DECODE_IPPROTO_GRE;
}

/* Mark a tunnel carried by an IP fragment: recognised by its protocol
 * number, never opened (the inner packet is not whole). */
void		decode_tun_frag(struct decode_ctx *, uint8_t proto);
/* Decode the payload of IP protocol 4, 41 or 47 (IP-in-IP, 6in4, GRE):
 * mark the tunnel and leave its inner packet for decode_frame(). */
void		decode_tun_ip(struct decode_ctx *, struct pktbuf *,
		    uint8_t proto, uint32_t len);
/* Look for a tunnel in a whole UDP payload of len bytes (VXLAN, GENEVE,
 * GTP-U by port, Teredo by content); return 1 if one was found. */
int		decode_tun_udp(struct decode_ctx *, struct pktbuf *,
		    uint16_t sport, uint16_t dport, uint32_t len);

/* Return a zeroed name record of the given kind to fill, or NULL if names
 * are not wanted or there is no room left. */
struct pkt_name	*decode_name_add(struct decode_ctx *, enum pkt_name_kind);

#endif
