/*
 * metrics.c: the daemon's Prometheus endpoint: GET /metrics in the text
 * exposition format (version 0.0.4), served by libmicrohttpd.
 *
 * Two threads meet here, and share one thing.  The main thread owns the
 * engine, the capture sources, the store's counters and the alerts; once
 * a second (metrics_publish) it renders every metric into a text buffer
 * and wraps it in a libmicrohttpd response, which it swaps in under
 * m->lock.  libmicrohttpd's one internal thread (started by
 * metrics_start, after the privilege drop and with the signals blocked)
 * answers each request by queueing the response in place at that
 * moment: queueing takes a reference (libmicrohttpd counts them under
 * the response's own mutex), so the main thread drops its reference to
 * an old snapshot at once and the last connection sending it frees it.
 * The HTTP side never reads engine memory, never allocates for a body,
 * and a scrape costs the main thread nothing.
 *
 * Hostile clients meet libmicrohttpd's limits: at most METRICS_CONNS
 * connections, METRICS_PER_IP from one address, METRICS_POOL bytes of
 * memory each (a longer request line or header is answered 414/431 and
 * closed), and METRICS_TIMEOUT_S seconds of silence before a connection
 * is closed.  So the HTTP side holds at most about METRICS_CONNS *
 * METRICS_POOL bytes beyond the snapshots, whatever the clients do, and
 * capture never waits for it.
 *
 * libmicrohttpd's timeout is one of silence: every byte received or sent
 * starts it again, so a client trickling its headers (slowloris) or
 * reading the answer a byte at a time would hold its connection for
 * ever, and METRICS_CONNS of them from a few addresses would shut
 * Prometheus out.  libmicrohttpd (0.9.75 or 1.0) has no limit on a
 * request's whole time, so we add one: each request gets
 * METRICS_REQUEST_S seconds from the connection's start, or from the end
 * of the previous answer on a kept-alive connection, until its answer is
 * sent.  Its notifications (libmicrohttpd's thread) keep a list of the
 * connections, each with its socket and when its request began:
 * NOTIFY_CONNECTION STARTED adds it, NOTIFY_COMPLETED (an answer sent)
 * restarts its clock, CLOSED takes it out.  Once a second the main
 * thread (metrics_publish) shuts down the socket of every connection past
 * its time: libmicrohttpd then reads the end of the stream and closes
 * the connection itself, as if the client had gone.  The list's lock
 * makes that safe: libmicrohttpd closes a socket only after its CLOSED
 * notification (daemon.c, every version from 0.9.60 to 1.0.1), which
 * waits for the lock, so shutdown() never meets a socket number that was
 * closed and given to another file.  A client then holds a connection
 * METRICS_REQUEST_S seconds (and a second) at most, and a scrape waiting
 * behind METRICS_CONNS of them gets a place within that time.
 *
 * Counters are taken as the engine counts them (engine.h: a frame once,
 * at its innermost layer; wire bytes), drops as capture_get_stats()
 * reads them, the store's as store_get_stats() reports them.
 */
#include "config.h"
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "capture.h"
#include "engine.h"
#include "fmt.h"
#include "pipeline.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

#define METRICS_CONNS		64	/* connections at once */
#define METRICS_PER_IP		8	/* connections from one address */
#define METRICS_TIMEOUT_S	10	/* idle seconds before a close */
#define METRICS_REQUEST_S	5	/* seconds a request may take */
#define METRICS_POOL		(16 * 1024)	/* bytes per connection */
#define METRICS_BACKLOG		128
#define METRICS_CTYPE		"text/plain; version=0.0.4; charset=utf-8"

struct metrics {
	int fd;				/* listening socket until started */
	struct MHD_Daemon *mhd;		/* NULL until started */
	unsigned top_hosts;
	double start_time;		/* wall clock, s since the epoch */
	char listen_text[64];		/* the address, for the log */

	pthread_mutex_t lock;		/* guards resp (both threads) */
	struct MHD_Response *resp;	/* the snapshot served; a reference */
	struct MHD_Response *not_found;	/* 404 (read-only once made) */
	struct MHD_Response *bad_method;	/* 405, Allow: GET, HEAD */

	/* main thread only: alerts raised by kind (subscriber) */
	uint64_t raised[ALERT_KIND_COUNT];

	pthread_mutex_t conn_lock;	/* guards conns (both threads) */
	struct metrics_conn *conns;	/* libmicrohttpd's connections */
};

/* One connection of libmicrohttpd's, for the request time limit. */
struct metrics_conn {
	struct metrics_conn *next, *prev;
	int fd;				/* its socket (libmicrohttpd's) */
	int64_t since;			/* monotonic ms: its request began */
	int cut;			/* shut down for taking too long */
};

int
metrics_listen_parse(const char *spec, struct sockaddr_storage *ss,
    socklen_t *len, char **cause)
{
	struct sockaddr_storage tmp;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	char host[64], *end;
	const char *port;
	unsigned long pn;
	size_t hl;

	if (ss == NULL)
		ss = &tmp;
	memset(ss, 0, sizeof *ss);
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || rb[1] != ':')
			goto bad;
		hl = (size_t)(rb - spec - 1);
		if (hl == 0 || hl >= sizeof host)
			goto bad;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		port = rb + 2;
	} else if ((port = strrchr(spec, ':')) != NULL) {
		hl = (size_t)(port - spec);
		if (hl >= sizeof host || memchr(spec, ':', hl) != NULL)
			goto bad;
		memcpy(host, spec, hl);
		host[hl] = '\0';
		port++;
	} else {
		host[0] = '\0';
		port = spec;
	}
	if (*port < '0' || *port > '9')
		goto bad;
	errno = 0;
	pn = strtoul(port, &end, 10);
	if (*end != '\0' || errno != 0 || pn == 0 || pn > 65535)
		goto bad;
	/* no host: loopback; every other address is written out */
	if (host[0] == '\0')
		snprintf(host, sizeof host, "127.0.0.1");
	sin = (struct sockaddr_in *)(void *)ss;
	sin6 = (struct sockaddr_in6 *)(void *)ss;
	if (spec[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)pn);
		if (len != NULL)
			*len = sizeof *sin;
		return 0;
	}
	if (spec[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) ==
	    1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)pn);
		if (len != NULL)
			*len = sizeof *sin6;
		return 0;
	}
bad:
	*cause = xstrdup("expected ADDRESS:PORT with a numeric address "
	    "(127.0.0.1:9796, [::1]:9796, 0.0.0.0:9796 for every "
	    "interface), or :PORT for 127.0.0.1");
	return -1;
}

struct metrics *
metrics_create(const char *spec, unsigned top_hosts, char **cause)
{
	struct sockaddr_storage ss;
	struct metrics *m;
	struct timespec ts;
	socklen_t len;
	int fd, on = 1;

	if (metrics_listen_parse(spec, &ss, &len, cause) != 0)
		return NULL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1) {
		xasprintf(cause, "metrics_listen %s: socket: %s", spec,
		    strerror(errno));
		return NULL;
	}
	/* a restart binds at once, whatever connections linger */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fd, METRICS_BACKLOG) != 0) {
		xasprintf(cause, "metrics_listen %s: %s", spec,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->fd = fd;
	m->top_hosts = top_hosts < METRICS_MAX_TOP_HOSTS ? top_hosts :
	    METRICS_MAX_TOP_HOSTS;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_time = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	snprintf(m->listen_text, sizeof m->listen_text, "%s", spec);
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->conn_lock, NULL);
	return m;
}

/* ---- rendering (main thread) -------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t
metrics_utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (need > n)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	/* C1 and bidi controls and the separators as escapes too */
	if (fmt_cp_unsafe(cp))
		return 0;
	return need;
}

/* A label value as the text format wants it (backslash, quote and
 * newline escaped), with control bytes, invalid UTF-8 and the code
 * points fmt_cp_unsafe() names written byte by byte as the four
 * characters \xNN (the backslash escaped): interface names are bytes an
 * administrator chose, not text. */
static void
metrics_label(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), k;

	while (n > 0) {
		if (*s == '\\' || *s == '"') {
			fputc('\\', f);
			fputc(*s, f);
			k = 1;
		} else if (*s == '\n') {
			fputs("\\n", f);
			k = 1;
		} else if (*s < 0x20 || *s == 0x7f ||
		    (k = metrics_utf8_len(s, n)) == 0) {
			fprintf(f, "\\\\x%02x", *s);
			k = 1;
		} else
			fwrite(s, 1, k, f);
		s += k;
		n -= k;
	}
}

/* The HELP and TYPE lines of a family. */
static void
metrics_family(FILE *f, const char *name, const char *type,
    const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample with one label: name{label="value"} n. */
static void
metrics_sample1(FILE *f, const char *name, const char *label,
    const char *value, uint64_t n)
{
	fprintf(f, "%s{%s=\"", name, label);
	metrics_label(f, value);
	fprintf(f, "\"} %llu\n", (unsigned long long)n);
}

/* One sample with the source label and a second one. */
static void
metrics_sample2(FILE *f, const char *name, const char *source,
    const char *label, const char *value, uint64_t n)
{
	fprintf(f, "%s{source=\"", name);
	metrics_label(f, source);
	fprintf(f, "\",%s=\"%s\"} %llu\n", label, value,
	    (unsigned long long)n);
}

static void
metrics_sources(FILE *f, struct pipeline *p)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} fam[] = {
		{ "wiretop_source_receive_bytes_total", "Wire bytes received "
		  "on the source (towards the capture host, else not from the "
		  "local networks).", offsetof(struct engine_source, rx_bytes) },
		{ "wiretop_source_transmit_bytes_total", "Wire bytes sent on "
		  "the source (from the capture host, else from the local "
		  "networks).", offsetof(struct engine_source, tx_bytes) },
		{ "wiretop_source_receive_packets_total", "Frames received on "
		  "the source.", offsetof(struct engine_source, rx_pkts) },
		{ "wiretop_source_transmit_packets_total", "Frames sent on the "
		  "source.", offsetof(struct engine_source, tx_pkts) },
	};
	static const char *const problems[] = { "truncated", "invalid",
	    "unsupported" };
	static const unsigned problem_status[] = { PKT_TRUNCATED, PKT_INVALID,
	    PKT_UNSUPPORTED };
	struct engine *e = pipeline_engine(p);
	unsigned n = pipeline_source_count(p), i, j;
	struct capture_stats *st;
	const struct engine_source *es;

	st = xcalloc(n > 0 ? n : 1, sizeof *st);
	for (i = 0; i < n; i++)
		capture_get_stats(pipeline_source(p, i), &st[i]);

	metrics_family(f, "wiretop_source_up", "gauge", "1 while the source "
	    "captures; 0 once its interface is down or gone, or its capture "
	    "failed.");
	for (i = 0; i < n; i++)
		metrics_sample1(f, "wiretop_source_up", "source",
		    capture_name(pipeline_source(p, i)),
		    st[i].state == CAPTURE_STATE_RUNNING && !st[i].down &&
		    (i >= engine_source_count(e) ||
		    !engine_source(e, i)->gone));
	for (j = 0; j < sizeof fam / sizeof fam[0]; j++) {
		metrics_family(f, fam[j].name, "counter", fam[j].help);
		for (i = 0; i < n && i < engine_source_count(e); i++) {
			es = engine_source(e, i);
			metrics_sample1(f, fam[j].name, "source",
			    capture_name(pipeline_source(p, i)),
			    *(const uint64_t *)(const void *)
			    ((const char *)es + fam[j].off));
		}
	}
	metrics_family(f, "wiretop_source_drops_total", "counter", "Frames "
	    "lost before the engine saw them: by the kernel (no room in the "
	    "capture buffer), by the interface, or on the ring (the engine "
	    "behind).");
	for (i = 0; i < n; i++) {
		const char *nm = capture_name(pipeline_source(p, i));

		metrics_sample2(f, "wiretop_source_drops_total", nm, "reason",
		    "kernel", st[i].kernel_drops);
		metrics_sample2(f, "wiretop_source_drops_total", nm, "reason",
		    "interface", st[i].if_drops);
		metrics_sample2(f, "wiretop_source_drops_total", nm, "reason",
		    "ring", st[i].ring_drops);
	}
	metrics_family(f, "wiretop_source_decode_problems_total", "counter",
	    "Frames the decoder could not read whole: truncated (the capture "
	    "ended early), invalid (a malformed header) or unsupported (a "
	    "link type or protocol not parsed).");
	for (i = 0; i < n && i < engine_source_count(e); i++) {
		es = engine_source(e, i);
		for (j = 0; j < 3; j++)
			metrics_sample2(f,
			    "wiretop_source_decode_problems_total",
			    capture_name(pipeline_source(p, i)), "kind",
			    problems[j], es->status[problem_status[j]]);
	}
	free(st);
}

static void
metrics_engine(FILE *f, struct engine *e)
{
	const struct engine_totals *t = engine_totals(e);

	metrics_family(f, "wiretop_flows", "gauge", "Flows in the flow table "
	    "now.");
	fprintf(f, "wiretop_flows %zu\n", engine_flow_count(e));
	metrics_family(f, "wiretop_hosts", "gauge", "Hosts in the host table "
	    "now.");
	fprintf(f, "wiretop_hosts %zu\n", engine_host_count(e));
	metrics_family(f, "wiretop_flows_created_total", "counter", "Flows "
	    "created.");
	fprintf(f, "wiretop_flows_created_total %llu\n",
	    (unsigned long long)t->flows_created);
	metrics_family(f, "wiretop_flows_evicted_total", "counter", "Flows "
	    "evicted from the full table (max_flows) before their timeout.");
	fprintf(f, "wiretop_flows_evicted_total %llu\n",
	    (unsigned long long)t->flows_evicted);
	metrics_family(f, "wiretop_hosts_created_total", "counter", "Hosts "
	    "created.");
	fprintf(f, "wiretop_hosts_created_total %llu\n",
	    (unsigned long long)t->hosts_created);
	metrics_family(f, "wiretop_hosts_evicted_total", "counter", "Hosts "
	    "evicted from the full table (max_hosts).");
	fprintf(f, "wiretop_hosts_evicted_total %llu\n",
	    (unsigned long long)t->hosts_evicted);
}

/* Is host a busier than host b (total wire bytes)? */
static int
metrics_busier(const struct host *a, const struct host *b)
{
	return a->bytes_in + a->bytes_out > b->bytes_in + b->bytes_out;
}

/* Sift h[i] down the min-heap of n hosts (the quietest on top). */
static void
metrics_heap_down(const struct host **h, size_t n, size_t i)
{
	const struct host *t;
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && metrics_busier(h[c], h[c + 1]))
			c++;
		if (!metrics_busier(h[i], h[c]))
			return;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

static int
metrics_cmp_busier(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a;
	const struct host *y = *(const struct host *const *)b;

	if (metrics_busier(x, y))
		return -1;
	return metrics_busier(y, x) ? 1 : 0;
}

/* The top_hosts busiest hosts (wire bytes in and out), a min-heap over
 * one walk of the host table. */
static void
metrics_hosts(FILE *f, struct metrics *m, struct engine *e)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "wiretop_host_receive_bytes_total", "Wire bytes received by "
		  "the host (the metrics_top_hosts busiest only)." },
		{ "wiretop_host_transmit_bytes_total", "Wire bytes sent by the "
		  "host (the metrics_top_hosts busiest only)." },
		{ "wiretop_host_receive_packets_total", "Packets received by "
		  "the host (the metrics_top_hosts busiest only)." },
		{ "wiretop_host_transmit_packets_total", "Packets sent by the "
		  "host (the metrics_top_hosts busiest only)." },
	};
	const struct host **h, *x;
	char addr[64];
	size_t n = 0, i, j;
	uint64_t v;

	if (m->top_hosts == 0)
		return;
	engine_sync(e);
	h = xreallocarray(NULL, m->top_hosts, sizeof *h);
	for (x = engine_host_first(e); x != NULL; x = engine_host_next(e, x)) {
		if (n < m->top_hosts) {
			h[n++] = x;
			if (n == m->top_hosts)
				for (i = n / 2; i-- > 0;)
					metrics_heap_down(h, n, i);
		} else if (metrics_busier(x, h[0])) {
			h[0] = x;
			metrics_heap_down(h, n, 0);
		}
	}
	qsort(h, n, sizeof *h, metrics_cmp_busier);
	for (j = 0; j < sizeof fam / sizeof fam[0]; j++) {
		metrics_family(f, fam[j].name, "counter", fam[j].help);
		for (i = 0; i < n; i++) {
			v = j == 0 ? h[i]->bytes_in : j == 1 ?
			    h[i]->bytes_out : j == 2 ? h[i]->pkts_in :
			    h[i]->pkts_out;
			fmt_addr(h[i]->ip_ver, h[i]->addr, addr, sizeof addr);
			metrics_sample1(f, fam[j].name, "host", addr, v);
		}
	}
	free(h);
}

static void
metrics_store(FILE *f, struct store *s)
{
	struct store_stats st;

	store_get_stats(s, &st);
	metrics_family(f, "wiretop_store_rows_written_total", "counter",
	    "Rows written to the history database: flow records and "
	    "per-second interface samples.");
	fprintf(f, "wiretop_store_rows_written_total{table=\"flows\"} %llu\n",
	    (unsigned long long)st.flows);
	fprintf(f, "wiretop_store_rows_written_total{table=\"samples\"} "
	    "%llu\n", (unsigned long long)st.samples);
	metrics_family(f, "wiretop_store_batches_written_total", "counter",
	    "Batches (one transaction each) written to the history "
	    "database.");
	fprintf(f, "wiretop_store_batches_written_total %llu\n",
	    (unsigned long long)st.batches);
	metrics_family(f, "wiretop_store_batches_dropped_total", "counter",
	    "Batches dropped because the queue to the store was full.");
	fprintf(f, "wiretop_store_batches_dropped_total %llu\n",
	    (unsigned long long)st.dropped);
	metrics_family(f, "wiretop_store_retries_total", "counter", "Writes "
	    "retried after an error (busy, full or failing disk).");
	fprintf(f, "wiretop_store_retries_total %llu\n",
	    (unsigned long long)st.retries);
	metrics_family(f, "wiretop_store_queued_batches", "gauge", "Batches "
	    "waiting to be written.");
	fprintf(f, "wiretop_store_queued_batches %zu\n", st.queued);
	metrics_family(f, "wiretop_store_degraded", "gauge", "1 while the "
	    "history is paused (writes failing, being retried) or stopped; "
	    "else 0.");
	fprintf(f, "wiretop_store_degraded %d\n", st.paused || st.failed);
}

static void
metrics_alerts(FILE *f, struct metrics *m, struct alerts *a)
{
	uint64_t active[ALERT_KIND_COUNT];
	const struct alert *x;
	size_t i;
	unsigned k;

	memset(active, 0, sizeof active);
	for (i = 0; a != NULL && (x = alerts_get(a, i)) != NULL; i++)
		if (x->state != ALERT_RESOLVED && (unsigned)x->kind <
		    ALERT_KIND_COUNT)
			active[x->kind]++;
	metrics_family(f, "wiretop_alerts_active", "gauge", "Alerts not "
	    "resolved (active or acknowledged), among those kept in memory "
	    "(alert_keep), by detector.");
	for (k = 0; k < ALERT_KIND_COUNT; k++)
		metrics_sample1(f, "wiretop_alerts_active", "kind",
		    alert_kind_name(k), active[k]);
	metrics_family(f, "wiretop_alerts_raised_total", "counter", "Alerts "
	    "raised (new, not their repeats), by detector.");
	for (k = 0; k < ALERT_KIND_COUNT; k++)
		metrics_sample1(f, "wiretop_alerts_raised_total", "kind",
		    alert_kind_name(k), m->raised[k]);
}

static void
metrics_process(FILE *f, struct metrics *m)
{
	metrics_family(f, "wiretop_start_time_seconds", "gauge", "When the "
	    "daemon started, seconds since the epoch.");
	fprintf(f, "wiretop_start_time_seconds %.3f\n", m->start_time);
	metrics_family(f, "wiretop_build_info", "gauge", "1, labelled with "
	    "the version of wiretop and of libmicrohttpd.");
	fprintf(f, "wiretop_build_info{version=\"");
	metrics_label(f, PACKAGE_VERSION);
	fprintf(f, "\",libmicrohttpd=\"");
	metrics_label(f, MHD_get_version());
	fprintf(f, "\"} 1\n");
}

void
metrics_alert_event(void *arg, const struct alert *a, enum alert_event ev)
{
	struct metrics *m = arg;

	if (ev == ALERT_EV_NEW && (unsigned)a->kind < ALERT_KIND_COUNT)
		m->raised[a->kind]++;
}

/* Shut down the socket of every connection whose request has taken
 * METRICS_REQUEST_S seconds (main thread).  The lock holds off the CLOSED
 * notification, so each socket is still the connection's. */
static void
metrics_cut_slow(struct metrics *m)
{
	struct metrics_conn *mc;
	int64_t now = (int64_t)proc_mono_ms();

	pthread_mutex_lock(&m->conn_lock);
	for (mc = m->conns; mc != NULL; mc = mc->next) {
		if (mc->cut || now - mc->since < METRICS_REQUEST_S * 1000)
			continue;
		(void)shutdown(mc->fd, SHUT_RDWR);
		mc->cut = 1;
	}
	pthread_mutex_unlock(&m->conn_lock);
}

void
metrics_publish(struct metrics *m, struct pipeline *p, struct store *s,
    struct alerts *a)
{
	struct MHD_Response *r, *old;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (m == NULL)
		return;
	metrics_cut_slow(m);
	if ((f = open_memstream(&buf, &len)) == NULL)
		return;
	if (p != NULL) {
		metrics_sources(f, p);
		metrics_engine(f, pipeline_engine(p));
		metrics_hosts(f, m, pipeline_engine(p));
	}
	if (s != NULL)
		metrics_store(f, s);
	metrics_alerts(f, m, a);
	metrics_process(f, m);
	if (fclose(f) != 0) {
		free(buf);
		return;
	}
	r = MHD_create_response_from_buffer_with_free_callback(len, buf,
	    free);
	if (r == NULL) {
		free(buf);
		return;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    METRICS_CTYPE) != MHD_YES) {
		MHD_destroy_response(r);
		return;
	}
	pthread_mutex_lock(&m->lock);
	old = m->resp;
	m->resp = r;
	pthread_mutex_unlock(&m->lock);
	/* connections still sending the old one hold their references */
	if (old != NULL)
		MHD_destroy_response(old);
}

/* ---- serving (libmicrohttpd's thread) ----------------------------- */

/* GET and HEAD /metrics: the snapshot; other paths 404, other methods
 * 405.  A request body is never read: the answer goes first, and the
 * connection is closed after it. */
static enum MHD_Result
metrics_answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req)
{
	struct metrics *m = cls;
	enum MHD_Result rc;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(url, "/metrics") != 0)
		return MHD_queue_response(c, MHD_HTTP_NOT_FOUND, m->not_found);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    m->bad_method);
	pthread_mutex_lock(&m->lock);
	rc = MHD_queue_response(c, MHD_HTTP_OK, m->resp);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* NOTIFY_CONNECTION: a connection starts (into the list, its request's
 * clock started) or is closed (out of it; its socket is closed after
 * this returns). */
static void
metrics_notify_conn(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct metrics *m = cls;
	struct metrics_conn *mc = *ctx;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL)
			return;
		mc = xcalloc(1, sizeof *mc);
		mc->fd = ci->connect_fd;
		mc->since = (int64_t)proc_mono_ms();
		pthread_mutex_lock(&m->conn_lock);
		mc->next = m->conns;
		if (m->conns != NULL)
			m->conns->prev = mc;
		m->conns = mc;
		pthread_mutex_unlock(&m->conn_lock);
		*ctx = mc;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && mc != NULL) {
		pthread_mutex_lock(&m->conn_lock);
		if (mc->prev != NULL)
			mc->prev->next = mc->next;
		else
			m->conns = mc->next;
		if (mc->next != NULL)
			mc->next->prev = mc->prev;
		pthread_mutex_unlock(&m->conn_lock);
		free(mc);
		*ctx = NULL;
	}
}

/* NOTIFY_COMPLETED: an answer was sent (or the request failed); on a
 * kept-alive connection the next request's clock starts now. */
static void
metrics_notify_done(void *cls, struct MHD_Connection *c, void **req,
    enum MHD_RequestTerminationCode code)
{
	struct metrics *m = cls;
	const union MHD_ConnectionInfo *ci;
	struct metrics_conn *mc;

	(void)req;
	(void)code;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (mc = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&m->conn_lock);
	mc->since = (int64_t)proc_mono_ms();
	pthread_mutex_unlock(&m->conn_lock);
}

/* A fixed plain-text answer. */
static struct MHD_Response *
metrics_static(const char *text)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r != NULL && MHD_add_response_header(r,
	    MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8") !=
	    MHD_YES) {
		MHD_destroy_response(r);
		r = NULL;
	}
	return r;
}

int
metrics_start(struct metrics *m, struct pipeline *p, struct store *s,
    struct alerts *a, char **cause)
{
	m->not_found = metrics_static("not found: wiretop serves /metrics\n");
	m->bad_method = metrics_static("method not allowed: GET or HEAD\n");
	if (m->not_found == NULL || m->bad_method == NULL ||
	    MHD_add_response_header(m->bad_method, MHD_HTTP_HEADER_ALLOW,
	    "GET, HEAD") != MHD_YES) {
		xasprintf(cause, "metrics: cannot make the responses");
		return -1;
	}
	metrics_publish(m, p, s, a);
	if (m->resp == NULL) {
		xasprintf(cause, "metrics: cannot make the first snapshot");
		return -1;
	}
	/* One internal thread (epoll where there is one).  No error log:
	 * hostile clients would fill the daemon's log with it. */
	m->mhd = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
	    metrics_answer, m,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)m->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONNS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)METRICS_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_POOL,
	    MHD_OPTION_NOTIFY_CONNECTION, metrics_notify_conn, m,
	    MHD_OPTION_NOTIFY_COMPLETED, metrics_notify_done, m,
	    MHD_OPTION_END);
	if (m->mhd == NULL) {
		xasprintf(cause, "metrics: libmicrohttpd cannot serve on %s",
		    m->listen_text);
		return -1;
	}
	m->fd = -1;		/* libmicrohttpd's now: it closes it */
	return 0;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd);
	if (m->fd >= 0)
		close(m->fd);
	if (m->resp != NULL)
		MHD_destroy_response(m->resp);
	if (m->not_found != NULL)
		MHD_destroy_response(m->not_found);
	if (m->bad_method != NULL)
		MHD_destroy_response(m->bad_method);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->conn_lock);
	free(m);
}
