/*
 * ipfix.h: flow records as IPFIX (RFC 7011) to a collector over UDP or
 * TCP, or into an IPFIX file (RFC 5655), encoded by libfixbuf.
 *
 * An exporter is an engine sink's helper: the sink hands it each flow
 * record as the engine emits it (ipfix_flow), the loop calls ipfix_tick
 * when it goes idle, and the mode calls ipfix_finish at the end.  Records
 * the collector cannot take (UDP send buffer full, TCP connection down or
 * its queue full) are counted, never silently dropped: ipfix_get_stats.
 */
#ifndef WIRETOP_IPFIX_H
#define WIRETOP_IPFIX_H

#include <stdint.h>
#include <stdio.h>

#include "engine.h"

#define IPFIX_DEFAULT_PORT	4739	/* IANA: ipfix over UDP and TCP */
#define IPFIX_UDP_MTU		1400	/* bytes per message over UDP */
#define IPFIX_MAX_MSG		65496	/* bytes per message over TCP, file */

enum ipfix_transport {
	IPFIX_UDP,
	IPFIX_TCP,
	IPFIX_FILE,
};

struct ipfix;

/* What an exporter did so far. */
struct ipfix_stats {
	uint64_t records;	/* flow records offered */
	uint64_t sent;		/* handed to the kernel or written */
	uint64_t dropped;	/* not delivered: collector over capacity
				   (EAGAIN, ENOBUFS, refused), TCP down or
				   its queue full, or left at the end */
	uint64_t messages;	/* IPFIX messages sent */
	uint64_t templates;	/* template sets sent (first and refreshes) */
	int connected;		/* TCP: connected now; UDP, file: 1 */
	char last_error[128];	/* the latest send error, "" if none */
};

/* Exporter settings. */
struct ipfix_cfg {
	uint32_t refresh_s;	/* UDP: templates again after this many
				   seconds (0: never by time) */
	uint32_t refresh_msgs;	/* UDP: and after this many messages (0:
				   never by count) */
	const struct engine *engine;	/* borrowed: the source names */
};

/* Parse "HOST[:PORT]", "[V6]:PORT", "udp://..." or "tcp://..." into
 * transport, host (owned) and port; -1 + cause if invalid. */
int	 ipfix_parse_target(const char *, enum ipfix_transport *,
	    char **host, uint16_t *port, char **cause);
/* An exporter to the collector named as ipfix_parse_target takes it
 * (resolved and, for TCP, connected now; a TCP collector that does not
 * answer is retried, its records counted as dropped meanwhile).  NULL +
 * cause if the name is invalid or cannot be resolved. */
struct ipfix *ipfix_open_net(const char *target, const struct ipfix_cfg *,
	    char **cause);
/* An exporter into a stream (borrowed: the caller closes it): an IPFIX
 * file, templates once at its start, export times on the packet clock so
 * the same capture gives the same file. */
struct ipfix *ipfix_open_file(FILE *, const struct ipfix_cfg *,
	    char **cause);
/* One flow record (an engine sink's flow callback hands it on). */
void	 ipfix_flow(struct ipfix *, const struct flow *,
	    enum flow_end_reason);
/* Idle work: a message waiting for more than a second goes out, a TCP
 * queue is flushed, a lost TCP collector is called again. */
void	 ipfix_tick(struct ipfix *);
/* The last message out; TCP: wait at most timeout_ms for the queue to
 * drain (what is left counts as dropped).  0, or -1 with errno set when
 * writing a file failed. */
int	 ipfix_finish(struct ipfix *, int timeout_ms);
/* Free an exporter (NULL is fine); closes its socket, not its stream. */
void	 ipfix_free(struct ipfix *);
void	 ipfix_get_stats(const struct ipfix *, struct ipfix_stats *);
/* "udp 192.0.2.1:4739", for logs (static to the exporter). */
const char *ipfix_name(const struct ipfix *);
/* An engine sink that sends every flow record to x (borrowed). */
struct engine_sink ipfix_sink(struct ipfix *x);

#endif
