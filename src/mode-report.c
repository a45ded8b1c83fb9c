/*
 * mode-report.c: `wiretop report`: one summary of capture files as text,
 * JSON or a self-contained HTML page with inline SVG charts.
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
 * After the input ends the host table gives the top talkers.  Nothing of
 * the wall clock goes into the report: the same input gives the same
 * bytes.  Every captured string (names) and every file name is escaped
 * for the output it goes to: fmt_escape_one() for the terminal, the JSON
 * writer's escaping for JSON, and both fmt_escape_one() and HTML entities
 * for HTML.
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "fmt.h"
#include "log.h"
#include "out.h"
#include "pipeline.h"
#include "proc.h"
#include "xmalloc.h"

#define REPORT_SCHEMA		"wiretop.report/1"
#define REPORT_BATCH		4096	/* records per pipeline_drain */
#define REPORT_TOP		10	/* talkers and services listed */
#define REPORT_MAX_POINTS	300	/* points of the traffic series */
#define REPORT_NAME_MAX		48	/* characters of a name in a table */
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
	uint64_t bytes;		/* wire bytes, each frame once */
	uint64_t pkts;
	uint64_t flows;		/* flows (partial records not counted) */
};

struct report {
	enum report_format format;
	struct engine *engine;
	struct pipeline *p;

	/* seconds with packets, in order */
	struct report_sec *secs;
	size_t nsecs, capsecs;
	uint64_t cur_sec;	/* second being counted */
	struct report_sec last;	/* counters at the last tick */

	struct report_svc *svc;	/* services, then sorted */
	size_t nsvc, capsvc;

	uint32_t *rtt;		/* handshake RTTs, us */
	size_t nrtt, caprtt;
	uint64_t flows;		/* flows ended (partial records not counted) */
	uint64_t retrans;	/* retransmitted TCP segments */
	uint64_t tcp_pkts;	/* TCP segments */

	/* worked out at the end */
	const struct host **hosts;	/* top talkers, borrowed */
	size_t ntop;
	uint64_t nhosts;		/* hosts with traffic of their own */
	struct report_sec *buckets;	/* the series */
	size_t nbuckets;
	uint64_t step;			/* seconds per bucket */
	size_t peak_b, peak_p;		/* index in secs */
	uint64_t drops_kernel, drops_iface, drops_ring, bad_records;
	uint64_t filtered;
	unsigned truncated_files;
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

/* Engine flow sink: services, RTTs, retransmissions. */
static void
report_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct report *r = arg;
	const struct flow_tunnel *tu;
	struct report_svc *v = NULL;
	const char *name;
	uint64_t bytes, pkts;
	size_t i;

	tu = engine_flow_tunnel(r->engine, f);
	bytes = f->dir[0].wire_bytes + f->dir[1].wire_bytes;
	pkts = f->dir[0].pkts + f->dir[1].pkts;
	if (tu != NULL) {
		bytes -= tu->inner_wire[0] + tu->inner_wire[1];
		pkts -= tu->inner_pkts[0] + tu->inner_pkts[1];
	}
	name = flow_service(f);
	for (i = 0; i < r->nsvc; i++) {
		v = &r->svc[i];
		if (name == NULL ? v->name == NULL && v->proto == f->key.proto :
		    v->name != NULL && strcmp(v->name, name) == 0)
			break;
	}
	if (i == r->nsvc) {
		if (r->nsvc == r->capsvc) {
			r->capsvc = r->capsvc * 2 + 16;
			r->svc = xreallocarray(r->svc, r->capsvc,
			    sizeof *r->svc);
		}
		v = &r->svc[r->nsvc++];
		memset(v, 0, sizeof *v);
		v->name = name != NULL ? xstrdup(name) : NULL;
		v->proto = f->key.proto;
	}
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

/* Hosts by bytes sent and received, then address. */
static int
report_host_cmp(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a;
	const struct host *y = *(const struct host *const *)b;
	uint64_t bx = x->bytes_in + x->bytes_out;
	uint64_t by = y->bytes_in + y->bytes_out;

	if (bx != by)
		return bx > by ? -1 : 1;
	if (x->ip_ver != y->ip_ver)
		return x->ip_ver < y->ip_ver ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof x->addr);
}

/* The RTT at percentile pct by nearest rank (the ceil(pct/100 * n)-th
 * smallest), in us; r->rtt is sorted and not empty. */
static uint32_t
report_rank(const struct report *r, unsigned pct)
{
	size_t k = (r->nrtt * pct + 99) / 100;

	return r->rtt[k > 0 ? k - 1 : 0];
}

/* Work out everything the formats print. */
static void
report_finish(struct report *r)
{
	static const uint64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300,
	    600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800,
	    604800, 2592000, 31536000 };
	const struct engine *e = r->engine;
	const struct host *h, **all;
	struct capture_stats cs;
	size_t i, n = 0, b;
	uint64_t first, last, span;

	/* top talkers: hosts with traffic of their own (a tunnel endpoint
	 * whose every frame counted at the hosts inside has none) */
	all = xreallocarray(NULL, engine_host_count(e) + 1, sizeof *all);
	for (h = engine_host_first(e); h != NULL; h = engine_host_next(e, h))
		if (h->pkts_in + h->pkts_out != 0)
			all[n++] = h;
	qsort(all, n, sizeof *all, report_host_cmp);
	r->nhosts = n;
	r->ntop = n < REPORT_TOP ? n : REPORT_TOP;
	r->hosts = all;

	qsort(r->svc, r->nsvc, sizeof *r->svc, report_svc_cmp);
	if (r->nrtt > 0)
		qsort(r->rtt, r->nrtt, sizeof *r->rtt, report_u32_cmp);

	/* peaks: the first second with the most bytes, and packets */
	for (i = 0; i < r->nsecs; i++) {
		if (r->secs[i].bytes > r->secs[r->peak_b].bytes)
			r->peak_b = i;
		if (r->secs[i].pkts > r->secs[r->peak_p].pkts)
			r->peak_p = i;
	}

	/* series: the smallest step that gives at most REPORT_MAX_POINTS
	 * buckets, aligned on multiples of the step */
	if (r->nsecs > 0) {
		first = r->secs[0].sec;
		last = r->secs[r->nsecs - 1].sec;
		r->step = steps[sizeof steps / sizeof steps[0] - 1];
		for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
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

	for (i = 0; i < pipeline_source_count(r->p); i++) {
		capture_get_stats(pipeline_source(r->p, i), &cs);
		r->drops_kernel += cs.kernel_drops;
		r->drops_iface += cs.if_drops;
		r->drops_ring += cs.ring_drops;
		r->bad_records += cs.bad_records;
		r->filtered += cs.filtered;
		r->truncated_files += cs.truncated != 0;
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

/* ---- text ----------------------------------------------------------- */

static void
report_text(struct report *r, FILE *fp)
{
	const struct engine_totals *t = engine_totals(r->engine);
	const struct report_sec *s;
	const struct host *h;
	const char *name;
	char b1[64], b2[64], addr[FMT_ADDR_MAX];
	char esc[REPORT_NAME_MAX * FMT_ESC_MAX + 8];
	size_t i;

	fputs("wiretop report\n\nSources\n", fp);
	for (i = 0; i < pipeline_source_count(r->p); i++) {
		report_esc(capture_name(pipeline_source(r->p, i)), 200, esc,
		    sizeof esc);
		fprintf(fp, "  %s\n", esc);
	}
	fprintf(fp, "\nTotals\n");
	fprintf(fp, "  %-12s %" PRIu64 "\n", "packets", t->packets);
	fprintf(fp, "  %-12s %" PRIu64 " (%s)\n", "bytes", t->bytes,
	    fmt_size(t->bytes, b1, sizeof b1));
	fprintf(fp, "  %-12s %" PRIu64 "\n", "flows", r->flows);
	fprintf(fp, "  %-12s %" PRIu64 "\n", "hosts", r->nhosts);
	if (t->packets > 0) {
		fprintf(fp, "  %-12s %s\n", "first",
		    fmt_time_iso(t->first_ns, b1, sizeof b1));
		fprintf(fp, "  %-12s %s\n", "last",
		    fmt_time_iso(t->last_ns, b1, sizeof b1));
		fprintf(fp, "  %-12s %s\n", "duration",
		    fmt_duration((double)(t->last_ns - t->first_ns) / 1e9,
		    b1, sizeof b1));
	}

	fprintf(fp, "\nPeak rate (1-second buckets)\n");
	if (r->nsecs > 0) {
		s = &r->secs[r->peak_b];
		fprintf(fp, "  %-12s %" PRIu64 " (%s) at %s\n", "bytes/s",
		    s->bytes, fmt_rate((double)s->bytes, 0, 0, b1, sizeof b1),
		    report_time(s->sec, b2, sizeof b2));
		s = &r->secs[r->peak_p];
		fprintf(fp, "  %-12s %" PRIu64 " at %s\n", "packets/s",
		    s->pkts, report_time(s->sec, b2, sizeof b2));
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

	fprintf(fp, "\nTop talkers (wire bytes sent and received)\n");
	if (r->ntop > 0)
		fprintf(fp, "  %3s %14s %14s %14s %10s  %-39s %s\n", "#",
		    "bytes", "bytes_in", "bytes_out", "packets", "address",
		    "name");
	for (i = 0; i < r->ntop; i++) {
		h = r->hosts[i];
		fmt_addr(h->ip_ver, h->addr, addr, sizeof addr);
		name = engine_name_lookup(r->engine, h->ip_ver, h->addr);
		if (name != NULL)
			report_esc(name, REPORT_NAME_MAX, esc, sizeof esc);
		fprintf(fp, "  %3zu %14" PRIu64 " %14" PRIu64 " %14" PRIu64
		    " %10" PRIu64 "  %-39s %s\n", i + 1,
		    h->bytes_in + h->bytes_out, h->bytes_in, h->bytes_out,
		    h->pkts_in + h->pkts_out, addr, name != NULL ? esc : "-");
	}

	fprintf(fp, "\nTop services (wire bytes, each frame once)\n");
	if (r->nsvc > 0)
		fprintf(fp, "  %3s %14s %10s %8s  %s\n", "#", "bytes",
		    "packets", "flows", "service");
	for (i = 0; i < r->nsvc && i < REPORT_TOP; i++)
		fprintf(fp, "  %3zu %14" PRIu64 " %10" PRIu64 " %8" PRIu64
		    "  %s\n", i + 1, r->svc[i].bytes, r->svc[i].pkts,
		    r->svc[i].flows, report_svc_label(&r->svc[i], b1,
		    sizeof b1));

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
	fprintf(fp, "  %-22s %" PRIu64 "\n", "decoded", t->status[PKT_DECODED]);
	fprintf(fp, "  %-22s %" PRIu64 "\n", "truncated",
	    t->status[PKT_TRUNCATED]);
	fprintf(fp, "  %-22s %" PRIu64 "\n", "invalid", t->status[PKT_INVALID]);
	fprintf(fp, "  %-22s %" PRIu64 "\n", "unsupported",
	    t->status[PKT_UNSUPPORTED]);
	fprintf(fp, "  %-22s %" PRIu64 "\n", "kernel drops", r->drops_kernel);
	fprintf(fp, "  %-22s %" PRIu64 "\n", "interface drops",
	    r->drops_iface);
	fprintf(fp, "  %-22s %" PRIu64 "\n", "ring drops", r->drops_ring);
	fprintf(fp, "  %-22s %" PRIu64 "\n", "bad file records",
	    r->bad_records);
	fprintf(fp, "  %-22s %u\n", "truncated files", r->truncated_files);
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
	const struct engine_totals *t = engine_totals(r->engine);
	struct out_writer *w = out_create(OUT_FMT_JSON, fp);
	size_t nsrc = pipeline_source_count(r->p), i, nsvc;
	struct out_rec *srcs, *bks, *tops, *svcs;
	struct out_field *sf, *bf, *tf, *vf;
	char (*times)[32], (*addrs)[FMT_ADDR_MAX];
	char (*labels)[64];
	char first[40], last[40], pb[32], pp[32], start[32];
	const struct host *h;
	const struct report_sec *s;
	struct capture_stats cs;
	int rc;

	nsvc = r->nsvc < REPORT_TOP ? r->nsvc : REPORT_TOP;
	srcs = xcalloc(nsrc + 1, sizeof *srcs);
	sf = xcalloc((nsrc + 1) * 5, sizeof *sf);
	for (i = 0; i < nsrc; i++) {
		struct capture *c = pipeline_source(r->p, i);
		struct out_field *f = sf + i * 5;

		capture_get_stats(c, &cs);
		f[0] = (struct out_field)OUT_F_STR("name", capture_name(c));
		f[1] = (struct out_field)OUT_F_UINT("packets", cs.packets);
		f[2] = (struct out_field)OUT_F_UINT("bytes", cs.bytes);
		f[3] = (struct out_field)OUT_F_UINT("bad_records",
		    cs.bad_records);
		f[4] = (struct out_field)OUT_F_BOOL("truncated", cs.truncated);
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

	addrs = xcalloc(r->ntop + 1, sizeof *addrs);
	tops = xcalloc(r->ntop + 1, sizeof *tops);
	tf = xcalloc((r->ntop + 1) * 7, sizeof *tf);
	for (i = 0; i < r->ntop; i++) {
		struct out_field *f = tf + i * 7;

		h = r->hosts[i];
		fmt_addr(h->ip_ver, h->addr, addrs[i], sizeof addrs[i]);
		f[0] = (struct out_field)OUT_F_UINT("rank", i + 1);
		f[1] = (struct out_field)OUT_F_TOKEN("address", addrs[i]);
		f[2] = (struct out_field)OUT_F_CAPTURED("name",
		    engine_name_lookup(r->engine, h->ip_ver, h->addr));
		f[3] = (struct out_field)OUT_F_UINT("bytes",
		    h->bytes_in + h->bytes_out);
		f[4] = (struct out_field)OUT_F_UINT("bytes_in", h->bytes_in);
		f[5] = (struct out_field)OUT_F_UINT("bytes_out", h->bytes_out);
		f[6] = (struct out_field)OUT_F_UINT("packets",
		    h->pkts_in + h->pkts_out);
		tops[i].f = f;
		tops[i].n = 7;
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
		f[2] = (struct out_field)OUT_F_STR("proto", pn);
		f[3] = (struct out_field)OUT_F_UINT("bytes", r->svc[i].bytes);
		f[4] = (struct out_field)OUT_F_UINT("packets", r->svc[i].pkts);
		f[5] = (struct out_field)OUT_F_UINT("flows", r->svc[i].flows);
		svcs[i].f = f;
		svcs[i].n = 6;
	}

	if (t->packets > 0) {
		fmt_time_iso(t->first_ns, first, sizeof first);
		fmt_time_iso(t->last_ns, last, sizeof last);
	}
	if (r->nsecs > 0) {
		report_time(r->secs[r->peak_b].sec, pb, sizeof pb);
		report_time(r->secs[r->peak_p].sec, pp, sizeof pp);
	}
	if (r->nbuckets > 0)
		report_time(r->buckets[0].sec, start, sizeof start);

	struct out_field totals[] = {
		OUT_F_UINT("packets", t->packets),
		OUT_F_UINT("bytes", t->bytes),
		OUT_F_UINT("flows", r->flows),
		OUT_F_UINT("hosts", r->nhosts),
		t->packets > 0 ? (struct out_field)OUT_F_TOKEN("first", first) :
		    (struct out_field)OUT_F_NULL("first"),
		t->packets > 0 ? (struct out_field)OUT_F_TOKEN("last", last) :
		    (struct out_field)OUT_F_NULL("last"),
		OUT_F_FIXED("duration", t->packets > 0 ?
		    (int64_t)((t->last_ns - t->first_ns) / 1000) : 0, 6),
	};
	struct out_field peak[] = {
		OUT_F_UINT("bytes_per_sec", r->nsecs > 0 ?
		    r->secs[r->peak_b].bytes : 0),
		r->nsecs > 0 ? (struct out_field)OUT_F_TOKEN("bytes_time", pb) :
		    (struct out_field)OUT_F_NULL("bytes_time"),
		OUT_F_UINT("packets_per_sec", r->nsecs > 0 ?
		    r->secs[r->peak_p].pkts : 0),
		r->nsecs > 0 ?
		    (struct out_field)OUT_F_TOKEN("packets_time", pp) :
		    (struct out_field)OUT_F_NULL("packets_time"),
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
	struct out_field decode[] = {
		OUT_F_UINT("decoded", t->status[PKT_DECODED]),
		OUT_F_UINT("truncated", t->status[PKT_TRUNCATED]),
		OUT_F_UINT("invalid", t->status[PKT_INVALID]),
		OUT_F_UINT("unsupported", t->status[PKT_UNSUPPORTED]),
	};
	struct out_field drops[] = {
		OUT_F_UINT("kernel", r->drops_kernel),
		OUT_F_UINT("interface", r->drops_iface),
		OUT_F_UINT("ring", r->drops_ring),
		OUT_F_UINT("bad_records", r->bad_records),
		OUT_F_UINT("truncated_files", r->truncated_files),
	};
	struct out_field top[] = {
		REPORT_F_ARR("sources", srcs, nsrc),
		REPORT_F_OBJ("totals", totals, REPORT_NELEM(totals)),
		REPORT_F_OBJ("peak", peak, REPORT_NELEM(peak)),
		REPORT_F_OBJ("traffic", traffic, REPORT_NELEM(traffic)),
		REPORT_F_ARR("top_talkers", tops, r->ntop),
		REPORT_F_ARR("top_services", svcs, nsvc),
		REPORT_F_OBJ("tcp", tcp, REPORT_NELEM(tcp)),
		REPORT_F_OBJ("decode", decode, REPORT_NELEM(decode)),
		REPORT_F_OBJ("drops", drops, REPORT_NELEM(drops)),
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
	free(addrs);
	free(tops);
	free(tf);
	free(labels);
	free(svcs);
	free(vf);
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
	const struct engine_totals *t = engine_totals(r->engine);
	const char *labels[REPORT_TOP], *name;
	uint64_t vals[REPORT_TOP];
	char addr[REPORT_TOP][FMT_ADDR_MAX], svc[REPORT_TOP][64];
	char b1[64], b2[64], b3[96];
	const struct report_sec *s;
	const struct host *h;
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
	fputs("<p>Sources:", fp);
	for (i = 0; i < pipeline_source_count(r->p); i++) {
		fputs(i == 0 ? " " : ", ", fp);
		report_html_str(fp, capture_name(pipeline_source(r->p, i)),
		    200);
	}
	fputs("</p>\n", fp);

	fputs("<h2 id=\"totals\">Totals</h2>\n<table>\n", fp);
	report_html_rowu(fp, "packets", t->packets);
	report_html_rowu(fp, "bytes", t->bytes);
	report_html_rowu(fp, "flows", r->flows);
	report_html_rowu(fp, "hosts", r->nhosts);
	if (t->packets > 0) {
		report_html_row(fp, "first", fmt_time_iso(t->first_ns, b1,
		    sizeof b1));
		report_html_row(fp, "last", fmt_time_iso(t->last_ns, b1,
		    sizeof b1));
		report_html_row(fp, "duration", fmt_duration((double)
		    (t->last_ns - t->first_ns) / 1e9, b1, sizeof b1));
	}
	if (r->nsecs > 0) {
		s = &r->secs[r->peak_b];
		snprintf(b3, sizeof b3, "%" PRIu64 " B/s (%s) at %s",
		    s->bytes, fmt_rate((double)s->bytes, 0, 0, b1, sizeof b1),
		    report_time(s->sec, b2, sizeof b2));
		report_html_row(fp, "peak bytes/s", b3);
		s = &r->secs[r->peak_p];
		snprintf(b3, sizeof b3, "%" PRIu64 " at %s", s->pkts,
		    report_time(s->sec, b2, sizeof b2));
		report_html_row(fp, "peak packets/s", b3);
	}
	fputs("</table>\n", fp);

	fputs("<h2 id=\"traffic-over-time\">Traffic over time</h2>\n", fp);
	report_html_traffic(r, fp);

	fputs("<h2 id=\"top-talkers\">Top talkers</h2>\n", fp);
	for (i = 0; i < r->ntop; i++) {
		h = r->hosts[i];
		name = engine_name_lookup(r->engine, h->ip_ver, h->addr);
		fmt_addr(h->ip_ver, h->addr, addr[i], sizeof addr[i]);
		labels[i] = name != NULL ? name : addr[i];
		vals[i] = h->bytes_in + h->bytes_out;
	}
	report_html_bars(fp, "talkers", labels, vals, r->ntop);
	fputs("<table>\n<tr><th>#</th><th class=\"l\">address</th>"
	    "<th class=\"l\">name</th><th>bytes</th><th>in</th><th>out</th>"
	    "<th>packets</th></tr>\n", fp);
	for (i = 0; i < r->ntop; i++) {
		h = r->hosts[i];
		name = engine_name_lookup(r->engine, h->ip_ver, h->addr);
		fprintf(fp, "<tr><td>%zu</td><td class=\"l\">%s</td>"
		    "<td class=\"l\">", i + 1, addr[i]);
		report_html_str(fp, name != NULL ? name : "-",
		    REPORT_NAME_MAX);
		fprintf(fp, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>"
		    "<td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
		    h->bytes_in + h->bytes_out, h->bytes_in, h->bytes_out,
		    h->pkts_in + h->pkts_out);
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
	report_html_rowu(fp, "decoded", t->status[PKT_DECODED]);
	report_html_rowu(fp, "truncated", t->status[PKT_TRUNCATED]);
	report_html_rowu(fp, "invalid", t->status[PKT_INVALID]);
	report_html_rowu(fp, "unsupported", t->status[PKT_UNSUPPORTED]);
	report_html_rowu(fp, "kernel drops", r->drops_kernel);
	report_html_rowu(fp, "interface drops", r->drops_iface);
	report_html_rowu(fp, "ring drops", r->drops_ring);
	report_html_rowu(fp, "bad file records", r->bad_records);
	report_html_rowu(fp, "truncated files", r->truncated_files);
	fputs("</table>\n</body>\n</html>\n", fp);
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

/* Run `wiretop report` and return its exit code. */
int
mode_report(struct wt_opts *o)
{
	struct report r;
	struct pipeline *p;
	struct capture_stats cs;
	const char *outname;
	char *cause = NULL;
	FILE *fp;
	size_t i;
	int code, sfd, run, err = 0;

	memset(&r, 0, sizeof r);
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
		fputs("wiretop: --format: expected text, json or html\n",
		    stderr);
		return WT_EXIT_USAGE;
	}
	if (o->n_files == 0 || o->n_ifaces > 0) {
		fputs("wiretop: report: reads capture files: give -r FILE "
		    "(live capture is not reported)\n", stderr);
		return WT_EXIT_USAGE;
	}
	if ((code = mode_output_check(o)) != WT_EXIT_OK)
		return code;
	if (!o->speed_given)
		o->speed = 0;

	if ((code = mode_open(o, "cannot open the capture sources", &p)) !=
	    WT_EXIT_OK)
		return code;
	r.p = p;
	r.engine = pipeline_engine(p);
	if ((code = mode_output_open(o, &fp, &outname)) != WT_EXIT_OK) {
		pipeline_free(p);
		return code;
	}
	if ((sfd = proc_signals_open(&cause)) == -1) {
		fprintf(stderr, "wiretop: %s\n", cause);
		free(cause);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		return WT_EXIT_RUNTIME;
	}
	engine_sink_add(r.engine, &(struct engine_sink){
	    .name = "report", .arg = &r, .flow = report_flow,
	    .tick = report_tick, .flags = ENGINE_SINK_UNORDERED });
	if (pipeline_start(p, &cause) != 0) {
		fprintf(stderr, "wiretop: %s\n", cause != NULL ? cause :
		    "cannot start capture");
		free(cause);
		close(sfd);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		return WT_EXIT_CAPTURE;
	}
	run = report_run(p, sfd);
	pipeline_stop(p);
	close(sfd);

	code = WT_EXIT_OK;
	for (i = 0; i < pipeline_source_count(p); i++) {
		capture_get_stats(pipeline_source(p, i), &cs);
		if (cs.state != CAPTURE_STATE_FAILED)
			continue;
		fprintf(stderr, "wiretop: %s\n", cs.error[0] != '\0' ?
		    cs.error : capture_name(pipeline_source(p, i)));
		code = WT_EXIT_CAPTURE;
		break;
	}
	if (code == WT_EXIT_OK && run == 1) {
		fputs("wiretop: interrupted: no report written\n", stderr);
		code = WT_EXIT_RUNTIME;
	}
	if (code == WT_EXIT_OK) {
		while (pipeline_drain(p, REPORT_BATCH) > 0)
			;
		engine_flush(r.engine);
		report_close_sec(&r, r.engine);
		report_finish(&r);
		errno = 0;
		if (r.format == REPORT_JSON) {
			if (report_json(&r, fp) != 0)
				err = errno != 0 ? errno : EIO;
		} else if (r.format == REPORT_HTML)
			report_html(&r, fp);
		else
			report_text(&r, fp);
		for (i = 0; i < pipeline_source_count(p); i++)
			capture_print_warnings(pipeline_source(p, i), stderr);
	}
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
		fprintf(stderr, "wiretop: %s: %s\n", outname, strerror(err));
		log_error("%s: %s", outname, strerror(err));
		code = WT_EXIT_RUNTIME;
	}
	mode_log_end(p, code);
	for (i = 0; i < r.nsvc; i++)
		free(r.svc[i].name);
	free(r.svc);
	free(r.secs);
	free(r.rtt);
	free(r.buckets);
	free(r.hosts);
	pipeline_free(p);
	return code;
}
