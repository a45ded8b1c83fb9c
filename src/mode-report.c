/*
 * mode-report.c: `wiretop report`: one summary of capture files or of the
 * history database as text, JSON or a self-contained HTML page with
 * inline SVG charts.
 *
 * Main thread only.  The pipeline runs as for export (files read as fast
 * as they can be, several -r merged by time); the report is an engine
 * sink:
 * - the tick (once per new packet-time second, before the packet that
 *   starts it is counted) closes the second before it: the totals' and
 *   sources' counters since the last tick are that second's packets,
 *   bytes, rx and tx bytes;
 * - flow records give the services (each frame once, at its innermost
 *   layer: a tunnel's frames that were opened are its inner flows'), the
 *   handshake RTTs (one per flow: partial records are left out) and the
 *   retransmitted segments.
 * After the input ends the host table gives the top talkers, and the alert
 * detectors (alert.c, with the configuration's settings) the alerts, as
 * they stand at the end of the input.  Nothing of
 * the wall clock goes into the report: the same input gives the same
 * bytes.  With --since/--until the files are first cut to that window
 * (report_cut).
 *
 * Without -r (or with --db) the same report comes from the history
 * database, over a read-only connection, in one read transaction so that
 * every section sees the same snapshot while a writer commits: totals,
 * peaks, the series, drops and sources from the finest sample tier that
 * holds the whole range; talkers and services from the per-hour and
 * per-day totals over the whole hours inside the range; flows, TCP health
 * and the first and last packet time from the flow records that start in
 * it; alerts from the alerts table.  Either way the formats print one
 * model (struct report after report_finish), never the engine.  Every captured string (names) and every file name is escaped
 * for the output it goes to: fmt_escape_one() for the terminal, the JSON
 * writer's escaping for JSON, and both fmt_escape_one() and HTML entities
 * for HTML.
 */
#include "config.h"
#include "mode.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "fmt.h"
#include "geoip.h"
#include "log.h"
#include "out.h"
#include "pcapfile.h"
#include "pipeline.h"
#include "proc.h"
#include "store.h"
#include "xmalloc.h"

#define REPORT_SCHEMA		"wiretop.report/1"
#define REPORT_BATCH		4096	/* records per pipeline_drain */
#define REPORT_TOP		10	/* talkers and services listed */
#define REPORT_MAX_POINTS	300	/* points of the traffic series */
#define REPORT_NAME_MAX		48	/* characters of a name in a table */
#define REPORT_ALERTS		50	/* alerts listed at most */
#define NS_PER_SEC		1000000000ull

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_HTML,
};

/* One second, or one bucket of the series. */
struct report_sec {
	uint64_t sec;		/* packet time, s since epoch (bucket start) */
	uint64_t bytes;		/* wire bytes */
	uint64_t pkts;
	uint64_t rx;		/* wire bytes received (engine_source) */
	uint64_t tx;		/* wire bytes sent */
};

struct report_svc {
	char *name;		/* owned; NULL: no service known */
	uint8_t proto;
	int noproto;		/* --db: proto unknown (no flow record of
				   the service is left) */
	uint64_t bytes;		/* wire bytes, each frame once */
	uint64_t pkts;
	uint64_t flows;		/* flows (partial records not counted) */
};

/* A source as the report lists it. */
struct report_src {
	char *name;		/* owned */
	uint64_t packets;
	uint64_t bytes;		/* wire bytes */
	uint64_t bad_records;	/* -r only */
	int truncated;		/* -r only: the file ended inside a record */
};

/* A top talker. */
struct report_host {
	char *addr;		/* owned */
	char *name;		/* owned; NULL: none learned */
	uint8_t ip_ver;		/* 4, 6; 0: not an address (ordered last) */
	uint8_t packed[16];	/* the address, for the order */
	uint64_t bytes_in;	/* wire bytes received */
	uint64_t bytes_out;	/* wire bytes sent */
	uint64_t pkts;
	char cc[3];		/* country (GeoIP), "" unknown */
	uint32_t asn;		/* AS number, 0 unknown */
	char as_org[GEOIP_NAME_MAX + 1];	/* "" unknown; from a
						   database: escaped where
						   it goes */
};

/* An alert stored in the history (the alerts table). */
struct report_alert {
	int64_t ts;		/* s since epoch */
	int64_t severity;
	char *kind, *subject, *message, *state;	/* owned; subject may be
						   NULL */
};

struct report {
	enum report_format format;
	struct engine *engine;		/* -r */
	struct pipeline *p;		/* -r */

	/* seconds with packets, in order (--db: rows of the sample tier,
	 * res seconds each) */
	struct report_sec *secs;
	size_t nsecs, capsecs;
	uint64_t cur_sec;	/* second being counted */
	struct report_sec last;	/* counters at the last tick */
	uint64_t res;		/* seconds a row of secs covers: 1, 60, 3600 */

	struct report_svc *svc;	/* services, then sorted */
	size_t nsvc, capsvc;

	uint32_t *rtt;		/* handshake RTTs, us */
	size_t nrtt, caprtt;
	uint64_t flows;		/* flows ended (partial records not counted) */
	uint64_t retrans;	/* retransmitted TCP segments */
	uint64_t tcp_pkts;	/* TCP segments */

	/* worked out at the end: what the formats print */
	struct report_src *srcs;
	size_t nsrcs;
	uint64_t packets, bytes;
	uint64_t first_ns, last_ns;	/* packet times (packets > 0) */
	struct report_host *top;	/* top talkers */
	size_t ntop;
	uint64_t nhosts;		/* hosts with traffic of their own */
	struct report_sec *buckets;	/* the series */
	size_t nbuckets;
	uint64_t step;			/* seconds per bucket */
	size_t peak_b, peak_p;		/* index in secs */
	int split;			/* -r: decode status and drops by
					   kind; --db: only their sums */
	uint64_t status[PKT_STATUS_COUNT];
	uint64_t decode_errors;		/* truncated + invalid + unsupported */
	uint64_t drops;			/* kernel + interface + ring */
	uint64_t drops_kernel, drops_iface, drops_ring, bad_records;
	uint64_t filtered;
	unsigned truncated_files;
	struct report_alert *alerts;	/* at most REPORT_ALERTS */
	size_t nalerts;
	uint64_t alerts_total;
	int64_t alerts_until;		/* --db: alerts up to here (no
					   --until: those raised when the
					   input ended too, which may carry a
					   later time) */

	/* --db, and -r with --since/--until */
	int db;				/* read from the history database */
	int alerts_checked;		/* -r: the detectors ran; --db: the
					   database keeps alerts (schema 3
					   on, store_alert_kept) */
	char *db_path;			/* owned */
	int windowed;			/* since and until apply */
	int64_t since, until;		/* [since, until), s */
	int open_end;			/* no data stored at or after until */
	int64_t hour0, hour1;		/* whole hours of host and service
					   totals: [hour0, hour1) */
	int rounded;			/* the hours are not [since, until) */
};

/* The counters now, summed over the sources. */
static void
report_counters(const struct engine *e, struct report_sec *s)
{
	const struct engine_totals *t = engine_totals(e);
	const struct engine_source *src;
	unsigned i;

	memset(s, 0, sizeof *s);
	s->bytes = t->bytes;
	s->pkts = t->packets;
	for (i = 0; i < engine_source_count(e); i++) {
		src = engine_source(e, i);
		s->rx += src->rx_bytes;
		s->tx += src->tx_bytes;
	}
}

/* Close the second being counted: what came since the last tick. */
static void
report_close_sec(struct report *r, const struct engine *e)
{
	struct report_sec now, *s;

	report_counters(e, &now);
	if (now.pkts != r->last.pkts) {
		if (r->nsecs == r->capsecs) {
			r->capsecs = r->capsecs * 2 + 64;
			r->secs = xreallocarray(r->secs, r->capsecs,
			    sizeof *r->secs);
		}
		s = &r->secs[r->nsecs++];
		s->sec = r->cur_sec;
		s->bytes = now.bytes - r->last.bytes;
		s->pkts = now.pkts - r->last.pkts;
		s->rx = now.rx - r->last.rx;
		s->tx = now.tx - r->last.tx;
	}
	r->last = now;
}

/* Engine tick: the clock entered a new second. */
static void
report_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	struct report *r = arg;

	report_close_sec(r, e);
	r->cur_sec = now_ns / NS_PER_SEC;
}

/* The services row of name (NULL: "other" of protocol proto), made if
 * new. */
static struct report_svc *
report_svc_get(struct report *r, const char *name, uint8_t proto)
{
	struct report_svc *v;
	size_t i;

	for (i = 0; i < r->nsvc; i++) {
		v = &r->svc[i];
		if (name == NULL ? v->name == NULL && v->proto == proto :
		    v->name != NULL && strcmp(v->name, name) == 0)
			return v;
	}
	if (r->nsvc == r->capsvc) {
		r->capsvc = r->capsvc * 2 + 16;
		r->svc = xreallocarray(r->svc, r->capsvc, sizeof *r->svc);
	}
	v = &r->svc[r->nsvc++];
	memset(v, 0, sizeof *v);
	v->name = name != NULL ? xstrdup(name) : NULL;
	v->proto = proto;
	return v;
}

/* Engine flow sink: services, RTTs, retransmissions. */
static void
report_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct report *r = arg;
	const struct flow_tunnel *tu;
	struct report_svc *v;
	uint64_t bytes, pkts;

	tu = engine_flow_tunnel(r->engine, f);
	bytes = f->dir[0].wire_bytes + f->dir[1].wire_bytes;
	pkts = f->dir[0].pkts + f->dir[1].pkts;
	if (tu != NULL) {
		bytes -= tu->inner_wire[0] + tu->inner_wire[1];
		pkts -= tu->inner_pkts[0] + tu->inner_pkts[1];
	}
	v = report_svc_get(r, flow_service(f), f->key.proto);
	v->bytes += bytes;
	v->pkts += pkts;
	if (f->key.proto == 6) {
		r->retrans += f->retrans;
		r->tcp_pkts += f->dir[0].pkts + f->dir[1].pkts;
	}
	if (why == FLOW_END_ACTIVE)
		return;		/* the flow goes on: counted at its end */
	v->flows++;
	r->flows++;
	if (f->key.proto == 6 && f->rtt_us != 0) {
		if (r->nrtt == r->caprtt) {
			r->caprtt = r->caprtt * 2 + 64;
			r->rtt = xreallocarray(r->rtt, r->caprtt,
			    sizeof *r->rtt);
		}
		r->rtt[r->nrtt++] = f->rtt_us;
	}
}

static int
report_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Services by bytes, then name. */
static int
report_svc_cmp(const void *a, const void *b)
{
	const struct report_svc *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if ((x->name == NULL) != (y->name == NULL))
		return x->name == NULL ? 1 : -1;
	if (x->name != NULL)
		return strcmp(x->name, y->name);
	return x->proto < y->proto ? -1 : x->proto > y->proto;
}

/* Talkers by bytes sent and received, then address (IPv4 first). */
static int
report_host_cmp(const void *a, const void *b)
{
	const struct report_host *x = a, *y = b;
	uint64_t bx = x->bytes_in + x->bytes_out;
	uint64_t by = y->bytes_in + y->bytes_out;

	if (bx != by)
		return bx > by ? -1 : 1;
	if (x->ip_ver != y->ip_ver)
		return (x->ip_ver == 0 ? 7 : x->ip_ver) <
		    (y->ip_ver == 0 ? 7 : y->ip_ver) ? -1 : 1;
	if (x->ip_ver == 0)
		return strcmp(x->addr, y->addr);
	return memcmp(x->packed, y->packed, sizeof x->packed);
}

/* Fill h's address and its order key from the text form a. */
static void
report_host_addr(struct report_host *h, const char *a)
{
	h->addr = xstrdup(a);
	memset(h->packed, 0, sizeof h->packed);
	if (inet_pton(AF_INET, a, h->packed) == 1)
		h->ip_ver = 4;
	else if (inet_pton(AF_INET6, a, h->packed) == 1)
		h->ip_ver = 6;
	else
		h->ip_ver = 0;
}

/* Keep h among the REPORT_TOP best in r->top (ownership moves). */
static void
report_top_add(struct report *r, struct report_host *h)
{
	size_t i;

	if (r->top == NULL)
		r->top = xcalloc(REPORT_TOP + 1, sizeof *r->top);
	i = r->ntop;
	if (i == REPORT_TOP) {
		if (report_host_cmp(h, &r->top[i - 1]) >= 0) {
			free(h->addr);
			free(h->name);
			return;
		}
		i--;
		free(r->top[i].addr);
		free(r->top[i].name);
	} else
		r->ntop++;
	while (i > 0 && report_host_cmp(h, &r->top[i - 1]) < 0) {
		r->top[i] = r->top[i - 1];
		i--;
	}
	r->top[i] = *h;
}

/* The RTT at percentile pct by nearest rank (the ceil(pct/100 * n)-th
 * smallest), in us; r->rtt is sorted and not empty. */
static uint32_t
report_rank(const struct report *r, unsigned pct)
{
	size_t k = (r->nrtt * pct + 99) / 100;

	return r->rtt[k > 0 ? k - 1 : 0];
}

/* From the engine and the sources: what the formats print of a run on
 * capture files. */
static void
report_finish_files(struct report *r)
{
	const struct engine *e = r->engine;
	const struct engine_totals *t = engine_totals(e);
	const struct host *h;
	struct report_host x;
	struct capture_stats cs;
	char addr[FMT_ADDR_MAX];
	const char *name;
	size_t i;

	/* top talkers: hosts with traffic of their own (a tunnel endpoint
	 * whose every frame counted at the hosts inside has none) */
	for (h = engine_host_first(e); h != NULL; h = engine_host_next(e, h)) {
		if (h->pkts_in + h->pkts_out == 0)
			continue;
		r->nhosts++;
		memset(&x, 0, sizeof x);
		fmt_addr(h->ip_ver, h->addr, addr, sizeof addr);
		x.addr = xstrdup(addr);
		x.ip_ver = h->ip_ver;
		memcpy(x.packed, h->addr, sizeof x.packed);
		if (h->ip_ver == 4)
			memset(x.packed + 4, 0, sizeof x.packed - 4);
		x.bytes_in = h->bytes_in;
		x.bytes_out = h->bytes_out;
		x.pkts = h->pkts_in + h->pkts_out;
		name = engine_name_lookup(e, h->ip_ver, h->addr);
		x.name = name != NULL ? xstrdup(name) : NULL;
		if (h->geo.cc[0] != '\0')
			geoip_cc(&h->geo, x.cc);
		x.asn = h->geo.asn;
		snprintf(x.as_org, sizeof x.as_org, "%s",
		    geoip_str(engine_geoip(e), h->geo.org));
		report_top_add(r, &x);
	}

	r->packets = t->packets;
	r->bytes = t->bytes;
	r->first_ns = t->first_ns;
	r->last_ns = t->last_ns;
	r->split = 1;
	memcpy(r->status, t->status, sizeof r->status);
	r->decode_errors = t->status[PKT_TRUNCATED] + t->status[PKT_INVALID] +
	    t->status[PKT_UNSUPPORTED];
	r->nsrcs = pipeline_source_count(r->p);
	r->srcs = xcalloc(r->nsrcs + 1, sizeof *r->srcs);
	for (i = 0; i < r->nsrcs; i++) {
		struct capture *c = pipeline_source(r->p, i);

		capture_get_stats(c, &cs);
		r->srcs[i].name = xstrdup(capture_name(c));
		r->srcs[i].packets = cs.packets;
		r->srcs[i].bytes = cs.bytes;
		r->srcs[i].bad_records = cs.bad_records;
		r->srcs[i].truncated = cs.truncated != 0;
		r->drops_kernel += cs.kernel_drops;
		r->drops_iface += cs.if_drops;
		r->drops_ring += cs.ring_drops;
		r->bad_records += cs.bad_records;
		r->filtered += cs.filtered;
		r->truncated_files += cs.truncated != 0;
	}
	r->drops = r->drops_kernel + r->drops_iface + r->drops_ring;
	r->res = 1;
}

/* Work out the order, the peaks and the series. */
static void
report_finish(struct report *r)
{
	static const uint64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300,
	    600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800,
	    604800, 2592000, 31536000 };
	size_t i, b;
	uint64_t first, last, span;

	if (r->nsvc > 0)
		qsort(r->svc, r->nsvc, sizeof *r->svc, report_svc_cmp);
	if (r->nrtt > 0)
		qsort(r->rtt, r->nrtt, sizeof *r->rtt, report_u32_cmp);

	/* peaks: the first second (row) with the most bytes, and packets */
	for (i = 0; i < r->nsecs; i++) {
		if (r->secs[i].bytes > r->secs[r->peak_b].bytes)
			r->peak_b = i;
		if (r->secs[i].pkts > r->secs[r->peak_p].pkts)
			r->peak_p = i;
	}

	/* series: the smallest step (at least a row of secs) that gives at
	 * most REPORT_MAX_POINTS buckets, aligned on multiples of the step */
	if (r->nsecs > 0) {
		first = r->secs[0].sec;
		last = r->secs[r->nsecs - 1].sec;
		r->step = steps[sizeof steps / sizeof steps[0] - 1];
		for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			if (steps[i] < r->res || steps[i] % r->res != 0)
				continue;
			span = last / steps[i] - first / steps[i] + 1;
			if (span <= REPORT_MAX_POINTS) {
				r->step = steps[i];
				break;
			}
		}
		r->nbuckets = (size_t)(last / r->step - first / r->step + 1);
		r->buckets = xcalloc(r->nbuckets, sizeof *r->buckets);
		for (b = 0; b < r->nbuckets; b++)
			r->buckets[b].sec = (first / r->step + b) * r->step;
		for (i = 0; i < r->nsecs; i++) {
			b = (size_t)(r->secs[i].sec / r->step -
			    first / r->step);
			r->buckets[b].bytes += r->secs[i].bytes;
			r->buckets[b].pkts += r->secs[i].pkts;
			r->buckets[b].rx += r->secs[i].rx;
			r->buckets[b].tx += r->secs[i].tx;
		}
	}
}

/* ---- escaping ------------------------------------------------------- */

/* s escaped for a terminal (fmt_escape_one) into out, at most max
 * characters of s ("..." then ends it). */
static void
report_esc(const char *s, size_t max, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[FMT_ESC_MAX];
	size_t used = 0, n, k = 0;

	out[0] = '\0';
	while (*p != '\0') {
		if (k == max) {
			if (used + 4 <= len)
				memcpy(out + used, "...", 4);
			return;
		}
		n = fmt_escape_one(p, one);
		if (used + strlen(one) + 1 > len)
			break;
		memcpy(out + used, one, strlen(one) + 1);
		used += strlen(one);
		p += n;
		k++;
	}
}

/* Write s (already terminal-escaped) with HTML entities for & < > " '. */
static void
report_html_put(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		default:
			fputc(*s, fp);
			break;
		}
	}
}

/* Any string from outside (captured names, file names) for HTML. */
static void
report_html_str(FILE *fp, const char *s, size_t max)
{
	char buf[REPORT_NAME_MAX * FMT_ESC_MAX + 8];

	report_esc(s, max, buf, sizeof buf);
	report_html_put(fp, buf);
}

/* ---- common pieces ------------------------------------------------- */

static const char *
report_time(uint64_t sec, char *buf, size_t len)
{
	char *dot;

	fmt_time_iso(sec * NS_PER_SEC, buf, len);
	if ((dot = strchr(buf, '.')) != NULL) {
		dot[0] = 'Z';
		dot[1] = '\0';
	}
	return buf;
}

static const char *
report_svc_label(const struct report_svc *v, char *buf, size_t len)
{
	const char *pn = proto_name(v->proto);

	if (v->name != NULL)
		snprintf(buf, len, "%s", v->name);
	else if (pn != NULL)
		snprintf(buf, len, "other %s", pn);
	else
		snprintf(buf, len, "other proto %u", v->proto);
	return buf;
}

/* Share a/b in hundredths of a percent. */
static uint64_t
report_share(uint64_t a, uint64_t b)
{
	return b == 0 ? 0 : (a * 10000 + b / 2) / b;
}

/* "2026-11-28 14:00" of an hour, into buf. */
static const char *
report_hour(int64_t sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

/* The hours of host and service totals, as a sentence (into buf). */
static const char *
report_hours(const struct report *r, char *buf, size_t len)
{
	char a[32], b[32];

	if (r->hour1 <= r->hour0) {
		snprintf(buf, len, "none: no whole hour lies inside the "
		    "range (talkers and services are kept per hour)");
		return buf;
	}
	report_hour(r->hour0, a, sizeof a);
	report_hour(r->hour1, b, sizeof b);
	if (strncmp(a, b, 11) == 0)	/* the same day: "to 18:00" */
		memmove(b, b + 11, strlen(b + 11) + 1);
	snprintf(buf, len, "from %s to %s UTC (whole hours%s)", a, b,
	    r->rounded ? ": the range's edges are rounded inwards to the "
	    "hour" : "");
	return buf;
}

/* "1-second", "1-minute", "1-hour". */
static const char *
report_res_name(uint64_t res)
{
	return res == 1 ? "1-second" : res == 60 ? "1-minute" : "1-hour";
}

static void
report_text(struct report *r, FILE *fp)
{
	const struct report_sec *s;
	const struct report_host *h;
	const struct report_alert *al;
	char b1[64], b2[64], b3[160];
	char esc[REPORT_NAME_MAX * FMT_ESC_MAX + 8];
	char big[200 * FMT_ESC_MAX + 8];
	size_t i;

	fputs("wiretop report\n", fp);
	if (r->db) {
		report_esc(r->db_path, 200, big, sizeof big);
		fprintf(fp, "\nHistory database\n  %-12s %s\n", "file", big);
	}
	if (r->windowed) {
		if (!r->db)
			fputs("\nWindow\n", fp);
		fprintf(fp, "  %-12s %s\n", "from",
		    report_time((uint64_t)r->since, b1, sizeof b1));
		fprintf(fp, "  %-12s %s%s\n", "until",
		    report_time((uint64_t)r->until, b1, sizeof b1),
		    r->open_end ? " (the newest data stored)" : "");
		if (r->db)
			fprintf(fp, "  %-12s %s\n", "hours",
			    report_hours(r, b3, sizeof b3));
	}
	fputs("\nSources\n", fp);
	for (i = 0; i < r->nsrcs; i++) {
		report_esc(r->srcs[i].name, 200, big, sizeof big);
		fprintf(fp, "  %s\n", big);
	}
	fprintf(fp, "\nTotals\n");
	fprintf(fp, "  %-12s %" PRIu64 "\n", "packets", r->packets);
	fprintf(fp, "  %-12s %" PRIu64 " (%s)\n", "bytes", r->bytes,
	    fmt_size(r->bytes, b1, sizeof b1));
	fprintf(fp, "  %-12s %" PRIu64 "\n", "flows", r->flows);
	fprintf(fp, "  %-12s %" PRIu64 "\n", "hosts", r->nhosts);
	if (r->packets > 0) {
		fprintf(fp, "  %-12s %s\n", "first",
		    fmt_time_iso(r->first_ns, b1, sizeof b1));
		fprintf(fp, "  %-12s %s\n", "last",
		    fmt_time_iso(r->last_ns, b1, sizeof b1));
		fprintf(fp, "  %-12s %s\n", "duration",
		    fmt_duration((double)(r->last_ns - r->first_ns) / 1e9,
		    b1, sizeof b1));
	}

	fprintf(fp, "\nPeak rate (%s buckets%s)\n", report_res_name(r->res),
	    r->res > 1 ? ": the per-second samples of this range are no "
	    "longer kept, so the peak is this bucket's average" : "");
	if (r->nsecs > 0) {
		s = &r->secs[r->peak_b];
		fprintf(fp, "  %-12s %" PRIu64 " (%s) at %s\n", "bytes/s",
		    s->bytes / r->res, fmt_rate((double)s->bytes /
		    (double)r->res, 0, 0, b1, sizeof b1),
		    report_time(s->sec, b2, sizeof b2));
		s = &r->secs[r->peak_p];
		fprintf(fp, "  %-12s %" PRIu64 " at %s\n", "packets/s",
		    s->pkts / r->res, report_time(s->sec, b2, sizeof b2));
	} else
		fputs("  no packets\n", fp);

	if (r->nbuckets > 0)
		fprintf(fp, "\nTraffic over time (%" PRIu64 " s buckets)\n",
		    r->step);
	else
		fputs("\nTraffic over time\n  no packets\n", fp);
	if (r->nbuckets > 0)
		fprintf(fp, "  %-20s %14s %10s %14s %14s\n", "time", "bytes",
		    "packets", "rx_bytes", "tx_bytes");
	for (i = 0; i < r->nbuckets; i++) {
		s = &r->buckets[i];
		fprintf(fp, "  %-20s %14" PRIu64 " %10" PRIu64 " %14" PRIu64
		    " %14" PRIu64 "\n", report_time(s->sec, b1, sizeof b1),
		    s->bytes, s->pkts, s->rx, s->tx);
	}

	fprintf(fp, "\nTop talkers (wire bytes sent and received%s)\n",
	    r->db ? ", whole hours" : "");
	if (r->ntop > 0)
		fprintf(fp, "  %3s %14s %14s %14s %10s  %-2s %10s  %-39s "
		    "%s\n", "#", "bytes", "bytes_in", "bytes_out", "packets",
		    "cc", "asn", "address", "name");
	for (i = 0; i < r->ntop; i++) {
		h = &r->top[i];
		report_esc(h->addr, FMT_ADDR_MAX, b3, sizeof b3);
		if (h->name != NULL)
			report_esc(h->name, REPORT_NAME_MAX, esc, sizeof esc);
		if (h->asn != 0)
			snprintf(b1, sizeof b1, "%lu", (unsigned long)h->asn);
		fprintf(fp, "  %3zu %14" PRIu64 " %14" PRIu64 " %14" PRIu64
		    " %10" PRIu64 "  %-2s %10s  %-39s %s\n", i + 1,
		    h->bytes_in + h->bytes_out, h->bytes_in, h->bytes_out,
		    h->pkts, h->cc[0] != '\0' ? h->cc : "--",
		    h->asn != 0 ? b1 : "-", b3, h->name != NULL ? esc : "-");
	}

	fprintf(fp, "\nTop services (wire bytes, each frame once%s)\n",
	    r->db ? ", whole hours" : "");
	if (r->nsvc > 0)
		fprintf(fp, "  %3s %14s %10s %8s  %s\n", "#", "bytes",
		    "packets", "flows", "service");
	for (i = 0; i < r->nsvc && i < REPORT_TOP; i++) {
		report_esc(report_svc_label(&r->svc[i], b1, sizeof b1),
		    REPORT_NAME_MAX, esc, sizeof esc);
		fprintf(fp, "  %3zu %14" PRIu64 " %10" PRIu64 " %8" PRIu64
		    "  %s\n", i + 1, r->svc[i].bytes, r->svc[i].pkts,
		    r->svc[i].flows, esc);
	}

	fprintf(fp, "\nTCP health\n");
	fprintf(fp, "  %-22s %zu\n", "flows with an RTT", r->nrtt);
	if (r->nrtt > 0) {
		fprintf(fp, "  %-22s %.6f s\n", "handshake RTT median",
		    report_rank(r, 50) / 1e6);
		fprintf(fp, "  %-22s %.6f s\n", "handshake RTT p95",
		    report_rank(r, 95) / 1e6);
		fprintf(fp, "  %-22s %.6f s\n", "handshake RTT max",
		    r->rtt[r->nrtt - 1] / 1e6);
	}
	fprintf(fp, "  %-22s %" PRIu64 "\n", "segments", r->tcp_pkts);
	fprintf(fp, "  %-22s %" PRIu64 " (%s%%)\n", "retransmitted",
	    r->retrans, out_fmt_fixed((int64_t)report_share(r->retrans,
	    r->tcp_pkts), 2, b1, sizeof b1));

	fprintf(fp, "\nDecode and drops\n");
	if (r->split) {
		fprintf(fp, "  %-22s %" PRIu64 "\n", "decoded",
		    r->status[PKT_DECODED]);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "truncated",
		    r->status[PKT_TRUNCATED]);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "invalid",
		    r->status[PKT_INVALID]);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "unsupported",
		    r->status[PKT_UNSUPPORTED]);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "kernel drops",
		    r->drops_kernel);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "interface drops",
		    r->drops_iface);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "ring drops",
		    r->drops_ring);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "bad file records",
		    r->bad_records);
		fprintf(fp, "  %-22s %u\n", "truncated files",
		    r->truncated_files);
	} else {
		fprintf(fp, "  %-22s %" PRIu64 "\n", "not decoded whole",
		    r->decode_errors);
		fprintf(fp, "  %-22s %" PRIu64 "\n", "drops", r->drops);
	}

	fprintf(fp, "\nAlerts\n");
	if (!r->alerts_checked)
		fputs(r->db ? "  none kept (a database of a schema before "
		    "alerts were kept)\n" : "  none (capture files are not "
		    "checked for alerts)\n", fp);
	else if (r->alerts_total == 0)
		fputs("  none\n", fp);
	for (i = 0; i < r->nalerts; i++) {
		al = &r->alerts[i];
		report_esc(al->kind, REPORT_NAME_MAX, esc, sizeof esc);
		fprintf(fp, "  %s  severity %" PRId64 "  %s  ", report_time(
		    (uint64_t)al->ts, b1, sizeof b1), al->severity, esc);
		report_esc(al->state, REPORT_NAME_MAX, esc, sizeof esc);
		fprintf(fp, "(%s)", esc);
		if (al->subject != NULL) {
			report_esc(al->subject, REPORT_NAME_MAX, esc,
			    sizeof esc);
			fprintf(fp, "  %s", esc);
		}
		report_esc(al->message, 200, big, sizeof big);
		fprintf(fp, ": %s\n", big);
	}
	if (r->alerts_total > r->nalerts)
		fprintf(fp, "  ... and %" PRIu64 " more\n",
		    r->alerts_total - r->nalerts);
}

/* ---- JSON ----------------------------------------------------------- */

#define REPORT_F_OBJ(nm, p, k) { .name = (nm), .type = OUT_OBJECT,	\
	.v.obj = { .f = (p), .n = (k) } }
#define REPORT_F_ARR(nm, p, k) { .name = (nm), .type = OUT_ARRAY,	\
	.v.arr = { .v = (p), .n = (k) } }
#define REPORT_NELEM(a) (sizeof (a) / sizeof (a)[0])

static int
report_json(struct report *r, FILE *fp)
{
	struct out_writer *w = out_create(OUT_FMT_JSON, fp);
	size_t nsrc = r->nsrcs, i, nsvc;
	struct out_rec *srcs, *bks, *tops, *svcs, *als;
	struct out_field *sf, *bf, *tf, *vf, *af;
	char (*times)[32], (*atimes)[32];
	char (*labels)[64];
	char first[40], last[40], pb[32], pp[32], start[32];
	char since[32], until[32], h0[32], h1[32];
	const struct report_host *h;
	const struct report_sec *s;
	int rc;

	nsvc = r->nsvc < REPORT_TOP ? r->nsvc : REPORT_TOP;
	srcs = xcalloc(nsrc + 1, sizeof *srcs);
	sf = xcalloc((nsrc + 1) * 5, sizeof *sf);
	for (i = 0; i < nsrc; i++) {
		struct out_field *f = sf + i * 5;

		f[0] = (struct out_field)OUT_F_STR("name", r->srcs[i].name);
		f[1] = (struct out_field)OUT_F_UINT("packets",
		    r->srcs[i].packets);
		f[2] = (struct out_field)OUT_F_UINT("bytes", r->srcs[i].bytes);
		if (r->db) {
			f[3] = (struct out_field)OUT_F_NULL("bad_records");
			f[4] = (struct out_field)OUT_F_NULL("truncated");
		} else {
			f[3] = (struct out_field)OUT_F_UINT("bad_records",
			    r->srcs[i].bad_records);
			f[4] = (struct out_field)OUT_F_BOOL("truncated",
			    r->srcs[i].truncated);
		}
		srcs[i].f = f;
		srcs[i].n = 5;
	}

	times = xcalloc(r->nbuckets + 1, sizeof *times);
	bks = xcalloc(r->nbuckets + 1, sizeof *bks);
	bf = xcalloc((r->nbuckets + 1) * 5, sizeof *bf);
	for (i = 0; i < r->nbuckets; i++) {
		struct out_field *f = bf + i * 5;

		s = &r->buckets[i];
		report_time(s->sec, times[i], sizeof times[i]);
		f[0] = (struct out_field)OUT_F_TOKEN("time", times[i]);
		f[1] = (struct out_field)OUT_F_UINT("bytes", s->bytes);
		f[2] = (struct out_field)OUT_F_UINT("packets", s->pkts);
		f[3] = (struct out_field)OUT_F_UINT("rx_bytes", s->rx);
		f[4] = (struct out_field)OUT_F_UINT("tx_bytes", s->tx);
		bks[i].f = f;
		bks[i].n = 5;
	}

	tops = xcalloc(r->ntop + 1, sizeof *tops);
	tf = xcalloc((r->ntop + 1) * 10, sizeof *tf);
	for (i = 0; i < r->ntop; i++) {
		struct out_field *f = tf + i * 10;

		h = &r->top[i];
		f[0] = (struct out_field)OUT_F_UINT("rank", i + 1);
		f[1] = (struct out_field)OUT_F_STR("address", h->addr);
		f[2] = (struct out_field)OUT_F_CAPTURED("name", h->name);
		f[3] = (struct out_field)OUT_F_UINT("bytes",
		    h->bytes_in + h->bytes_out);
		f[4] = (struct out_field)OUT_F_UINT("bytes_in", h->bytes_in);
		f[5] = (struct out_field)OUT_F_UINT("bytes_out", h->bytes_out);
		f[6] = (struct out_field)OUT_F_UINT("packets", h->pkts);
		/* GeoIP: null when unknown (and from the history, which
		 * keeps none yet); the organisation is hostile text */
		f[7] = (struct out_field)OUT_F_STR("cc", h->cc[0] != '\0' ?
		    h->cc : NULL);
		f[8] = (struct out_field)OUT_F_UINT("asn", h->asn);
		if (h->asn == 0)
			f[8].type = OUT_NULL;
		f[9] = (struct out_field)OUT_F_CAPTURED("as_org",
		    h->as_org[0] != '\0' ? h->as_org : NULL);
		tops[i].f = f;
		tops[i].n = 10;
	}

	labels = xcalloc(nsvc + 1, sizeof *labels);
	svcs = xcalloc(nsvc + 1, sizeof *svcs);
	vf = xcalloc((nsvc + 1) * 6, sizeof *vf);
	for (i = 0; i < nsvc; i++) {
		struct out_field *f = vf + i * 6;
		const char *pn = proto_name(r->svc[i].proto);

		f[0] = (struct out_field)OUT_F_UINT("rank", i + 1);
		f[1] = (struct out_field)OUT_F_STR("service", r->svc[i].name);
		if (pn == NULL) {
			snprintf(labels[i], sizeof labels[i], "%u",
			    r->svc[i].proto);
			pn = labels[i];
		}
		f[2] = (struct out_field)OUT_F_STR("proto", r->svc[i].noproto ?
		    NULL : pn);
		f[3] = (struct out_field)OUT_F_UINT("bytes", r->svc[i].bytes);
		f[4] = (struct out_field)OUT_F_UINT("packets", r->svc[i].pkts);
		f[5] = (struct out_field)OUT_F_UINT("flows", r->svc[i].flows);
		svcs[i].f = f;
		svcs[i].n = 6;
	}

	atimes = xcalloc(r->nalerts + 1, sizeof *atimes);
	als = xcalloc(r->nalerts + 1, sizeof *als);
	af = xcalloc((r->nalerts + 1) * 6, sizeof *af);
	for (i = 0; i < r->nalerts; i++) {
		struct out_field *f = af + i * 6;
		const struct report_alert *al = &r->alerts[i];

		report_time((uint64_t)al->ts, atimes[i], sizeof atimes[i]);
		f[0] = (struct out_field)OUT_F_TOKEN("time", atimes[i]);
		f[1] = (struct out_field)OUT_F_INT("severity", al->severity);
		f[2] = (struct out_field)OUT_F_STR("kind", al->kind);
		f[3] = (struct out_field)OUT_F_CAPTURED("subject", al->subject);
		f[4] = (struct out_field)OUT_F_CAPTURED("message", al->message);
		f[5] = (struct out_field)OUT_F_STR("state", al->state);
		als[i].f = f;
		als[i].n = 6;
	}

	if (r->packets > 0) {
		fmt_time_iso(r->first_ns, first, sizeof first);
		fmt_time_iso(r->last_ns, last, sizeof last);
	}
	if (r->nsecs > 0) {
		report_time(r->secs[r->peak_b].sec, pb, sizeof pb);
		report_time(r->secs[r->peak_p].sec, pp, sizeof pp);
	}
	if (r->nbuckets > 0)
		report_time(r->buckets[0].sec, start, sizeof start);
	if (r->windowed) {
		report_time((uint64_t)r->since, since, sizeof since);
		report_time((uint64_t)r->until, until, sizeof until);
		report_time((uint64_t)r->hour0, h0, sizeof h0);
		report_time((uint64_t)r->hour1, h1, sizeof h1);
	}

	struct out_field range[] = {
		OUT_F_STR("database", r->db ? r->db_path : NULL),
		OUT_F_TOKEN("since", since),
		OUT_F_TOKEN("until", until),
		OUT_F_BOOL("until_newest", r->open_end),
		r->db ? (struct out_field)OUT_F_TOKEN("hours_since", h0) :
		    (struct out_field)OUT_F_NULL("hours_since"),
		r->db ? (struct out_field)OUT_F_TOKEN("hours_until", h1) :
		    (struct out_field)OUT_F_NULL("hours_until"),
		OUT_F_BOOL("rounded", r->rounded),
	};
	struct out_field totals[] = {
		OUT_F_UINT("packets", r->packets),
		OUT_F_UINT("bytes", r->bytes),
		OUT_F_UINT("flows", r->flows),
		OUT_F_UINT("hosts", r->nhosts),
		r->packets > 0 ? (struct out_field)OUT_F_TOKEN("first", first) :
		    (struct out_field)OUT_F_NULL("first"),
		r->packets > 0 ? (struct out_field)OUT_F_TOKEN("last", last) :
		    (struct out_field)OUT_F_NULL("last"),
		OUT_F_FIXED("duration", r->packets > 0 ?
		    (int64_t)((r->last_ns - r->first_ns) / 1000) : 0, 6),
	};
	struct out_field peak[] = {
		OUT_F_UINT("bytes_per_sec", r->nsecs > 0 ?
		    r->secs[r->peak_b].bytes / r->res : 0),
		r->nsecs > 0 ? (struct out_field)OUT_F_TOKEN("bytes_time", pb) :
		    (struct out_field)OUT_F_NULL("bytes_time"),
		OUT_F_UINT("packets_per_sec", r->nsecs > 0 ?
		    r->secs[r->peak_p].pkts / r->res : 0),
		r->nsecs > 0 ?
		    (struct out_field)OUT_F_TOKEN("packets_time", pp) :
		    (struct out_field)OUT_F_NULL("packets_time"),
		OUT_F_UINT("resolution_seconds", r->res),
	};
	struct out_field traffic[] = {
		OUT_F_UINT("bucket_seconds", r->step),
		r->nbuckets > 0 ? (struct out_field)OUT_F_TOKEN("start", start) :
		    (struct out_field)OUT_F_NULL("start"),
		REPORT_F_ARR("buckets", bks, r->nbuckets),
	};
	struct out_field tcp[] = {
		OUT_F_UINT("flows_with_rtt", r->nrtt),
		r->nrtt > 0 ? (struct out_field)OUT_F_FIXED("rtt_median",
		    report_rank(r, 50), 6) :
		    (struct out_field)OUT_F_NULL("rtt_median"),
		r->nrtt > 0 ? (struct out_field)OUT_F_FIXED("rtt_p95",
		    report_rank(r, 95), 6) :
		    (struct out_field)OUT_F_NULL("rtt_p95"),
		r->nrtt > 0 ? (struct out_field)OUT_F_FIXED("rtt_max",
		    r->rtt[r->nrtt - 1], 6) :
		    (struct out_field)OUT_F_NULL("rtt_max"),
		OUT_F_UINT("segments", r->tcp_pkts),
		OUT_F_UINT("retransmitted", r->retrans),
		OUT_F_FIXED("retransmitted_share",
		    (int64_t)report_share(r->retrans, r->tcp_pkts), 4),
	};
#define REPORT_F_SPLIT(nm, x) (r->split ?				\
	(struct out_field)OUT_F_UINT(nm, x) : (struct out_field)OUT_F_NULL(nm))
	struct out_field decode[] = {
		REPORT_F_SPLIT("decoded", r->status[PKT_DECODED]),
		REPORT_F_SPLIT("truncated", r->status[PKT_TRUNCATED]),
		REPORT_F_SPLIT("invalid", r->status[PKT_INVALID]),
		REPORT_F_SPLIT("unsupported", r->status[PKT_UNSUPPORTED]),
		OUT_F_UINT("errors", r->decode_errors),
	};
	struct out_field drops[] = {
		REPORT_F_SPLIT("kernel", r->drops_kernel),
		REPORT_F_SPLIT("interface", r->drops_iface),
		REPORT_F_SPLIT("ring", r->drops_ring),
		REPORT_F_SPLIT("bad_records", r->bad_records),
		REPORT_F_SPLIT("truncated_files", r->truncated_files),
		OUT_F_UINT("total", r->drops),
	};
#undef REPORT_F_SPLIT
	struct out_field alerts[] = {
		OUT_F_BOOL("checked", r->alerts_checked),
		OUT_F_UINT("total", r->alerts_total),
		REPORT_F_ARR("list", als, r->nalerts),
	};
	struct out_field top[] = {
		r->windowed ? (struct out_field)REPORT_F_OBJ("range", range,
		    REPORT_NELEM(range)) : (struct out_field)OUT_F_NULL("range"),
		REPORT_F_ARR("sources", srcs, nsrc),
		REPORT_F_OBJ("totals", totals, REPORT_NELEM(totals)),
		REPORT_F_OBJ("peak", peak, REPORT_NELEM(peak)),
		REPORT_F_OBJ("traffic", traffic, REPORT_NELEM(traffic)),
		REPORT_F_ARR("top_talkers", tops, r->ntop),
		REPORT_F_ARR("top_services", svcs, nsvc),
		REPORT_F_OBJ("tcp", tcp, REPORT_NELEM(tcp)),
		REPORT_F_OBJ("decode", decode, REPORT_NELEM(decode)),
		REPORT_F_OBJ("drops", drops, REPORT_NELEM(drops)),
		REPORT_F_OBJ("alerts", alerts, REPORT_NELEM(alerts)),
	};

	out_begin(w, REPORT_SCHEMA, NULL, NULL, 0);
	out_record(w, top, REPORT_NELEM(top));
	rc = out_end(w);
	if (rc != 0 && out_error(w) != 0)
		errno = out_error(w);
	out_free(w);
	free(srcs);
	free(sf);
	free(times);
	free(bks);
	free(bf);
	free(tops);
	free(tf);
	free(labels);
	free(svcs);
	free(vf);
	free(atimes);
	free(als);
	free(af);
	return rc;
}

/* ---- HTML ----------------------------------------------------------- */

#define RH_W	800	/* chart width */
#define RH_H	260	/* traffic chart height */
#define RH_L	90	/* left margin (axis labels) */
#define RH_R	20
#define RH_T	16
#define RH_B	40	/* bottom margin (time labels) */
#define RH_BAR	24	/* bar row height */
#define RH_LBL	300	/* bar chart label column */

static const char report_css[] =
"body{font-family:sans-serif;margin:2em;color:#222;background:#fff}"
"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;"
"border-bottom:1px solid #ccc}"
"table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right}"
"td.l,th.l{text-align:left}tr:nth-child(even){background:#f4f4f4}"
"svg text{font-size:12px;fill:#333}.axis{stroke:#888;stroke-width:1}"
".grid{stroke:#ddd;stroke-width:1}.area{fill:#9cc3e6;stroke:none}"
".line{fill:none;stroke:#1f5f99;stroke-width:1.5}"
".bar{fill:#4a8ac4}.svc .bar{fill:#6aa84f}";

static void
report_html_traffic(struct report *r, FILE *fp)
{
	uint64_t maxb = 1, v;
	double pw = RH_W - RH_L - RH_R, ph = RH_H - RH_T - RH_B, x, y;
	char b1[64];
	size_t i, n = r->nbuckets, k;

	for (i = 0; i < n; i++)
		if (r->buckets[i].bytes > maxb)
			maxb = r->buckets[i].bytes;
	fprintf(fp, "<svg id=\"traffic\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"traffic over time\">\n", RH_W, RH_H, RH_W, RH_H);
	/* grid and y labels: 0, half, max, as bytes per second */
	for (k = 0; k <= 2; k++) {
		y = RH_T + ph - ph * (double)k / 2;
		fprintf(fp, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" "
		    "x2=\"%d\" y2=\"%.1f\"/>\n", RH_L, y, RH_W - RH_R, y);
		fprintf(fp, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
		    "%s</text>\n", RH_L - 6, y + 4,
		    fmt_rate((double)maxb * (double)k / 2 / (double)r->step,
		    0, 0, b1, sizeof b1));
	}
	fprintf(fp, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%.1f\"/>\n", RH_L, RH_T, RH_L, RH_T + ph);
	fprintf(fp, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
	    "y2=\"%.1f\"/>\n", RH_L, RH_T + ph, RH_W - RH_R, RH_T + ph);
	if (n > 0) {
		/* area, then its top line */
		for (k = 0; k < 2; k++) {
			fprintf(fp, "<path class=\"%s\" d=\"", k == 0 ? "area" :
			    "line");
			if (k == 0)
				fprintf(fp, "M%d,%.1f ", RH_L, RH_T + ph);
			for (i = 0; i < n; i++) {
				v = r->buckets[i].bytes;
				x = RH_L + (n == 1 ? pw / 2 :
				    pw * (double)i / (double)(n - 1));
				y = RH_T + ph - ph * (double)v / (double)maxb;
				fprintf(fp, "%s%.1f,%.1f ", i == 0 && k == 1 ?
				    "M" : "L", x, y);
			}
			if (k == 0)
				fprintf(fp, "L%.1f,%.1fZ", RH_L + (n == 1 ?
				    pw / 2 : pw), RH_T + ph);
			fputs("\"/>\n", fp);
		}
		/* time labels: first, middle, last bucket */
		for (k = 0; k < 3; k++) {
			i = k == 0 ? 0 : k == 1 ? (n - 1) / 2 : n - 1;
			x = RH_L + (n == 1 ? pw / 2 :
			    pw * (double)i / (double)(n - 1));
			fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"%s\">%s</text>\n", x, RH_T + ph + 18,
			    k == 0 ? "start" : k == 1 ? "middle" : "end",
			    fmt_time_clock(r->buckets[i].sec * NS_PER_SEC, b1,
			    sizeof b1));
			if (n == 1)
				break;
		}
	}
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time "
	    "(UTC), %" PRIu64 " s buckets</text>\n", RH_L + (int)pw / 2,
	    RH_H - 4, r->step);
	fputs("</svg>\n", fp);
}

/* A horizontal bar chart of n rows: labels[i] (escaped here) and vals. */
static void
report_html_bars(FILE *fp, const char *id, const char *const *labels,
    const uint64_t *vals, size_t n)
{
	uint64_t max = 1;
	double bw = RH_W - RH_LBL - 110;
	char b1[64];
	size_t i;

	for (i = 0; i < n; i++)
		if (vals[i] > max)
			max = vals[i];
	fprintf(fp, "<svg id=\"%s\" class=\"%s\" "
	    "width=\"%d\" "
	    "height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\">\n", id,
	    strcmp(id, "services") == 0 ? "svc" : "hosts", RH_W,
	    n * RH_BAR + 8, RH_W, n * RH_BAR + 8);
	for (i = 0; i < n; i++) {
		fprintf(fp, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">",
		    RH_LBL - 8, i * RH_BAR + 20);
		report_html_str(fp, labels[i], REPORT_NAME_MAX);
		fprintf(fp, "</text>\n<rect class=\"bar\" x=\"%d\" y=\"%zu\" "
		    "width=\"%.1f\" height=\"%d\"/>\n", RH_LBL, i * RH_BAR + 6,
		    bw * (double)vals[i] / (double)max < 1 ? 1 :
		    bw * (double)vals[i] / (double)max, RH_BAR - 6);
		fprintf(fp, "<text x=\"%.1f\" y=\"%zu\">%s</text>\n",
		    RH_LBL + 6 + (bw * (double)vals[i] / (double)max < 1 ? 1 :
		    bw * (double)vals[i] / (double)max), i * RH_BAR + 20,
		    fmt_size(vals[i], b1, sizeof b1));
	}
	fputs("</svg>\n", fp);
}

static void
report_html_row(FILE *fp, const char *k, const char *v)
{
	fprintf(fp, "<tr><th class=\"l\">%s</th><td>%s</td></tr>\n", k, v);
}

static void
report_html_rowu(FILE *fp, const char *k, uint64_t v)
{
	fprintf(fp, "<tr><th class=\"l\">%s</th><td>%" PRIu64 "</td></tr>\n",
	    k, v);
}

static void
report_html(struct report *r, FILE *fp)
{
	const char *labels[REPORT_TOP];
	uint64_t vals[REPORT_TOP];
	char svc[REPORT_TOP][64];
	char b1[64], b2[64], b3[160];
	const struct report_sec *s;
	const struct report_host *h;
	const struct report_alert *al;
	size_t i, nsvc = r->nsvc < REPORT_TOP ? r->nsvc : REPORT_TOP;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src 'none'; script-src 'none'; connect-src 'none'; "
	    "font-src 'none'; base-uri 'none'; form-action 'none'\">\n"
	    "<meta name=\"generator\" content=\"wiretop " PACKAGE_VERSION
	    "\">\n<title>wiretop report</title>\n<style>", fp);
	fputs(report_css, fp);
	fputs("</style>\n</head>\n<body>\n<h1>wiretop report</h1>\n", fp);
	if (r->db) {
		fputs("<p>History database: ", fp);
		report_html_str(fp, r->db_path, 200);
		fputs("</p>\n", fp);
	}
	if (r->windowed) {
		fprintf(fp, "<p id=\"range\">From %s until %s%s.",
		    report_time((uint64_t)r->since, b1, sizeof b1),
		    report_time((uint64_t)r->until, b2, sizeof b2),
		    r->open_end ? " (the newest data stored)" : "");
		if (r->db) {
			fputs(" Talkers and services: ", fp);
			report_html_put(fp, report_hours(r, b3, sizeof b3));
			fputs(".", fp);
		}
		fputs("</p>\n", fp);
	}
	fputs("<p>Sources:", fp);
	for (i = 0; i < r->nsrcs; i++) {
		fputs(i == 0 ? " " : ", ", fp);
		report_html_str(fp, r->srcs[i].name, 200);
	}
	fputs("</p>\n", fp);

	fputs("<h2 id=\"totals\">Totals</h2>\n<table>\n", fp);
	report_html_rowu(fp, "packets", r->packets);
	report_html_rowu(fp, "bytes", r->bytes);
	report_html_rowu(fp, "flows", r->flows);
	report_html_rowu(fp, "hosts", r->nhosts);
	if (r->packets > 0) {
		report_html_row(fp, "first", fmt_time_iso(r->first_ns, b1,
		    sizeof b1));
		report_html_row(fp, "last", fmt_time_iso(r->last_ns, b1,
		    sizeof b1));
		report_html_row(fp, "duration", fmt_duration((double)
		    (r->last_ns - r->first_ns) / 1e9, b1, sizeof b1));
	}
	if (r->nsecs > 0) {
		s = &r->secs[r->peak_b];
		snprintf(b3, sizeof b3, "%" PRIu64 " B/s (%s) at %s, %s "
		    "buckets", s->bytes / r->res, fmt_rate((double)s->bytes /
		    (double)r->res, 0, 0, b1, sizeof b1),
		    report_time(s->sec, b2, sizeof b2), report_res_name(r->res));
		report_html_row(fp, "peak bytes/s", b3);
		s = &r->secs[r->peak_p];
		snprintf(b3, sizeof b3, "%" PRIu64 " at %s, %s buckets",
		    s->pkts / r->res, report_time(s->sec, b2, sizeof b2),
		    report_res_name(r->res));
		report_html_row(fp, "peak packets/s", b3);
	}
	fputs("</table>\n", fp);
	if (r->res > 1)
		fputs("<p>The per-second samples of this range are no longer "
		    "kept: the peak is the average of its bucket.</p>\n", fp);

	fputs("<h2 id=\"traffic-over-time\">Traffic over time</h2>\n", fp);
	report_html_traffic(r, fp);

	fputs("<h2 id=\"top-talkers\">Top talkers</h2>\n", fp);
	for (i = 0; i < r->ntop; i++) {
		h = &r->top[i];
		labels[i] = h->name != NULL ? h->name : h->addr;
		vals[i] = h->bytes_in + h->bytes_out;
	}
	report_html_bars(fp, "talkers", labels, vals, r->ntop);
	fputs("<table>\n<tr><th>#</th><th class=\"l\">address</th>"
	    "<th class=\"l\">name</th><th class=\"l\">country</th>"
	    "<th class=\"l\">AS</th><th>bytes</th><th>in</th><th>out</th>"
	    "<th>packets</th></tr>\n", fp);
	for (i = 0; i < r->ntop; i++) {
		h = &r->top[i];
		fprintf(fp, "<tr><td>%zu</td><td class=\"l\">", i + 1);
		report_html_str(fp, h->addr, FMT_ADDR_MAX);
		fputs("</td><td class=\"l\">", fp);
		report_html_str(fp, h->name != NULL ? h->name : "-",
		    REPORT_NAME_MAX);
		fputs("</td><td class=\"l\">", fp);
		report_html_str(fp, h->cc[0] != '\0' ? h->cc : "--", 3);
		fputs("</td><td class=\"l\">", fp);
		if (h->asn != 0) {
			fprintf(fp, "AS%lu ", (unsigned long)h->asn);
			report_html_str(fp, h->as_org, GEOIP_NAME_MAX);
		} else
			fputs("-", fp);
		fprintf(fp, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>"
		    "<td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
		    h->bytes_in + h->bytes_out, h->bytes_in, h->bytes_out,
		    h->pkts);
	}
	fputs("</table>\n", fp);

	fputs("<h2 id=\"top-services\">Top services</h2>\n", fp);
	for (i = 0; i < nsvc; i++) {
		labels[i] = report_svc_label(&r->svc[i], svc[i],
		    sizeof svc[i]);
		vals[i] = r->svc[i].bytes;
	}
	report_html_bars(fp, "services", labels, vals, nsvc);
	fputs("<table>\n<tr><th>#</th><th class=\"l\">service</th>"
	    "<th>bytes</th><th>packets</th><th>flows</th></tr>\n", fp);
	for (i = 0; i < nsvc; i++) {
		fprintf(fp, "<tr><td>%zu</td><td class=\"l\">", i + 1);
		report_html_str(fp, svc[i], REPORT_NAME_MAX);
		fprintf(fp, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>"
		    "<td>%" PRIu64 "</td></tr>\n", r->svc[i].bytes,
		    r->svc[i].pkts, r->svc[i].flows);
	}
	fputs("</table>\n", fp);

	fputs("<h2 id=\"tcp-health\">TCP health</h2>\n<table>\n", fp);
	report_html_rowu(fp, "flows with an RTT", r->nrtt);
	if (r->nrtt > 0) {
		snprintf(b1, sizeof b1, "%.6f s", report_rank(r, 50) / 1e6);
		report_html_row(fp, "handshake RTT median", b1);
		snprintf(b1, sizeof b1, "%.6f s", report_rank(r, 95) / 1e6);
		report_html_row(fp, "handshake RTT p95", b1);
		snprintf(b1, sizeof b1, "%.6f s", r->rtt[r->nrtt - 1] / 1e6);
		report_html_row(fp, "handshake RTT max", b1);
	}
	report_html_rowu(fp, "segments", r->tcp_pkts);
	snprintf(b3, sizeof b3, "%" PRIu64 " (%s%%)", r->retrans,
	    out_fmt_fixed((int64_t)report_share(r->retrans, r->tcp_pkts), 2,
	    b1, sizeof b1));
	report_html_row(fp, "retransmitted", b3);
	fputs("</table>\n", fp);

	fputs("<h2 id=\"drops\">Decode and drops</h2>\n<table>\n", fp);
	if (r->split) {
		report_html_rowu(fp, "decoded", r->status[PKT_DECODED]);
		report_html_rowu(fp, "truncated", r->status[PKT_TRUNCATED]);
		report_html_rowu(fp, "invalid", r->status[PKT_INVALID]);
		report_html_rowu(fp, "unsupported",
		    r->status[PKT_UNSUPPORTED]);
		report_html_rowu(fp, "kernel drops", r->drops_kernel);
		report_html_rowu(fp, "interface drops", r->drops_iface);
		report_html_rowu(fp, "ring drops", r->drops_ring);
		report_html_rowu(fp, "bad file records", r->bad_records);
		report_html_rowu(fp, "truncated files", r->truncated_files);
	} else {
		report_html_rowu(fp, "not decoded whole", r->decode_errors);
		report_html_rowu(fp, "drops", r->drops);
	}
	fputs("</table>\n", fp);

	fputs("<h2 id=\"alerts\">Alerts</h2>\n", fp);
	if (!r->alerts_checked)
		fputs(r->db ? "<p>None kept (a database of a schema before "
		    "alerts were kept).</p>\n" : "<p>None (capture files are "
		    "not checked for alerts).</p>\n", fp);
	else if (r->alerts_total == 0)
		fputs("<p>None.</p>\n", fp);
	else {
		fputs("<table>\n<tr><th class=\"l\">time</th><th>severity"
		    "</th><th class=\"l\">kind</th><th class=\"l\">subject"
		    "</th><th class=\"l\">message</th><th class=\"l\">state"
		    "</th></tr>\n", fp);
		for (i = 0; i < r->nalerts; i++) {
			al = &r->alerts[i];
			fprintf(fp, "<tr><td class=\"l\">%s</td><td>%" PRId64
			    "</td><td class=\"l\">", report_time((uint64_t)
			    al->ts, b1, sizeof b1), al->severity);
			report_html_str(fp, al->kind, REPORT_NAME_MAX);
			fputs("</td><td class=\"l\">", fp);
			report_html_str(fp, al->subject != NULL ?
			    al->subject : "-", REPORT_NAME_MAX);
			fputs("</td><td class=\"l\">", fp);
			report_html_str(fp, al->message, 200);
			fputs("</td><td class=\"l\">", fp);
			report_html_str(fp, al->state, REPORT_NAME_MAX);
			fputs("</td></tr>\n", fp);
		}
		fputs("</table>\n", fp);
		if (r->alerts_total > r->nalerts)
			fprintf(fp, "<p>... and %" PRIu64 " more.</p>\n",
			    r->alerts_total - r->nalerts);
	}
	fputs("</body>\n</html>\n", fp);
}

/* ---- the history database ---------------------------------------- */

/* A read-only connection and its first error. */
struct report_db {
	sqlite3 *db;
	const char *path;	/* borrowed */
	int failed;
	char *error;		/* owned: the first error */
};

static sqlite3_stmt *
report_db_prepare(struct report_db *d, const char *sql)
{
	sqlite3_stmt *st;

	if (d->failed)
		return NULL;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK) {
		d->failed = 1;
		xasprintf(&d->error, "%s: %s", d->path, sqlite3_errmsg(d->db));
		return NULL;
	}
	return st;
}

/* Step st; 1 for a row, 0 at the end (st finalized), -1 on error. */
static int
report_db_step(struct report_db *d, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE && !d->failed) {
		d->failed = 1;
		xasprintf(&d->error, "%s: %s", d->path, rc == SQLITE_CORRUPT ||
		    rc == SQLITE_NOTADB ? "the database is damaged (wiretop db "
		    "check says where)" : sqlite3_errmsg(d->db));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One integer of a query with up to four integer parameters; dflt when
 * the query gives no row or NULL. */
static int64_t
report_db_int(struct report_db *d, const char *sql, int64_t dflt, int n,
    int64_t p1, int64_t p2, int64_t p3, int64_t p4)
{
	sqlite3_stmt *st = report_db_prepare(d, sql);
	int64_t v = dflt, p[4] = { p1, p2, p3, p4 };
	int i;

	if (st == NULL)
		return dflt;
	for (i = 0; i < n; i++)
		sqlite3_bind_int64(st, i + 1, p[i]);
	if (report_db_step(d, st) == 1) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static int64_t
report_floor(int64_t t, int64_t res)
{
	int64_t m = t % res;

	return m < 0 ? t - m - res : t - m;
}

static int64_t
report_ceil(int64_t t, int64_t res)
{
	int64_t f = report_floor(t, res);

	return f == t ? t : f + res;
}

/* The first second that surely holds data: the oldest row of the finest
 * sample tier that still has everything from its start (a tier that was
 * pruned starts later than the next coarser one); -1 when none. */
static int64_t
report_db_first(struct report_db *d)
{
	int64_t s, m, h;

	s = report_db_int(d, "SELECT min(ts) FROM samples_sec", -1, 0,
	    0, 0, 0, 0);
	m = report_db_int(d, "SELECT min(ts) FROM samples_min", -1, 0,
	    0, 0, 0, 0);
	h = report_db_int(d, "SELECT min(ts) FROM samples_hour", -1, 0,
	    0, 0, 0, 0);
	if (s >= 0 && (m < 0 || report_floor(s, 60) <= m))
		return s;
	if (m >= 0 && (h < 0 || report_floor(m, 3600) <= h))
		return m;
	if (h >= 0)
		return h;
	/* flow logs imported without samples: the segments' own times
	 * (indexed), not the records (every one decoded); a database of
	 * schema 1, read-only (not migrated), has rows instead */
	if (report_db_int(d, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'flow_seg'", 0, 0, 0, 0, 0, 0) == 0) {
		s = report_db_int(d, "SELECT min(ts_us) FROM flows", -1, 0,
		    0, 0, 0, 0);
		return s >= 0 ? s / 1000000 : report_db_int(d, "SELECT "
		    "min(ts) FROM host_hour", -1, 0, 0, 0, 0, 0);
	}
	s = report_db_int(d, "SELECT min(t_min) FROM flow_seg", -1, 0,
	    0, 0, 0, 0);
	if (s >= 0)
		return s / 1000000;
	return report_db_int(d, "SELECT min(ts) FROM host_seg WHERE tier = 0",
	    -1, 0, 0, 0, 0, 0);
}

/* [lo, hi) of the rows of a tier of res seconds inside the range: whole
 * rows, except at an edge beyond which nothing is stored. */
static void
report_db_rows(const struct report *r, int64_t first, int64_t res,
    int64_t *lo, int64_t *hi)
{
	*lo = first >= 0 && r->since <= first ? report_floor(r->since, res) :
	    report_ceil(r->since, res);
	*hi = r->open_end ? report_floor(r->until - 1, res) + res :
	    report_floor(r->until, res);
	if (*hi < *lo)
		*hi = *lo;
}

#define REPORT_DB_COUNTS "sum(rx_pkts + tx_pkts + drops + decode_errors)"

/* Whether the fine tier holds every packet the coarse one counts over
 * the range (the rollups are written with the rows they sum, so they are
 * equal unless retention removed fine rows). */
static int
report_db_complete(struct report_db *d, const struct report *r,
    const char *fine, const char *coarse, int64_t res)
{
	char *q1, *q2;
	int64_t lo = report_floor(r->since, res), hi, a, b;

	hi = report_ceil(r->until, res);
	xasprintf(&q1, "SELECT " REPORT_DB_COUNTS " FROM %s WHERE ts >= ?1 "
	    "AND ts < ?2", fine);
	xasprintf(&q2, "SELECT " REPORT_DB_COUNTS " FROM %s WHERE ts >= ?1 "
	    "AND ts < ?2", coarse);
	a = report_db_int(d, q1, 0, 2, lo, hi, 0, 0);
	b = report_db_int(d, q2, 0, 2, lo, hi, 0, 0);
	free(q1);
	free(q2);
	return a == b;
}

/* Samples: the finest tier that has the whole range; the rows, summed
 * over the sources, the sources, drops and decode problems. */
static void
report_db_samples(struct report_db *d, struct report *r, int64_t first)
{
	static const char *const tiers[] = { "samples_sec", "samples_min",
	    "samples_hour" };
	static const int64_t res[] = { 1, 60, 3600 };
	sqlite3_stmt *st;
	struct report_sec *x;
	struct report_src *src;
	const char *name;
	char *sql;
	int64_t lo, hi;
	int t;

	for (t = 0; t < 2; t++)
		if (report_db_complete(d, r, tiers[t], tiers[t + 1],
		    res[t + 1]))
			break;
	r->res = (uint64_t)res[t];
	report_db_rows(r, first, res[t], &lo, &hi);

	xasprintf(&sql, "SELECT ts, sum(rx_bytes + tx_bytes), "
	    "sum(rx_pkts + tx_pkts), sum(rx_bytes), sum(tx_bytes), "
	    "sum(drops), sum(decode_errors) FROM %s WHERE ts >= ?1 AND "
	    "ts < ?2 GROUP BY ts ORDER BY ts", tiers[t]);
	st = report_db_prepare(d, sql);
	free(sql);
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	while (report_db_step(d, st) == 1) {
		if (r->nsecs == r->capsecs) {
			r->capsecs = r->capsecs * 2 + 64;
			r->secs = xreallocarray(r->secs, r->capsecs,
			    sizeof *r->secs);
		}
		x = &r->secs[r->nsecs++];
		x->sec = (uint64_t)sqlite3_column_int64(st, 0);
		x->bytes = (uint64_t)sqlite3_column_int64(st, 1);
		x->pkts = (uint64_t)sqlite3_column_int64(st, 2);
		x->rx = (uint64_t)sqlite3_column_int64(st, 3);
		x->tx = (uint64_t)sqlite3_column_int64(st, 4);
		r->drops += (uint64_t)sqlite3_column_int64(st, 5);
		r->decode_errors += (uint64_t)sqlite3_column_int64(st, 6);
		r->packets += x->pkts;
		r->bytes += x->bytes;
	}

	xasprintf(&sql, "SELECT source, sum(rx_pkts + tx_pkts), "
	    "sum(rx_bytes + tx_bytes) FROM %s WHERE ts >= ?1 AND ts < ?2 "
	    "GROUP BY source ORDER BY source", tiers[t]);
	st = report_db_prepare(d, sql);
	free(sql);
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	while (report_db_step(d, st) == 1) {
		r->srcs = xreallocarray(r->srcs, r->nsrcs + 1,
		    sizeof *r->srcs);
		src = &r->srcs[r->nsrcs++];
		memset(src, 0, sizeof *src);
		name = (const char *)sqlite3_column_text(st, 0);
		src->name = xstrdup(name != NULL ? name : "");
		src->packets = (uint64_t)sqlite3_column_int64(st, 1);
		src->bytes = (uint64_t)sqlite3_column_int64(st, 2);
	}
}

/* The rows of host_hour and host_day (or service_) inside the hours:
 * whole days from the day table, the hours at the edges from the hour
 * table. */
#define REPORT_DB_TOTALS(cols, t)					\
	"SELECT " cols " FROM " t "_hour WHERE (ts >= ?1 AND ts < ?2) OR "\
	"(ts >= ?3 AND ts < ?4) UNION ALL SELECT " cols " FROM " t "_day "\
	"WHERE ts >= ?2 AND ts < ?3"

static void
report_db_bind_hours(const struct report *r, sqlite3_stmt *st)
{
	int64_t d0 = report_ceil(r->hour0, 86400);
	int64_t d1 = report_floor(r->hour1, 86400);

	if (d0 >= d1)
		d0 = d1 = r->hour1;
	sqlite3_bind_int64(st, 1, r->hour0);
	sqlite3_bind_int64(st, 2, d0);
	sqlite3_bind_int64(st, 3, d1);
	sqlite3_bind_int64(st, 4, r->hour1);
}

/* Top talkers, with the name learned last for each. */
static void
report_db_hosts(struct report_db *d, struct report *r)
{
	sqlite3_stmt *st, *nm;
	struct report_host x;
	const char *a;
	size_t i;

	st = report_db_prepare(d, "SELECT addr, sum(bytes_in), "
	    "sum(bytes_out), sum(pkts_in + pkts_out) FROM ("
	    REPORT_DB_TOTALS("addr, bytes_in, bytes_out, pkts_in, pkts_out",
	    "host") ") GROUP BY addr HAVING sum(pkts_in + pkts_out) > 0");
	if (st == NULL)
		return;
	report_db_bind_hours(r, st);
	while (report_db_step(d, st) == 1) {
		memset(&x, 0, sizeof x);
		a = (const char *)sqlite3_column_text(st, 0);
		report_host_addr(&x, a != NULL ? a : "");
		x.bytes_in = (uint64_t)sqlite3_column_int64(st, 1);
		x.bytes_out = (uint64_t)sqlite3_column_int64(st, 2);
		x.pkts = (uint64_t)sqlite3_column_int64(st, 3);
		r->nhosts++;
		report_top_add(r, &x);
	}
	nm = report_db_prepare(d, "SELECT name FROM names WHERE addr = ?1 "
	    "ORDER BY last_ts DESC, name LIMIT 1");
	if (nm == NULL)
		return;
	for (i = 0; i < r->ntop; i++) {
		sqlite3_reset(nm);
		sqlite3_bind_text(nm, 1, r->top[i].addr, -1, SQLITE_STATIC);
		if (sqlite3_step(nm) == SQLITE_ROW &&
		    sqlite3_column_text(nm, 0) != NULL)
			r->top[i].name = xstrdup((const char *)
			    sqlite3_column_text(nm, 0));
	}
	sqlite3_finalize(nm);
}

/* The country and AS of the top talkers of the history: looked up in the
 * GeoIP databases now (the history keeps them per flow record, not per
 * host); a database that cannot be used is one notice, as for -r. */
static void
report_db_geo(struct report *r, const struct wt_opts *o)
{
	struct geoip *g;
	struct geoip_info gi;
	const char *n;
	size_t i;

	if (r->ntop == 0)
		return;
	g = geoip_create(o->geoip_country_db, o->geoip_asn_db);
	geoip_open(g);
	if ((n = geoip_notice(g)) != NULL)
		log_stderr("%s", n);
	for (i = 0; geoip_active(g) && i < r->ntop; i++) {
		struct report_host *h = &r->top[i];

		if (h->ip_ver != 4 && h->ip_ver != 6)
			continue;
		memset(&gi, 0, sizeof gi);
		geoip_lookup(g, h->ip_ver, h->packed, &gi);
		if (gi.cc[0] != '\0')
			geoip_cc(&gi, h->cc);
		h->asn = gi.asn;
		snprintf(h->as_org, sizeof h->as_org, "%s",
		    geoip_str(g, gi.org));
	}
	geoip_free(g);
}

/* The protocol number of a name as proto_name() gives it, -1 if none. */
static int
report_proto_num(const char *s, size_t len)
{
	const char *pn;
	char *end;
	long n;
	int i;

	for (i = 0; i < 256; i++)
		if ((pn = proto_name((uint8_t)i)) != NULL &&
		    strlen(pn) == len && strncmp(pn, s, len) == 0)
			return i;
	n = strtol(s, &end, 10);
	if (end == s + len && n >= 0 && n < 256)
		return (int)n;
	return -1;
}

/* Top services: a stored key "proto/port" (no service known) is summed
 * per protocol, as -r sums them. */
static void
report_db_services(struct report_db *d, struct report *r)
{
	sqlite3_stmt *st;
	struct report_svc *v = NULL;
	const char *k, *slash, *pr;
	uint8_t proto;
	size_t i;
	int pn;

	st = report_db_prepare(d, "SELECT service, sum(bytes), sum(pkts), "
	    "sum(flows) FROM (" REPORT_DB_TOTALS("service, bytes, pkts, flows",
	    "service") ") GROUP BY service");
	if (st == NULL)
		return;
	report_db_bind_hours(r, st);
	while (report_db_step(d, st) == 1) {
		k = (const char *)sqlite3_column_text(st, 0);
		if (k == NULL)
			k = "";
		proto = 0;
		if ((slash = strchr(k, '/')) != NULL &&
		    (pn = report_proto_num(k, (size_t)(slash - k))) >= 0) {
			proto = (uint8_t)pn;
			k = NULL;
		}
		v = report_svc_get(r, k, proto);
		v->bytes += (uint64_t)sqlite3_column_int64(st, 1);
		v->pkts += (uint64_t)sqlite3_column_int64(st, 2);
		v->flows += (uint64_t)sqlite3_column_int64(st, 3);
		v->noproto = v->name != NULL;
	}

	/* a named service's protocol: that of its flow records (host and
	 * service totals outlive them: then it is not known) */
	st = report_db_prepare(d, "SELECT service, min(proto) FROM flows "
	    "WHERE ts_us >= ?1 AND ts_us < ?2 AND service IS NOT NULL "
	    "GROUP BY service");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, r->hour0 * 1000000);
	sqlite3_bind_int64(st, 2, r->hour1 * 1000000);
	while (report_db_step(d, st) == 1) {
		k = (const char *)sqlite3_column_text(st, 0);
		pr = (const char *)sqlite3_column_text(st, 1);
		if (k == NULL || pr == NULL ||
		    (pn = report_proto_num(pr, strlen(pr))) < 0)
			continue;
		for (i = 0; i < r->nsvc; i++) {
			v = &r->svc[i];
			if (v->name != NULL && v->noproto &&
			    strcmp(v->name, k) == 0) {
				v->proto = (uint8_t)pn;
				v->noproto = 0;
			}
		}
	}
}

/* Flows that start in the range: their count, the first and last packet
 * time, TCP segments, retransmissions and handshake RTTs. */
static void
report_db_flows(struct report_db *d, struct report *r)
{
	sqlite3_stmt *st;
	int64_t a = r->since * 1000000, b = r->until * 1000000;

	st = report_db_prepare(d, "SELECT count(*), min(ts_us), "
	    "max(ts_us + duration_us), sum(CASE WHEN proto = 'tcp' THEN "
	    "orig_pkts + resp_pkts ELSE 0 END), sum(CASE WHEN proto = 'tcp' "
	    "THEN retrans ELSE 0 END) FROM flows WHERE ts_us >= ?1 AND "
	    "ts_us < ?2");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (report_db_step(d, st) == 1) {
		r->flows = (uint64_t)sqlite3_column_int64(st, 0);
		if (r->flows > 0) {
			r->first_ns = (uint64_t)sqlite3_column_int64(st, 1) *
			    1000;
			r->last_ns = (uint64_t)sqlite3_column_int64(st, 2) *
			    1000;
		}
		r->tcp_pkts = (uint64_t)sqlite3_column_int64(st, 3);
		r->retrans = (uint64_t)sqlite3_column_int64(st, 4);
		sqlite3_finalize(st);
	}
	st = report_db_prepare(d, "SELECT rtt_us FROM flows WHERE ts_us >= ?1 "
	    "AND ts_us < ?2 AND proto = 'tcp' AND rtt_us > 0");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	while (report_db_step(d, st) == 1) {
		if (r->nrtt == r->caprtt) {
			r->caprtt = r->caprtt * 2 + 64;
			r->rtt = xreallocarray(r->rtt, r->caprtt,
			    sizeof *r->rtt);
		}
		r->rtt[r->nrtt++] = (uint32_t)sqlite3_column_int64(st, 0);
	}
}

static char *
report_db_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? xstrdup(s) : NULL;
}

/* Alerts raised in the range (the first REPORT_ALERTS). */
static void
report_db_alerts(struct report_db *d, struct report *r)
{
	sqlite3_stmt *st;
	struct report_alert *al;

	if (!(r->alerts_checked = store_alert_kept(d->db)))
		return;
	r->alerts_total = (uint64_t)report_db_int(d, "SELECT count(*) FROM "
	    "alerts WHERE ts_us >= ?1 * 1000000 AND ts_us < ?2 * 1000000", 0,
	    2, r->since, r->alerts_until, 0, 0);
	st = report_db_prepare(d, "SELECT ts_us / 1000000, severity, kind, "
	    "subject, message, state FROM alerts WHERE ts_us >= ?1 * 1000000 "
	    "AND ts_us < ?2 * 1000000 ORDER BY ts_us, id LIMIT ?3");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, r->since);
	sqlite3_bind_int64(st, 2, r->alerts_until);
	sqlite3_bind_int(st, 3, REPORT_ALERTS);
	r->alerts = xcalloc(REPORT_ALERTS, sizeof *r->alerts);
	while (report_db_step(d, st) == 1) {
		if (r->nalerts == REPORT_ALERTS)
			continue;
		al = &r->alerts[r->nalerts++];
		al->ts = sqlite3_column_int64(st, 0);
		al->severity = sqlite3_column_int64(st, 1);
		al->kind = report_db_text(st, 2);
		al->subject = report_db_text(st, 3);
		al->message = report_db_text(st, 4);
		al->state = report_db_text(st, 5);
		if (al->kind == NULL)
			al->kind = xstrdup("");
		if (al->message == NULL)
			al->message = xstrdup("");
		if (al->state == NULL)
			al->state = xstrdup("");
	}
}

/* -r: the alerts the detectors raised, oldest first (as the history's
 * list), at most REPORT_ALERTS; severity as the history stores it
 * (enum alert_sev: 1 info .. 4 critical). */
static void
report_take_alerts(struct report *r, const struct alerts *a)
{
	struct report_alert *al;
	size_t i, n;

	if (a == NULL)
		return;
	r->alerts_checked = 1;
	r->alerts_total = alerts_raised(a);
	n = alerts_count(a);
	r->alerts = xcalloc(REPORT_ALERTS, sizeof *r->alerts);
	for (i = n; i > 0 && r->nalerts < REPORT_ALERTS; i--) {
		const struct alert *x = alerts_get(a, i - 1);

		al = &r->alerts[r->nalerts++];
		al->ts = (int64_t)(x->ts_ns / 1000000000u);
		al->severity = x->sev;
		al->kind = xstrdup(alert_kind_name(x->kind));
		al->subject = xstrdup(x->subject);
		al->message = xstrdup(x->message);
		al->state = xstrdup(alert_state_name(x->state));
	}
}

/* Read the report from the history database; WT_EXIT_OK, or the exit
 * code after one line on stderr. */
static int
report_db_read(struct report *r, const struct wt_opts *o)
{
	struct report_db d;
	char *cause = NULL;
	int64_t newest, first;

	memset(&d, 0, sizeof d);
	r->db = 1;
	r->windowed = 1;
	r->db_path = store_pick_path(o->db_path);
	d.path = r->db_path;
	if ((d.db = store_db_open(r->db_path, 0, &cause)) == NULL) {
		log_stderr("%s", cause);
		free(cause);
		return WT_EXIT_DB;
	}
	/* one snapshot for every query: a writer's commits in between
	 * would make the sections disagree */
	sqlite3_exec(d.db, "BEGIN", NULL, NULL, NULL);
	newest = store_newest(d.db);
	r->since = newest - 86400;
	r->until = newest + 1;
	if ((o->since != NULL && store_time_resolve(o->since, newest,
	    &r->since) != 0) || (o->until != NULL &&
	    store_time_resolve(o->until, newest, &r->until) != 0)) {
		log_stderr("--since/--until: expected ISO 8601 "
		    "(2024-05-01T13:00:00Z) or an age (90s, 15m, 1h, 7d, 2w)");
		sqlite3_close(d.db);
		return WT_EXIT_USAGE;
	}
	if (r->since < 0)
		r->since = 0;
	r->alerts_until = o->until != NULL ? r->until : INT64_MAX / 2000000;
	if (r->until <= r->since) {
		log_stderr("--until: must be later than --since");
		sqlite3_close(d.db);
		return WT_EXIT_USAGE;
	}
	r->open_end = r->until > newest;
	first = report_db_first(&d);
	report_db_rows(r, first, 3600, &r->hour0, &r->hour1);
	if (r->hour0 < 0)
		r->hour0 = 0;
	r->rounded = r->hour0 > r->since || (!r->open_end &&
	    r->hour1 < r->until);
	report_db_samples(&d, r, first);
	report_db_hosts(&d, r);
	report_db_geo(r, o);
	report_db_services(&d, r);
	report_db_flows(&d, r);
	report_db_alerts(&d, r);
	if (r->flows == 0 && r->nsecs > 0) {
		r->first_ns = r->secs[0].sec * NS_PER_SEC;
		r->last_ns = (r->secs[r->nsecs - 1].sec + r->res - 1) *
		    NS_PER_SEC;
	}
	sqlite3_exec(d.db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(d.db);
	if (d.failed) {
		log_stderr("%s", d.error);
		free(d.error);
		return WT_EXIT_DB;
	}
	return WT_EXIT_OK;
}

/* ---- -r with --since/--until ----------------------------------------- */

/*
 * The window is cut before the pipeline sees a packet: each file is read
 * once to find its first and last packet (relative times count back from
 * the last packet of all the files), then its packets inside [since,
 * until) are copied into an unlinked temporary pcapng file (nanosecond
 * timestamps, one interface block per interface of the original), which
 * the pipeline reads as /dev/fd/N.  The report names the original files
 * and their malformed records.
 */
struct report_cut {
	unsigned n;				/* files kept */
	const char *orig[WT_MAX_SOURCES];	/* borrowed from argv */
	int fd[WT_MAX_SOURCES];			/* the copies */
	char path[WT_MAX_SOURCES][24];		/* "/dev/fd/N" */
	uint64_t bad[WT_MAX_SOURCES];		/* malformed records */
	int truncated[WT_MAX_SOURCES];
};

static void
report_cut_free(struct report_cut *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (c->fd[i] != -1)
			close(c->fd[i]);
	c->n = 0;
}

/* pcapng blocks (draft-ietf-opsawg-pcapng): 4-byte aligned, the length
 * at both ends. */
static void
report_ng_block(FILE *f, uint32_t type, const void *body, size_t len,
    const void *data, size_t dlen)
{
	static const uint8_t pad[4];
	uint32_t total = (uint32_t)(12 + len + dlen + (4 - dlen % 4) % 4);

	fwrite(&type, 4, 1, f);
	fwrite(&total, 4, 1, f);
	fwrite(body, 1, len, f);
	if (dlen > 0) {
		fwrite(data, 1, dlen, f);
		fwrite(pad, 1, (4 - dlen % 4) % 4, f);
	}
	fwrite(&total, 4, 1, f);
}

/* Copy the packets of path in [t0, t1) ns to a new unlinked file; its fd,
 * or -1 + cause. */
static int
report_cut_file(const char *path, uint64_t t0, uint64_t t1, uint64_t *bad,
    int *truncated, char **cause)
{
	struct pcapfile *pf;
	struct pcapfile_pkt pk;
	struct pcapfile_stats ps;
	struct { uint32_t linktype, ifindex; } ifs[256];
	unsigned nifs = 0, k;
	const char *tmp = getenv("TMPDIR");
	char *name;
	FILE *f;
	int fd, rc;

	if ((pf = pcapfile_open_flags(path, PCAPFILE_BUFFERED, cause)) ==
	    NULL)
		return -1;
	xasprintf(&name, "%s/wiretop-report.XXXXXX", tmp != NULL &&
	    *tmp == '/' ? tmp : "/tmp");
	if ((fd = mkstemp(name)) == -1) {
		xasprintf(cause, "%s: %s", name, strerror(errno));
		free(name);
		pcapfile_close(pf);
		return -1;
	}
	unlink(name);
	free(name);
	if ((f = fdopen(dup(fd), "w")) == NULL) {
		xasprintf(cause, "temporary file: %s", strerror(errno));
		close(fd);
		pcapfile_close(pf);
		return -1;
	}
	{
		/* SHB: byte order magic, version 1.0, length unknown */
		uint8_t shb[16] = { 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

		report_ng_block(f, 0x0a0d0d0a, shb, sizeof shb, NULL, 0);
	}
	while ((rc = pcapfile_next(pf, &pk, cause)) == 1) {
		if (pk.ts_ns < t0 || pk.ts_ns >= t1)
			continue;
		for (k = 0; k < nifs; k++)
			if (ifs[k].linktype == pk.linktype &&
			    ifs[k].ifindex == pk.ifindex)
				break;
		if (k == nifs) {
			/* IDB: link type, snap length, if_tsresol 9 (ns) */
			uint8_t idb[20];
			uint16_t lt = (uint16_t)pk.linktype;
			uint32_t snap = pk.snaplen;

			if (nifs == 256)
				continue;
			memset(idb, 0, sizeof idb);
			memcpy(idb, &lt, 2);
			memcpy(idb + 4, &snap, 4);
			idb[8] = 9;		/* if_tsresol */
			idb[10] = 1;		/* option length */
			idb[12] = 9;		/* 10^-9 s */
			/* idb[16..19]: opt_endofopt */
			report_ng_block(f, 1, idb, sizeof idb, NULL, 0);
			ifs[nifs].linktype = pk.linktype;
			ifs[nifs].ifindex = pk.ifindex;
			nifs++;
		}
		{
			uint32_t epb[5];

			epb[0] = k;
			epb[1] = (uint32_t)(pk.ts_ns >> 32);
			epb[2] = (uint32_t)pk.ts_ns;
			epb[3] = pk.caplen;
			epb[4] = pk.wirelen;
			report_ng_block(f, 6, epb, sizeof epb, pk.data,
			    pk.caplen);
		}
	}
	pcapfile_stats(pf, &ps);
	*bad = ps.bad_records;
	*truncated = ps.truncated;
	pcapfile_close(pf);
	if (rc == -1 || fclose(f) != 0) {
		if (rc != -1)
			xasprintf(cause, "temporary file: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* First and last packet time (ns) of path, into *first and *last. */
static int
report_cut_span(const char *path, uint64_t *first, uint64_t *last,
    char **cause)
{
	struct pcapfile *pf;
	struct pcapfile_pkt pk;
	int rc;

	if ((pf = pcapfile_open_flags(path, PCAPFILE_BUFFERED, cause)) ==
	    NULL)
		return -1;
	while ((rc = pcapfile_next(pf, &pk, cause)) == 1) {
		if (pk.ts_ns < *first)
			*first = pk.ts_ns;
		if (pk.ts_ns > *last)
			*last = pk.ts_ns;
	}
	pcapfile_close(pf);
	return rc == -1 ? -1 : 0;
}

/* Cut the files of o to the window and point o at the copies; the exit
 * code (one line on stderr if not WT_EXIT_OK). */
static int
report_cut(struct report *r, struct wt_opts *o, struct report_cut *c)
{
	struct stat sb[WT_MAX_SOURCES];
	uint64_t first = UINT64_MAX, last = 0;
	int64_t newest;
	char *cause = NULL;
	unsigned i, j;
	int fd;

	memset(c, 0, sizeof *c);
	for (i = 0; i < o->n_files; i++) {
		if (strcmp(o->files[i], "-") == 0) {
			log_stderr("--since/--until: cannot cut standard "
			    "input (-r -): it would be read twice");
			return WT_EXIT_USAGE;
		}
		if (stat(o->files[i], &sb[i]) != 0) {
			log_stderr("%s: %s", o->files[i],
			    strerror(errno));
			return WT_EXIT_CAPTURE;
		}
		if (report_cut_span(o->files[i], &first, &last, &cause) != 0)
			goto fail;
	}
	if (first == UINT64_MAX)
		first = last = 0;
	newest = (int64_t)(last / NS_PER_SEC);
	r->since = (int64_t)(first / NS_PER_SEC);
	r->until = newest + 1;
	if ((o->since != NULL && store_time_resolve(o->since, newest,
	    &r->since) != 0) || (o->until != NULL &&
	    store_time_resolve(o->until, newest, &r->until) != 0)) {
		log_stderr("--since/--until: expected ISO 8601 "
		    "(2024-05-01T13:00:00Z) or an age before the last packet "
		    "(90s, 15m, 1h, 7d, 2w)");
		return WT_EXIT_USAGE;
	}
	if (r->since < 0)
		r->since = 0;
	if (r->until <= r->since) {
		log_stderr("--until: must be later than --since");
		return WT_EXIT_USAGE;
	}
	r->windowed = 1;
	r->open_end = o->until == NULL;
	for (i = 0; i < o->n_files; i++) {
		for (j = 0; j < i; j++)
			if (sb[j].st_dev == sb[i].st_dev &&
			    sb[j].st_ino == sb[i].st_ino)
				break;
		if (j < i) {
			log_stderr("warning: %s is the same file "
			    "as %s: read once", o->files[i], o->files[j]);
			continue;
		}
		fd = report_cut_file(o->files[i], (uint64_t)r->since *
		    NS_PER_SEC, (uint64_t)r->until > UINT64_MAX / NS_PER_SEC ?
		    UINT64_MAX : (uint64_t)r->until * NS_PER_SEC,
		    &c->bad[c->n], &c->truncated[c->n], &cause);
		if (fd == -1)
			goto fail;
		c->orig[c->n] = o->files[i];
		c->fd[c->n] = fd;
		snprintf(c->path[c->n], sizeof c->path[c->n], "/dev/fd/%d", fd);
		c->n++;
	}
	for (i = 0; i < c->n; i++)
		o->files[i] = c->path[i];
	o->n_files = c->n;
	return WT_EXIT_OK;
fail:
	log_stderr("%s", cause != NULL ? cause :
	    "cannot read the capture files");
	free(cause);
	report_cut_free(c);
	return WT_EXIT_CAPTURE;
}

/* Name the original files in the report, with their malformed records. */
static void
report_cut_names(struct report *r, const struct report_cut *c)
{
	size_t i;

	r->bad_records = 0;
	r->truncated_files = 0;
	for (i = 0; i < r->nsrcs && i < c->n; i++) {
		free(r->srcs[i].name);
		r->srcs[i].name = xstrdup(c->orig[i]);
		r->srcs[i].bad_records = c->bad[i];
		r->srcs[i].truncated = c->truncated[i];
		r->bad_records += c->bad[i];
		r->truncated_files += c->truncated[i] != 0;
		if (c->truncated[i])
			log_stderr("warning: %s: the file ends "
			    "inside a record", c->orig[i]);
	}
}

/* ---- the mode ------------------------------------------------------- */

/* Run the pipeline to the end of the files; 1 if a signal stopped it. */
static int
report_run(struct pipeline *p, int sfd)
{
	unsigned ev;

	for (;;) {
		if (pipeline_drain(p, REPORT_BATCH) > 0)
			continue;
		if (pipeline_finished(p))
			return 0;
		ev = proc_signals_read(sfd);
		if (ev & PROC_EV_USR1)
			mode_log_stats(p);
		if (ev & (PROC_EV_STOP | PROC_EV_HUP))
			return 1;
		usleep(2000);
		pipeline_clear(p);
		mode_log_sources(p);
	}
}

/* Write the report in its format to fp and close it; the exit code. */
static int
report_emit(struct report *r, FILE *fp, const char *outname)
{
	int err = 0, code = WT_EXIT_OK;

	report_finish(r);
	errno = 0;
	if (r->format == REPORT_JSON) {
		if (report_json(r, fp) != 0)
			err = errno != 0 ? errno : EIO;
	} else if (r->format == REPORT_HTML)
		report_html(r, fp);
	else
		report_text(r, fp);
	if (fp == stdout) {
		if (err == 0)
			errno = 0;
		if ((fflush(fp) != 0 || ferror(fp)) && err == 0)
			err = errno != 0 ? errno : EIO;
	} else if (fclose(fp) != 0 && err == 0)
		err = errno != 0 ? errno : EIO;
	if (err == EPIPE && fp == stdout)
		code = WT_EXIT_PIPE;
	else if (err != 0) {
		log_stderr("%s: %s", outname, strerror(err));
		log_error("%s: %s", outname, strerror(err));
		code = WT_EXIT_RUNTIME;
	}
	return code;
}

static void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nsvc; i++)
		free(r->svc[i].name);
	for (i = 0; i < r->nsrcs; i++)
		free(r->srcs[i].name);
	for (i = 0; i < r->ntop; i++) {
		free(r->top[i].addr);
		free(r->top[i].name);
	}
	for (i = 0; i < r->nalerts; i++) {
		free(r->alerts[i].kind);
		free(r->alerts[i].subject);
		free(r->alerts[i].message);
		free(r->alerts[i].state);
	}
	free(r->alerts);
	free(r->srcs);
	free(r->top);
	free(r->svc);
	free(r->secs);
	free(r->rtt);
	free(r->buckets);
	free(r->db_path);
}

/* report --db (or neither --db nor -r): from the history database. */
static int
report_from_db(struct report *r, struct wt_opts *o)
{
	const char *outname;
	FILE *fp;
	int code;

	if ((code = report_db_read(r, o)) != WT_EXIT_OK)
		return code;
	if ((code = mode_output_open(o, &fp, &outname)) != WT_EXIT_OK)
		return code;
	return report_emit(r, fp, outname);
}

/* Run `wiretop report` and return its exit code. */
int
mode_report(struct wt_opts *o)
{
	struct report r;
	struct report_cut cut;
	struct pipeline *p;
	struct alerts *alerts = NULL;
	struct capture_stats cs;
	const char *outname;
	char *cause = NULL, *dbp;
	FILE *fp;
	size_t i;
	int code, sfd, run;

	memset(&r, 0, sizeof r);
	memset(&cut, 0, sizeof cut);
	/* "csv" is export's default, never a report's (main.c takes only
	 * text, json or html from --format here) */
	if (o->format == NULL || strcmp(o->format, "text") == 0 ||
	    strcmp(o->format, "csv") == 0)
		r.format = REPORT_TEXT;
	else if (strcmp(o->format, "json") == 0)
		r.format = REPORT_JSON;
	else if (strcmp(o->format, "html") == 0)
		r.format = REPORT_HTML;
	else {
		log_stderr("--format: expected text, json or html");
		return WT_EXIT_USAGE;
	}
	if (o->db_path != NULL && o->n_files > 0) {
		log_stderr("report: --db and -r: give one of them (the "
		    "history database, or capture files)");
		return WT_EXIT_USAGE;
	}
	/* (a report of no capture file reads the database) */
	dbp = o->n_files == 0 ? store_pick_path(o->db_path) : NULL;
	code = mode_output_check(o, dbp);
	free(dbp);
	if (code != WT_EXIT_OK)
		return code;
	if (o->n_files == 0) {
		/* the history database; an interface from wiretop.conf
		 * does not matter here (live capture is never reported) */
		code = report_from_db(&r, o);
		report_free(&r);
		return code;
	}
	if (o->n_ifaces > 0) {
		log_stderr("report: reads capture files (-r) or the "
		    "history database (--db); live capture is not reported");
		return WT_EXIT_USAGE;
	}
	if (!o->speed_given)
		o->speed = 0;
	if ((o->since != NULL || o->until != NULL) &&
	    (code = report_cut(&r, o, &cut)) != WT_EXIT_OK)
		return code;

	if ((code = mode_open(o, "cannot open the capture sources", &p)) !=
	    WT_EXIT_OK) {
		report_cut_free(&cut);
		return code;
	}
	r.p = p;
	r.engine = pipeline_engine(p);
	if ((code = mode_output_open(o, &fp, &outname)) != WT_EXIT_OK) {
		pipeline_free(p);
		report_cut_free(&cut);
		return code;
	}
	if ((sfd = proc_signals_open(&cause)) == -1) {
		log_stderr("%s", cause);
		free(cause);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		report_cut_free(&cut);
		return WT_EXIT_RUNTIME;
	}
	engine_sink_add(r.engine, &(struct engine_sink){
	    .name = "report", .arg = &r, .flow = report_flow,
	    .tick = report_tick, .flags = ENGINE_SINK_UNORDERED });
	if ((code = mode_alerts_open(o, r.engine, &alerts)) != WT_EXIT_OK) {
		close(sfd);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		report_cut_free(&cut);
		return code;
	}
	if (pipeline_start(p, &cause) != 0) {
		log_stderr("%s", cause != NULL ? cause :
		    "cannot start capture");
		free(cause);
		alerts_free(alerts);
		close(sfd);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		report_cut_free(&cut);
		return WT_EXIT_CAPTURE;
	}
	mode_geoip_notice(p);
	run = report_run(p, sfd);
	pipeline_stop(p);
	close(sfd);

	code = WT_EXIT_OK;
	for (i = 0; i < pipeline_source_count(p); i++) {
		capture_get_stats(pipeline_source(p, i), &cs);
		if (cs.state != CAPTURE_STATE_FAILED)
			continue;
		log_stderr("%s", cs.error[0] != '\0' ?
		    cs.error : capture_name(pipeline_source(p, i)));
		code = WT_EXIT_CAPTURE;
		break;
	}
	if (code == WT_EXIT_OK && run == 1) {
		log_stderr("interrupted: no report written");
		code = WT_EXIT_RUNTIME;
	}
	if (code == WT_EXIT_OK) {
		while (pipeline_drain(p, REPORT_BATCH) > 0)
			;
		engine_flush(r.engine);
		report_close_sec(&r, r.engine);
		report_finish_files(&r);
		report_take_alerts(&r, alerts);
		if (cut.n > 0)
			report_cut_names(&r, &cut);
		code = report_emit(&r, fp, outname);
		for (i = 0; i < pipeline_source_count(p); i++)
			capture_print_warnings(pipeline_source(p, i));
	} else if (fp != stdout)
		fclose(fp);
	mode_log_end(p, code);
	report_free(&r);
	alerts_free(alerts);
	pipeline_free(p);
	report_cut_free(&cut);
	return code;
}
