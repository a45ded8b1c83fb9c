/*
 * engine.h: the accounting engine: flows, hosts, rates, services, names.
 *
 * Owned by the main thread: it is the only writer (and, apart from sinks
 * it calls, the only reader) of every table here, so nothing is locked.
 * Time is packet time: engine_packet() advances the clock to the packet's
 * timestamp, engine_tick() advances it on idle (live capture only).
 */
#ifndef WIRETOP_ENGINE_H
#define WIRETOP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "geoip.h"
#include "pkt.h"
#include "resolve.h"

struct engine;

/* ---- rates (engine-rate.c) ---------------------------------------- */

#define RATE_SLOTS	64	/* one-second buckets kept per rate */
#define RATE_HIST_SLOTS	600	/* one-second buckets for source history */

/* Bytes per packet-time second over the last RATE_SLOTS seconds. */
struct rate {
	uint64_t head_sec;		/* second of the newest bucket */
	uint32_t bytes[RATE_SLOTS];	/* ring indexed by sec % RATE_SLOTS */
};

/* Longer history for a source's bandwidth graph. */
struct rate_hist {
	uint64_t head_sec;
	uint64_t bytes[RATE_HIST_SLOTS];
	uint32_t pkts[RATE_HIST_SLOTS];
};

/* Add bytes at packet-time second sec (older than the window: ignored). */
void	rate_add(struct rate *, uint64_t sec, uint32_t bytes);
/* Average bytes/s over the secs seconds before now_sec (now_sec itself is
 * still filling and is not counted). */
double	rate_avg(const struct rate *, uint64_t now_sec, unsigned secs);
/* The last n complete seconds before now_sec, oldest first, into out. */
void	rate_series(const struct rate *, uint64_t now_sec, uint32_t *out,
	    unsigned n);
void	rate_hist_add(struct rate_hist *, uint64_t sec, uint32_t bytes,
	    uint32_t pkts);
double	rate_hist_avg(const struct rate_hist *, uint64_t now_sec,
	    unsigned secs);
double	rate_hist_pps(const struct rate_hist *, uint64_t now_sec,
	    unsigned secs);
void	rate_hist_series(const struct rate_hist *, uint64_t now_sec,
	    uint64_t *out, unsigned n);

/* ---- flows (engine-flow.c) ----------------------------------------- */

/* Canonical key: endpoint a sorts before endpoint b (address, then port). */
struct flow_key {
	uint8_t a[16];
	uint8_t b[16];
	uint16_t ap;		/* port of a (ICMP: type or counterpart) */
	uint16_t bp;
	uint16_t vlan;
	uint8_t ip_ver;
	uint8_t proto;
};

/* Per direction counters. */
struct flow_dir {
	uint64_t pkts;
	uint64_t bytes;		/* transport payload (Zeek orig_bytes) */
	uint64_t ip_bytes;	/* IP-level bytes (Zeek orig_ip_bytes) */
	uint64_t wire_bytes;	/* on-wire frame bytes */
};

enum flow_end_reason {
	FLOW_END_CLOSED = 1,	/* FIN/RST seen and the close grace passed */
	FLOW_END_IDLE,		/* inactive timeout */
	FLOW_END_ACTIVE,	/* active timeout: a partial record, flow goes on */
	FLOW_END_EVICTED,	/* table full: least recently active idle flow */
	FLOW_END_FLUSH,		/* end of input / shutdown */
	FLOW_END_REUSED,	/* a new connection reused the 5-tuple */
};

/* Links of an entry in one of the engine's tables (engine-table.c):
 * uint32 indices, 0 = none. */
struct engine_link {
	uint32_t hnext;		/* hash chain, or free list */
	uint32_t prev;		/* LRU list (~0: the entry is free) */
	uint32_t next;
};

/* The engine's bookkeeping inside a flow: private to engine-flow.c. */
struct flow_priv {
	uint64_t uid_seed;	/* fixed-key hash of the first packet time
				   (ns) and the creation number: the uid */
	struct engine_link link;	/* hash chain, LRU list of the
					   timeout class */
	uint32_t host_a;	/* host index of key.a (0: not tracked) */
	uint32_t host_b;	/* host index of key.b */
	uint32_t seq_max[2];	/* highest TCP sequence seen, originator /
				   responder */
	uint32_t flags;		/* FL_* bits; the first packet's inner VLAN
				   in bits 16-27 */
	uint32_t isn;		/* TCP: the originator's initial sequence */
	uint32_t syn_us;	/* time of the originator's SYN, us after
				   first_ns */
};

struct flow {
	struct flow_key key;
	uint64_t first_ns;	/* packet time of the first packet */
	uint64_t last_ns;	/* packet time of the newest packet */
	struct flow_dir dir[2];	/* [0] originator -> responder, [1] back */
	uint8_t orig_is_a;	/* 1 if the originator is key.a */
	uint8_t tcp_state;	/* private to engine-flow.c */
	uint16_t source;	/* capture source that created it */
	char history[16];	/* Zeek history letters, NUL-terminated */
	uint32_t rtt_us;	/* SYN -> SYN-ACK -> ACK handshake RTT; 0 = none */
	uint32_t retrans;	/* retransmitted segments (both directions) */
	uint16_t vlan[2];	/* outer VLAN of the first packet each
				   direction sent ([0] originator), 0 = none
				   (the key has one only with vlan_key) */
	struct flow_priv priv;	/* private to engine-flow.c */
};

/* What the engine knows of a flow's tunnels (engine_flow_tunnel()). */
#define FLOW_MAX_PARENTS	4
struct flow_tunnel {
	uint64_t parent[FLOW_MAX_PARENTS];	/* uid hashes of the flows
						   that carried this one */
	uint8_t nparents;
	uint8_t kind;		/* enum pkt_tunnel that carried it, 0: none */
	/* Frames of each direction this flow carried on into an opened
	 * tunnel: their hosts are counted at the inner layer. */
	uint64_t inner_pkts[2];
	uint64_t inner_wire[2];
};

/* An endpoint as the exporters see it. */
struct flow_ep {
	uint8_t addr[16];
	uint16_t port;
};

/* Originator and responder of a flow. */
void	 flow_endpoints(const struct flow *, struct flow_ep *orig,
	    struct flow_ep *resp);
/* Zeek conn_state code ("S0", "SF", "REJ", ..., "OTH"). */
const char *flow_conn_state(const struct flow *);
/* Zeek-style uid ("C" + 17 base62 chars), deterministic per flow. */
void	 flow_uid(const struct flow *, char out[20]);
/* The uid whose hash is v (struct flow_tunnel.parent). */
void	 flow_uid_of(uint64_t v, char out[20]);
/* VLANs of a flow, as Zeek's: the outer and inner tag of its first
 * packet; and the outer tag of the packets going the other way when it
 * differs (else 0). */
void	 flow_vlans(const struct flow *, uint16_t *vlan, uint16_t *inner,
	    uint16_t *other);
/* Tunnel facts of a flow, NULL if none (no tunnel carried or opened). */
const struct flow_tunnel *engine_flow_tunnel(const struct engine *,
	    const struct flow *);
/* Name of an enum pkt_tunnel ("vxlan", ...), NULL for none. */
const char *flow_tunnel_name(unsigned kind);
/* Community ID v1 ("1:base64"), seed 0 unless given. */
void	 flow_community_id(const struct flow *, uint16_t seed, char out[64]);
/* Community ID v1 of a packet's connection (TCP, UDP, SCTP; other
 * protocols by address only), seed 0. */
void	 pkt_community_id(const struct pkt_meta *, char out[64]);
/* The same of a flow given by its originator and responder (as
 * flow_endpoints gives them). */
void	 flow_community_id_of(uint8_t ip_ver, uint8_t proto,
	    const uint8_t *oaddr, const uint8_t *raddr, uint16_t oport,
	    uint16_t rport, uint16_t seed, char out[64]);
/* The hash a flow's uid is made from (flow_uid_of() formats it). */
uint64_t flow_uid_hash(const struct flow *);
/* Service name for the flow ("https", "dns", ...) or NULL if unknown. */
const char *flow_service(const struct flow *);
/* 1 if a flow's service is decided without its ports (*name, maybe NULL:
 * content, protocol, no payload), 0 if its ports name it. */
int	 flow_service_known(const struct flow *, const char **name);
/* Rates of a flow (engine_cfg.keep_rates); NULL when not kept. */
const struct rate *flow_rate(const struct engine *, const struct flow *,
	    int dir);

/* ---- hosts (engine-host.c) ----------------------------------------- */

/* A host's rates: 528 bytes, so they are kept only for sinks that show
 * them (the TUI), not for export, where they would triple a host's size. */
struct host_rates {
	struct rate in;
	struct rate out;
};

/* The engine's bookkeeping inside a host: private to engine-host.c. */
struct host_priv {
	struct engine_link link;	/* hash chain, LRU list */
	uint32_t serial;	/* unique per host ever created; 0 = free */
	/* Counts credited by ended flow records (rates not kept). */
	uint64_t base_pkts_out;
	uint64_t base_bytes_out;
	uint64_t base_pkts_in;
	uint64_t base_bytes_in;
};

struct host {
	uint8_t addr[16];
	uint8_t ip_ver;
	uint8_t local;		/* in the local networks */
	uint16_t source;	/* capture source it was first seen on */
	uint64_t bytes_in;	/* wire bytes received by this host */
	uint64_t bytes_out;	/* wire bytes sent by this host */
	uint64_t pkts_in;
	uint64_t pkts_out;
	uint64_t first_ns;
	uint64_t last_ns;
	uint32_t peers;		/* distinct peer addresses seen */
	uint32_t flows_active;	/* flows in the table with this host */
	struct geoip_info geo;	/* country/ASN, looked up once when the
				   host is made (engine_cfg.geoip) */
	struct host_rates *rates;	/* owned by the engine; NULL unless
					   engine_cfg.keep_rates */
	struct host_priv priv;	/* private to engine-host.c */
};

/* A rate that never saw a byte (what hosts without rates report). */
extern const struct rate rate_none;

/* Bytes received by a host per second (rate_none unless keep_rates). */
static inline const struct rate *
host_rate_in(const struct host *h)
{
	return h->rates != NULL ? &h->rates->in : &rate_none;
}

/* Bytes sent by a host per second (rate_none unless keep_rates). */
static inline const struct rate *
host_rate_out(const struct host *h)
{
	return h->rates != NULL ? &h->rates->out : &rate_none;
}

/* ---- services (engine-service.c) ----------------------------------- */

/* Well-known name for (proto, port), falling back to /etc/services; NULL
 * if unknown. */
const char *service_name(uint8_t proto, uint16_t port);
/* Name of an IP protocol number ("tcp", "udp", "icmp", "gre", ...) or NULL */
const char *proto_name(uint8_t proto);

/* ---- the engine (engine.c) ----------------------------------------- */

struct engine_net {
	uint8_t addr[16];
	uint8_t ip_ver;
	uint8_t plen;
};

struct engine_cfg {
	uint32_t max_flows;		/* 0 = ENGINE_DEFAULT_MAX_FLOWS */
	uint32_t max_hosts;		/* 0 = ENGINE_DEFAULT_MAX_HOSTS */
	uint32_t max_names;		/* 0 = ENGINE_DEFAULT_MAX_NAMES */
	uint32_t tcp_timeout_s;		/* inactive TCP (0 = 300) */
	uint32_t udp_timeout_s;		/* inactive UDP (0 = 60) */
	uint32_t other_timeout_s;	/* ICMP and others (0 = 60) */
	uint32_t close_timeout_s;	/* after FIN/RST (0 = 5) */
	uint32_t dns_timeout_s;		/* UDP DNS session (0 = 10) */
	int vlan_key;			/* the outer VLAN is part of the key */
	uint32_t active_timeout_s;	/* partial record every (0 = 1800) */
	int keep_host_rates;		/* per-host rates and packet-by-packet
					   host counts, without the per-flow
					   rates (the daemon's snapshot) */
	int keep_rates;			/* keep per-flow and per-host rate
					   rings (sinks that show rates) */
	const struct engine_net *local_nets;	/* borrowed, copied */
	unsigned n_local_nets;		/* 0: RFC 1918, ULA, link-local */
	unsigned n_sources;
	const char *const *source_names;	/* borrowed, copied */
	struct geoip *geoip;		/* borrowed, may be NULL: country
					   and ASN of new hosts */
	uint32_t name_max_age_s;	/* a name not learned again for this
					   long (packet time) is dropped;
					   0 = never */
	const char *resolve;		/* names: "passive" (NULL), "reverse"
					   (passive, then PTR lookups for the
					   hosts shown) or "off" (none);
					   borrowed */
	struct resolve_cfg resolve_cfg;	/* resolve = reverse */
};

#define ENGINE_DEFAULT_MAX_FLOWS	(1u << 21)
#define ENGINE_DEFAULT_MAX_HOSTS	(1u << 18)
#define ENGINE_DEFAULT_MAX_NAMES	(1u << 16)

/* Per capture source totals and rates, maintained by the engine. */
struct engine_source {
	char name[64];
	int gone;			/* 1 after an ENGINE_SRC_GONE event */
	char state_detail[96];		/* last event's one line ("" = none) */
	uint64_t packets;
	uint64_t bytes;			/* wire bytes */
	uint64_t rx_bytes;		/* received: towards the capture host's
					   own addresses, else not sent from
					   the local networks */
	uint64_t tx_bytes;		/* sent: from the own addresses, else
					   from the local networks */
	uint64_t rx_pkts, tx_pkts;	/* packets, the same way */
	uint64_t status[PKT_STATUS_COUNT];
	uint64_t flows_active;
	uint64_t hosts_active;
	struct rate_hist rx;
	struct rate_hist tx;
};

/* Engine-wide counters, as export --what summary reports them. */
struct engine_totals {
	uint64_t packets;
	uint64_t bytes;			/* wire bytes */
	uint64_t ip_packets;
	uint64_t status[PKT_STATUS_COUNT];
	uint64_t by_proto_pkts[256];	/* IP protocol number */
	uint64_t by_proto_bytes[256];
	uint64_t non_ip_pkts;
	uint64_t non_ip_bytes;
	uint64_t flows_created;
	uint64_t flows_ended;
	uint64_t flows_evicted;
	uint64_t hosts_created;
	uint64_t hosts_evicted;
	uint64_t hosts_untracked;	/* hosts not created: the table was
					   full and no host could be evicted
					   (one per flow endpoint refused) */
	uint64_t names_learned;
	uint64_t names_expired;		/* dropped after name_max_age_s */
	uint64_t tunnel_frames;		/* frames with a tunnel opened */
	uint64_t tunnels_skipped;	/* tunnels recognised, not opened */
	uint64_t tunnel_parents_dropped;	/* carriers past
					   FLOW_MAX_PARENTS, not listed */
	uint64_t first_ns;
	uint64_t last_ns;
};

/* ---- sinks: who receives what the engine publishes ------------------ */

enum engine_source_ev {
	ENGINE_SRC_GONE = 1,	/* live interface disappeared / went down */
	ENGINE_SRC_EOF,		/* file source finished */
	ENGINE_SRC_ERROR,	/* source stopped on an error (detail says) */
	ENGINE_SRC_DROPS,	/* new drops since the last event */
};

struct engine_source_event {
	unsigned source;		/* index as in engine_cfg.source_names */
	enum engine_source_ev kind;
	uint64_t ts_ns;			/* packet clock when it happened */
	uint64_t drops_kernel, drops_iface, drops_ring;	/* totals so far */
	const char *detail;		/* borrowed, one line, may be NULL */
};

#define ENGINE_MAX_SINKS	8
#define ENGINE_SINK_RATES	0x1u	/* this sink shows per-flow/host rates
					   (turns engine_cfg.keep_rates on) */
#define ENGINE_SINK_HOST_RATES	0x4u	/* it shows per-host rates only
					   (engine_cfg.keep_host_rates) */
#define ENGINE_SINK_UNORDERED	0x2u	/* its flow callback does not need
					   engine_flush()'s fixed order */

/* Kinds of packets a packet callback is given (engine_sink.packet_want). */
#define ENGINE_PKT_SYN		0x1u	/* TCP with SYN set, ports valid */
#define ENGINE_PKT_FIRST	0x2u	/* the first packet of its flow in
					   its direction */
#define ENGINE_PKT_LARGE	0x4u	/* longer on the wire than
					   packet_large */
#define ENGINE_PKT_ALL		0x8u	/* every packet */

/*
 * A subscriber.  Callbacks run on the engine's thread, inside engine
 * calls; they may read the engine (and call engine_sync()) but must not
 * feed it packets, names or ticks.  Every callback may be NULL.
 */
struct engine_sink {
	const char *name;		/* for logs */
	void *arg;
	unsigned flags;			/* ENGINE_SINK_* */
	/* Every flow record (closed, timed out, partial, flushed). */
	void (*flow)(void *arg, const struct flow *, enum flow_end_reason);
	/* The packet records of a frame's innermost layer that are of a
	 * kind in packet_want (ENGINE_PKT_*), after they were accounted
	 * (the alert detectors), with the flow each went to (NULL: not IP),
	 * its direction (0: from the originator) and its kinds.  The engine
	 * sorts packets out inline, so the sink is not called for the rest
	 * (nearly all of them).  It runs on the packet path: it must be
	 * O(1) and must not allocate. */
	void (*packet)(void *arg, const struct pkt_meta *,
	    const struct flow *, int dir, unsigned what);
	unsigned packet_want;		/* ENGINE_PKT_* */
	uint32_t packet_large;		/* ENGINE_PKT_LARGE: wire bytes above
					   this */
	/* Once per packet-time second: when the clock enters a new second
	 * (after that second's expiry; a gap of several seconds gives one
	 * tick), now_ns is the new clock. */
	void (*tick)(void *arg, const struct engine *, uint64_t now_ns);
	/* A name learned (DNS answer, DHCP, SNI), after the table has it. */
	void (*name_learned)(void *arg, const struct pkt_name *);
	/* A DNS event that names nothing (PKT_NAME_DNS_NX, _DNS_LONG): an
	 * NXDOMAIN answer or a long query name, with its client. */
	void (*dns)(void *arg, const struct pkt_name *);
	/* A source event (engine_source_event()). */
	void (*source)(void *arg, const struct engine_source_event *);
};

struct engine;

struct engine	*engine_create(const struct engine_cfg *);
void		 engine_free(struct engine *);
/* Subscribe a sink (copied).  Call before the first packet.  At most
 * ENGINE_MAX_SINKS; -1 if full, or if it asks for rates too late. */
int		 engine_sink_add(struct engine *, const struct engine_sink *);
/* Publish a source event to every sink (the pipeline calls it). */
void		 engine_source_event(struct engine *,
		    const struct engine_source_event *);
/* The capture host's own addresses on source i (each a /32 or /128
 * engine_net); direction (rx/tx) is decided by these first, then by the
 * local networks.  Borrowed, copied.  Call before the first packet. */
void		 engine_source_addrs(struct engine *, unsigned source,
		    const struct engine_net *addrs, unsigned n);
/* Account one packet; advances the packet clock. */
void		 engine_packet(struct engine *, const struct pkt_meta *);
/* Account n packets in order: the same as n engine_packet() calls, but
 * faster on big tables (it looks ahead and prefetches). */
void		 engine_packets(struct engine *, const struct pkt_meta *,
		    size_t n);
/* Learn a name. */
void		 engine_name(struct engine *, const struct pkt_name *);
/* Advance the clock without a packet (live idle ticks); expires flows. */
void		 engine_tick(struct engine *, uint64_t now_ns);
/* Bring host counters up to date.  With engine_cfg.keep_rates hosts are
 * counted packet by packet and this does nothing; without, hosts are
 * credited per flow record, and their totals are valid after this call
 * or engine_flush() (call it before reading hosts mid-run). */
void		 engine_sync(struct engine *);
/* End of input: every flow in the table goes to the sink (FLUSH). */
void		 engine_flush(struct engine *);
/* Current packet-time clock, ns. */
uint64_t	 engine_now(const struct engine *);

const struct engine_totals *engine_totals(const struct engine *);
unsigned	 engine_source_count(const struct engine *);
const struct engine_source *engine_source(const struct engine *, unsigned);

/* Iteration over live table entries, in no particular order.  Pointers
 * stay valid until the next engine_packet/tick/flush call. */
size_t		 engine_flow_count(const struct engine *);
const struct flow *engine_flow_first(const struct engine *);
const struct flow *engine_flow_next(const struct engine *, const struct flow *);
size_t		 engine_host_count(const struct engine *);
const struct host *engine_host_first(const struct engine *);
const struct host *engine_host_next(const struct engine *, const struct host *);
const struct host *engine_host_lookup(const struct engine *, uint8_t ip_ver,
		    const uint8_t addr[16]);

/* The name learned for an address (DNS answer, DHCP, SNI, PTR), or
 * NULL. */
const char	*engine_name_lookup(const struct engine *, uint8_t ip_ver,
		    const uint8_t addr[16]);
/* Where that name came from (enum pkt_name_kind), 0 if there is none. */
unsigned	 engine_name_kind(const struct engine *, uint8_t ip_ver,
		    const uint8_t addr[16]);
/* A name for an address is wanted: it is on screen (resolve = reverse:
 * the resolver looks it up if no name is known; otherwise nothing).
 * Never blocks; call it for what is shown, never for every host. */
void		 engine_name_want(const struct engine *, uint8_t ip_ver,
		    const uint8_t addr[16]);
/* Learn the names the resolver found since the last call (the engine
 * does it on each packet-time second; a screen calls it per frame too,
 * for the ticks that do not come once a file has ended). */
void		 engine_names_poll(struct engine *);
/* The resolver's counters: 0, or -1 if resolve is not reverse. */
int		 engine_resolve_stats(const struct engine *,
		    struct resolve_stats *);
/* Whether a flow's originator and responder are in the local networks
 * (out[0], out[1]), from its hosts' flags where the host table has them
 * (else as engine_is_local). */
void		 engine_flow_local(const struct engine *, const struct flow *,
		    int out[2]);
/* 1 if the address is in the local networks. */
int		 engine_is_local(const struct engine *, uint8_t ip_ver,
		    const uint8_t addr[16]);

/* The GeoIP handle of engine_cfg.geoip (borrowed), or NULL. */
struct geoip	*engine_geoip(const struct engine *);
/* Look every host up again (after the GeoIP databases were opened
 * again). */
void		 engine_geo_refresh(struct engine *);
/* Country/ASN of a flow's originator and responder: their hosts', or
 * looked up now for an endpoint the host table does not hold (e NULL:
 * nothing known). */
void		 engine_flow_geo(const struct engine *, const struct flow *,
		    struct geoip_info *orig, struct geoip_info *resp);

/* Parse "addr/len" (IPv4 or IPv6) into a net; -1 if invalid. */
int		 engine_net_parse(const char *, struct engine_net *);

#endif
