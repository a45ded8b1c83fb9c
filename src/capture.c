/*
 * capture.c: capture sources (live interfaces and files), one thread each.
 *
 * The main thread opens a source (capture_open, the privileged step),
 * starts its thread and later stops and frees it; in between it only
 * reads counters and posts requests (filter, speed, pause) through
 * atomics.  The source's thread is the only producer of its two rings:
 * it reads packets (pcap_dispatch for live, pcapfile_next for files),
 * decodes each one straight into a reserved ring slot and publishes in
 * batches.  It never takes a lock and never allocates per packet.  A
 * frame whose tunnels are opened (tunnel_depth) is one record per layer:
 * the inner layers are decoded into a small stack array and copied into
 * the slots after the first, and all of them are committed together.
 *
 * Invariants:
 * - Live sources never block on a full ring: the packet is dropped and
 *   counted (ring_drops, name_drops).  File sources wait for room
 *   (backpressure), so reading a file never loses a packet.
 * - A frame's records are consecutive and whole on the ring: a frame
 *   whose records do not all fit is dropped whole, and no publish ever
 *   shows part of one.  packets and bytes count frames, records counts
 *   records (name seq numbers index records).
 * - Counters are kept thread-private and copied to the atomics with
 *   relaxed stores at each batch; the state is stored with release
 *   semantics after the last publish, so capture_finished() is true only
 *   when every record is visible in the rings.
 * - Times are ns: packet times since the epoch, pacing on CLOCK_MONOTONIC.
 */
#include "config.h"
#include "capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "log.h"
#include "pcapfile.h"
#include "proc.h"
#include "ring.h"
#include "xmalloc.h"

#define CAPTURE_SNAPLEN_DEFAULT	262144
#define CAPTURE_BUFFER_KB_DEFAULT 32768
#define CAPTURE_TIMEOUT_MS	100	/* pcap read timeout (not immediate) */
/* A live source wakes the main thread once CAPTURE_WAKE_BATCH records
 * wait, or CAPTURE_WAKE_NS after the first of them: at 100 kpps some 20
 * wake-ups a second instead of one per kernel block (each costs two
 * context switches and a dozen system calls); at 1 Mpps every 8 ms, an
 * eighth of the ring. */
#define CAPTURE_WAKE_BATCH	(RING_LIVE_SLOTS / 8)
#define CAPTURE_WAKE_NS		50000000ull
#define CAPTURE_STATS_NS	250000000ull	/* pcap_stats at ~4 Hz */
#define CAPTURE_FILE_BATCH	64	/* file records per publish */
#define CAPTURE_FLUSH_EVERY	1024	/* file records per counter flush */
#define CAPTURE_WAIT_MS		100	/* backpressure / pause poll */
#define CAPTURE_MAX_GAP_NS	1000000000ull	/* longest pause per gap */
#define CAPTURE_SLEEP_SLICE_NS	50000000ull	/* re-check stop/speed */
#define CAPTURE_LINKTYPE_RAW	101

/* A BPF program compiled for one link type (file sources). */
struct capture_bpf {
	uint32_t linktype;
	int ok;			/* 0: the filter does not compile for it */
	struct bpf_program prog;
};

/* The counters the thread owns; flushed to struct capture_shared. */
struct capture_local {
	uint64_t records;	/* packet records committed to the ring */
	uint64_t packets;
	uint64_t bytes;
	uint64_t ring_drops;
	uint64_t name_drops;
	uint64_t filtered;
	uint64_t status[PKT_STATUS_COUNT];
	uint64_t last_ts_ns;
	uint64_t kernel_drops;
	uint64_t if_drops;
	uint64_t bad_linktype_pkts;	/* link type the decoder lacks */
	uint32_t bad_linktype;	/* the first such link type */
	uint64_t nofilter_pkts;	/* filter does not compile for the type */
	uint32_t nofilter_linktype;	/* the first such link type */
	uint32_t last_linktype;	/* cache for the check, + 1 (0: none) */
	uint32_t last_ps_drop;	/* pcap_stats values (32 bits, may wrap) */
	uint32_t last_ps_ifdrop;
};

/* What the main thread reads. */
struct capture_shared {
	_Atomic uint64_t packets;
	_Atomic uint64_t bytes;
	_Atomic uint64_t kernel_drops;
	_Atomic uint64_t if_drops;
	_Atomic uint64_t ring_drops;
	_Atomic uint64_t name_drops;
	_Atomic uint64_t filtered;
	_Atomic uint64_t status[PKT_STATUS_COUNT];
	_Atomic uint64_t bad_records;
	_Atomic uint64_t bad_linktype_pkts;
	_Atomic uint32_t bad_linktype;
	_Atomic uint64_t nofilter_pkts;
	_Atomic uint32_t nofilter_linktype;
	_Atomic uint64_t last_ts_ns;
	_Atomic int truncated;
	_Atomic int down;	/* live: the interface is there but down */
};

/* Replay pacing state (file thread). */
struct capture_pace {
	int based;		/* base_* are set */
	double speed;		/* speed the base was taken at */
	uint64_t base_wall;	/* CLOCK_MONOTONIC ns at the base */
	uint64_t prev_ts;	/* packet time of the previous packet */
	uint64_t elapsed;	/* packet time since the base, gaps capped */
};

struct capture {
	enum capture_kind kind;
	char *name;		/* interface or path; owned */
	uint16_t source;
	uint32_t linktype;	/* LINKTYPE_* (live: mapped from the DLT) */
	int snaplen;
	uint64_t tsmul;		/* live: ns per pcap_pkthdr.ts.tv_usec unit */
	bpf_u_int32 netmask;	/* live: for pcap_compile */
	int selfd;		/* live: pollable fd of the handle, or -1 */
	unsigned ifindex;	/* live: index at open, 0 for any/unknown */
	unsigned tunnel_depth;	/* tunnels decode_frame() opens per frame */

	pcap_t *pcap;		/* live; owned */
	struct pcapfile *pf;	/* file; owned */
	struct ring *ring;	/* of pkt_meta; owned */
	struct ring *names;	/* of pkt_name; owned */

	pthread_t thread;
	int started;

	/* requests from the main thread */
	_Atomic int stop;
	_Atomic int paused;
	_Atomic double speed;
	/* live: a compiled program for the thread to install (ownership
	 * goes to whoever exchanges it out) */
	_Atomic(struct bpf_program *) new_prog;
	/* file: a new filter expression ("" = none), same hand-over */
	_Atomic(char *) new_expr;

	_Atomic int state;	/* enum capture_state; release on finish */
	char error[256];	/* written before state becomes FAILED */

	/* thread-owned */
	char *expr;		/* file: current filter expression; owned */
	struct capture_bpf *bpf;	/* file: programs per link type */
	unsigned nbpf;
	struct capture_pace pace;
	uint64_t next_stats;	/* live: when to read pcap_stats next */
	struct capture_local l;

	struct capture_shared s;
};

static uint64_t
capture_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* LINKTYPE_* value for a DLT_* value from a live handle. */
static uint32_t
capture_dlt_to_linktype(int dlt)
{
	if (dlt == DLT_RAW)
		return CAPTURE_LINKTYPE_RAW;
	return (uint32_t)dlt;
}

/* DLT_* for pcap_open_dead() from a file's LINKTYPE_* value. */
static int
capture_linktype_to_dlt(uint32_t lt)
{
	switch (lt) {
	case CAPTURE_LINKTYPE_RAW:
		return DLT_RAW;
	case 100:
		return DLT_ATM_RFC1483;
	case 102:
		return DLT_SLIP_BSDOS;
	case 103:
		return DLT_PPP_BSDOS;
	}
	return (int)lt;
}

/* Copy the thread's counters to the shared atomics. */
static void
capture_flush(struct capture *c)
{
	unsigned i;

	atomic_store_explicit(&c->s.packets, c->l.packets,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.bytes, c->l.bytes, memory_order_relaxed);
	atomic_store_explicit(&c->s.ring_drops, c->l.ring_drops,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.name_drops, c->l.name_drops,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.filtered, c->l.filtered,
	    memory_order_relaxed);
	for (i = 0; i < PKT_STATUS_COUNT; i++)
		atomic_store_explicit(&c->s.status[i], c->l.status[i],
		    memory_order_relaxed);
	atomic_store_explicit(&c->s.last_ts_ns, c->l.last_ts_ns,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.bad_linktype_pkts,
	    c->l.bad_linktype_pkts, memory_order_relaxed);
	atomic_store_explicit(&c->s.bad_linktype, c->l.bad_linktype,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.nofilter_pkts, c->l.nofilter_pkts,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.nofilter_linktype, c->l.nofilter_linktype,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.kernel_drops, c->l.kernel_drops,
	    memory_order_relaxed);
	atomic_store_explicit(&c->s.if_drops, c->l.if_drops,
	    memory_order_relaxed);
	if (c->pf != NULL) {
		struct pcapfile_stats st;

		pcapfile_stats(c->pf, &st);
		atomic_store_explicit(&c->s.bad_records, st.bad_records,
		    memory_order_relaxed);
		atomic_store_explicit(&c->s.truncated, st.truncated,
		    memory_order_relaxed);
	}
}

/* Names first: a consumer that sees a packet sees its names too. */
static void
capture_publish(struct capture *c)
{
	ring_publish(c->names);
	ring_publish(c->ring);
}

/* Publish everything, then announce the end (release). */
static void
capture_finish(struct capture *c, enum capture_state state, const char *err)
{
	size_t n;

	capture_publish(c);
	capture_flush(c);
	if (err != NULL) {
		n = strlen(err);
		if (n >= sizeof c->error)
			n = sizeof c->error - 1;	/* keep it one line */
		memcpy(c->error, err, n);
		c->error[n] = '\0';
	}
	atomic_store_explicit(&c->state, (int)state, memory_order_release);
	/* wake a consumer that armed before it could see the state */
	ring_wake(c->names);
	ring_wake(c->ring);
}

/* ---- live sources ---------------------------------------------------- */

/* Read the kernel drop counters, widening libpcap's 32-bit ones. */
static void
capture_live_stats(struct capture *c)
{
	struct pcap_stat ps;

	if (pcap_stats(c->pcap, &ps) != 0)
		return;
	c->l.kernel_drops += (uint32_t)(ps.ps_drop - c->l.last_ps_drop);
	c->l.if_drops += (uint32_t)(ps.ps_ifdrop - c->l.last_ps_ifdrop);
	c->l.last_ps_drop = ps.ps_drop;
	c->l.last_ps_ifdrop = ps.ps_ifdrop;
}

/* An unsupported packet: if its link type is one the decoder does not
 * know, count it, so that the end of the run says so (a pcapng file may
 * mix link types; a live device may be of any). */
static void
capture_count_linktype(struct capture *c, uint32_t linktype)
{
	if (linktype + 1 == c->l.last_linktype)
		return;
	if (decode_linktype_supported(linktype))
		c->l.last_linktype = linktype + 1;
	else if (c->l.bad_linktype_pkts++ == 0)
		c->l.bad_linktype = linktype;
}

/*
 * Copy a frame's inner records into the n ring slots after the reserved
 * first one, stamped with the source.  0 if the ring lacks room for them
 * (the frame is then dropped whole: counted in ring_drops, nothing
 * committed).
 */
static int
capture_inner_fill(struct capture *c, struct pkt_meta *in, unsigned n,
    uint16_t ifindex)
{
	struct pkt_meta *slot;
	unsigned k;

	for (k = 0; k < n; k++) {
		if ((slot = ring_reserve_at(c->ring, k + 1)) == NULL) {
			c->l.ring_drops++;
			return 0;
		}
		in[k].source = c->source;
		in[k].ifindex = ifindex;
		*slot = in[k];
	}
	return 1;
}

static void
capture_live_packet(u_char *user, const struct pcap_pkthdr *h,
    const u_char *bytes)
{
	struct capture *c = (struct capture *)(void *)user;
	struct pkt_name nv[DECODE_MAX_NAMES];
	struct pkt_meta in[PKT_MAX_TUNNELS];
	struct capture_name *cn;
	struct decode_names dn;
	struct pkt_meta *m;
	enum pkt_status st;
	uint64_t ts, first;
	unsigned i, n;

	ts = (uint64_t)h->ts.tv_sec * 1000000000ull +
	    (uint64_t)h->ts.tv_usec * c->tsmul;
	c->l.packets++;
	c->l.bytes += h->len;
	c->l.last_ts_ns = ts;
	if ((m = ring_reserve(c->ring)) == NULL) {
		c->l.ring_drops++;
		return;
	}
	dn.v = nv;
	dn.max = DECODE_MAX_NAMES;
	dn.n = 0;
	n = decode_frame(m, in, c->tunnel_depth, &dn, c->linktype, bytes,
	    h->caplen, h->len, ts);
	m->source = c->source;
	m->ifindex = 0;
	st = (enum pkt_status)m->status;
	if (n > 0 && !capture_inner_fill(c, in, n, 0))
		return;
	first = c->l.records;
	for (i = 0; i <= n; i++)
		ring_commit(c->ring);
	c->l.records += n + 1;
	if ((unsigned)st < PKT_STATUS_COUNT)
		c->l.status[st]++;
	if (st == PKT_UNSUPPORTED)
		capture_count_linktype(c, c->linktype);
	for (i = 0; i < dn.n && i < DECODE_MAX_NAMES; i++) {
		if ((cn = ring_reserve(c->names)) == NULL) {
			c->l.name_drops++;
			continue;
		}
		cn->seq = first;
		memcpy(&cn->name, &nv[i], sizeof cn->name);
		ring_commit(c->names);
	}
}

/* Has the interface gone (deleted, or replaced by another of the same
 * name) without the handle saying so?  Checked on idle, at ~4 Hz. */
static int
capture_live_vanished(struct capture *c)
{
	return c->ifindex != 0 && if_nametoindex(c->name) != c->ifindex;
}

/*
 * 1 if the source's interface still exists but is down.  libpcap takes an
 * interface going down in its stride (the socket stays bound and captures
 * again once the interface is up), but the socket's poll reports the
 * error; the loop then waits here instead of ending the source.
 */
static int
capture_live_is_down(struct capture *c)
{
	struct ifreq ifr;
	int fd, down = 0;

	if (c->ifindex == 0 || capture_live_vanished(c))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", c->name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		down = (ifr.ifr_flags & IFF_UP) == 0;
	close(fd);
	return down;
}

/*
 * The handle failed.  An interface that was deleted or taken down ends
 * its source in state GONE (the other sources go on; the pipeline tells
 * the engine); any other error is FAILED.  libpcap says ENODEV/ENETDOWN
 * in its message, but the interface's own state is the plainer test.
 */
static void
capture_live_end(struct capture *c, int n)
{
	char err[PCAP_ERRBUF_SIZE + 64];
	struct ifaddrs *ifa, *i;
	int found = 0, up = 0;

	capture_live_stats(c);
	if (strcmp(c->name, "any") != 0 && getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL; i = i->ifa_next) {
			if (i->ifa_name == NULL ||
			    strcmp(i->ifa_name, c->name) != 0)
				continue;
			found = 1;
			up |= (i->ifa_flags & IFF_UP) != 0;
		}
		freeifaddrs(ifa);
		if (capture_live_vanished(c))
			found = 0;	/* another interface of that name */
		if (!found || !up || n == PCAP_ERROR_IFACE_NOT_UP) {
			snprintf(err, sizeof err, "%s: interface %s", c->name,
			    found ? "went down" : "disappeared");
			capture_finish(c, CAPTURE_STATE_GONE, err);
			return;
		}
	}
	snprintf(err, sizeof err, "%s: %s", c->name, pcap_geterr(c->pcap));
	capture_finish(c, CAPTURE_STATE_FAILED, err);
}

static void
capture_live_loop(struct capture *c)
{
	struct bpf_program *np;
	uint64_t now, wake_due = 0;
	int n, timeout, revents;

	c->next_stats = 0;
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		np = atomic_exchange(&c->new_prog, NULL);
		if (np != NULL) {
			/* compiled on the main thread; cannot fail here
			 * except for kernel trouble, which pcap reports by
			 * falling back to userland filtering */
			pcap_setfilter(c->pcap, np);
			pcap_freecode(np);
			free(np);
		}
		/* Records published without a wake-up (fewer than the
		 * ring's wake batch) wait at most CAPTURE_WAKE_NS. */
		now = capture_now();
		timeout = CAPTURE_TIMEOUT_MS;
		if (ring_unwoken(c->ring) == 0)
			wake_due = 0;
		else if (wake_due == 0)
			wake_due = now + CAPTURE_WAKE_NS;
		else if (now >= wake_due) {
			ring_wake(c->ring);
			wake_due = 0;
		}
		if (wake_due != 0 && (wake_due - now) / 1000000 <
		    CAPTURE_TIMEOUT_MS)
			timeout = (int)((wake_due - now) / 1000000) + 1;
		revents = 0;
		if (c->selfd >= 0) {
			struct pollfd pfd;

			pfd.fd = c->selfd;
			pfd.events = POLLIN;
			pfd.revents = 0;

			if (poll(&pfd, 1, timeout) <= 0) {
				now = capture_now();
				if (now >= c->next_stats) {
					capture_live_stats(c);
					c->next_stats = now + CAPTURE_STATS_NS;
					capture_flush(c);
					if (capture_live_vanished(c)) {
						capture_live_end(c, PCAP_ERROR);
						return;
					}
					/* nothing arrives: say whether the
					 * interface was taken down */
					atomic_store_explicit(&c->s.down,
					    capture_live_is_down(c),
					    memory_order_relaxed);
				}
				continue;
			}
			revents = pfd.revents;
		}
		n = pcap_dispatch(c->pcap, -1, capture_live_packet,
		    (u_char *)(void *)c);
		/* an error libpcap did not report would make poll return at
		 * once for ever */
		if (n == 0 && (revents & (POLLERR | POLLHUP | POLLNVAL))) {
			if (capture_live_is_down(c)) {
				/* wait for it to come back up, without
				 * spinning on the socket's error */
				atomic_store_explicit(&c->s.down, 1,
				    memory_order_relaxed);
				capture_publish(c);
				capture_flush(c);
				poll(NULL, 0, CAPTURE_TIMEOUT_MS);
				continue;
			}
			n = PCAP_ERROR;
		}
		if (n > 0 && atomic_load_explicit(&c->s.down,
		    memory_order_relaxed))
			atomic_store_explicit(&c->s.down, 0,
			    memory_order_relaxed);	/* up again */
		capture_publish(c);
		now = capture_now();
		if (now >= c->next_stats) {
			capture_live_stats(c);
			c->next_stats = now + CAPTURE_STATS_NS;
		}
		capture_flush(c);
		if (n < 0 && n != PCAP_ERROR_BREAK) {
			capture_live_end(c, n);
			return;
		}
	}
	capture_live_stats(c);
	capture_finish(c, CAPTURE_STATE_FINISHED, NULL);
}

/* ---- file sources ---------------------------------------------------- */

/*
 * A mapped capture file that shrinks while it is read (tcpdump -w
 * rewriting the same name) makes the next read of a page past its new end
 * fault with SIGBUS.  Checking the size before each read cannot close the
 * window between the check and the read, so the reader thread catches the
 * fault instead: SIGBUS is synchronous, delivered to the faulting thread
 * (blocking it does not help: the kernel then kills the process), and the
 * handler (proc.c's, which asks capture_bus_recover() first) jumps back
 * to the reader's loop if the faulting address lies in that thread's map;
 * any other SIGBUS is fatal as usual.
 * The fault can only come from a read of the map (pcapfile_next, the
 * BPF filter, the decoder), none of which holds a lock or is inside
 * malloc, so the jump leaves nothing half done: the ring slot being
 * filled is not committed yet.
 */
static _Thread_local sigjmp_buf *capture_bus_jmp;
static _Thread_local const uint8_t *capture_bus_base;
static _Thread_local size_t capture_bus_len;

static void
capture_bus_recover(int sig, const siginfo_t *si)
{
	const uint8_t *a = si->si_addr;

	if (sig == SIGBUS && capture_bus_jmp != NULL &&
	    a >= capture_bus_base &&
	    (size_t)(a - capture_bus_base) < capture_bus_len)
		siglongjmp(*capture_bus_jmp, 1);
}

static void
capture_bpf_clear(struct capture *c)
{
	unsigned i;

	for (i = 0; i < c->nbpf; i++) {
		if (c->bpf[i].ok)
			pcap_freecode(&c->bpf[i].prog);
	}
	free(c->bpf);
	c->bpf = NULL;
	c->nbpf = 0;
}

/* Compile expr for a link type; -1 + cause if it does not compile. */
static int
capture_bpf_compile(const char *expr, uint32_t linktype, int snaplen,
    bpf_u_int32 netmask, struct bpf_program *prog, char **cause)
{
	pcap_t *dead;
	int r;

	dead = pcap_open_dead_with_tstamp_precision(
	    capture_linktype_to_dlt(linktype), snaplen,
	    PCAP_TSTAMP_PRECISION_NANO);
	if (dead == NULL) {
		if (cause != NULL)
			*cause = xstrdup("pcap_open_dead failed");
		return -1;
	}
	r = pcap_compile(dead, prog, expr, 1, netmask);
	if (r != 0 && cause != NULL)
		xasprintf(cause, "filter: %s", pcap_geterr(dead));
	pcap_close(dead);
	return r == 0 ? 0 : -1;
}

/* The program for a link type, compiled on first use (NULL: rejects). */
static const struct bpf_program *
capture_bpf_get(struct capture *c, uint32_t linktype, uint32_t snaplen)
{
	struct capture_bpf *b;
	unsigned i;
	int sl;

	for (i = 0; i < c->nbpf; i++) {
		if (c->bpf[i].linktype == linktype)
			return c->bpf[i].ok ? &c->bpf[i].prog : NULL;
	}
	c->bpf = xreallocarray(c->bpf, c->nbpf + 1, sizeof *c->bpf);
	b = &c->bpf[c->nbpf++];
	memset(b, 0, sizeof *b);
	b->linktype = linktype;
	sl = snaplen == 0 || snaplen > INT32_MAX ? CAPTURE_SNAPLEN_DEFAULT :
	    (int)snaplen;
	b->ok = capture_bpf_compile(c->expr, linktype, sl,
	    PCAP_NETMASK_UNKNOWN, &b->prog,
	    NULL) == 0;
	return b->ok ? &b->prog : NULL;
}

/* Take a new filter expression posted by capture_set_filter. */
static void
capture_file_take_filter(struct capture *c)
{
	char *e;

	e = atomic_exchange(&c->new_expr, NULL);
	if (e == NULL)
		return;
	capture_bpf_clear(c);
	free(c->expr);
	c->expr = NULL;
	if (*e != '\0')
		c->expr = e;
	else
		free(e);
}

/* Sleep until an absolute CLOCK_MONOTONIC time, in slices, so stop,
 * pause and speed changes are seen; returns 0 if interrupted by one. */
static int
capture_sleep_until(struct capture *c, uint64_t when, double speed)
{
	struct timespec ts;
	uint64_t now, t;

	for (;;) {
		if (atomic_load_explicit(&c->stop, memory_order_relaxed) ||
		    atomic_load_explicit(&c->paused, memory_order_relaxed) ||
		    atomic_load_explicit(&c->speed, memory_order_relaxed) !=
		    speed)
			return 0;
		now = capture_now();
		if (now >= when)
			return 1;
		t = when - now > CAPTURE_SLEEP_SLICE_NS ?
		    now + CAPTURE_SLEEP_SLICE_NS : when;
		ts.tv_sec = (time_t)(t / 1000000000ull);
		ts.tv_nsec = (long)(t % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

/*
 * Pace replay: wait until this packet is due at the current speed.  The
 * schedule is relative to a base (first packet, or the last change of
 * speed or pause); gaps count at most CAPTURE_MAX_GAP_NS and time going
 * backwards counts as no gap.
 */
static void
capture_pace(struct capture *c, uint64_t ts)
{
	struct capture_pace *p = &c->pace;
	double speed;
	uint64_t gap, when;

	speed = atomic_load_explicit(&c->speed, memory_order_relaxed);
	if (!(speed > 0)) {
		p->based = 0;
		return;
	}
	if (!p->based || p->speed != speed) {
		p->based = 1;
		p->speed = speed;
		p->base_wall = capture_now();
		p->prev_ts = ts;
		p->elapsed = 0;
		return;
	}
	if (ts > p->prev_ts) {
		gap = ts - p->prev_ts;
		p->elapsed += gap > CAPTURE_MAX_GAP_NS ? CAPTURE_MAX_GAP_NS :
		    gap;
	}
	p->prev_ts = ts;
	when = p->base_wall + (uint64_t)((double)p->elapsed / speed);
	if (when <= capture_now())
		return;
	/* the consumer should see what is due before we sleep */
	capture_publish(c);
	capture_flush(c);
	if (!capture_sleep_until(c, when, speed))
		p->based = 0;	/* speed changed or paused: re-base */
}

/* Block while paused; returns 0 if asked to stop. */
static int
capture_file_pause(struct capture *c)
{
	struct timespec ts;

	capture_publish(c);
	capture_flush(c);
	atomic_store_explicit(&c->state, CAPTURE_STATE_PAUSED,
	    memory_order_relaxed);
	while (atomic_load_explicit(&c->paused, memory_order_relaxed)) {
		if (atomic_load_explicit(&c->stop, memory_order_relaxed))
			return 0;
		ts.tv_sec = 0;
		ts.tv_nsec = CAPTURE_WAIT_MS * 1000000L;
		nanosleep(&ts, NULL);
	}
	atomic_store_explicit(&c->state, CAPTURE_STATE_RUNNING,
	    memory_order_relaxed);
	c->pace.based = 0;
	return 1;
}

/* Wait for a free slot in r (backpressure); NULL if asked to stop. */
static void *
capture_file_reserve(struct capture *c, struct ring *r)
{
	void *slot;

	while ((slot = ring_reserve(r)) == NULL) {
		capture_publish(c);
		if (atomic_load_explicit(&c->stop, memory_order_relaxed))
			return NULL;
		ring_wait_space(r, CAPTURE_WAIT_MS);
	}
	return slot;
}

/* Wait until n slots of the packet ring are free (the reserved first
 * slot stays reserved); 0 if asked to stop. */
static int
capture_file_room(struct capture *c, unsigned n)
{
	while (ring_reserve_at(c->ring, n - 1) == NULL) {
		capture_publish(c);
		if (atomic_load_explicit(&c->stop, memory_order_relaxed))
			return 0;
		ring_wait_room(c->ring, n, CAPTURE_WAIT_MS);
	}
	return 1;
}

static void
capture_file_read(struct capture *c)
{
	struct pkt_name nv[DECODE_MAX_NAMES];
	struct pkt_meta in[PKT_MAX_TUNNELS];
	struct decode_names dn;
	struct pcapfile_pkt pk;
	struct pcap_pkthdr ph;
	const struct bpf_program *prog;
	struct pkt_meta *m;
	struct capture_name *cn;
	enum pkt_status st;
	char *cause = NULL;
	unsigned batch = 0, flush = 0, i, n;
	int r;

	for (;;) {
		if (atomic_load_explicit(&c->stop, memory_order_relaxed))
			break;
		if (atomic_load_explicit(&c->paused, memory_order_relaxed) &&
		    !capture_file_pause(c))
			break;
		if (atomic_load_explicit(&c->new_expr,
		    memory_order_relaxed) != NULL)
			capture_file_take_filter(c);

		r = pcapfile_next(c->pf, &pk, &cause);
		if (r <= 0)
			break;
		if (c->expr != NULL) {
			prog = capture_bpf_get(c, pk.linktype, pk.snaplen);
			ph.ts.tv_sec = (time_t)(pk.ts_ns / 1000000000ull);
			ph.ts.tv_usec = (suseconds_t)(pk.ts_ns % 1000000000ull /
			    1000);
			ph.caplen = pk.caplen;
			ph.len = pk.wirelen;
			if (prog == NULL) {
				/* a pcapng file or a stream whose link type
				 * the filter cannot express: said at the end */
				if (c->l.nofilter_pkts++ == 0)
					c->l.nofilter_linktype = pk.linktype;
				c->l.filtered++;
				continue;
			}
			if (!pcap_offline_filter(prog, &ph, pk.data)) {
				c->l.filtered++;
				continue;
			}
		}
		capture_pace(c, pk.ts_ns);

		if ((m = capture_file_reserve(c, c->ring)) == NULL)
			break;
		dn.v = nv;
		dn.max = DECODE_MAX_NAMES;
		dn.n = 0;
		n = decode_frame(m, in, c->tunnel_depth, &dn, pk.linktype,
		    pk.data, pk.caplen, pk.wirelen, pk.ts_ns);
		m->source = c->source;
		m->ifindex = (uint16_t)pk.ifindex;
		st = (enum pkt_status)m->status;
		/* Room for the whole frame; waiting publishes only earlier
		 * frames (nothing of this one is committed yet). */
		if (n > 0 && (!capture_file_room(c, n + 1) ||
		    !capture_inner_fill(c, in, n, (uint16_t)pk.ifindex)))
			break;		/* asked to stop */
		/* The frame's names go first (see struct capture_name);
		 * waiting for their room publishes only earlier records. */
		for (i = 0; i < dn.n && i < DECODE_MAX_NAMES; i++) {
			if ((cn = capture_file_reserve(c, c->names)) == NULL)
				break;
			cn->seq = c->l.records;
			memcpy(&cn->name, &nv[i], sizeof cn->name);
			ring_commit(c->names);
		}
		if (i < dn.n)
			break;		/* asked to stop */
		for (i = 0; i <= n; i++)
			ring_commit(c->ring);
		c->l.records += n + 1;
		c->l.packets++;
		c->l.bytes += m->wire_len;	/* a corrupt length is clamped */
		c->l.last_ts_ns = pk.ts_ns;
		if ((unsigned)st < PKT_STATUS_COUNT)
			c->l.status[st]++;
		if (st == PKT_UNSUPPORTED)
			capture_count_linktype(c, pk.linktype);
		if (++batch == CAPTURE_FILE_BATCH) {
			capture_publish(c);
			batch = 0;
			if (++flush == CAPTURE_FLUSH_EVERY / CAPTURE_FILE_BATCH) {
				capture_flush(c);
				flush = 0;
			}
		}
	}
	if (cause != NULL) {
		capture_finish(c, CAPTURE_STATE_FAILED, cause);
		free(cause);
		return;
	}
	capture_finish(c, CAPTURE_STATE_FINISHED, NULL);
}

static void
capture_file_loop(struct capture *c)
{
	sigjmp_buf jb;
	const void *base;
	char err[sizeof c->error];
	sigset_t bus;

	if (!pcapfile_map(c->pf, &base, &capture_bus_len)) {
		capture_file_read(c);
		return;
	}
	capture_bus_base = base;
	proc_fault_recover(capture_bus_recover);
	if (sigsetjmp(jb, 1) != 0) {
		capture_bus_jmp = NULL;
		snprintf(err, sizeof err, "%s: truncated while being read at "
		    "offset %llu", c->name,
		    (unsigned long long)pcapfile_offset(c->pf));
		capture_finish(c, CAPTURE_STATE_FAILED, err);
		return;
	}
	capture_bus_jmp = &jb;
	sigemptyset(&bus);
	sigaddset(&bus, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &bus, NULL);
	capture_file_read(c);
	capture_bus_jmp = NULL;
}

static void *
capture_thread(void *arg)
{
	struct capture *c = arg;
	sigset_t all;

	/* belt and braces: the creator blocked signals already */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	if (c->kind == CAPTURE_LIVE)
		capture_live_loop(c);
	else
		capture_file_loop(c);
	return NULL;
}

/* ---- opening --------------------------------------------------------- */

/* Is ifname a loopback interface? */
static int
capture_is_loopback(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	int lo = 0;

	if (getifaddrs(&ifa) != 0)
		return 0;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_name != NULL && strcmp(i->ifa_name, ifname) == 0 &&
		    (i->ifa_flags & IFF_LOOPBACK))
			lo = 1;
	}
	freeifaddrs(ifa);
	return lo;
}

static int
capture_open_live(struct capture *c, const struct capture_opts *o,
    char **cause)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	bpf_u_int32 net;
	char *hint;
	int r, bufkb;

	errbuf[0] = '\0';
	c->pcap = pcap_create(c->name, errbuf);
	if (c->pcap == NULL) {
		xasprintf(cause, "%s: %s", c->name, errbuf);
		return -1;
	}
	bufkb = o->buffer_kb > 0 ? o->buffer_kb : CAPTURE_BUFFER_KB_DEFAULT;
	if (bufkb > INT32_MAX / 1024)
		bufkb = INT32_MAX / 1024;
	pcap_set_snaplen(c->pcap, c->snaplen);
	pcap_set_promisc(c->pcap, o->promisc ? 1 : 0);
	pcap_set_buffer_size(c->pcap, bufkb * 1024);
	pcap_set_timeout(c->pcap, CAPTURE_TIMEOUT_MS);
	pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);

	r = pcap_activate(c->pcap);
	if (r < 0) {
		hint = proc_capture_hint();
		switch (r) {
		case PCAP_ERROR_PERM_DENIED:
			xasprintf(cause, "%s: permission denied (%s): %s",
			    c->name, pcap_geterr(c->pcap), hint != NULL ? hint :
			    "run as root or give wiretop CAP_NET_RAW");
			break;
		case PCAP_ERROR_PROMISC_PERM_DENIED:
			xasprintf(cause, "%s: promiscuous mode not permitted: "
			    "%s", c->name, hint != NULL ? hint : "run as root "
			    "or give wiretop CAP_NET_ADMIN");
			break;
		case PCAP_ERROR_NO_SUCH_DEVICE:
			xasprintf(cause, "%s: no such device", c->name);
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			xasprintf(cause, "%s: interface is not up", c->name);
			break;
		case PCAP_ERROR_RFMON_NOTSUP:
			xasprintf(cause, "%s: monitor mode not supported",
			    c->name);
			break;
		default:
			xasprintf(cause, "%s: %s", c->name,
			    pcap_geterr(c->pcap));
			break;
		}
		free(hint);
		return -1;
	}
	c->tsmul = pcap_get_tstamp_precision(c->pcap) ==
	    PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
	c->linktype = capture_dlt_to_linktype(pcap_datalink(c->pcap));
	/* On a loopback device every packet is both sent and received;
	 * libpcap throws the outgoing copy away after the kernel copied it
	 * into the ring.  Asking for received packets only lets the kernel
	 * skip that copy (PACKET_IGNORE_OUTGOING): half the ring traffic,
	 * half the wake-ups, the same packets. */
	c->ifindex = strcmp(c->name, "any") == 0 ? 0 :
	    if_nametoindex(c->name);
	if (capture_is_loopback(c->name)) {
		pcap_setdirection(c->pcap, PCAP_D_IN);
#ifdef PACKET_IGNORE_OUTGOING
		/* libpcap 1.10 filters the direction in userland only */
		r = 1;
		setsockopt(pcap_fileno(c->pcap), SOL_PACKET,
		    PACKET_IGNORE_OUTGOING, &r, sizeof r);
#endif
	}
	/* The thread polls the handle with a timeout and reads without
	 * blocking, so that it sees the stop flag even on devices whose
	 * read pcap_breakloop() cannot interrupt (nflog, for one). */
	c->selfd = pcap_get_selectable_fd(c->pcap);
	if (c->selfd >= 0 && pcap_setnonblock(c->pcap, 1, errbuf) != 0)
		c->selfd = -1;

	if (pcap_lookupnet(c->name, &net, &c->netmask, errbuf) != 0)
		c->netmask = PCAP_NETMASK_UNKNOWN;
	if (o->filter != NULL && *o->filter != '\0') {
		if (pcap_compile(c->pcap, &prog, o->filter, 1,
		    c->netmask) != 0) {
			xasprintf(cause, "%s: filter: %s", c->name,
			    pcap_geterr(c->pcap));
			return -1;
		}
		r = pcap_setfilter(c->pcap, &prog);
		pcap_freecode(&prog);
		if (r != 0) {
			xasprintf(cause, "%s: filter: %s", c->name,
			    pcap_geterr(c->pcap));
			return -1;
		}
	}
	return 0;
}

/* A stream source stops waiting for its writer when asked to stop. */
static int
capture_file_cancel(void *arg)
{
	struct capture *c = arg;

	return atomic_load_explicit(&c->stop, memory_order_relaxed);
}

static int
capture_open_file(struct capture *c, const struct capture_opts *o,
    char **cause)
{
	struct bpf_program prog;
	char *err = NULL;

	/* read as fast as it can be: buffered, not mapped (pcapfile.c) */
	c->pf = pcapfile_open_flags(c->name, o->speed == 0 ?
	    PCAPFILE_BUFFERED : 0, cause);
	if (c->pf == NULL)
		return -1;
	pcapfile_set_cancel(c->pf, capture_file_cancel, c);
	/* A stream's header comes when its writer sends it, read by the
	 * thread: check the filter's syntax against Ethernet meanwhile. */
	c->linktype = pcapfile_pending(c->pf) ? DECODE_LT_ETHERNET :
	    pcapfile_linktype(c->pf);
	if (o->filter != NULL && *o->filter != '\0') {
		if (capture_bpf_compile(o->filter, c->linktype, c->snaplen,
		    PCAP_NETMASK_UNKNOWN,
		    &prog, &err) != 0) {
			xasprintf(cause, "%s: %s", c->name, err);
			free(err);
			return -1;
		}
		pcap_freecode(&prog);
		c->expr = xstrdup(o->filter);
	}
	return 0;
}

/* Open a source (privileged for live interfaces). */
struct capture *
capture_open(const struct capture_opts *o, uint16_t source_id, char **cause)
{
	struct capture *c;
	unsigned slots;

	c = xcalloc(1, sizeof *c);
	c->selfd = -1;
	c->kind = o->kind;
	c->name = xstrdup(o->name != NULL ? o->name : "-");
	c->source = source_id;
	c->snaplen = o->snaplen > 0 ? o->snaplen : CAPTURE_SNAPLEN_DEFAULT;
	c->tsmul = 1000;
	atomic_init(&c->stop, 0);
	atomic_init(&c->paused, 0);
	atomic_init(&c->speed, o->speed > 0 ? o->speed : 0.0);
	atomic_init(&c->new_prog, NULL);
	atomic_init(&c->new_expr, NULL);
	atomic_init(&c->state, CAPTURE_STATE_OPEN);

	if (o->kind == CAPTURE_LIVE) {
		if (capture_open_live(c, o, cause) != 0)
			goto fail;
	} else if (capture_open_file(c, o, cause) != 0)
		goto fail;

	/* A file source waits when its ring is full, so a small ring loses
	 * nothing; a live source drops, so it gets room for bursts (64k
	 * slots: 60 ms at a million packets a second). */
	slots = o->ring_slots != 0 ? o->ring_slots : o->kind == CAPTURE_LIVE ?
	    RING_LIVE_SLOTS : RING_DEFAULT_SLOTS;
	if ((c->ring = ring_create(sizeof(struct pkt_meta), slots,
	    cause)) == NULL)
		goto fail;
	if ((c->names = ring_create(sizeof(struct capture_name), RING_NAME_SLOTS,
	    cause)) == NULL)
		goto fail;
	if (o->kind == CAPTURE_LIVE && o->ring_slots == 0)
		ring_set_wake_batch(c->ring, CAPTURE_WAKE_BATCH);
	/* All records of a frame must fit the ring at once. */
	c->tunnel_depth = o->tunnel_depth > 0 ? (unsigned)o->tunnel_depth : 0;
	if (c->tunnel_depth > PKT_MAX_TUNNELS)
		c->tunnel_depth = PKT_MAX_TUNNELS;
	if (c->tunnel_depth >= ring_capacity(c->ring))
		c->tunnel_depth = (unsigned)ring_capacity(c->ring) - 1;
	return c;

fail:
	capture_free(c);
	return NULL;
}

/* Start the source's thread (signals already blocked by the caller). */
int
capture_start(struct capture *c, char **cause)
{
	int r;

	if (c->started) {
		*cause = xstrdup("capture already started");
		return -1;
	}
	atomic_store(&c->state, CAPTURE_STATE_RUNNING);
	r = pthread_create(&c->thread, NULL, capture_thread, c);
	if (r != 0) {
		atomic_store(&c->state, CAPTURE_STATE_OPEN);
		xasprintf(cause, "%s: cannot start capture thread: %s",
		    c->name, strerror(r));
		return -1;
	}
	c->started = 1;
	return 0;
}

/* Ask the thread to stop and join it. */
void
capture_stop(struct capture *c)
{
	if (c == NULL || !c->started)
		return;
	atomic_store(&c->stop, 1);
	if (c->pcap != NULL)
		pcap_breakloop(c->pcap);
	pthread_join(c->thread, NULL);
	c->started = 0;
}

/* Stop the thread if needed and free everything. */
void
capture_free(struct capture *c)
{
	struct bpf_program *np;

	if (c == NULL)
		return;
	capture_stop(c);
	np = atomic_exchange(&c->new_prog, NULL);
	if (np != NULL) {
		pcap_freecode(np);
		free(np);
	}
	free(atomic_exchange(&c->new_expr, NULL));
	capture_bpf_clear(c);
	free(c->expr);
	if (c->pcap != NULL)
		pcap_close(c->pcap);
	pcapfile_close(c->pf);
	ring_free(c->ring);
	ring_free(c->names);
	free(c->name);
	free(c);
}

/* Ring of struct pkt_meta (borrowed). */
struct ring *
capture_ring(struct capture *c)
{
	return c->ring;
}

/* Ring of struct capture_name (borrowed). */
struct ring *
capture_name_ring(struct capture *c)
{
	return c->names;
}

/* Interface name or file path (borrowed). */
const char *
capture_name(struct capture *c)
{
	return c->name;
}

/* Live interface or file. */
enum capture_kind
capture_kind(struct capture *c)
{
	return c->kind;
}

/* LINKTYPE_* of the source (first interface of a pcapng file). */
uint32_t
capture_linktype(struct capture *c)
{
	return c->linktype;
}

/* Print the end-of-run warnings of a source. */
int
capture_print_warnings(struct capture *c)
{
	struct capture_stats st;
	const char *lt;
	int n = 0;

	capture_get_stats(c, &st);
	if (st.state == CAPTURE_STATE_GONE) {
		log_stderr("%s after %llu packets; the other sources "
		    "went on", st.error, (unsigned long long)st.packets);
		n++;
	}
	if (st.truncated) {
		log_stderr("%s: truncated after %llu packets",
		    c->name, (unsigned long long)st.packets);
		n++;
	}
	if (st.bad_linktype_pkts > 0) {
		if ((lt = decode_linktype_name(st.bad_linktype)) == NULL)
			lt = pcap_datalink_val_to_name((int)st.bad_linktype);
		log_stderr("%s: link type %u%s%s%s is not supported: "
		    "%llu packets counted as unsupported", c->name,
		    st.bad_linktype, lt ? " (" : "", lt ? lt : "", lt ? ")" : "",
		    (unsigned long long)st.bad_linktype_pkts);
		n++;
	}
	if (st.nofilter_pkts > 0) {
		if ((lt = decode_linktype_name(st.nofilter_linktype)) == NULL)
			lt = pcap_datalink_val_to_name(
			    (int)st.nofilter_linktype);
		log_stderr("%s: the capture filter does not apply to "
		    "link type %u%s%s%s: %llu packets left out as filtered",
		    c->name, st.nofilter_linktype, lt ? " (" : "",
		    lt ? lt : "", lt ? ")" : "",
		    (unsigned long long)st.nofilter_pkts);
		n++;
	}
	return n;
}

/* Snapshot the counters. */
void
capture_get_stats(struct capture *c, struct capture_stats *st)
{
	unsigned i;

	memset(st, 0, sizeof *st);
	st->state = (enum capture_state)atomic_load_explicit(&c->state,
	    memory_order_acquire);
	st->packets = atomic_load_explicit(&c->s.packets,
	    memory_order_relaxed);
	st->bytes = atomic_load_explicit(&c->s.bytes, memory_order_relaxed);
	st->kernel_drops = atomic_load_explicit(&c->s.kernel_drops,
	    memory_order_relaxed);
	st->if_drops = atomic_load_explicit(&c->s.if_drops,
	    memory_order_relaxed);
	st->ring_drops = atomic_load_explicit(&c->s.ring_drops,
	    memory_order_relaxed);
	st->name_drops = atomic_load_explicit(&c->s.name_drops,
	    memory_order_relaxed);
	st->filtered = atomic_load_explicit(&c->s.filtered,
	    memory_order_relaxed);
	for (i = 0; i < PKT_STATUS_COUNT; i++)
		st->status[i] = atomic_load_explicit(&c->s.status[i],
		    memory_order_relaxed);
	st->bad_records = atomic_load_explicit(&c->s.bad_records,
	    memory_order_relaxed);
	st->bad_linktype_pkts = atomic_load_explicit(&c->s.bad_linktype_pkts,
	    memory_order_relaxed);
	st->bad_linktype = atomic_load_explicit(&c->s.bad_linktype,
	    memory_order_relaxed);
	st->nofilter_pkts = atomic_load_explicit(&c->s.nofilter_pkts,
	    memory_order_relaxed);
	st->nofilter_linktype = atomic_load_explicit(&c->s.nofilter_linktype,
	    memory_order_relaxed);
	st->down = atomic_load_explicit(&c->s.down, memory_order_relaxed);
	st->last_ts_ns = atomic_load_explicit(&c->s.last_ts_ns,
	    memory_order_relaxed);
	st->truncated = atomic_load_explicit(&c->s.truncated,
	    memory_order_relaxed);
	if (st->state == CAPTURE_STATE_FAILED ||
	    st->state == CAPTURE_STATE_GONE)
		snprintf(st->error, sizeof st->error, "%s", c->error);
}

/* 1 once the thread has ended and published everything it produced. */
int
capture_finished(struct capture *c)
{
	int s = atomic_load_explicit(&c->state, memory_order_acquire);

	return s == CAPTURE_STATE_FINISHED || s == CAPTURE_STATE_FAILED ||
	    s == CAPTURE_STATE_GONE;
}

/* Check that a filter compiles for this source; -1 + cause if not. */
int
capture_check_filter(struct capture *c, const char *expr, char **cause)
{
	struct bpf_program tmp;
	char *err = NULL;

	if (expr == NULL || *expr == '\0')
		return 0;
	if (capture_bpf_compile(expr, c->linktype, c->snaplen,
	    c->kind == CAPTURE_LIVE ? c->netmask : PCAP_NETMASK_UNKNOWN, &tmp,
	    &err) != 0) {
		xasprintf(cause, "%s: %s", c->name, err);
		free(err);
		return -1;
	}
	pcap_freecode(&tmp);
	return 0;
}

/* Compile a new filter and hand it to the thread; -1 + cause on error. */
int
capture_set_filter(struct capture *c, const char *expr, char **cause)
{
	struct bpf_program *prog, *old;
	char *err = NULL;

	if (expr == NULL)
		expr = "";
	if (capture_check_filter(c, expr, cause) != 0)
		return -1;
	if (c->kind == CAPTURE_FILE) {
		free(atomic_exchange(&c->new_expr, xstrdup(expr)));
		return 0;
	}

	/* live: an empty expression compiles to "accept everything".  It
	 * is compiled against a dead handle of the same link type, never
	 * the live handle, which the capture thread is using. */
	prog = xcalloc(1, sizeof *prog);
	if (capture_bpf_compile(expr, c->linktype, c->snaplen, c->netmask,
	    prog, &err) != 0) {
		xasprintf(cause, "%s: %s", c->name, err);
		free(err);
		free(prog);
		return -1;
	}
	old = atomic_exchange(&c->new_prog, prog);
	if (old != NULL) {
		pcap_freecode(old);
		free(old);
	}
	if (!c->started) {
		/* no thread to hand it to yet: install it now */
		prog = atomic_exchange(&c->new_prog, NULL);
		if (prog != NULL) {
			pcap_setfilter(c->pcap, prog);
			pcap_freecode(prog);
			free(prog);
		}
	}
	return 0;
}

/* Set the replay pace of a file source (0 = as fast as possible). */
void
capture_set_speed(struct capture *c, double speed)
{
	if (!(speed > 0))
		speed = 0;
	atomic_store(&c->speed, speed);
}

/* Current replay pace. */
double
capture_get_speed(struct capture *c)
{
	return atomic_load(&c->speed);
}

/* Pause or resume a file replay (live capture never pauses). */
void
capture_set_paused(struct capture *c, int paused)
{
	if (c->kind != CAPTURE_FILE)
		return;
	atomic_store(&c->paused, paused ? 1 : 0);
}

/* Is a findalldevs entry a pseudo device we should not default to? */
static int
capture_pseudo_device(const char *name)
{
	static const char *const prefixes[] = {
		"any", "nflog", "nfqueue", "dbus", "usbmon", "bluetooth",
	};
	size_t i;

	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	}
	return 0;
}

/* Name of the first up, running, non-loopback interface. */
char *
capture_default_interface(char **cause)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;
	char *name = NULL;
	int pass;

	errbuf[0] = '\0';
	if (pcap_findalldevs(&all, errbuf) != 0) {
		xasprintf(cause, "cannot list interfaces: %s", errbuf);
		return NULL;
	}
	/* first an interface with an address, then any that is up */
	for (pass = 0; pass < 2 && name == NULL; pass++) {
		for (d = all; d != NULL; d = d->next) {
			if (d->flags & PCAP_IF_LOOPBACK)
				continue;
			if ((d->flags & PCAP_IF_UP) == 0 ||
			    (d->flags & PCAP_IF_RUNNING) == 0)
				continue;
			if (capture_pseudo_device(d->name))
				continue;
			if (pass == 0 && d->addresses == NULL)
				continue;
			name = xstrdup(d->name);
			break;
		}
	}
	pcap_freealldevs(all);
	if (name == NULL)
		*cause = xstrdup("no capture interface is up (name one with "
		    "-i, or -i any)");
	return name;
}

/* Prefix length of a netmask of n bytes (contiguous ones counted). */
static unsigned
capture_prefixlen(const uint8_t *mask, size_t n)
{
	unsigned bits = 0;
	size_t i;
	uint8_t b;

	for (i = 0; i < n; i++) {
		for (b = mask[i]; b & 0x80; b = (uint8_t)(b << 1))
			bits++;
		if (mask[i] != 0xff)
			break;
	}
	return bits;
}

/* Append "addr/len" for every address of ifname ("any": all) to nets. */
int
capture_interface_networks(const char *ifname, char ***nets, unsigned *n)
{
	struct ifaddrs *ifa, *i;
	char abuf[INET6_ADDRSTRLEN];
	const void *addr;
	const uint8_t *mask;
	size_t mlen;
	unsigned plen, before = *n;
	int all = ifname == NULL || strcmp(ifname, "any") == 0;

	if (getifaddrs(&ifa) != 0)
		return -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_name == NULL)
			continue;
		if (!all && strcmp(i->ifa_name, ifname) != 0)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			addr = &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr;
			mask = i->ifa_netmask == NULL ? NULL :
			    (const uint8_t *)&((struct sockaddr_in *)(void *)
			    i->ifa_netmask)->sin_addr;
			mlen = 4;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			addr = &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr;
			mask = i->ifa_netmask == NULL ? NULL :
			    (const uint8_t *)&((struct sockaddr_in6 *)(void *)
			    i->ifa_netmask)->sin6_addr;
			mlen = 16;
		} else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, addr, abuf,
		    sizeof abuf) == NULL)
			continue;
		plen = mask != NULL ? capture_prefixlen(mask, mlen) :
		    (unsigned)mlen * 8;
		*nets = xreallocarray(*nets, *n + 1, sizeof **nets);
		xasprintf(&(*nets)[*n], "%s/%u", abuf, plen);
		(*n)++;
	}
	freeifaddrs(ifa);
	return (int)(*n - before);
}
