/*
 * capture.h: capture sources (live interfaces and files), one thread each.
 *
 * capture_open() runs on the main thread (it needs privileges for live
 * interfaces); capture_start() creates the source's thread, which reads
 * packets, decodes them in the callback and pushes struct pkt_meta into
 * the source's ring and struct pkt_name into its name ring.  Everything
 * else here is called from the main thread.
 */
#ifndef WIRETOP_CAPTURE_H
#define WIRETOP_CAPTURE_H

#include <stdint.h>
#include <stdio.h>

#include "pkt.h"

struct ring;
struct capture;

/*
 * A slot of a source's name ring: the name and the index (0-based, per
 * source) of the first record of the frame it was learned from (a
 * tunnelled frame is several records, one per layer; its names, from any
 * layer, belong to its first).  A file source commits and publishes a
 * frame's names before the frame itself, so a consumer that sees record j
 * also sees every name with seq <= j and can hand names to the engine at
 * the same place in the packet stream on every run, never inside a frame.
 */
struct capture_name {
	uint64_t seq;		/* record index in this source's ring */
	struct pkt_name name;
};

enum capture_kind {
	CAPTURE_LIVE,
	CAPTURE_FILE,
};

enum capture_state {
	CAPTURE_STATE_OPEN,	/* opened, thread not started */
	CAPTURE_STATE_RUNNING,	/* live capture, or file being read */
	CAPTURE_STATE_PAUSED,	/* file replay paused */
	CAPTURE_STATE_FINISHED,	/* file read to its end (all published) */
	CAPTURE_STATE_FAILED,	/* stopped on an error (see stats.error) */
	CAPTURE_STATE_GONE,	/* live interface disappeared (stats.error) */
};

struct capture_opts {
	enum capture_kind kind;
	const char *name;	/* interface ("any") or file path; borrowed */
	const char *filter;	/* BPF expression or NULL; borrowed */
	int snaplen;		/* bytes; 0 = 262144 */
	int buffer_kb;		/* kernel buffer; 0 = 32768 */
	int promisc;		/* 1 = promiscuous (live only) */
	double speed;		/* file replay pace: 0 = as fast as possible,
				   1 = original timing, N = N times faster */
	unsigned ring_slots;	/* 0 = RING_DEFAULT_SLOTS (file), RING_LIVE_SLOTS */
	int tunnel_depth;	/* tunnels opened per frame, each one more
				   record (0 = none; at most PKT_MAX_TUNNELS) */
};

/* A consistent-enough snapshot of a source's counters (each field is read
 * atomically; fields may be from slightly different instants). */
struct capture_stats {
	uint64_t packets;	/* frames read from the source (a tunnelled
				   frame is one, however many records) */
	uint64_t bytes;		/* their wire bytes */
	uint64_t kernel_drops;	/* pcap_stats ps_drop (live) */
	uint64_t if_drops;	/* pcap_stats ps_ifdrop (live) */
	uint64_t ring_drops;	/* ring full: frames lost (live only) */
	uint64_t name_drops;	/* name ring full: names lost */
	uint64_t filtered;	/* rejected by the BPF filter (files) */
	uint64_t status[PKT_STATUS_COUNT];	/* decode status counts */
	uint64_t bad_records;	/* file records skipped as malformed */
	uint64_t bad_linktype_pkts;	/* packets of a link type the decoder
					   does not support (counted as
					   unsupported) */
	uint32_t bad_linktype;	/* the first such link type */
	uint64_t nofilter_pkts;	/* file packets of a link type the filter
				   does not compile for (counted as
				   filtered) */
	uint32_t nofilter_linktype;	/* the first such link type */
	uint64_t last_ts_ns;	/* packet time of the newest packet */
	int truncated;		/* file ended inside a record */
	int down;		/* live: the interface is down (it captures
				   again once it is up) */
	enum capture_state state;
	char error[256];	/* set when state is FAILED or GONE */
};

/* Open a source (privileged step). NULL + cause: one line for the user. */
struct capture	*capture_open(const struct capture_opts *, uint16_t source_id,
		    char **cause);
/* Start the source's thread. Signals must already be blocked. */
int		 capture_start(struct capture *, char **cause);
/* Ask the thread to stop (flag + pcap_breakloop) and join it. */
void		 capture_stop(struct capture *);
void		 capture_free(struct capture *);

struct ring	*capture_ring(struct capture *);	/* of pkt_meta */
struct ring	*capture_name_ring(struct capture *);	/* of capture_name */
const char	*capture_name(struct capture *);
enum capture_kind capture_kind(struct capture *);
/* Link type of the source (first interface for pcapng files). */
uint32_t	 capture_linktype(struct capture *);
void		 capture_get_stats(struct capture *, struct capture_stats *);
/* 1 once the thread has finished (file end or failure) and every record
 * it produced has been published to the ring. */
int		 capture_finished(struct capture *);

/* Print a source's end-of-run warnings on stderr (log_stderr), one line
 * each: a file that was truncated, packets of a link type that is not
 * decoded.  Returns the number of lines. */
int		 capture_print_warnings(struct capture *);

/* Check that a BPF filter compiles for this source; -1 + cause if not. */
int		 capture_check_filter(struct capture *, const char *expr,
		    char **cause);
/* Replace the BPF filter; -1 + cause if it does not compile. */
int		 capture_set_filter(struct capture *, const char *expr,
		    char **cause);
/* File replay pace (see capture_opts.speed) and pause. */
void		 capture_set_speed(struct capture *, double speed);
double		 capture_get_speed(struct capture *);
void		 capture_set_paused(struct capture *, int paused);

/* Name of the first up, non-loopback interface, or NULL + cause. */
char		*capture_default_interface(char **cause);

/* Local networks of an interface (its addresses with prefix lengths),
 * appended to nets as "addr/len" strings (owned by caller); returns how
 * many were appended, or -1. */
int		 capture_interface_networks(const char *ifname, char ***nets,
		    unsigned *n);

#endif
