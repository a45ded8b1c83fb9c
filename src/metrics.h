/*
 * metrics.h: the daemon's Prometheus endpoint (metrics.c): GET /metrics
 * served by libmicrohttpd from a snapshot the main thread publishes.
 */
#ifndef WIRETOP_METRICS_H
#define WIRETOP_METRICS_H

#include <stdint.h>
#include <sys/socket.h>

#include "alert.h"

struct pipeline;
struct store;

#define METRICS_MAX_TOP_HOSTS	1000	/* metrics_top_hosts at most */

struct metrics;

/* Parse a metrics_listen value: "ADDR:PORT" with a numeric IPv4 address,
 * "[ADDR]:PORT" with a numeric IPv6 one, or ":PORT" and "PORT", which
 * mean the loopback address 127.0.0.1 (anything else must be written
 * out: 0.0.0.0, [::], an interface's address).  ss may be NULL (check
 * only).  0, or -1 + cause ("expected ..."). */
int		 metrics_listen_parse(const char *spec,
		    struct sockaddr_storage *ss, socklen_t *len, char **cause);
/* Bind and listen on spec (main thread; the privileged step: a port
 * below 1024 needs root, and the drop comes after).  top_hosts: hosts
 * labelled in the snapshot (0: none).  NULL + cause. */
struct metrics	*metrics_create(const char *spec, unsigned top_hosts,
		    char **cause);
/* Publish a first snapshot and start libmicrohttpd's thread (signals
 * must be blocked already: it inherits the mask).  -1 + cause. */
int		 metrics_start(struct metrics *, struct pipeline *,
		    struct store *, struct alerts *, char **cause);
/* Render the counters of p, s and a (either may be NULL) and make them
 * what /metrics serves (main thread; once a second). */
void		 metrics_publish(struct metrics *, struct pipeline *,
		    struct store *, struct alerts *);
/* Alert subscriber (struct alert_sub.event, arg: the metrics): counts
 * the alerts raised by kind. */
void		 metrics_alert_event(void *arg, const struct alert *,
		    enum alert_event);
/* Stop the thread (waits for it), close the socket, free m (NULL is
 * fine). */
void		 metrics_free(struct metrics *);

#endif
