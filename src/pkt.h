/*
 * pkt.h: the plain records that cross threads.
 *
 * A capture thread decodes each packet into one struct pkt_meta and pushes
 * it by value into its ring; names learned from payload travel as struct
 * pkt_name on a second, low-volume ring.  These are POD: no pointers, no
 * library headers, fixed size, so a ring slot is a plain copy.
 */
#ifndef WIRETOP_PKT_H
#define WIRETOP_PKT_H

#include <stdint.h>

/* Per-packet decode status: every packet ends in exactly one of these. */
enum pkt_status {
	PKT_DECODED = 0,	/* every layer we understand was read whole */
	PKT_TRUNCATED,		/* capture ended before a header we needed */
	PKT_INVALID,		/* a header is malformed (bad length, version) */
	PKT_UNSUPPORTED,	/* link type or network protocol we do not parse */
	PKT_STATUS_COUNT
};

/* pkt_meta.flags */
#define PKT_F_L4	0x01	/* sport/dport (or ICMP type/code) are valid */
#define PKT_F_FRAG	0x02	/* an IP fragment (first or later) */
#define PKT_F_FRAG_LATER 0x04	/* a non-first fragment: no L4 header */
#define PKT_F_ARP	0x08	/* ARP/RARP; no IP addresses */
#define PKT_F_TUNNEL	0x10	/* carries a tunnel (pkt_meta.tunnel says which);
				   opened unless PKT_F_TUN_SKIP */
#define PKT_F_TCP_OPTS	0x20	/* TCP header carried options */
#define PKT_F_MORE	0x40	/* the next record is this frame's next layer */
#define PKT_F_TUN_SKIP	0x80	/* the tunnel was not opened: nested past the
				   depth limit, or its inner packet is not IP */

/*
 * Tunnels the decoder opens (pkt_meta.tunnel).  A frame with tunnels
 * becomes one record per layer, outermost first and consecutive on the
 * ring: layer 0 is the wire, layer k what the k-th tunnel carried.  All
 * records of a frame share ts_ns, wire_len, source and ifindex; each but
 * the last has PKT_F_MORE.
 */
enum pkt_tunnel {
	PKT_TUN_NONE = 0,
	PKT_TUN_IP,		/* IPv4/IPv6 in IPv4/IPv6: IP-in-IP, 6in4 */
	PKT_TUN_GRE,		/* GRE (RFC 2784, 2890), ERSPAN-less */
	PKT_TUN_TEREDO,		/* IPv6 in UDP (RFC 4380) */
	PKT_TUN_VXLAN,		/* Ethernet in UDP 4789 (RFC 7348) */
	PKT_TUN_GENEVE,		/* Ethernet/IP in UDP 6081 (RFC 8926) */
	PKT_TUN_GTPU,		/* IP in GTP-U, UDP 2152 (3GPP TS 29.281) */
	PKT_TUN_COUNT
};

/* Tunnels one frame may nest at most (the depth setting's ceiling). */
#define PKT_MAX_TUNNELS	4

/* TCP flag bits as on the wire (RFC 9293). */
#define PKT_TCP_FIN	0x01
#define PKT_TCP_SYN	0x02
#define PKT_TCP_RST	0x04
#define PKT_TCP_PSH	0x08
#define PKT_TCP_ACK	0x10
#define PKT_TCP_URG	0x20
#define PKT_TCP_ECE	0x40
#define PKT_TCP_CWR	0x80

/*
 * One decoded packet.  Addresses are 16 bytes: IPv4 uses the first 4 and
 * leaves the rest zero; ip_ver says which.  A tunnelled frame is one
 * record per layer (enum pkt_tunnel).
 */
struct pkt_meta {
	uint64_t ts_ns;		/* packet time, ns since the epoch */
	uint32_t wire_len;	/* on-wire frame length (bandwidth counts this) */
	uint32_t cap_len;	/* captured bytes (parsing uses this) */
	uint32_t ip_len;	/* IP packet length from its header, 0 if no IP */
	uint32_t l4_len;	/* transport payload bytes per the headers */
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint32_t frag_id;	/* IPv4 id or IPv6 fragment id */
	uint16_t sport;		/* host order; ICMP: type */
	uint16_t dport;		/* host order; ICMP: code */
	uint16_t vlan;		/* outermost 802.1Q/802.1ad VLAN id, 0 = none */
	uint16_t inner_vlan;	/* the second tag (QinQ), 0 = none */
	uint16_t tcp_win;
	uint16_t ethertype;	/* of the network layer, 0 if unknown */
	uint16_t linktype;	/* LINKTYPE_* the packet was read with */
	uint16_t source;	/* capture source index */
	uint16_t ifindex;	/* pcapng interface id, 0 for live/pcap */
	uint8_t status;		/* enum pkt_status */
	uint8_t ip_ver;		/* 0 (no IP), 4 or 6 */
	uint8_t proto;		/* IP protocol number (after extension headers) */
	uint8_t tcp_flags;	/* PKT_TCP_* */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t flags;		/* PKT_F_* */
	uint8_t ttl;		/* IPv4 TTL / IPv6 hop limit */
	uint8_t layer;		/* 0: the wire; k: inside the k-th tunnel */
	uint8_t tunnel;		/* enum pkt_tunnel: layer > 0, what carried this
				   layer; with PKT_F_TUNNEL, what it carries */
	uint8_t src[16];
	uint8_t dst[16];
};

/* What a name record says about its address. */
enum pkt_name_kind {
	PKT_NAME_DNS = 1,	/* DNS answer: name resolves to addr */
	PKT_NAME_DHCP,		/* DHCP client host name for addr / mac */
	PKT_NAME_SNI,		/* TLS SNI sent to server addr */
	/* Not names of addr: DNS events for the alert detectors, passed on
	 * by the engine apart from the names (engine_sink.dns). */
	PKT_NAME_DNS_NX,	/* an NXDOMAIN answer to client addr for
				   the query name */
	PKT_NAME_DNS_LONG,	/* an answer to client addr for a query
				   name of at least PKT_DNS_LONG bytes */
	/* Not from a packet: the reverse DNS (PTR) name of addr, found by
	 * the resolver thread (resolve.c, resolve = reverse). */
	PKT_NAME_PTR,
};

/* Query names this long or longer are passed on (PKT_NAME_DNS_LONG): what
 * the dns_anomaly detector judges, and few enough on a real network. */
#define PKT_DNS_LONG	40

#define PKT_NAME_MAX 256	/* bytes incl. NUL; DNS names are <= 253 */
/* Room for an IP protocol's text: proto_name()'s longest ("ipv6-nonxt")
 * or a number, and the NUL. */
#define PROTO_NAME_MAX	16

/* A name learned from payload.  name is NUL-terminated, raw bytes from
 * the network (the UI sanitises before display). */
struct pkt_name {
	uint64_t ts_ns;
	uint8_t kind;		/* enum pkt_name_kind */
	uint8_t ip_ver;		/* of addr: 4 or 6; 0 if only mac is known */
	uint8_t mac[6];		/* DHCP client hardware address, else zero */
	uint8_t addr[16];
	char name[PKT_NAME_MAX];
};

#endif
