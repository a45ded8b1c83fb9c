/*
 * decode.h: packet decoder (link layer down to payload name extracts).
 *
 * Runs in a capture thread's callback; never allocates, never blocks.
 */
#ifndef WIRETOP_DECODE_H
#define WIRETOP_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

/* LINKTYPE_* values (tcpdump.org/linktypes.html) the decoder knows. */
#define DECODE_LT_NULL		0
#define DECODE_LT_ETHERNET	1
#define DECODE_LT_PPP		9
#define DECODE_LT_RAW		101	/* raw IPv4 or IPv6 */
#define DECODE_LT_IEEE802_11	105
#define DECODE_LT_LOOP		108	/* OpenBSD loopback, BE family */
#define DECODE_LT_LINUX_SLL	113
#define DECODE_LT_IEEE802_11_RADIOTAP 127
#define DECODE_LT_IPV4		228
#define DECODE_LT_IPV6		229
#define DECODE_LT_NFLOG		239
#define DECODE_LT_LINUX_SLL2	276
/* DLT_RAW is 12 (or 14 on OpenBSD) in some pcap headers written by old
 * libpcaps; the decoder treats both as raw IP too. */

#define DECODE_MAX_NAMES	8	/* name records one packet may yield */
/* Largest plausible original (wire) length of one frame: above the 64 KiB
 * IP datagram and the Linux GSO/GRO super-frames a capture on the host
 * sees (BIG TCP: up to 512 KiB).  A record claiming more is corrupt. */
#define DECODE_MAX_WIRELEN	(1u << 20)

/* Where name records go; the caller owns the array. */
struct decode_names {
	struct pkt_name *v;	/* borrowed, room for max entries */
	unsigned max;
	unsigned n;		/* filled by the decoder */
};

/* One link type the decoder decodes: LINKTYPE_* number, libpcap name. */
struct decode_linktype {
	uint32_t	 linktype;
	const char	*name;
};
/* The one list of decodable link types, ascending; the fuzz target's
 * first input byte indexes it, and the tests read it (through
 * tests/tools/linktypes for the scripts). */
extern const struct decode_linktype decode_linktypes[];
extern const unsigned decode_nlinktypes;

/* Return 1 if packets of this link type can be decoded. */
int	decode_linktype_supported(uint32_t linktype);
/* Name of a link type ("EN10MB", "LINUX_SLL2", ...) or NULL. */
const char *decode_linktype_name(uint32_t linktype);

/*
 * Decode one frame into records, one per layer: the wire into m, the
 * packet inside the k-th tunnel opened into inner[k - 1] (room for depth
 * records; may be NULL if depth is 0).  depth is the most tunnels opened
 * (at most PKT_MAX_TUNNELS).  Every record but the last gets PKT_F_MORE;
 * a record carrying a tunnel gets PKT_F_TUNNEL and tunnel = its kind,
 * plus PKT_F_TUN_SKIP when it was not opened (depth reached, or the inner
 * packet is not decodable IP), and is then the last.  An inner record's
 * tunnel says what carried it unless it has PKT_F_TUNNEL itself (what
 * carried record k is always record k - 1's tunnel).  Inner records
 * share ts_ns, wire_len, cap_len and linktype with m; each has its own
 * status.  Names as for decode_packet, from every layer decoded.  Returns
 * the number of inner records filled (0..depth).
 */
unsigned decode_frame(struct pkt_meta *m, struct pkt_meta *inner,
	    unsigned depth, struct decode_names *names, uint32_t linktype,
	    const uint8_t *data, uint32_t caplen, uint32_t wirelen,
	    uint64_t ts_ns);

/*
 * Decode one packet's outer layer into m (fully overwritten; ts_ns and wire_len are set
 * from the arguments, source/ifindex left 0 for the caller).  If names is
 * not NULL, names learned from DNS answers, DHCP and TLS SNI are appended
 * (at most names->max - names->n).  Tunnels are recognised
 * (PKT_F_TUNNEL | PKT_F_TUN_SKIP) but not opened: decode_frame() at depth
 * 0.  Returns m->status.
 */
enum pkt_status decode_packet(struct pkt_meta *m, struct decode_names *names,
	    uint32_t linktype, const uint8_t *data, uint32_t caplen,
	    uint32_t wirelen, uint64_t ts_ns);

#endif
