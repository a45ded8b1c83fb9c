/*
 * alert.h: alerts: the record, its states, the detectors that raise them
 * and the subscribers that show, store, log or act on them.
 *
 * Main thread only.  struct alerts subscribes one sink to the engine and
 * hands each engine event (packet, flow record, tick, name, source event)
 * to every enabled detector (alert-*.c), which raise alerts through
 * alert_fire().  The core (alert.c) folds repeats of an unresolved alert
 * into it (the cool-down), resolves it when its condition has not been
 * seen for the cool-down, re-notifies an active unacknowledged alert every
 * alert_repeat seconds (escalation), and publishes every change to its
 * subscribers (the pane, export, report, syslog, alert_command, the
 * store).  Time is packet time, except the acknowledgement, which is a
 * person's act and carries the wall clock.
 */
#ifndef WIRETOP_ALERT_H
#define WIRETOP_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct engine;
struct engine_source_event;
struct flow;

enum alert_sev {
	ALERT_SEV_INFO = 1,
	ALERT_SEV_NOTICE,
	ALERT_SEV_WARNING,
	ALERT_SEV_CRITICAL,
};

enum alert_kind {
	ALERT_PORT_SCAN,
	ALERT_HOST_SCAN,
	ALERT_SYN_FLOOD,
	ALERT_LARGE_PACKET,
	ALERT_BANDWIDTH,
	ALERT_RATE_ANOMALY,
	ALERT_GEO,
	ALERT_NEW_PEER,
	ALERT_POLICY,
	ALERT_DNS_ANOMALY,
	ALERT_CAPTURE,
	ALERT_KIND_COUNT
};

enum alert_state {
	ALERT_ACTIVE = 0,
	ALERT_ACKED,
	ALERT_RESOLVED,
};

/* What a subscriber is told. */
enum alert_event {
	ALERT_EV_NEW = 1,	/* a new alert: insert it */
	ALERT_EV_REPEAT,	/* escalation: still active, unacknowledged */
	ALERT_EV_ACK,		/* acknowledged (ack_user, ack_wall_ns set) */
	ALERT_EV_RESOLVED,	/* its condition went away (resolved_ns set) */
	ALERT_EV_UPDATE,	/* seen again (count, last_ns, value moved):
				   at most once a packet-time second, and
				   by alerts_sync() */
};

#define ALERT_TEXT_MAX	64	/* subject and peer text, NUL included */
#define ALERT_MSG_MAX	192	/* one-line message, NUL included */
#define ALERT_CID_MAX	64	/* "1:base64" community id */
#define ALERT_USER_MAX	33
#define ALERT_NAME_MAX	PKT_NAME_MAX	/* a learned name, NUL included */

/*
 * One alert.  The fields the history database keeps are marked [db].
 * Text fields are NUL-terminated; subject, peer and message may hold
 * bytes taken from packets (names): writers escape them.
 */
struct alert {
	uint64_t id;		/* [db] unique in this run, from 1 */
	uint64_t uid;		/* [db] stable: hash of kind, subject, peer,
				   port and ts_ns; the store's key */
	uint64_t ts_ns;		/* [db] packet time it fired */
	uint64_t last_ns;	/* [db] packet time its condition was last
				   seen */
	uint64_t notified_ns;	/* packet time of the last notification */
	uint64_t resolved_ns;	/* [db] packet time resolved, 0 = not */
	uint64_t ack_wall_ns;	/* [db] wall clock of the acknowledgement
				   (ns since the epoch), 0 = none */
	char ack_user[ALERT_USER_MAX];	/* [db] OS user who acknowledged */
	enum alert_kind kind;	/* [db] */
	enum alert_sev sev;	/* [db] */
	enum alert_state state;	/* [db] */
	uint32_t count;		/* [db] times the condition was seen (1 +
				   repeats folded in by the cool-down) */
	uint32_t notifications;	/* [db] notifications sent (1 + repeats) */
	double value;		/* [db] measured value (highest seen) */
	double threshold;	/* [db] the bound it passed */
	uint8_t ip_ver;		/* subject address: 4, 6, or 0 (none) */
	uint8_t peer_ver;	/* peer address, 0 = none */
	uint16_t port;		/* port the alert is about, 0 = none */
	uint8_t addr[16];	/* subject address */
	uint8_t peer_addr[16];
	char subject[ALERT_TEXT_MAX];	/* [db] address, "addr:port" or a
					   source name */
	char subject_name[ALERT_NAME_MAX];	/* [db] name learned for the
					   subject address (DNS, DHCP, SNI)
					   when it fired, raw bytes from
					   packets; "" = none */
	char peer[ALERT_TEXT_MAX];	/* [db] "" = none */
	char message[ALERT_MSG_MAX];	/* [db] measured value and bound */
	char community_id[ALERT_CID_MAX];	/* [db] "" = none */
	/* private to alert.c */
	uint32_t hnext;		/* dedup hash chain, slot + 1 */
	uint32_t hash;
	int dirty;		/* touched since subscribers last heard */
};

/* What a detector asks for: alert_fire() copies what it keeps. */
struct alert_fire {
	enum alert_kind kind;
	enum alert_sev sev;
	uint64_t ts_ns;		/* packet time */
	uint8_t ip_ver;		/* subject address (0: use subject_text) */
	const uint8_t *addr;	/* 16 bytes, borrowed */
	uint8_t peer_ver;	/* 0: no peer address */
	const uint8_t *peer_addr;
	uint16_t port;		/* part of the de-dup key, 0 = none */
	const char *subject_text;	/* when there is no address (an
					   interface); borrowed */
	double value, threshold;
	const char *message;	/* borrowed, one line */
	const char *community_id;	/* borrowed, NULL = none */
};

/*
 * Settings (cfg.c fills them; see wiretop.conf(5)).  Rates are in bytes
 * per second internally, durations in seconds.
 */
struct alert_cfg {
	int enabled;			/* alerts = yes */
	const char *detectors;		/* alert_detectors: comma list */
	uint32_t cooldown_s;		/* alert_cooldown */
	uint32_t repeat_s;		/* alert_repeat, 0 = never */
	uint32_t keep;			/* alert_keep: alerts kept in memory */
	const char *command;		/* alert_command, NULL = none */
	uint32_t command_rate;		/* runs per minute at most */
	uint32_t command_timeout_s;	/* killed after */
	uint32_t port_scan_ports;
	uint32_t port_scan_window_s;
	uint32_t host_scan_hosts;
	uint32_t host_scan_window_s;
	uint32_t syn_flood_rate;	/* half-open connections/s */
	uint32_t syn_flood_ratio;	/* SYN : SYN-ACK bound */
	uint32_t syn_flood_min;		/* SYNs/s before the ratio counts */
	uint32_t large_packet_bytes;
	int large_packet_tcp;
	uint32_t bw_iface_rx_kbit;	/* 0 = off */
	uint32_t bw_iface_tx_kbit;
	uint32_t bw_host_kbit;
	uint32_t bw_duration_s;
	uint32_t rate_sigma;		/* k */
	uint32_t rate_warmup_s;
	uint32_t rate_min_kbit;		/* floor below which nothing fires */
	uint32_t rate_hosts;		/* hosts with a baseline, 0 = none */
	uint32_t new_peer_learn_s;
	const char *policy_deny;	/* "tcp/23,udp/69,ip/47" */
	const char *policy_deny_external;
	const char *geo_deny_countries;	/* "KP,IR" */
	const char *geo_allow_countries;	/* "" = any */
	const char *geo_deny_asns;	/* "64496,64511" */
	uint32_t dns_nx_count;		/* NXDOMAIN answers a client may get */
	uint32_t dns_nx_window_s;
	uint32_t dns_max_name;		/* bytes */
	double dns_max_entropy;		/* bits per character */
};

/*
 * A subscriber: told of every change, on the main thread.  The alert is
 * borrowed for the call; struct alert holds no pointer, so a subscriber
 * on another thread's side (the store) copies it by value into its batch.
 *
 * The history store (store-alert.c) keeps each alert as it stands after
 * every event, one row per uid.
 */
struct alert_sub {
	void *arg;
	void (*event)(void *arg, const struct alert *, enum alert_event);
};

/*
 * The GeoIP interface the geo and new_peer detectors need: country code
 * (two letters, "" unknown) and ASN (0 unknown) of an address; returns 0
 * if nothing is known.  mode_alerts_open() sets alert_geo_engine(), which
 * reads the engine's hosts (wiretop's GeoIP, geoip.c); tests set their
 * own.
 */
typedef int (*alert_geo_fn)(void *arg, uint8_t ip_ver,
	    const uint8_t addr[16], char cc[3], uint32_t *asn);

struct alerts;

/* Create the alert core over an engine (borrowed) and subscribe it; cfg
 * is copied (strings borrowed: the configuration owns them).  NULL +
 * cause on a bad detector list or setting. */
struct alerts	*alerts_create(const struct alert_cfg *, struct engine *,
		    char **cause);
/* Stop alert_command children (waiting at most their time limit) and
 * free everything. */
void		 alerts_free(struct alerts *);
/* Add a subscriber (at most 8); called for alerts raised later. */
int		 alerts_subscribe(struct alerts *, const struct alert_sub *);
/* The GeoIP lookup of wiretop's own GeoIP (geoip.c) through the
 * engine's hosts (arg: the engine), each looked up once when it was made
 * (alert-geo.c). */
int		 alert_geo_engine(void *arg, uint8_t ip_ver,
		    const uint8_t addr[16], char cc[3], uint32_t *asn);
/* Set the GeoIP lookup (NULL: none). */
void		 alerts_set_geo(struct alerts *, alert_geo_fn, void *arg);
/* Raise an alert, or fold it into the unresolved one with the same kind,
 * subject, peer and port. */
void		 alert_fire(struct alerts *, const struct alert_fire *);
/* 1 if an unresolved alert with that key exists (it is touched: count,
 * last time, value); detectors call it before formatting a message. */
int		 alert_seen(struct alerts *, enum alert_kind, uint8_t ip_ver,
		    const uint8_t *addr, uint8_t peer_ver,
		    const uint8_t *peer, uint16_t port, uint64_t ts_ns,
		    double value);
/* Acknowledge an alert by id as user (wall clock now); -1 if unknown
 * or resolved. */
int		 alerts_ack(struct alerts *, uint64_t id, const char *user);
/* The same by uid (a stored alert's key, as a viewer names it): 0 done,
 * 1 if it is acknowledged or resolved already, -1 if no alert kept has
 * it. */
int		 alerts_ack_uid(struct alerts *, uint64_t uid, const char *user,
		    uint64_t *id);
/* Alerts kept, newest first (i from 0); NULL past the end. */
size_t		 alerts_count(const struct alerts *);
const struct alert *alerts_get(const struct alerts *, size_t i);
/* Alerts raised in total, and dropped from memory (alert_keep). */
uint64_t	 alerts_raised(const struct alerts *);
/* Detectors enabled, as a comma list (static buffer in the struct). */
const char	*alerts_detectors(const struct alerts *);
/* Tell the subscribers of every alert seen again since the last tick
 * (ALERT_EV_UPDATE): the end of the input calls it, so that what is
 * stored holds the last count and time. */
void		 alerts_sync(struct alerts *);
/* Reap alert_command children and enforce their time limit (the tick
 * does it too; idle loops call it). */
void		 alerts_poll(struct alerts *);

/* Names. */
const char	*alert_kind_name(enum alert_kind);
const char	*alert_sev_name(enum alert_sev);
const char	*alert_state_name(enum alert_state);
/* The names of every detector, comma-separated (for help texts). */
const char	*alert_kind_list(void);

/* ---- what detectors see (alert-*.c) -------------------------------- */

/* Packets a detector is given (struct alert_det_ops.pkt_want): the
 * engine's kinds (engine.h ENGINE_PKT_*). */
#define ALERT_PKT_SYN	0x1u	/* TCP with SYN set (and valid ports) */
#define ALERT_PKT_FIRST	0x2u	/* the first packet of its flow in its
				   direction */
#define ALERT_PKT_LARGE	0x4u	/* longer on the wire than
				   large_packet_bytes */

/* One detector file: its state is private to it.  kinds is the mask
 * (1u << enum alert_kind) of the kinds it raises; create() is told which
 * of them are enabled. */
struct alert_det_ops {
	unsigned kinds;
	/* NULL + cause if its settings are invalid. */
	void	*(*create)(struct alerts *, const struct alert_cfg *,
		    unsigned enabled, char **cause);
	void	 (*free)(void *);
	/* The packets it wants (ALERT_PKT_*): the core calls it for those
	 * only, so most packets cost no detector a call. */
	void	 (*packet)(void *, const struct pkt_meta *,
		    const struct flow *, int dir);
	unsigned pkt_want;
	void	 (*flow)(void *, const struct flow *);
	void	 (*tick)(void *, const struct engine *, uint64_t now_ns);
	void	 (*name)(void *, const struct pkt_name *);
	void	 (*source)(void *, const struct engine_source_event *);
	/* The end of the input (the engine flushes its flows). */
	void	 (*flush)(void *);
	/* A DNS event (engine_sink.dns). */
	void	 (*dns)(void *, const struct pkt_name *);
	unsigned engine_flags;	/* ENGINE_SINK_* it needs */
};

/* The engine the detectors run on (borrowed). */
struct engine	*alerts_engine(const struct alerts *);
/* The GeoIP lookup: 0 if unknown (or no GeoIP). */
int		 alerts_geo(struct alerts *, uint8_t ip_ver,
		    const uint8_t addr[16], char cc[3], uint32_t *asn);
/* 1 if a GeoIP lookup is set. */
int		 alerts_geo_on(const struct alerts *);
/* The local and the external end of a flow's first packet from its
 * originator (dir 0), if the flow crosses the local boundary: 1 with
 * *loc, *ext pointing into m; 0 otherwise (geo, new_peer). */
int		 alerts_flow_ends(const struct alerts *,
		    const struct pkt_meta *m, const struct flow *, int dir,
		    const uint8_t **loc, const uint8_t **ext);

/* A small keyed hash for detector tables (per-run random key). */
uint32_t	 alert_hash(const struct alerts *, const void *, size_t);

extern const struct alert_det_ops alert_scan_ops;	/* port and host */
extern const struct alert_det_ops alert_syn_flood_ops;
extern const struct alert_det_ops alert_large_packet_ops;
extern const struct alert_det_ops alert_bandwidth_ops;
extern const struct alert_det_ops alert_rate_anomaly_ops;
extern const struct alert_det_ops alert_geo_ops;
extern const struct alert_det_ops alert_new_peer_ops;
extern const struct alert_det_ops alert_policy_ops;
extern const struct alert_det_ops alert_capture_ops;
extern const struct alert_det_ops alert_dns_anomaly_ops;

/* Shannon entropy of n bytes, bits per character (alert-dns.c). */
double		 alert_dns_entropy(const char *, size_t n);

#endif
